package emulator.stacks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.AllServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentConstants;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * Waits, with a bound, for the DS components configured by a PID to come up with a given revision of
 * their configuration, or to go away. SCR applies configuration changes asynchronously and offers no
 * completion callback, so the state is read from its DTOs — re-read whenever a component's service
 * changes (the events SCR causes on its way up and down), not on a timer: a 10 ms poll cost every
 * {@code abiscope run --plugins} a few of those per plugin, going up and coming down. A slow re-check
 * ({@link #RECHECK_MS}) still catches changes that raise no service event (a failed activation, a
 * missing reference).
 *
 * <p>An {@link AllServiceListener}: it counts events and never uses a service, so the framework need
 * not ask, at each event, whether this bundle could load every class the service is registered under
 * (for a class it cannot see, a failed class load with a search of its dynamic imports and a walk of
 * the stack; a plugin's own classes were such, at every plugin coming up and going down).
 */
final class ComponentWatch implements AllServiceListener {
    static final String REVISION = "abiscope.stack.revision";
    /** The longest wait between two looks at the DTOs when no service event comes. */
    static final long RECHECK_MS = 50;

    private final BundleContext context;
    private final ServiceComponentRuntime scr;
    private final long timeoutMs;
    /** Service events of components seen so far (guarded by this): a waiter sleeps only while it stays the same. */
    private long events;

    ComponentWatch(BundleContext context, ServiceComponentRuntime scr, long timeoutMs) {
        this.context = context;
        this.scr = scr;
        this.timeoutMs = timeoutMs;
    }

    /** Starts listening to the service events of DS components. */
    void open() {
        try {
            context.addServiceListener(this, "(" + ComponentConstants.COMPONENT_NAME + "=*)");
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e); // a constant filter
        }
    }

    void close() { context.removeServiceListener(this); }

    @Override
    public synchronized void serviceChanged(ServiceEvent event) {
        events++;
        notifyAll();
    }

    private synchronized long events() { return events; }

    /** Sleeps until a component service event after the {@code seen}-th, the deadline, or the re-check time. */
    private synchronized void awaitEvent(long seen, long deadlineNanos) throws InterruptedException {
        long left = Math.min(TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()) + 1, RECHECK_MS);
        if (events == seen && left > 0) wait(left);
    }

    /**
     * For each PID, the components whose configuration PIDs include it (an empty list for none). One
     * look at SCR for them all: SCR builds the DTOs of every component of the framework each time.
     */
    Map<String, List<ComponentDescriptionDTO>> componentsOf(Collection<String> pids) {
        Map<String, List<ComponentDescriptionDTO>> m = new LinkedHashMap<>();
        for (String pid : pids) m.put(pid, new ArrayList<>());
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (d.configurationPid == null) continue;
            for (String pid : d.configurationPid) {
                List<ComponentDescriptionDTO> l = m.get(pid);
                if (l != null && !l.contains(d)) l.add(d);
            }
        }
        return m;
    }

    private List<ComponentConfigurationDTO> configurations(Collection<ComponentDescriptionDTO> descriptions) {
        List<ComponentConfigurationDTO> l = new ArrayList<>();
        for (ComponentDescriptionDTO d : descriptions) l.addAll(scr.getComponentConfigurationDTOs(d));
        return l;
    }

    private static boolean hasRevision(ComponentConfigurationDTO c, long revision) {
        return c.properties != null && Objects.equals(c.properties.get(REVISION), revision);
    }

    /**
     * Returns once one of {@code descriptions} (the components of a PID) runs with configuration
     * revision {@code revision}.
     *
     * @return null when it is up, else why not (activation failure, unsatisfied references, timeout)
     */
    String awaitUp(List<ComponentDescriptionDTO> descriptions, long revision) throws InterruptedException {
        if (descriptions.isEmpty()) return null; // configured some other way than DS: nothing to wait for
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Set<Long> joined = new HashSet<>();
        String state = "no component configuration yet";
        while (true) {
            long seen = events();
            boolean look = false;
            for (ComponentConfigurationDTO c : configurations(descriptions)) {
                if (!hasRevision(c, revision)) continue;
                // an immediate component passes through SATISFIED on its way to ACTIVE (or to a failed
                // activation); a delayed one stays SATISFIED, its service registered, until first used
                if (c.state == ComponentConfigurationDTO.ACTIVE) return null;
                if (c.state == ComponentConfigurationDTO.SATISFIED && !c.description.immediate) return null;
                if (c.state == ComponentConfigurationDTO.FAILED_ACTIVATION)
                    return "component " + c.description.name + " failed to activate: " + c.failure;
                if (c.state == ComponentConfigurationDTO.SATISFIED && joined.add(c.id) && joinActivation(c)) look = true;
                state = "component " + c.description.name + " is " + stateName(c.state) + unsatisfied(c);
            }
            if (look) continue;
            if (System.nanoTime() > deadline) return "not active after " + timeoutMs + " ms (" + state + ")";
            awaitEvent(seen, deadline);
        }
    }

    /**
     * SCR registers an immediate component's service first and activates it right after, on its own
     * thread: getting that service returns once the component is activated — by that thread, or by
     * this one if it comes first (SCR hands every getter the one instance). Only for a singleton,
     * where getting it makes nothing new.
     *
     * @return whether it waited (the state is worth reading again at once)
     */
    private boolean joinActivation(ComponentConfigurationDTO c) {
        if (!"singleton".equals(c.description.scope) || c.description.serviceInterfaces == null
                || c.description.serviceInterfaces.length == 0) return false;
        ServiceReference<?>[] refs;
        try {
            refs = context.getServiceReferences((String) null, "(" + ComponentConstants.COMPONENT_ID + "=" + c.id + ")");
        } catch (InvalidSyntaxException e) {
            return false;
        }
        if (refs == null) return false;
        try {
            context.getService(refs[0]); // null when the activation failed: the DTO says why
        } finally {
            context.ungetService(refs[0]);
        }
        return true;
    }

    /**
     * Returns once none of {@code descriptions} holds a configuration matching {@code stillThere}.
     * That a component's deactivate method has returned is not in the DTOs: see {@link ConfigurationBarrier}.
     */
    String awaitGone(Collection<ComponentDescriptionDTO> descriptions, Predicate<ComponentConfigurationDTO> stillThere)
            throws InterruptedException {
        Map<String, ComponentDescriptionDTO> byName = new LinkedHashMap<>(); // a component may take several of the PIDs
        for (ComponentDescriptionDTO d : descriptions) byName.putIfAbsent(d.bundle.id + " " + d.name, d);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            long seen = events();
            List<String> left = new ArrayList<>();
            for (ComponentConfigurationDTO c : configurations(byName.values())) if (stillThere.test(c)) left.add(c.description.name);
            if (left.isEmpty()) return null;
            if (System.nanoTime() > deadline) return String.join(", ", left) + " still active after " + timeoutMs + " ms";
            awaitEvent(seen, deadline);
        }
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
