package plugin.syscalls.linux;

import emulator.api.Cpu;
import emulator.api.GuestMemory;
import emulator.api.event.Keys;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import plugin.syscalls.linux.decode.Capture;
import plugin.syscalls.linux.decode.MemorySnapshot;
import plugin.syscalls.linux.table.Arch;

/**
 * Pairs system-call entries with their returns by ABI alone (ARCHITECTURE §5): an entry is
 * remembered under (address space, stack pointer) and completed by the next return to user mode
 * with the same pair. Calls that never return (exit, exit_group) complete at entry; a successful
 * execve completes when its vCPU next returns to user mode somewhere else; a fork child is an
 * address space that first shows up after a parent's fork returned a pid.
 *
 * <p>Process ids are not in the ABI. They are learnt from results: set_tid_address, getpid and
 * gettid return the caller's id, a fork returns the child's, an exec keeps the caller's. Until an
 * address space's pid is known, its completed calls are held back (at most {@link #HOLD_LIMIT});
 * if it stays unknown they are released labelled with the address-space id instead.
 *
 * <p>It runs on the vCPU thread and does only what must happen at the instant of the call: it reads
 * registers, pairs entries with returns, learns pids, and copies the guest memory the decoding will
 * need ({@link Capture}); it makes no text. The {@link Sink} receives raw calls in order and decodes
 * them later ({@link CallDecoding}), on another thread in the tracer.
 *
 * <p>Not thread-safe: call it from one thread at a time (the tracer synchronizes).
 */
public final class CallTracker {
    /**
     * Where calls go: events at once, text records once the pid is known. The calls are raw (see
     * {@link Call}): the sink decodes them. {@code pid} is what the tracker knows at that moment
     * (null while the address space's pid is unknown); the call's own pid may still change later.
     */
    public interface Sink {
        void enter(Call c, Integer pid);

        void exit(Call c, Integer pid);

        /** A completed call for the text outputs, pid resolved (or the asid when it never was). */
        void record(Call c);

        /** A process ended by exit_group (or exit of its last thread), as strace's {@code +++ exited with N +++}. */
        void processExited(int pid, long asid, int status);
    }

    static final int MAX_PENDING = 4096, HOLD_LIMIT = 256, MAX_EXPECTED = 64;

    /** (address space, stack pointer): written out rather than a record, whose hashCode goes through an indy bootstrap. */
    private static final class Key {
        final long asid, sp;

        Key(long asid, long sp) { this.asid = asid; this.sp = sp; }

        @Override public boolean equals(Object o) { return o instanceof Key k && k.asid == asid && k.sp == sp; }

        @Override public int hashCode() { return Long.hashCode(asid * 31 + sp); }
    }

    private record Expected(int pid, long parentAsid, long sp, boolean thread, long ctid, Call fork) {}

    static final long CLONE_CHILD_SETTID = 0x1000000;

    private final Sink sink;
    private final int stringLimit;
    private final Capture[] captures = new Capture[Arch.values().length];
    private String lastCpuArch;
    private Arch lastArch;
    private final LinkedHashMap<Key, Call> pending = new LinkedHashMap<>();
    private final Map<Long, Integer> pidOf = new HashMap<>();
    private final Map<Long, List<Object>> held = new LinkedHashMap<>();
    /** The last call each vCPU entered, by vCPU index (grown as vCPUs appear). */
    private Call[] lastEntryOnVcpu = new Call[4];
    private final ArrayDeque<Expected> expectedChildren = new ArrayDeque<>();
    private final Set<Long> seen = new HashSet<>();
    private final Set<Long> ended = new HashSet<>();
    private final Set<String> unsupportedArchs = new HashSet<>();
    /** The image each address space runs, where the ABI told it: an exec, a readlink of /proc/self/exe, a fork's parent. */
    private final Map<Long, String> imageOf = new HashMap<>();
    private long unmatchedReturns, droppedEntries;
    /**
     * The address space of the last call entered, while it is known to be in {@link #seen} and not
     * {@link #ended}: the next call from it skips both sets (a boxed lookup each). Reset whenever
     * an address space is forgotten or ends.
     */
    private long lastLiveAsid = -1;

    public CallTracker(Sink sink, int stringLimit) {
        this.sink = sink;
        this.stringLimit = stringLimit;
    }

    /** A system-call instruction executed: read number and arguments, publish ENTER. */
    public void onSyscall(Cpu cpu) {
        Arch arch = arch(cpu);
        if (arch == null) {
            if (unsupportedArchs.add(cpu.arch())) System.err.println("plugin.syscalls.linux: no Linux ABI for " + cpu.arch() + "; its calls are not traced");
            return;
        }
        long asid = cpu.asid();
        if (asid != lastLiveAsid) {
            ended.remove(asid); // an address space that runs again is a new process (ids are reused)
            if (seen.add(asid) && !pidOf.containsKey(asid)) bindNewSpace(cpu, asid, -1);
            lastLiveAsid = asid;
        }
        // number, arguments and stack pointer in one loop: one copy of the register lookup for the JIT
        String[] regs = arch.entryRegs;
        long[] args = new long[regs.length - 2];
        long nr = 0, sp = 0;
        for (int i = 0; i < regs.length; i++) {
            long r = arch.unsigned(cpu.reg(regs[i]));
            if (i == 0) nr = r; else if (i == regs.length - 1) sp = r; else args[i - 1] = r;
        }
        Call c = new Call(arch, asid, sp, cpu.pc(), cpu.index(), nr, args, cpu.icount());
        Integer pid = pidOf.get(asid);
        c.pid = pid == null ? 0 : pid;
        c.tid = c.pid;
        GuestMemory mem = cpu.memory();
        c.entryMemory = captureEntry(arch, c, mem);
        if (c.shape.is(CallShape.ENTRY_FACTS)) {
            Semantics.trackerFactsAtEntry(c, mem);
            if (c.image != null) resolveOwnExe(c);
        }
        sink.enter(c, pid);
        if (c.shape.is(CallShape.EXIT)) {
            c.result = "?";
            c.icountExit = c.icountEnter;
            sink.exit(c, pid);
            emit(c);
            // exit of one thread leaves the others running; exit_group (or exit of a single-threaded process) ends it
            endProcess(asid, (int) args[0] & 0xff);
            return;
        }
        Call old = pending.put(new Key(asid, sp), c);
        if (old != null) droppedEntries++; // the earlier call never returned to this stack (a signal longjmp'd away)
        if (pending.size() > MAX_PENDING) {
            Iterator<Call> it = pending.values().iterator();
            it.next();
            it.remove();
            droppedEntries++;
        }
        setLastEntry(cpu.index(), c);
    }

    private void setLastEntry(int vcpu, Call c) {
        if (vcpu >= lastEntryOnVcpu.length) lastEntryOnVcpu = java.util.Arrays.copyOf(lastEntryOnVcpu, Math.max(vcpu + 1, 2 * lastEntryOnVcpu.length));
        lastEntryOnVcpu[vcpu] = c;
    }

    private Call lastEntry(int vcpu) { return vcpu < lastEntryOnVcpu.length ? lastEntryOnVcpu[vcpu] : null; }

    private void clearLastEntry(int vcpu) { if (vcpu < lastEntryOnVcpu.length) lastEntryOnVcpu[vcpu] = null; }

    /** A return to user mode: the EXIT of the call pending at this (asid, sp), or an exec or a fork child. */
    public void onReturnToUser(Cpu cpu) {
        Arch arch = arch(cpu);
        if (arch == null) return;
        long asid = cpu.asid();
        if (ended.contains(asid)) return; // the personality's return after exit_group: nothing returns
        String[] regs = arch.returnRegs;
        long sp = 0, raw = 0;
        for (int i = 0; i < regs.length; i++) { // stack pointer and result: one copy of the register lookup
            long r = cpu.reg(regs[i]);
            if (i == 0) sp = arch.unsigned(r); else raw = r;
        }
        Key key = new Key(asid, sp);
        Call c = pending.get(key);
        if (c != null) {
            if (c.shape.is(CallShape.FORK) && arch.signed(raw) == 0) {
                return; // a vfork/CLONE_VM child returning on its parent's stack: the parent's call stays pending
            }
            pending.remove(key);
            if (lastEntry(cpu.index()) == c) clearLastEntry(cpu.index());
            complete(c, cpu, raw);
            return;
        }
        boolean newSpace = seen.add(asid) && !pidOf.containsKey(asid);
        Call last = lastEntry(cpu.index());
        if (last != null && last.shape.is(CallShape.EXEC)
                && pending.get(new Key(last.asid, last.sp)) == last && (last.asid != asid || last.sp != sp)) {
            execCompleted(last, cpu, asid);
            return;
        }
        if (last != null && last.shape.is(CallShape.SIGRETURN) && last.asid == asid
                && pending.get(new Key(last.asid, last.sp)) == last) {
            // sigreturn resumes the interrupted context: its own stack, the interrupted call's result register
            pending.remove(new Key(last.asid, last.sp));
            clearLastEntry(cpu.index());
            complete(last, cpu, raw);
            return;
        }
        if (last != null && last.asid == asid && pending.get(new Key(last.asid, last.sp)) == last && divertedToHandler(last, cpu, sp)) {
            return;
        }
        if (newSpace && arch.signed(raw) == 0 && bindNewSpace(cpu, asid, sp)) return; // a fork child's first return
        unmatchedReturns++;
    }

    /**
     * A return to user mode in the address space of this vCPU's pending call, on another stack: the
     * kernel diverted the call's return into a signal handler. The frame it pushed holds the call's
     * result and the stack it would have returned to; when that stack is the call's, the call
     * completes now, before the handler runs (as strace shows it). Anything else stays unmatched.
     */
    private boolean divertedToHandler(Call c, Cpu cpu, long sp) {
        SignalFrame.Interrupted ctx = SignalFrame.at(c.arch, cpu.memory(), sp);
        if (ctx == null || c.arch.unsigned(ctx.sp()) != c.sp) return false;
        pending.remove(new Key(c.asid, c.sp));
        clearLastEntry(cpu.index());
        complete(c, cpu, ctx.result(), restarts(c, ctx.pc(), ctx.result()));
        return true;
    }

    /** x86's syscall, sysenter and int 0x80 are two bytes: a restarted call resumes two bytes back. */
    static final int SYSCALL_INSN_LENGTH = 2;
    static final long ERESTARTSYS = 512;

    /**
     * Whether the kernel will make the call again: it resumes at the syscall instruction itself with
     * the call's number back in the number register (x86 Linux's restart after a signal).
     */
    private static boolean restarts(Call c, long resumePc, long resultReg) {
        return c.arch.isX86() && c.arch.unsigned(resumePc) == c.arch.unsigned(c.pc - SYSCALL_INSN_LENGTH)
                && c.arch.unsigned(resultReg) == c.nr;
    }

    private void complete(Call c, Cpu cpu, long raw) { complete(c, cpu, raw, restarts(c, cpu.pc(), raw)); }

    /**
     * @param restart the call will be made again: strace prints the kernel's internal restart code,
     *                and which of the four it was is not in the ABI; ERESTARTSYS is the common one
     */
    private void complete(Call c, Cpu cpu, long raw, boolean restart) {
        c.rawResult = restart ? -ERESTARTSYS : raw;
        c.ret = c.arch.signed(c.rawResult);
        c.returned = true;
        c.restart = restart;
        c.decodeResult = true;
        c.icountExit = cpu.icount();
        GuestMemory mem = cpu.memory();
        c.exitMemory = captureExit(c, mem);
        if (c.shape.is(CallShape.READLINK)) {
            Semantics.trackerFactsAtExit(c, mem);
            if (c.ownImage != null) imageOf.put(c.asid, c.ownImage);
        }
        if (c.ret >= 0 && c.shape.is(CallShape.IDS)) learnIds(c);
        Integer pid = pidOf.get(c.asid);
        if (pid != null) c.pid = pid;
        if (c.tid == 0) c.tid = c.pid;
        sink.exit(c, pid);
        emit(c);
    }

    private void learnIds(Call c) {
        switch (c.name) {
            case "getpid" -> bindPid(c.asid, (int) c.ret);
            case "set_tid_address", "gettid" -> {
                if (!pidOf.containsKey(c.asid)) bindPid(c.asid, (int) c.ret); // the first thread's tid is the pid
                c.tid = (int) c.ret;
            }
            case "fork", "vfork", "clone", "clone3" -> {
                if (c.ret > 0) {
                    boolean thread = c.thread;
                    long ctid = c.name.equals("clone") && (c.args[0] & CLONE_CHILD_SETTID) != 0
                            ? (c.arch == Arch.X86_64 ? c.args[3] : c.args[4]) : 0;
                    if (!thread && !pidOf.containsValue((int) c.ret)) expectChild(new Expected((int) c.ret, c.asid, c.sp, false, ctid, c));
                }
            }
            default -> { }
        }
    }

    /** A successful exec: the call completes with 0 and the pid moves to the new address space. */
    private void execCompleted(Call exec, Cpu cpu, long newAsid) {
        pending.remove(new Key(exec.asid, exec.sp));
        clearLastEntry(cpu.index());
        exec.ret = 0;
        exec.result = "0";
        exec.returned = true;
        exec.icountExit = cpu.icount();
        Integer pid = pidOf.get(exec.asid);
        exec.pid = pid == null ? exec.pid : pid;
        sink.exit(exec, pid);
        emit(exec);
        String image = exec.resolvedImage != null ? exec.resolvedImage : exec.image;
        if (image != null) imageOf.put(newAsid, image); else imageOf.remove(newAsid);
        if (newAsid != exec.asid) {
            if (pid != null) {
                bindPid(newAsid, pid);
            } else {
                // still unknown: the process's held records wait in its new address space
                List<Object> h = held.remove(exec.asid);
                if (h != null) held.computeIfAbsent(newAsid, a -> new ArrayList<>()).addAll(0, h);
            }
            forgetSpace(exec.asid);
        }
    }

    private void expectChild(Expected e) {
        // the child may have shown up before its parent's fork returned: its held calls are waiting
        for (Map.Entry<Long, List<Object>> h : held.entrySet()) {
            if (!pidOf.containsKey(h.getKey()) && h.getKey() != e.parentAsid) {
                bindPid(h.getKey(), e.pid);
                childSide(e.fork, h.getKey(), 0, e.fork.pc, e.fork.vcpu, e.fork.icountExit);
                return;
            }
        }
        expectedChildren.add(e);
        if (expectedChildren.size() > MAX_EXPECTED) expectedChildren.removeFirst();
    }

    /**
     * A new address space: a fork child. Its pid is where glibc's fork asked the kernel to store it
     * (clone's CLONE_CHILD_SETTID pointer, in the child's memory) when a parent's clone is pending or
     * announced that pid; else the child a parent's fork announced (at this sp first, else the oldest).
     */
    private boolean bindNewSpace(Cpu cpu, long asid, long sp) {
        Set<Integer> known = new HashSet<>(pidOf.values());
        for (Call f : new ArrayList<>(pending.values())) {
            if (!f.name.equals("clone") || f.asid == asid || (f.args[0] & CLONE_CHILD_SETTID) == 0) continue;
            long ctid = f.arch == Arch.X86_64 ? f.args[3] : f.args[4];
            long v = cpu.memory().readInt(ctid, 4).orElse(0);
            boolean announced = expectedChildren.stream().anyMatch(e -> e.pid == (int) v);
            if (v > 0 && (announced || !known.contains((int) v))) {
                expectedChildren.removeIf(e -> e.pid == (int) v);
                bindPid(asid, (int) v);
                childSide(f, asid, sp, cpu.pc(), cpu.index(), cpu.icount());
                return true;
            }
        }
        for (Expected e : expectedChildren) {
            if (e.ctid == 0) continue;
            long v = cpu.memory().readInt(e.ctid, 4).orElse(0);
            if (v == e.pid) {
                expectedChildren.remove(e);
                bindPid(asid, e.pid);
                childSide(e.fork, asid, sp, cpu.pc(), cpu.index(), cpu.icount());
                return true;
            }
        }
        return bindExpectedChild(cpu, asid, sp);
    }

    /** Binds a new address space to the child a parent's fork announced (the one forked at this sp first). */
    private boolean bindExpectedChild(Cpu cpu, long asid, long sp) {
        Expected match = null;
        for (Expected e : expectedChildren) if (e.sp == sp) { match = e; break; }
        if (match == null) match = expectedChildren.peekFirst();
        if (match == null) return false;
        expectedChildren.remove(match);
        bindPid(asid, match.pid);
        childSide(match.fork, asid, sp, cpu.pc(), cpu.index(), cpu.icount());
        return true;
    }

    /**
     * The child's return of 0 from {@code fork}, as an EXIT event only (strace prints no line for it):
     * it names the child's pid and its parent's, so monitors bind the new address space. The child
     * runs its parent's image until it execs.
     */
    private void childSide(Call fork, long childAsid, long sp, long pc, int vcpu, long icount) {
        String image = imageOf.get(fork.asid);
        if (image != null) imageOf.put(childAsid, image);
        Call k = new Call(fork.arch, childAsid, sp < 0 ? fork.sp : sp, pc, vcpu, fork.nr, fork.args, icount);
        k.forkParent = fork; // its decoded arguments are the parent's (copied when decoded)
        k.childSide = true;
        k.ret = 0;
        k.result = "0";
        k.returned = true;
        k.icountExit = icount;
        k.pid = pidOf.getOrDefault(childAsid, 0);
        k.tid = k.pid;
        k.semantics.put(Keys.PROCESS_OP, "fork");
        k.semantics.put(Keys.PROCESS_THREAD, false);
        Integer ppid = pidOf.get(fork.asid);
        if (ppid == null && fork.pid > 0) ppid = fork.pid;
        if (ppid != null) k.semantics.put(Keys.PPID, ppid);
        sink.exit(k, pidOf.get(childAsid));
    }

    /**
     * An exec of {@code /proc/self/exe} (busybox re-runs itself so) or {@code /proc/N/exe} loads the
     * image that process runs: name that image, and keep the path as the caller wrote it.
     */
    private void resolveOwnExe(Call c) {
        String path = c.image;
        String image = null;
        if (Semantics.isOwnExe(path, pidOf.getOrDefault(c.asid, 0))) {
            image = imageOf.get(c.asid);
        } else {
            int pid = Semantics.procExePid(path);
            if (pid > 0) for (Map.Entry<Long, Integer> e : pidOf.entrySet()) if (e.getValue() == pid) image = imageOf.get(e.getKey());
        }
        if (image == null || image.equals(path)) return;
        c.resolvedImage = image;
    }

    private void bindPid(long asid, int pid) {
        pidOf.put(asid, pid);
        List<Object> h = held.remove(asid);
        if (h != null) for (Object o : h) release(o, pid);
    }

    private record Exited(long asid, int status) {}

    /** Text records wait for their pid; events went out already. */
    private void emit(Object record) {
        long asid = record instanceof Call c ? c.asid : ((Exited) record).asid;
        Integer pid = pidOf.get(asid);
        if (pid != null) {
            release(record, pid);
            return;
        }
        List<Object> h = held.computeIfAbsent(asid, a -> new ArrayList<>());
        h.add(record);
        if (h.size() >= HOLD_LIMIT) flushUnknown(asid);
    }

    private void release(Object record, int pid) {
        if (record instanceof Call c) {
            c.pid = pid;
            if (c.tid == 0) c.tid = pid;
            sink.record(c);
        } else if (record instanceof Exited e) {
            sink.processExited(pid, e.asid, e.status);
        }
    }

    /** Releases an address space's held records labelled with the asid: its pid was never learnt. */
    private void flushUnknown(long asid) {
        List<Object> h = held.remove(asid);
        if (h != null) for (Object o : h) release(o, (int) asid);
    }

    private void endProcess(long asid, int status) {
        emit(new Exited(asid, status));
        flushUnknown(asid);
        forgetSpace(asid);
        ended.add(asid);
        if (lastLiveAsid == asid) lastLiveAsid = -1;
    }

    /** Drops every trace of an address space that is gone (exited, or replaced by an exec). */
    private void forgetSpace(long asid) {
        pending.keySet().removeIf(k -> k.asid == asid);
        for (int i = 0; i < lastEntryOnVcpu.length; i++) if (lastEntryOnVcpu[i] != null && lastEntryOnVcpu[i].asid == asid) lastEntryOnVcpu[i] = null;
        if (lastLiveAsid == asid) lastLiveAsid = -1;
        flushUnknown(asid);
        pidOf.remove(asid);
        seen.remove(asid);
        imageOf.remove(asid);
    }

    /** Releases everything held (the machine stopped). */
    public void flush() {
        for (Long asid : new ArrayList<>(held.keySet())) flushUnknown(asid);
    }

    /**
     * The capture is plugin code on the vCPU thread: if it throws, the engine would disable the whole
     * tracer. A failing capture is reported once per call name instead, and the call is traced with
     * whatever its decoding can make of no memory (addresses).
     */
    private GuestMemory captureEntry(Arch arch, Call c, GuestMemory mem) {
        if (!c.shape.is(CallShape.CAPTURE_AT_ENTRY)) return null;
        try {
            return capture(arch).entry(c, mem);
        } catch (RuntimeException e) {
            captureFailed(c, e);
            return MemorySnapshot.unavailable(c.asid);
        }
    }

    private GuestMemory captureExit(Call c, GuestMemory mem) {
        if (!c.shape.is(CallShape.CAPTURE_AT_EXIT)) return null;
        try {
            return capture(c.arch).exit(c, mem, c.ret);
        } catch (RuntimeException e) {
            captureFailed(c, e);
            return MemorySnapshot.unavailable(c.asid);
        }
    }

    private void captureFailed(Call c, RuntimeException e) {
        captureFailures++;
        if (captureFailedFor.add(c.name)) {
            System.err.println("plugin.syscalls.linux: copying the memory of " + c.name + " threw " + e
                    + "; it is traced without it (reported once per call name)");
        }
    }

    private final Set<String> captureFailedFor = new HashSet<>();
    private long captureFailures;

    /** Captures that threw (a bug; 0 expected). */
    public long captureFailures() { return captureFailures; }

    private Capture capture(Arch arch) {
        Capture c = captures[arch.ordinal()];
        if (c == null) captures[arch.ordinal()] = c = new Capture(arch, stringLimit);
        return c;
    }

    /** The ABI of a vCPU; the name is the same String object call after call, so that is the check made first. */
    private Arch arch(Cpu cpu) {
        String name = cpu.arch();
        if (name != lastCpuArch) {
            lastArch = Arch.of(name);
            lastCpuArch = name;
        }
        return lastArch;
    }

    public int pendingCount() { return pending.size(); }

    public long unmatchedReturns() { return unmatchedReturns; }

    public long droppedEntries() { return droppedEntries; }

    /** The pid learnt for an address space, or null. */
    public Integer pidOf(long asid) { return pidOf.get(asid); }
}
