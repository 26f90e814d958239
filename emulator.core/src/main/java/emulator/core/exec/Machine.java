package emulator.core.exec;

import emulator.core.backend.Backend;

import emulator.core.mem.AddressSpace;
import emulator.core.spi.Instrumentation;
import emulator.core.target.Target;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A guest machine: its target, its kernel (personality or board), its vCPUs and their address
 * spaces' code caches, and the safe-point protocol that lets instrumentation change and caches flush
 * while the guest runs.
 */
public final class Machine {
    private final MachineConfig config;
    private final Target target;
    private volatile GuestKernel kernel;
    private final Translator translator;
    private final Map<Long, CodeCache> caches = new ConcurrentHashMap<>();
    private final List<Vcpu> vcpus = new CopyOnWriteArrayList<>();
    private volatile Instrumentation instrumentation;
    private volatile boolean stopped, paused;
    /** Flushes asked for: incremented by {@link #flushAll} before it empties the caches. */
    private final AtomicLong epoch = new AtomicLong();
    /**
     * The newest epoch whose flush has emptied the caches. A vCPU acknowledges this one at a safe
     * point, not {@link #epoch}: one that reached its safe point while a flush had been asked for
     * but had not yet invalidated the blocks could run an old block (from its recent-block table)
     * after acknowledging, and the flush would not have waited for it.
     */
    private final AtomicLong flushedEpoch = new AtomicLong();
    private final Object pauseLock = new Object();
    private final AtomicLong retiredIcount = new AtomicLong(), retiredDispatches = new AtomicLong(), retiredRestarts = new AtomicLong();
    private int nextIndex;
    private final java.util.Set<Long> breakpoints = ConcurrentHashMap.newKeySet();
    volatile boolean anyBreakpoints;
    /** Each vCPU stops (through the kernel's stopRequested) once its icount reaches this. */
    volatile long insnLimit = Long.MAX_VALUE;

    /** Stops a vCPU before it executes the instruction at {@code pc}; flushes so blocks end there. */
    public void addBreakpoint(long pc) {
        breakpoints.add(pc);
        anyBreakpoints = true;
        flushAll();
    }

    public boolean hasBreakpoints() { return anyBreakpoints; }

    public boolean isBreakpoint(long pc) { return breakpoints.contains(pc); }

    /** The instruction limit of each vCPU ({@link Long#MAX_VALUE} when none). */
    public long insnLimit() { return insnLimit; }

    /** Limits each vCPU to {@code n} instructions (exact when blocks are one instruction long). */
    public void setInsnLimit(long n) {
        insnLimit = n;
        // Traces (several blocks in one call of the loop) would run past the limit: drop them; none
        // is formed while a limit is set. Either way the vCPUs read the limit at their next safe point.
        if (n != Long.MAX_VALUE) flushAll();
        else for (Vcpu v : vcpus) v.exitRequest = true;
    }

    /**
     * Whether the execution loop must look for breakpoints and the instruction limit before each
     * block. Read at the loop's start and at each safe point: setting either makes every vCPU come to
     * one (addBreakpoint and setInsnLimit flush), so the loop need not read both on every block.
     */
    boolean watchesStops() { return anyBreakpoints || insnLimit != Long.MAX_VALUE; }

    public Machine(MachineConfig config, Target target, GuestKernel kernel) {
        this.config = config;
        this.target = target;
        this.kernel = kernel;
        this.translator = new Translator(this, Backend.create(config));
        JitPolicy.keepOutOfC2(target.translatorClasses());
    }

    public MachineConfig config() { return config; }
    public String name() { return config.name(); }
    public Target target() { return target; }
    public GuestKernel kernel() { return kernel; }
    public void setKernel(GuestKernel k) { this.kernel = k; }
    public Translator translator() { return translator; }
    public List<Vcpu> vcpus() { return vcpus; }

    public CpuEvents events() {
        Instrumentation i = instrumentation;
        return i == null ? CpuEvents.NONE : i.events();
    }

    public Instrumentation instrumentation() { return instrumentation; }

    /**
     * Installs (or with null removes) the instrumentation engine; every cache is flushed at a safe
     * point so blocks are re-translated with (or without) hooks. Returns when no vCPU can still run a
     * block translated before the change.
     */
    public void setInstrumentation(Instrumentation i) {
        this.instrumentation = i;
        flushAll();
    }

    /** A new vCPU in address space {@code space}; not yet running. */
    public synchronized Vcpu newVcpu(AddressSpace space) {
        Vcpu v = new Vcpu(this, nextIndex++, space);
        vcpus.add(v);
        return v;
    }

    CodeCache cacheFor(AddressSpace s) {
        return caches.computeIfAbsent(s.asid(), k -> {
            CodeCache c = new CodeCache(config.cacheCapacity());
            s.setCodeWriteListener(page -> {
                // A region runs many blocks per call: a vCPU inside one must come back to the loop to
                // see that code changed (every jump inside a region tests exitRequest).
                if (c.invalidatePage(page)) for (Vcpu v : vcpus) if (v.space == s) v.exitRequest = true;
            });
            return c;
        });
    }

    /** Forgets the code cache of an address space that no vCPU uses any more, and gives its memory back. */
    public void releaseSpace(AddressSpace s) {
        CodeCache c = caches.remove(s.asid());
        if (c != null) c.flush();
        s.release();
    }

    // ---- lifecycle and safe points

    public boolean isStopped() { return stopped; }
    public boolean isPaused() { return paused; }

    public void stop() {
        stopped = true;
        resume();
        for (Vcpu v : vcpus) v.exitRequest = true;
    }

    public void pause() {
        paused = true;
        for (Vcpu v : vcpus) v.exitRequest = true;
    }

    public void resume() {
        synchronized (pauseLock) {
            paused = false;
            pauseLock.notifyAll();
        }
    }

    /**
     * Flushes every code cache and waits until each vCPU running guest code has passed a safe point,
     * so no block translated before the call runs after it returns. Safe to call from any thread,
     * including a vCPU's own (it does not wait for itself).
     */
    public void flushAll() {
        long e = epoch.incrementAndGet(); // first: a translation under way now is not kept (Translator#lookup)
        for (CodeCache c : caches.values()) c.flush();
        flushedEpoch.accumulateAndGet(e, Math::max); // then: a vCPU that sees e sees every old block invalid
        for (Vcpu v : vcpus) v.exitRequest = true;
        for (Vcpu v : vcpus) {
            if (v == currentVcpu()) { v.seenEpoch = e; continue; }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (v.inGuestCode && v.seenEpoch < e && !v.isStopped() && !stopped && !paused) {
                Thread.onSpinWait();
                if (System.nanoTime() > deadline) { // a vCPU stuck in one block (or a callback): never hang the caller
                    System.err.println("abiscope: vCPU " + v.index() + " of " + name() + " reached no safe point within 5 s of a cache flush; going on without it");
                    break;
                }
            }
        }
    }

    private static final ThreadLocal<Vcpu> CURRENT = new ThreadLocal<>();

    /** The vCPU whose thread is calling, or null. */
    public static Vcpu currentVcpu() { return CURRENT.get(); }

    void vcpuStarted(Vcpu v) { CURRENT.set(v); v.seenEpoch = flushedEpoch.get(); }

    void vcpuEnded(Vcpu v) {
        CURRENT.remove();
        retiredIcount.addAndGet(v.icount);
        retiredDispatches.addAndGet(v.dispatches);
        retiredRestarts.addAndGet(v.restarts);
        vcpus.remove(v);
    }

    boolean flushPending(Vcpu v) { return v.seenEpoch < epoch.get(); }

    /** Incremented by every {@link #flushAll}. */
    long epoch() { return epoch.get(); }

    void atSafePoint(Vcpu v) {
        v.seenEpoch = flushedEpoch.get();
        if (paused) {
            v.inGuestCode = false;
            synchronized (pauseLock) {
                while (paused && !stopped) {
                    try { pauseLock.wait(); } catch (InterruptedException ie) { Thread.currentThread().interrupt(); return; }
                }
            }
            v.inGuestCode = true;
            v.seenEpoch = flushedEpoch.get();
        }
    }

    // ---- statistics

    /** Guest instructions completed by every vCPU, including ended ones. */
    public long icount() {
        long t = retiredIcount.get();
        for (Vcpu v : vcpus) t += v.icount;
        return t;
    }

    /** Blocks and regions run by the execution loops of every vCPU, including ended ones. */
    public long dispatches() {
        long t = retiredDispatches.get();
        for (Vcpu v : vcpus) t += v.dispatches;
        return t;
    }

    /** Instructions compiled code left to the slow path (a TLB miss), by every vCPU, including ended ones. */
    public long restarts() {
        long t = retiredRestarts.get();
        for (Vcpu v : vcpus) t += v.restarts;
        return t;
    }

    public int cachedBlocks() {
        int n = 0;
        for (CodeCache c : caches.values()) n += c.size();
        return n;
    }
}
