package plugin.instructions;

import emulator.api.event.Keys;
import emulator.api.event.Topics;
import emulator.api.instrument.AddressSpaceFilter;
import emulator.api.instrument.BlockInfo;
import emulator.api.instrument.InsnInfo;
import emulator.api.instrument.Instrumenter;
import emulator.api.instrument.TranslationHook;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The guest-instruction trace. Its translation hook registers a before-instruction callback only for
 * instructions inside the filters (address ranges, address spaces, processes), so code outside pays
 * nothing; once the first-N limit is reached it withdraws the hook, so afterwards nothing pays.
 *
 * <p>The hook is registered by hand rather than by DS so that the component can withdraw it, and
 * re-register it when a traced process gets a new address space (which makes the engine re-translate).
 */
@Component(configurationPid = InstructionTrace.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = {})
@Designate(ocd = Config.class)
public final class InstructionTrace {
    static final String PID = "plugin.instructions";

    private BundleContext context;
    private AddressRanges ranges;
    private Set<Long> asids;
    private Set<Integer> pids;
    /** Address spaces of the traced pids, learnt from process events. */
    private final Set<Long> pidAsids = ConcurrentHashMap.newKeySet();
    private TraceLog log;
    private ServiceRegistration<TranslationHook> hook;
    private ServiceRegistration<EventHandler> processEvents;
    private boolean active;

    @Activate
    void activate(BundleContext context, Config config) throws IOException {
        this.context = context;
        ranges = AddressRanges.parse(config.ranges());
        asids = Set.of(box(config.asids()));
        pids = Set.of(java.util.Arrays.stream(config.pids()).boxed().toArray(Integer[]::new));
        log = new TraceLog(Path.of(config.traceDir()), config.registers(), config.first(), config.every(), this::limitReached);
        synchronized (this) { active = true; }
        if (!pids.isEmpty()) processEvents = context.registerService(EventHandler.class, this::processEvent, topics());
        register();
    }

    @Deactivate
    void deactivate() throws IOException {
        synchronized (this) { active = false; }
        unregister(); // returns once no callback of the hook can run again (engine's hot-plug protocol)
        if (processEvents != null) processEvents.unregister();
        log.close();
    }

    private static Long[] box(long[] a) { return java.util.Arrays.stream(a).boxed().toArray(Long[]::new); }

    private static Dictionary<String, Object> topics() {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(EventConstants.EVENT_TOPIC, new String[] {Topics.PROCESS_CREATE, Topics.PROCESS_EXEC});
        return p;
    }

    private synchronized void register() {
        if (!active || hook != null) return;
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(TranslationHook.PLUGIN_NAME, PID);
        hook = context.registerService(TranslationHook.class, new Hook(), p);
    }

    private void unregister() {
        ServiceRegistration<TranslationHook> h;
        synchronized (this) { h = hook; hook = null; }
        if (h != null) {
            try { h.unregister(); } catch (IllegalStateException alreadyGone) { /* bundle stopping */ }
        }
    }

    /** From a vCPU thread: withdraw the hook elsewhere (unregistering waits for the vCPUs' safe points). */
    private void limitReached() {
        Thread t = new Thread(this::unregister, "plugin.instructions-limit");
        t.setDaemon(true);
        t.start();
    }

    /** A process of interest got an address space: re-register so the engine re-translates with it. */
    private void processEvent(Event e) {
        if (!(e.getProperty(Keys.PID) instanceof Number pid) || !pids.contains(pid.intValue())) return;
        if (!(e.getProperty(Keys.ASID) instanceof Number asid) || !pidAsids.add(asid.longValue())) return;
        if (log.limitReached()) return;
        unregister();
        register();
    }

    private boolean includes(long asid) {
        if (asids.isEmpty() && pids.isEmpty()) return true;
        return asids.contains(asid) || pidAsids.contains(asid);
    }

    private final class Hook implements TranslationHook {
        private final AddressSpaceFilter filter = InstructionTrace.this::includes;
        private final TraceLog out = log;

        @Override
        public void onTranslate(BlockInfo block, Instrumenter at) {
            for (InsnInfo insn : block.insns()) {
                if (!ranges.includes(insn.pc())) continue;
                byte[] line = TraceLog.encode(insn.pc(), block.asid(), insn.bytes(), insn.disassembly());
                at.beforeInsn(insn, (cpu, pc) -> out.executed(cpu, line));
            }
        }

        @Override public AddressSpaceFilter addressSpaces() { return filter; }
    }
}
