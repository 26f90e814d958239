package emulator.instrumentation;

import emulator.api.Cpu;
import emulator.api.instrument.CpuEventListener;
import emulator.api.instrument.MachineListener;
import emulator.api.instrument.TranslationHook;
import emulator.core.exec.CpuEvents;
import emulator.core.exec.Machine;
import emulator.core.exec.Machines;
import emulator.core.exec.Vcpu;
import emulator.core.spi.BlockEditor;
import emulator.core.spi.Instrumentation;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The instrumentation engine: tracks plugin services on the whiteboard and installs itself in every
 * running machine through the core's {@link Instrumentation} SPI. When the set of plugins changes,
 * each machine's caches are flushed at a safe point; a plugin's removal returns only after none of
 * its callbacks can run again. A plugin that throws is reported once and disabled; the guest runs on.
 */
// Registered as Object: Gogo finds commands by their osgi.command properties, and a class of this
// bundle's own would be one more class that every other bundle listening to service events fails to
// load at each event of this service (Felix checks that the listener could use it).
@Component(service = Object.class, immediate = true, property = {
        "osgi.command.scope=instr", "osgi.command.function=list", "osgi.command.function=on", "osgi.command.function=off"})
public final class Engine implements Instrumentation, CpuEvents, Machines.Listener {
    private final List<Plugin> hooks = new CopyOnWriteArrayList<>();
    private final List<Plugin> cpuListeners = new CopyOnWriteArrayList<>();
    private final List<Plugin> machineListeners = new CopyOnWriteArrayList<>();
    /** Event dispatch holds the read side; removing a listener takes the write side, so it waits. */
    private final ReentrantReadWriteLock dispatch = new ReentrantReadWriteLock();
    private volatile boolean on = true;
    private volatile boolean active;

    private PluginJitPlacement besideGuest, inGuest;

    @Activate
    void activate(BundleContext context) {
        active = true;
        Machines.addListener(this);
        try {
            besideGuest = PluginJitPlacement.besideGuest(context);
            besideGuest.open(true);
            inGuest = PluginJitPlacement.inGuest(context);
            inGuest.open(true);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e); // a constant filter
        }
    }

    @Deactivate
    void deactivate() {
        if (besideGuest != null) besideGuest.close();
        if (inGuest != null) inGuest.close();
        active = false;
        Machines.removeListener(this);
        for (Machine m : Machines.running()) if (m.instrumentation() == this) m.setInstrumentation(null);
    }

    // ---- whiteboard

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addHook(TranslationHook h, Map<String, Object> props) { hooks.add(new Plugin(name(props), h)); changed(); }

    void removeHook(TranslationHook h) { remove(hooks, h); changed(); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addCpuListener(CpuEventListener l, Map<String, Object> props) { cpuListeners.add(new Plugin(name(props), l)); changed(); }

    void removeCpuListener(CpuEventListener l) { remove(cpuListeners, l); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addMachineListener(MachineListener l, Map<String, Object> props) { machineListeners.add(new Plugin(name(props), l)); }

    void removeMachineListener(MachineListener l) { remove(machineListeners, l); }

    private static String name(Map<String, Object> props) {
        Object n = props.get(TranslationHook.PLUGIN_NAME);
        if (n == null) n = props.get("component.name");
        if (n == null) n = "service " + props.get(Constants.SERVICE_ID);
        return n.toString();
    }

    private void remove(List<Plugin> list, Object service) {
        // Waits for events being delivered right now, but never forever: a listener blocked on the
        // very framework lock our caller holds (a deactivation in progress) must not deadlock us.
        boolean locked = false;
        try {
            locked = dispatch.writeLock().tryLock(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            list.removeIf(p -> p.service == service);
            if (!locked) System.err.println("abiscope: a CPU event of a removed plugin was still running after 5 s; removed anyway");
        } finally {
            if (locked) dispatch.writeLock().unlock();
        }
    }

    /** Re-translates everything with the new set of hooks; returns once old blocks cannot run. */
    private void changed() {
        if (!active) return;
        for (Machine m : Machines.running()) install(m);
    }

    private void install(Machine m) {
        boolean wanted = on && (!hooks.isEmpty() || !cpuListeners.isEmpty());
        m.setInstrumentation(wanted ? this : null); // flushes at a safe point and waits
    }

    // ---- machines

    @Override public void started(Machine m) {
        install(m);
        forEachMachineListener(l -> l.onMachine(m.name(), m.target().arch(), MachineListener.Transition.STARTED));
    }

    @Override public void stopped(Machine m) {
        forEachMachineListener(l -> l.onMachine(m.name(), m.target().arch(), MachineListener.Transition.STOPPED));
    }

    private void forEachMachineListener(Consumer<MachineListener> c) {
        for (Plugin p : machineListeners) {
            if (!p.enabled.get()) continue;
            try { c.accept((MachineListener) p.service); } catch (RuntimeException e) { failed(p, e); }
        }
    }

    // ---- the SPI

    /** Only translation hooks change blocks; CPU listeners alone leave the core translating (and sharing) as without plugins. */
    @Override
    public boolean instrumentsBlocks() { return !hooks.isEmpty(); }

    @Override
    public void instrument(BlockEditor block) {
        for (Plugin p : hooks) {
            if (!p.enabled.get()) continue;
            TranslationHook h = (TranslationHook) p.service;
            try {
                if (!h.addressSpaces().includes(block.asid())) continue;
                h.onTranslate(block, new BlockInstrumenter(block, p));
            } catch (RuntimeException e) {
                failed(p, e);
            }
        }
    }

    @Override public CpuEvents events() { return this; }

    @Override
    public void callbackFailed(Object owner, Throwable error) {
        if (owner instanceof Plugin p) failed(p, error);
    }

    private void failed(Plugin p, Throwable error) {
        if (!p.enabled.compareAndSet(true, false)) return;
        System.err.println("abiscope: plugin " + p.name + " threw " + error + "; its hooks are disabled, the guest continues");
        // Re-translate without it; from a vCPU thread this does not wait for that vCPU itself.
        Thread t = new Thread(this::changed, "abiscope-disable-" + p.name);
        t.setDaemon(true);
        t.start();
    }

    // ---- CPU events

    private void events(Cpu cpu, Consumer<CpuEventListener> c) {
        dispatch.readLock().lock();
        try {
            for (Plugin p : cpuListeners) {
                if (!p.enabled.get()) continue;
                CpuEventListener l = (CpuEventListener) p.service;
                try {
                    if (!l.addressSpaces().includes(cpu.asid())) continue;
                    c.accept(l);
                    p.calls.add(cpu.index(), 1);
                } catch (RuntimeException e) {
                    failed(p, e);
                }
            }
        } finally {
            dispatch.readLock().unlock();
        }
    }

    @Override public void exception(Vcpu cpu, int vector, long fromPc, long toPc) { events(cpu, l -> l.onException(cpu, vector, fromPc, toPc)); }

    @Override public void privilegeChange(Vcpu cpu, int from, int to) { events(cpu, l -> l.onPrivilegeChange(cpu, from, to)); }

    @Override public void addressSpaceSwitch(Vcpu cpu, long oldAsid, long newAsid) { events(cpu, l -> l.onAddressSpaceSwitch(cpu, oldAsid, newAsid)); }

    @Override public void syscall(Vcpu cpu) { events(cpu, l -> l.onSyscall(cpu)); }

    // ---- Gogo

    /** instr:list — each plugin, what it registered, how often its callbacks ran. */
    public String list() {
        StringBuilder sb = new StringBuilder("instrumentation ").append(on ? "on" : "off").append('\n');
        for (Plugin p : hooks) sb.append(String.format("  %-32s translation hook  callbacks %d  calls %d%s%n", p.name,
                p.callbacksRegistered, p.calls.sum(), p.enabled.get() ? "" : "  DISABLED (threw)"));
        for (Plugin p : cpuListeners) sb.append(String.format("  %-32s cpu events        calls %d%s%n", p.name,
                p.calls.sum(), p.enabled.get() ? "" : "  DISABLED (threw)"));
        for (Plugin p : machineListeners) sb.append(String.format("  %-32s machine events%n", p.name));
        if (hooks.isEmpty() && cpuListeners.isEmpty() && machineListeners.isEmpty()) sb.append("  no plugins\n");
        return sb.toString();
    }

    /** instr:on — blocks are translated with the plugins' hooks again. */
    public String on() { on = true; changed(); return "instrumentation on"; }

    /** instr:off — blocks are translated with no hooks at all (zero cost). */
    public String off() { on = false; changed(); return "instrumentation off"; }
}
