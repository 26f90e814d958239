package emulator.core.exec;

import emulator.api.Cpu;
import emulator.api.GuestMemory;
import emulator.core.mem.AddressSpace;
import emulator.core.mem.Tlb;
import emulator.core.target.Target;
import java.util.Arrays;
import java.util.List;

/**
 * One virtual CPU: its architectural state (the target's 64-bit slots, the pc, extra state such as
 * x87 and SSE in {@link #ext}), its TLB and address space, and the execution loop that runs on its
 * own host thread. It is also the {@link Cpu} view plugins receive.
 *
 * <p>Fields are public because generated code reads and writes them directly.
 */
public final class Vcpu implements Cpu {
    public final Machine machine;
    public final Target target;
    public final int index;
    public final long[] regs;
    public long pc;
    public long icount;
    /**
     * Added to {@link #icount} in {@link #icount()}: the creator's count when this vCPU was made by
     * fork or clone, so that a process's clock starts where its parent's was. Not part of the
     * machine's instruction totals.
     */
    public long icountBase;
    public int mode;
    public Object ext;
    public final Tlb tlb = new Tlb();
    /** Whether this vCPU holds its address space's {@link AddressSpace#atomicLock} (see {@link #beginAtomic}). */
    private boolean inAtomic;
    public AddressSpace space;
    /** {@link AddressSpace#flatBase()} of {@link #space}, where {@code MemOps} reads it on every access. */
    public long flatBase;
    /** Set by a block that exits for a reason (see {@link emulator.core.ir.ExitReason}); 0 otherwise. */
    public int exitReason;
    /** Asks the loop to come to a safe point at the next block boundary. */
    public volatile boolean exitRequest;
    public int privilege;
    /** Blocks (or regions) the execution loop has run: guest instructions per dispatch tell how well regions cover the code. */
    public long dispatches;
    /** Blocks run by chaining since the loop last ran one (see {@link ExitLink}). */
    int chained;
    /**
     * True while a callback registered with {@link emulator.api.instrument.RegAccess#READ} runs: its
     * {@link #setReg} calls are then ignored, so the guest never sees them (backends set and clear it).
     */
    public boolean regsReadOnly;
    /**
     * The IR interpreter's temps, reused from block to block (one block runs at a time on a vCPU):
     * a fresh array per interpreted block was most of the interpreter's garbage.
     */
    public long[] interpreterTemps = new long[64];
    /** Anything the kernel/personality keeps per vCPU (the guest thread). */
    public Object kernelData;

    CodeCache cache;
    /**
     * Blocks run lately, direct-mapped by pc, in front of the code cache's hash map (QEMU's
     * tb_jmp_cache): a return or an indirect jump with more targets than a block's two successor
     * links finds its block here, without boxing a key and hashing it (about 2 % of gzip's
     * dispatches). An entry is used only if its pc, mode and validity still match, so invalidation
     * needs nothing here; a switch of address space clears the table.
     */
    private final TranslatedBlock[] recent = new TranslatedBlock[RECENT];
    private static final int RECENT = 1024;
    private volatile boolean stopped;
    volatile boolean inGuestCode;
    volatile long seenEpoch;
    private final MemoryView memoryView = new MemoryView(this);

    Vcpu(Machine machine, int index, AddressSpace space) {
        this.machine = machine;
        this.target = machine.target();
        this.index = index;
        this.regs = new long[target.slots()];
        this.ext = target.newExtState();
        setSpace(space);
    }

    /** Switches address space (exec, or a context switch in system mode). */
    public void setSpace(AddressSpace s) {
        long old = space == null ? 0 : space.asid();
        this.space = s;
        this.flatBase = s.flatBase();
        this.cache = machine.cacheFor(s);
        Arrays.fill(recent, null);
        tlb.flush();
        if (old != 0 && old != s.asid()) machine.events().addressSpaceSwitch(this, old, s.asid());
    }

    /** Ends this vCPU's loop at the next block boundary. */
    public void stop() {
        stopped = true;
        exitRequest = true;
    }

    public boolean isStopped() { return stopped; }

    /**
     * Starts an atomic read-modify-write of guest memory (an x86 LOCK-prefixed instruction): the
     * vCPUs of one address space run such instructions one at a time, so two threads' locked
     * increments of one counter both count. Plain stores by other vCPUs are not held back, so one
     * made between a failed CMPXCHG's read and its write-back of the value read is lost (a spinlock
     * released with a plain MOV); that case is not handled yet. A fault inside ends the section (see
     * the loop), as does the thread's end.
     */
    public void beginAtomic() {
        space.atomicLock().lock();
        inAtomic = true;
    }

    /** Ends {@link #beginAtomic}'s section; nothing when none is open. */
    public void endAtomic() {
        if (!inAtomic) return;
        inAtomic = false;
        space.atomicLock().unlock();
    }

    /** Runs guest code until {@link #stop()} or the machine stops. Call on the vCPU's own thread. */
    public void run() {
        machine.vcpuStarted(this);
        try {
            loop();
        } finally {
            endAtomic();
            inGuestCode = false;
            machine.vcpuEnded(this);
        }
    }

    /** Instructions compiled code left to the loop, to run alone in the interpreter (see {@link #restartInsn}). */
    public long restarts;

    /**
     * {@code -Dabiscope.dispatchProfile=true}: counts the execution loop's calls of each block (by
     * its pc, all vCPUs) and prints the 25 most called at the JVM's exit, for engine work: a pc
     * called about as often as the code around it shows where regions end (md5sum's rounds: 12
     * calls per 64-byte block, each round's loop a region of its own). Off, the JIT folds it away.
     */
    static final boolean DISPATCH_PROFILE = Boolean.getBoolean("abiscope.dispatchProfile");
    private static final java.util.Map<Long, Long> DISPATCHES = new java.util.concurrent.ConcurrentHashMap<>();
    static {
        if (DISPATCH_PROFILE) Runtime.getRuntime().addShutdownHook(new Thread(() -> DISPATCHES.entrySet().stream()
                .sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).limit(25)
                .forEach(e -> System.err.printf("abiscope: dispatches of 0x%x: %d%n", e.getKey(), e.getValue())), "abiscope-dispatch-profile"));
    }

    private void loop() {
        TranslatedBlock prev = null;
        inGuestCode = true;
        boolean watchStops = machine.watchesStops();
        while (true) {
            if (exitRequest) {
                if (!safePoint()) return;
                prev = null;
                watchStops = machine.watchesStops();
            }
            if (watchStops && (machine.anyBreakpoints && machine.isBreakpoint(pc) || icount >= machine.insnLimit)) {
                machine.kernel().stopRequested(this);
                if (stopped || machine.isStopped()) return;
            }
            TranslatedBlock b = prev != null ? prev.successor(pc, mode) : null;
            if (b == null) {
                b = recentBlock(pc, mode);
                if (prev != null) prev.link(b);
            }
            try {
                if (ExitLink.ENABLED) chained = 0;
                dispatches++;
                if (DISPATCH_PROFILE) DISPATCHES.merge(b.pc, 1L, Long::sum);
                pc = b.exec(this);
            } catch (GuestException e) {
                prev = null;
                if (e == GuestException.RESTART) restartInsn();
                else fault(e);
                continue;
            }
            prev = b;
            if (exitReason != 0) {
                prev = null;
                handleExit();
            }
        }
    }

    /**
     * Goes on after compiled code left an instruction untouched because a memory access missed the
     * fast path ({@link GuestException#RESTART}; the pc is that instruction's): an access across
     * pages, to a code page, or one that faults. The instruction runs alone in the IR interpreter,
     * whose accesses take the slow path: the split access, the code invalidation, the page fault.
     */
    private void restartInsn() {
        restarts++;
        try {
            pc = machine.translator().stepOne(this, pc, mode);
        } catch (GuestException e) {
            fault(e);
            return;
        }
        if (exitReason != 0) handleExit();
    }

    /** A guest exception out of guest code, compiled or interpreted: to the guest. */
    private void fault(GuestException e) {
        endAtomic(); // a fault inside a LOCK-prefixed instruction
        regsReadOnly = false; // in case it escaped from a callback
        deliver(e);
    }

    private TranslatedBlock recentBlock(long pc, int mode) {
        int h = (int) (pc ^ (pc >>> 10)) & (RECENT - 1);
        TranslatedBlock b = recent[h];
        if (b != null && b.pc == pc && b.mode == mode && b.valid) return b;
        b = machine.translator().lookup(this, pc, mode);
        recent[h] = b;
        return b;
    }

    /** Returns false when the loop must end. */
    private boolean safePoint() {
        exitRequest = false;
        if (stopped || machine.isStopped()) return false;
        machine.atSafePoint(this);
        tlb.sync(space);
        if (stopped || machine.isStopped()) return false;
        machine.kernel().safePoint(this);
        return !(stopped || machine.isStopped());
    }

    private void handleExit() {
        int r = exitReason;
        exitReason = 0;
        if (r == 1 + emulator.core.ir.ExitReason.SYSCALL.ordinal()) {
            enterKernel();
            try {
                machine.events().syscall(this);
                machine.kernel().syscall(this);
            } finally {
                leaveKernel();
            }
        } else {
            machine.kernel().stopRequested(this);
        }
    }

    private void deliver(GuestException e) {
        long from = pc;
        enterKernel();
        try {
            machine.kernel().exception(this, e);
            machine.events().exception(this, target.vectorOf(e), from, pc);
        } finally {
            leaveKernel();
        }
    }

    /** Marks the vCPU as outside guest code (in the emulated kernel), where a flush need not wait for it. */
    public void enterKernel() {
        inGuestCode = false;
        if (privilege == 0) {
            privilege = 1;
            machine.events().privilegeChange(this, 0, 1);
        }
    }

    public void leaveKernel() {
        if (privilege != 0) {
            privilege = 0;
            machine.events().privilegeChange(this, 1, 0);
        }
        inGuestCode = true;
        tlb.sync(space); // the kernel may have unmapped or protected pages: drop stale TLB entries now
        if (machine.flushPending(this)) exitRequest = true;
    }

    // ---- Cpu view

    @Override public int index() { return index; }
    @Override public String arch() { return target.arch(); }
    @Override public long pc() { return pc; }
    @Override public long reg(String name) {
        if (name.equals(target.programCounter())) return pc;
        return target.registers().get(name).get(this);
    }
    @Override public void setReg(String name, long value) {
        if (regsReadOnly) return;
        if (name.equals(target.programCounter())) { pc = value; return; }
        target.registers().get(name).set(this, value);
    }
    @Override public List<String> registerNames() { return target.registers().names(); }
    @Override public long asid() { return space.asid(); }
    @Override public int privilege() { return privilege; }
    @Override public long icount() { return icountBase + icount; }
    @Override public GuestMemory memory() { return memoryView; }

    /** {@link GuestMemory} over this vCPU's current address space. */
    private record MemoryView(Vcpu cpu) implements GuestMemory {
        public long asid() { return cpu.space.asid(); }
        public boolean isReadable(long addr) {
            var p = cpu.space.page(addr);
            return p != null && (p.prot & emulator.core.mem.Prot.READ) != 0;
        }
        public int read(long addr, byte[] dst, int off, int len) { return cpu.space.peek(addr, dst, off, len); }
        public int write(long addr, byte[] src, int off, int len) { return cpu.space.poke(addr, src, off, len); }
    }
}
