package emulator.linuxuser.kernel;

import emulator.core.exec.Machine;
import emulator.core.exec.MachineConfig;
import emulator.core.exec.Vcpu;
import emulator.core.mem.AddressSpace;
import emulator.linuxuser.abi.Errno;
import emulator.linuxuser.abi.ErrnoException;
import emulator.linuxuser.elf.ElfException;
import emulator.linuxuser.elf.ElfFile;
import emulator.linuxuser.fs.GuestRoot;
import emulator.x86.Slots;
import emulator.x86.X86Target;
import emulator.x86.front.Cpuid;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The guest "kernel" of one run: the process and thread tables, pid numbering, and the life cycle
 * of guest processes (clone/fork, exec, exit, zombies and reaping). Every guest thread runs on its
 * own vCPU and host thread; every process has its own address space (and so its own asid), except
 * that CLONE_VM shares it.
 *
 * <p>Pids: the first guest process is {@link #FIRST_PID} (1000), later processes and threads count
 * up from there (one counter for pids and tids, as Linux). The first process's parent is reported
 * as pid 1, an invisible init that also adopts orphans and reaps them at once.
 */
public final class LinuxSystem {
    public static final int FIRST_PID = 1000;
    public static final int CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800,
            CLONE_VFORK = 0x4000, CLONE_PARENT = 0x8000, CLONE_THREAD = 0x10000, CLONE_SETTLS = 0x80000,
            CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000, CLONE_CHILD_SETTID = 0x1000000;

    final boolean x64;
    private final AddressLayout layout;
    final MachineConfig config;
    final X86Target target;
    final X86LinuxKernel kernel;
    final Machine machine;
    final PrintStream err;
    final SignalFrames frames;
    final Signals signals;
    /** Guards process state changes (exit, reaping, reparenting); wait4 waits on it. */
    final Object lock = new Object();
    final Map<Integer, LinuxProcess> processes = new ConcurrentHashMap<>();
    final Map<Integer, GuestThread> threads = new ConcurrentHashMap<>();
    private final java.util.Set<String> warned = ConcurrentHashMap.newKeySet();
    private final AtomicInteger nextPid = new AtomicInteger(FIRST_PID);
    private final CountDownLatch initDone = new CountDownLatch(1);
    private volatile LinuxProcess init;
    private final AtomicInteger liveThreads = new AtomicInteger();
    private final Object allDone = new Object();
    /** An internal error on a vCPU thread (reported by the runner). */
    volatile Throwable crash;
    volatile long crashPc;

    public LinuxSystem(boolean x64, MachineConfig config, AddressLayout layout, PrintStream err) {
        this.x64 = x64;
        this.layout = layout;
        this.config = config;
        this.err = err;
        this.target = new X86Target(x64);
        this.kernel = new X86LinuxKernel(this);
        this.machine = new Machine(config, target, kernel);
        this.frames = new X86SignalFrames(x64);
        this.signals = new Signals(this);
    }

    public Machine machine() { return machine; }
    public boolean is64() { return x64; }
    public int wordSize() { return x64 ? 8 : 4; }
    public Throwable crash() { return crash; }
    public long crashPc() { return crashPc; }
    public LinuxProcess init() { return init; }
    public Signals signals() { return signals; }

    int allocatePid() { return nextPid.getAndIncrement(); }

    public ElfLoader.ArchParams archParams() { return ElfLoader.x86(x64, Cpuid.LEAF1_EDX & 0xFFFF_FFFFL, layout); }

    /** The system calls of a process, bound to its memory: the shared set plus the arch, process and signal calls. */
    LinuxSyscalls newSyscalls(LinuxProcess p, GuestMem mem) {
        LinuxSyscalls s = new LinuxSyscalls(x64 ? emulator.linuxuser.abi.SyscallTable.Abi.X86_64 : emulator.linuxuser.abi.SyscallTable.Abi.I386,
                p, mem, x64 ? "x86_64" : "i686", err);
        s.warned = warned;
        kernel.registerArch(s);
        ProcessCalls.register(this, s);
        FileCalls.register(s);
        XattrCalls.register(s);
        SocketCalls.register(s, err);
        signals.register(s);
        s.onBrokenPipe = () -> {
            GuestThread t = GuestThread.current();
            if (t != null) signals.postThread(t, new Signals.Info(Signals.SIGPIPE, Signals.SI_USER, p.pid, p.uid, 0, 0));
        };
        return s;
    }

    /** The first process: created with its address space already loaded by the caller. */
    public LinuxProcess newInitProcess(int uid, int gid, GuestRoot root) {
        LinuxProcess p = new LinuxProcess(allocatePid(), 1, uid, gid);
        p.root = root;
        processes.put(p.pid, p);
        init = p;
        return p;
    }

    /** Binds the init process to its loaded space and returns its (not yet started) main thread. */
    public GuestThread initThread(LinuxProcess p, AddressSpace space, long sp, long entry) {
        p.sys = newSyscalls(p, new GuestMem(space, wordSize()));
        Vcpu cpu = machine.newVcpu(space);
        target.reset(cpu);
        cpu.regs[Slots.RSP] = sp;
        cpu.pc = entry;
        GuestThread t = new GuestThread(p.pid, p, cpu);
        p.threads.add(t);
        threads.put(t.tid, t);
        return t;
    }

    /** Starts a guest thread on its own host thread; a child first returns from the kernel (privilege 1 → 0). */
    public void start(GuestThread t, boolean fromKernel) {
        liveThreads.incrementAndGet();
        Thread h = Thread.ofPlatform().name("abiscope-pid" + t.proc.pid + "-tid" + t.tid).daemon(true)
                .stackSize(32L << 20).unstarted(() -> {
                    t.bindToHostThread();
                    try {
                        if (fromKernel) t.cpu.leaveKernel(); // plugins see the child's return to user mode
                        t.cpu.run();
                    } catch (Throwable e) {
                        if (crash == null) { crash = e; crashPc = t.cpu.pc; }
                        terminate(t.proc, X86LinuxKernel.SIGSEGV, false);
                    } finally {
                        try {
                            Accounting.threadEnded(t);
                            threadEnded(t);
                        } catch (Throwable e) {
                            // Ending the thread failed (a bug, a class that could not be loaded): the
                            // run must still end, with the error reported, not wait for init forever.
                            if (crash == null) { crash = e; crashPc = t.cpu.pc; }
                        } finally {
                            t.unbind();
                            if (liveThreads.decrementAndGet() == 0) {
                                synchronized (allDone) { allDone.notifyAll(); }
                                initDone.countDown(); // no guest thread left: init has ended, however it went
                            }
                        }
                    }
                });
        t.host = h;
        h.start();
    }

    /** Waits until the first process has exited; then ends every other guest process (no process outlives the run). */
    public void awaitInit() throws InterruptedException {
        initDone.await();
        for (LinuxProcess p : processes.values()) if (!p.hasExited()) terminate(p, 9, false);
        synchronized (allDone) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (liveThreads.get() > 0 && System.nanoTime() < deadline) allDone.wait(100);
        }
        machine.stop();
    }

    // ================================================================== clone / fork

    long clone(GuestThread parent, long flags, long newsp, long ptid, long ctid, long tls) throws ErrnoException {
        boolean thread = (flags & CLONE_THREAD) != 0, vm = (flags & CLONE_VM) != 0;
        if (thread && (!vm || (flags & CLONE_SIGHAND) == 0)) throw new ErrnoException(Errno.EINVAL);
        LinuxProcess pp = parent.proc;
        Vcpu pc = parent.cpu;
        LinuxProcess cp;
        int tid = allocatePid();
        if (thread) {
            cp = pp;
        } else {
            AddressSpace space = vm ? pp.space : pp.space.copy();
            cp = new LinuxProcess(tid, pp.pid, pp.uid, pp.gid);
            cp.parent = pp;
            cp.exitSignal = (int) (flags & 0xFF);
            cp.pgid = pp.pgid;
            cp.sid = pp.sid;
            cp.root = pp.root;
            cp.cwd = pp.cwd;
            cp.umask = pp.umask;
            cp.exe = pp.exe;
            cp.argv = pp.argv;
            cp.envp = pp.envp;
            cp.space = space;
            cp.brkStart = pp.brkStart;
            cp.brk = pp.brk;
            cp.brkMapped = pp.brkMapped;
            cp.mmapBase = pp.mmapBase;
            cp.mmapMin = pp.mmapMin;
            cp.mmapHighBase = pp.mmapHighBase;
            cp.stackTop = pp.stackTop;
            cp.stackSize = pp.stackSize;
            cp.altStackSp = pp.altStackSp;
            cp.altStackSize = pp.altStackSize;
            cp.altStackFlags = pp.altStackFlags;
            cp.actions = pp.actions.clone();
            pp.copyFdsTo(cp);
            cp.sys = newSyscalls(cp, new GuestMem(space, wordSize()));
            cp.sys.inheritLimits(pp.sys);
        }
        Vcpu cv = machine.newVcpu(cp.space);
        System.arraycopy(pc.regs, 0, cv.regs, 0, pc.regs.length);
        cv.pc = pc.pc;
        cv.mode = pc.mode;
        cv.ext = target.copyExtState(pc.ext);
        cv.privilege = 1; // the child starts inside the kernel, returning from clone
        cv.icountBase = pc.icount(); // its clock continues the parent's (see Cpu.icount)
        cv.regs[Slots.RAX] = 0;
        if (newsp != 0) cv.regs[Slots.RSP] = newsp;
        GuestThread ct = new GuestThread(tid, cp, cv);
        ct.sigmask = parent.sigmask;
        if ((flags & CLONE_SETTLS) != 0) {
            if (x64) cv.regs[Slots.FS_BASE] = tls;
            else kernel.setThreadArea(cp.sys.memory(), cv, tls);
        }
        if ((flags & CLONE_PARENT_SETTID) != 0) {
            pp.sys.memory().writeU32(ptid, tid);
            if (cp != pp && !vm) cp.sys.memory().writeU32(ptid, tid);
        }
        if ((flags & CLONE_CHILD_SETTID) != 0) cp.sys.memory().writeU32(ctid, tid);
        if ((flags & CLONE_CHILD_CLEARTID) != 0) ct.clearChildTid = ctid;
        cp.threads.add(ct);
        threads.put(tid, ct);
        if (!thread) {
            processes.put(cp.pid, cp);
            pp.children.add(cp);
        }
        start(ct, true);
        if (!thread && (flags & CLONE_VFORK) != 0) {
            try {
                cp.vforkDone.await(); // until the child execs or exits (Linux: killable only)
            } catch (InterruptedException e) {
                Thread.interrupted();
            }
        }
        return tid;
    }

    // ================================================================== exec

    /** Replaces the calling process's image (execve). Returns only on failure (by exception). */
    void exec(GuestThread t, String path, List<String> argv, List<String> envp) throws ErrnoException {
        LinuxProcess p = t.proc;
        ProgramLoader.Program prog = ProgramLoader.find(p.root, p.cwd, path, argv);
        ElfFile elf = prog.elf();
        boolean is64 = elf.machine() == ElfFile.EM_X86_64;
        if (elf.machine() != ElfFile.EM_X86_64 && elf.machine() != ElfFile.EM_386 || is64 != x64 || is64 != elf.is64())
            throw new ErrnoException(Errno.ENOEXEC); // another architecture: this machine runs one
        AddressSpace old = p.space;
        AddressSpace ns = new AddressSpace(config.memoryLimit());
        try {
            ElfLoader.load(elf, ns, p, archParams(), prog.argv(), envp, prog.guestPath(), p.root);
        } catch (ElfException e) {
            throw new ErrnoException(Errno.ENOEXEC, e.getMessage());
        }
        for (GuestThread o : p.threads) if (o != t) { o.cpu.stop(); o.wake(); } // exec ends the other threads
        p.sys.memory().setSpace(ns);
        t.cpu.setSpace(ns);
        if (!spaceInUse(old, p)) machine.releaseSpace(old);
        target.reset(t.cpu);
        t.cpu.privilege = 1; // still inside the kernel: reset cleared nothing the loop relies on
        t.cpu.regs[Slots.RSP] = p.initialSp;
        t.cpu.pc = p.entry;
        p.closeOnExec();
        for (int s = 1; s <= 64; s++) if (p.actions[s].isHandler()) p.actions[s] = SigAction.DEFAULT;
        p.altStackFlags = 2;
        p.altStackSp = 0;
        p.altStackSize = 0;
        t.keepRegisters = true;
        p.vforkDone.countDown();
    }

    private boolean spaceInUse(AddressSpace s, LinuxProcess except) {
        for (LinuxProcess o : processes.values()) if (o != except && !o.hasExited() && o.space == s) return true;
        return false;
    }

    // ================================================================== exit

    /** exit (one thread) or exit_group (the whole process) with {@code code}. */
    void exit(GuestThread t, int code, boolean group) {
        LinuxProcess p = t.proc;
        if (group || p.threads.size() <= 1) {
            if (p.exit(code)) stopThreads(p);
        }
        t.cpu.stop();
    }

    /** Ends process {@code p} as killed by {@code sig} (a default action, or an internal error). */
    void terminate(LinuxProcess p, int sig, boolean report) {
        if (!p.killed(sig)) return;
        if (report && p == init) {
            err.println("abiscope: guest killed by " + Signals.name(sig));
            err.flush();
        }
        stopThreads(p);
    }

    private void stopThreads(LinuxProcess p) {
        for (GuestThread o : p.threads) {
            o.cpu.stop();
            o.wake();
        }
    }

    /** The host thread of {@code t} has ended: thread exit, and the process's end with its last thread. */
    private void threadEnded(GuestThread t) {
        LinuxProcess p = t.proc;
        threads.remove(t.tid);
        p.threads.remove(t);
        if (t.clearChildTid != 0 && !p.threads.isEmpty()) {
            try {
                p.sys.memory().writeU32(t.clearChildTid, 0);
                p.sys.futexWake(t.clearChildTid, 1);
            } catch (ErrnoException ignored) {
                // the address is gone: nothing to clear
            }
        }
        if (!p.threads.isEmpty()) return;
        if (!p.hasExited()) p.exit(0); // the vCPU was stopped from outside (the run is ending)
        finishProcess(p);
    }

    private void finishProcess(LinuxProcess p) {
        p.closeAll();
        if (!spaceInUse(p.space, p)) machine.releaseSpace(p.space);
        p.vforkDone.countDown();
        LinuxProcess parent;
        boolean notify;
        synchronized (lock) {
            for (LinuxProcess c : p.children) {
                c.parent = null;
                c.ppid = 1;
                if (c.zombie) { c.reaped = true; processes.remove(c.pid); }
            }
            p.children.clear();
            p.zombie = true;
            parent = p.parent;
            notify = parent != null && !parent.hasExited() && p.exitSignal != 0;
            SigAction chld = parent == null ? null : parent.actions[Signals.SIGCHLD];
            if (parent == null || parent.hasExited()
                    || chld.handler() == SigAction.SIG_IGN || chld.has(SigAction.SA_NOCLDWAIT)) {
                p.reaped = true; // nobody will wait: reaped at once, as init or an ignoring parent does
                if (parent != null) parent.children.remove(p);
                if (p != init) processes.remove(p.pid);
            }
            lock.notifyAll();
        }
        if (notify) {
            boolean killed = (p.waitStatus() & 0x7F) != 0;
            signals.post(parent, new Signals.Info(p.exitSignal, killed ? Signals.CLD_KILLED : Signals.CLD_EXITED,
                    p.pid, p.uid, killed ? p.waitStatus() & 0x7F : p.waitStatus() >> 8, 0));
        }
        if (p == init) initDone.countDown();
    }
}
