package emulator.stacks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * Waits, with a bound, for the DS components configured by a PID to come up with a given revision of
 * their configuration, or to go away. Polls the runtime's DTOs: SCR applies configuration changes
 * asynchronously and offers no completion callback.
 */
final class ComponentWatch {
    static final String REVISION = "abiscope.stack.revision";
    private static final long POLL_MS = 10;

    private final ServiceComponentRuntime scr;
    private final long timeoutMs;

    ComponentWatch(ServiceComponentRuntime scr, long timeoutMs) {
        this.scr = scr;
        this.timeoutMs = timeoutMs;
    }

    /** The components whose configuration PIDs include {@code pid}. */
    List<ComponentDescriptionDTO> componentsOf(String pid) {
        List<ComponentDescriptionDTO> l = new ArrayList<>();
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs())
            if (d.configurationPid != null && Arrays.asList(d.configurationPid).contains(pid)) l.add(d);
        return l;
    }

    private List<ComponentConfigurationDTO> configurations(String pid) {
        List<ComponentConfigurationDTO> l = new ArrayList<>();
        for (ComponentDescriptionDTO d : componentsOf(pid)) l.addAll(scr.getComponentConfigurationDTOs(d));
        return l;
    }

    private static boolean hasRevision(ComponentConfigurationDTO c, long revision) {
        return c.properties != null && Objects.equals(c.properties.get(REVISION), revision);
    }

    /**
     * Returns once a component of {@code pid} runs with configuration revision {@code revision}.
     *
     * @return null when it is up, else why not (activation failure, unsatisfied references, timeout)
     */
    String awaitUp(String pid, long revision) throws InterruptedException {
        if (componentsOf(pid).isEmpty()) return null; // configured some other way than DS: nothing to wait for
        long deadline = System.currentTimeMillis() + timeoutMs;
        String state = "no component configuration yet";
        while (true) {
            for (ComponentConfigurationDTO c : configurations(pid)) {
                if (!hasRevision(c, revision)) continue;
                // an immediate component passes through SATISFIED on its way to ACTIVE (or to a failed
                // activation); a delayed one stays SATISFIED, its service registered, until first used
                if (c.state == ComponentConfigurationDTO.ACTIVE) return null;
                if (c.state == ComponentConfigurationDTO.SATISFIED && !c.description.immediate) return null;
                if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION)
                    return "component " + c.description.name + " failed to activate: " + c.failure;
                state = "component " + c.description.name + " is " + stateName(c.state) + unsatisfied(c);
            }
            if (System.currentTimeMillis() > deadline) return "not active after " + timeoutMs + " ms (" + state + ")";
            Thread.sleep(POLL_MS);
        }
    }

    /**
     * Returns once no component of {@code pid} holds a configuration matching {@code stillThere} and
     * its deactivation has completed.
     */
    String awaitGone(String pid, Predicate<ComponentConfigurationDTO> stillThere) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (configurations(pid).stream().anyMatch(stillThere)) {
            if (System.currentTimeMillis() > deadline) return pid + " still active after " + timeoutMs + " ms";
            Thread.sleep(POLL_MS);
        }
        return deactivationBarrier(pid);
    }

    /**
     * SCR drops a configuration from its DTOs before the component's deactivate method has returned
     * (seen: a plugin's log not yet closed). Disabling a component resolves its promise only once the
     * component is deactivated, so disable + enable is a barrier; with its configuration gone, the
     * re-enabled component stays idle (configuration policy REQUIRE) or comes back as it was.
     */
    private String deactivationBarrier(String pid) throws InterruptedException {
        for (ComponentDescriptionDTO d : componentsOf(pid)) {
            try {
                scr.disableComponent(d).getValue();
                scr.enableComponent(d).getValue();
            } catch (java.lang.reflect.InvocationTargetException e) {
                return "component " + d.name + ": " + e.getCause();
            }
        }
        return null;
    }

    private static String unsatisfied(ComponentConfigurationDTO c) {
        if (c.unsatisfiedReferences == null || c.unsatisfiedReferences.length == 0) return "";
        List<String> names = new ArrayList<>();
        for (var r : c.unsatisfiedReferences) names.add(r.name + " (" + r.target + ")");
        return ", waiting for " + String.join(", ", names);
    }

    static String stateName(int state) {
        return switch (state) {
            case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> "waiting for its configuration";
            case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> "missing references";
            case ComponentConfigurationDTO.SATISFIED -> "satisfied";
            case ComponentConfigurationDTO.ACTIVE -> "active";
            case ComponentConfigurationDTO.FAILED_ACTIVATION -> "failed";
            default -> "in state " + state;
        };
    }
}
