package plugin.syscalls.linux;

import emulator.api.Cpu;
import emulator.api.event.Topics;
import emulator.api.instrument.AddressSpaceFilter;
import emulator.api.instrument.CpuEventListener;
import emulator.api.instrument.MachineListener;
import emulator.api.instrument.TranslationHook;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.event.EventHandler;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The tracer as a DS component: present only while its configuration exists, registered as a
 * {@link CpuEventListener} (the engine picks it up and starts delivering events at the next safe
 * point, so it can come and go while the guest runs), and the {@code syscalls:} Gogo commands.
 *
 * <p>Events go through {@link EventAdmin#sendEvent} from the tracer's one writer thread, never from
 * the vCPU thread: the handlers run on the writer, in the order the calls were made, while the guest
 * runs on. (Posting them, EventAdmin queued each event again for a thread of its own, woken per
 * batch, and a machine's stop could come before its handlers had seen the last calls.) As a
 * {@link MachineListener} it writes the trace files out when a machine stops, once every handler has
 * had every event.
 */
// Registered under API interfaces only (the Gogo commands need no service class of their own): a
// class of this bundle's own would be one that every other bundle listening to service events fails
// to load at each event of this service, as it comes up and goes down with each traced command.
@Component(configurationPid = "plugin.syscalls.linux", configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true,
        service = {CpuEventListener.class, MachineListener.class},
        property = {TranslationHook.PLUGIN_NAME + "=plugin.syscalls.linux", TranslationHook.BESIDE_GUEST + ":Boolean=true", "osgi.command.scope=syscalls",
                "osgi.command.function=stats", "osgi.command.function=tail"})
@Designate(ocd = TracerConfig.class)
public final class SyscallTracer implements CpuEventListener, MachineListener {
    /**
     * Event handlers that may receive an ENTER (an EXIT): subscribed to that topic, to the family
     * {@code abiscope/syscall/*}, to {@code abiscope/*} or {@code *}; or with no topic at all (which
     * EventAdmin delivers everything to when configured not to require topics). A handler with an
     * {@code event.filter} is counted too: whether an event passes it is EventAdmin's to decide.
     */
    static final String ANY_SYSCALL_TOPIC =
            "(event.topics=abiscope/syscall/\\*)(event.topics=abiscope/\\*)(event.topics=\\*)(!(event.topics=*))";
    static final String ENTER_HANDLERS = "(|(event.topics=abiscope/syscall/ENTER)" + ANY_SYSCALL_TOPIC + ")";
    static final String EXIT_HANDLERS = "(|(event.topics=abiscope/syscall/EXIT)" + ANY_SYSCALL_TOPIC + ")";

    private volatile Tracer tracer;
    private volatile EventAdmin eventAdmin;
    /** How many handlers may receive ENTER and EXIT events now: with none (tracing alone, the usual case) none is built. */
    private final AtomicInteger enterHandlers = new AtomicInteger(), exitHandlers = new AtomicInteger();

    @Reference(service = EventHandler.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = ENTER_HANDLERS)
    void addEnterHandler(ServiceReference<EventHandler> handler) { enterHandlers.incrementAndGet(); }

    void removeEnterHandler(ServiceReference<EventHandler> handler) { enterHandlers.decrementAndGet(); }

    @Reference(service = EventHandler.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = EXIT_HANDLERS)
    void addExitHandler(ServiceReference<EventHandler> handler) { exitHandlers.incrementAndGet(); }

    void removeExitHandler(ServiceReference<EventHandler> handler) { exitHandlers.decrementAndGet(); }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    void setEventAdmin(EventAdmin ea) { eventAdmin = ea; }

    void unsetEventAdmin(EventAdmin ea) { if (eventAdmin == ea) eventAdmin = null; }

    @Activate
    void activate(TracerConfig config) throws IOException {
        Set<String> formats = new HashSet<>();
        for (String f : config.formats()) for (String p : f.split(",")) formats.add(p.strip());
        tracer = new Tracer(new Tracer.Settings(Path.of(config.traceDir()), formats.contains("log"), formats.contains("jsonl"),
                config.stringLimit(), config.include(), config.exclude(), spaces(config.asids())), new Tracer.EventPublisher() {
            @Override
            public void post(String topic, Map<String, Object> props) {
                EventAdmin ea = eventAdmin;
                if (ea != null) ea.sendEvent(new Event(topic, props));
            }

            @Override
            public boolean wanted(String topic) {
                return (topic.equals(Topics.SYSCALL_EXIT) ? exitHandlers : enterHandlers).get() > 0;
            }
        });
    }

    @Deactivate
    void deactivate() throws IOException {
        Tracer t = tracer;
        if (t != null) t.close();
    }

    static AddressSpaceFilter spaces(String[] asids) {
        if (asids == null || asids.length == 0) return AddressSpaceFilter.ALL;
        Set<Long> set = new HashSet<>();
        for (String a : asids) {
            for (String p : a.split(",")) {
                String s = p.strip();
                if (s.isEmpty()) continue;
                try {
                    set.add(s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("plugin.syscalls.linux: asids: not a number: " + s);
                }
            }
        }
        return set.isEmpty() ? AddressSpaceFilter.ALL : AddressSpaceFilter.of(set);
    }

    @Override public void onSyscall(Cpu cpu) { tracer.onSyscall(cpu); }

    @Override public void onPrivilegeChange(Cpu cpu, int from, int to) { tracer.onPrivilegeChange(cpu, from, to); }

    @Override public AddressSpaceFilter addressSpaces() { return tracer.addressSpaces(); }

    /** A machine stopped: everything it traced is written out (its last lines are in the files now, not when the plugin stops). */
    @Override
    public void onMachine(String machine, String arch, Transition transition) {
        Tracer t = tracer;
        if (transition == Transition.STOPPED && t != null) t.flush();
    }

    /** syscalls:stats — calls and guest instructions per name. */
    public String stats() {
        tracer.flush();
        return tracer.stats();
    }

    /** syscalls:tail [N] — the last N lines traced (default 20). */
    public String tail(int n) { return String.join("\n", tracer.tail(n)); }

    public String tail() { return tail(20); }
}
