package emulator.linuxuser.kernel;

import emulator.core.exec.Vcpu;
import emulator.linuxuser.abi.Errno;
import emulator.linuxuser.abi.ErrnoException;

import java.nio.ByteBuffer;

/**
 * Linux signals for the user-mode personality: dispositions (rt_sigaction), masks, generation
 * (kill, tkill, tgkill, SIGCHLD, SIGPIPE, faults) and delivery to handlers through the
 * architecture's {@link SignalFrames}, or the default action (terminate, ignore; stop signals are
 * treated as ignored because there is no job control terminal to stop for).
 *
 * <p>Delivery happens when the thread leaves the kernel (after a system call or a fault). A thread
 * blocked in a system call is woken ({@link GuestThread#wake}); a fatal default action ends the
 * process at once, even while it runs guest code. A handler for a signal sent to a thread that is
 * computing without making system calls runs at its next system call (the core has no
 * asynchronous interrupt hook for the personality yet).
 */
public final class Signals {
    public static final int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7,
            SIGFPE = 8, SIGKILL = 9, SIGSEGV = 11, SIGPIPE = 13, SIGALRM = 14, SIGTERM = 15, SIGCHLD = 17,
            SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22, SIGURG = 23, SIGWINCH = 28;
    public static final int SI_USER = 0, SI_KERNEL = 0x80, SI_TKILL = -6, CLD_EXITED = 1, CLD_KILLED = 2;
    static final long UNBLOCKABLE = (1L << (SIGKILL - 1)) | (1L << (SIGSTOP - 1));

    /** What the kernel knows about one pending signal (the siginfo fields). */
    public record Info(int signo, int code, int pid, int uid, int status, long addr, int trapno, int errorCode) {
        public Info(int signo, int code, int pid, int uid, int status, long addr) {
            this(signo, code, pid, uid, status, addr, 0, 0);
        }
    }

    enum Default { TERMINATE, CORE, IGNORE, STOP }

    private final LinuxSystem system;

    Signals(LinuxSystem system) { this.system = system; }

    static long bit(int sig) { return 1L << (sig - 1); }

    static Default defaultAction(int sig) {
        return switch (sig) {
            case SIGCHLD, SIGCONT, SIGURG, SIGWINCH -> Default.IGNORE;
            case SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU -> Default.STOP;
            case SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, 24, 25, 31 -> Default.CORE;
            default -> Default.TERMINATE;
        };
    }

    public static String name(int sig) {
        String[] n = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL",
                "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
                "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
                "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};
        return sig > 0 && sig < n.length ? n[sig] : "signal " + sig;
    }

    /** Whether {@code sig} would be thrown away on arrival (ignored explicitly or by default). */
    private static boolean ignored(LinuxProcess p, int sig) {
        SigAction a = p.actions[sig];
        if (a.handler() == SigAction.SIG_IGN) return true;
        if (a.handler() != SigAction.SIG_DFL) return false;
        Default d = defaultAction(sig);
        return d == Default.IGNORE || d == Default.STOP;
    }

    // ================================================================== generation

    /** A process-directed signal (kill): pending for the process, taken by a thread that does not block it. */
    public void post(LinuxProcess p, Info info) {
        int sig = info.signo();
        if (sig <= 0 || sig > 64 || p.hasExited()) return;
        if (sig == SIGKILL) { system.terminate(p, SIGKILL, false); return; }
        for (GuestThread w : p.threads) {
            if ((w.sigwaitSet & bit(sig)) == 0) continue;
            synchronized (p) { // a thread in sigtimedwait takes it: queued (never acted on), the waiter woken
                if ((p.sharedPending() & bit(sig)) == 0 || sig >= 32) p.pendingInfo[sig] = info;
                p.addShared(sig);
            }
            notifyWaiter(w);
            return;
        }
        boolean blockedEverywhere = true;
        for (GuestThread t : p.threads) if ((t.sigmask & bit(sig)) == 0) blockedEverywhere = false;
        if (ignored(p, sig) && !blockedEverywhere) return;
        synchronized (p) {
            if ((p.sharedPending() & bit(sig)) == 0 || sig >= 32) p.pendingInfo[sig] = info;
            p.addShared(sig);
        }
        if (blockedEverywhere) return;
        SigAction a = p.actions[sig];
        if (a.handler() == SigAction.SIG_DFL && !ignored(p, sig)) {
            system.terminate(p, sig, false); // fatal: Linux kills the whole group at once too
            return;
        }
        for (GuestThread t : p.threads) if ((t.sigmask & bit(sig)) == 0) { t.wake(); break; }
    }

    /** A thread-directed signal (tkill, tgkill). */
    public void postThread(GuestThread t, Info info) {
        int sig = info.signo();
        LinuxProcess p = t.proc;
        if (sig <= 0 || sig > 64 || p.hasExited()) return;
        if (sig == SIGKILL) { system.terminate(p, SIGKILL, false); return; }
        if ((t.sigwaitSet & bit(sig)) != 0) {
            synchronized (p) {
                p.pendingInfo[sig] = info;
                synchronized (t) { t.pending |= bit(sig); }
            }
            notifyWaiter(t);
            return;
        }
        boolean blocked = (t.sigmask & bit(sig)) != 0;
        if (ignored(p, sig) && !blocked) return;
        synchronized (p) {
            p.pendingInfo[sig] = info;
            synchronized (t) { t.pending |= bit(sig); }
        }
        if (blocked) return;
        if (p.actions[sig].handler() == SigAction.SIG_DFL && !ignored(p, sig)) {
            system.terminate(p, sig, false);
            return;
        }
        t.wake();
    }

    // ================================================================== delivery

    /** Whether a pending signal could be delivered to the thread now. */
    boolean hasDeliverable(GuestThread t) { return next(t) != 0; }

    /** The lowest pending signal the thread does not block, or 0. */
    private static int next(GuestThread t) {
        long ready = (t.pending | t.proc.sharedPending()) & ~t.sigmask;
        return ready == 0 ? 0 : Long.numberOfTrailingZeros(ready) + 1;
    }

    /** Takes the pending signal {@code sig} off the thread or process. */
    private static Info take(GuestThread t, int sig) {
        LinuxProcess p = t.proc;
        synchronized (p) {
            synchronized (t) {
                if ((t.pending & bit(sig)) != 0) t.pending &= ~bit(sig);
                else p.clearShared(sig);
            }
            Info i = p.pendingInfo[sig];
            p.pendingInfo[sig] = null;
            return i != null ? i : new Info(sig, SI_KERNEL, 0, 0, 0, 0);
        }
    }

    /** Whether the next signal to act on has a handler that interrupts with SA_RESTART; -1 none pending. */
    int nextDisposition(GuestThread t) {
        int sig = next(t);
        if (sig == 0) return -1;
        SigAction a = t.proc.actions[sig];
        if (!a.isHandler()) return 0;
        return a.has(SigAction.SA_RESTART) ? 2 : 1;
    }

    /**
     * Acts on pending signals before the thread returns to user mode: runs the default action or
     * sets up one handler frame. Returns false when the process ended.
     */
    boolean deliver(Vcpu cpu, GuestThread t) {
        LinuxProcess p = t.proc;
        while (!p.hasExited()) {
            int sig = next(t);
            if (sig == 0) break;
            Info info = take(t, sig);
            SigAction a = p.actions[sig];
            if (a.handler() == SigAction.SIG_IGN) continue;
            if (a.handler() == SigAction.SIG_DFL) {
                Default d = defaultAction(sig);
                if (d == Default.IGNORE || d == Default.STOP) continue;
                system.terminate(p, sig, false);
                return false;
            }
            runHandler(cpu, t, sig, info, a);
            return !p.hasExited();
        }
        if (t.restoreSavedMask) { // rt_sigsuspend returned without running a handler
            t.restoreSavedMask = false;
            t.sigmask = t.savedMask;
        }
        return !p.hasExited();
    }

    /** Enters the handler of {@code sig}; a frame that cannot be written kills the process with SIGSEGV. */
    void runHandler(Vcpu cpu, GuestThread t, int sig, Info info, SigAction a) {
        LinuxProcess p = t.proc;
        long saved = t.restoreSavedMask ? t.savedMask : t.sigmask;
        t.restoreSavedMask = false;
        try {
            system.frames.setup(cpu, t, sig, info, a, saved);
        } catch (ErrnoException e) {
            system.terminate(p, SIGSEGV, true);
            return;
        }
        long m = t.sigmask | a.mask();
        if (!a.has(SigAction.SA_NODEFER)) m |= bit(sig);
        t.sigmask = m & ~UNBLOCKABLE;
        if (a.has(SigAction.SA_RESETHAND)) p.actions[sig] = SigAction.DEFAULT;
    }

    /**
     * A synchronous signal from a fault: delivered to a handler at once, or (blocked, ignored or
     * default) the process ends, as Linux's force_sig does.
     */
    boolean fault(Vcpu cpu, GuestThread t, Info info) {
        LinuxProcess p = t.proc;
        int sig = info.signo();
        SigAction a = p.actions[sig];
        if (!a.isHandler() || (t.sigmask & bit(sig)) != 0) {
            system.terminate(p, sig, false);
            return false;
        }
        runHandler(cpu, t, sig, info, a);
        return !p.hasExited();
    }

    /** The siginfo bytes (128) for the guest's word size. */
    static byte[] siginfo(Info i, int w) {
        ByteBuffer b = GuestMem.buffer(128);
        b.putInt(i.signo()).putInt(0).putInt(i.code());
        int u = w == 8 ? 16 : 12;
        b.position(u);
        if (i.signo() == SIGCHLD && (i.code() == CLD_EXITED || i.code() == CLD_KILLED)) {
            b.putInt(i.pid()).putInt(i.uid()).putInt(i.status());
        } else if (i.code() > 0 && i.code() < SI_KERNEL && i.signo() != SIGCHLD) {
            if (w == 8) b.putLong(i.addr()); else b.putInt((int) i.addr()); // a fault: si_addr
        } else {
            b.putInt(i.pid()).putInt(i.uid());
        }
        return b.array();
    }

    // ================================================================== system calls

    void register(LinuxSyscalls s) {
        GuestMem mem = s.memory();
        int setSize = 8;
        boolean wide = mem.wordSize() == 8;
        s.provide(name -> switch (name) {
            case "rt_sigaction" -> (c, a) -> sigaction(s, (int) a[0], a[1], a[2], a[3]);
            case "rt_sigprocmask" -> (c, a) -> {
                if (a[3] != setSize) throw new ErrnoException(Errno.EINVAL);
                return sigprocmask(thread(c), (int) a[0], a[1] == 0 ? null : mem.readU64(a[1]), a[2], mem, true);
            };
            case "sigprocmask" -> (c, a) -> // i386's old call: 32-bit sets
                    sigprocmask(thread(c), (int) a[0], a[1] == 0 ? null : mem.readU32(a[1]), a[2], mem, false);
            case "rt_sigpending" -> (c, a) -> {
                GuestThread t = thread(c);
                mem.writeU64(a[0], (t.pending | t.proc.sharedPending()) & t.sigmask);
                return 0;
            };
            case "rt_sigsuspend" -> (c, a) -> {
                if (a[1] != setSize) throw new ErrnoException(Errno.EINVAL);
                GuestThread t = thread(c);
                long m = mem.readU64(a[0]) & ~UNBLOCKABLE;
                t.savedMask = t.sigmask;
                t.restoreSavedMask = true;
                t.sigmask = m;
                return waitForSignal();
            };
            case "pause" -> (c, a) -> waitForSignal();
            case "rt_sigtimedwait" -> (c, a) -> {
                if (a[3] != setSize) throw new ErrnoException(Errno.EINVAL);
                return sigtimedwait(thread(c), mem.readU64(a[0]), a[1], a[2] == 0 ? -1 : timeout(mem, a[2], wide), mem);
            };
            case "rt_sigtimedwait_time64" -> (c, a) -> {
                if (a[3] != setSize) throw new ErrnoException(Errno.EINVAL);
                return sigtimedwait(thread(c), mem.readU64(a[0]), a[1], a[2] == 0 ? -1 : timeout(mem, a[2], true), mem);
            };
            case "rt_sigreturn" -> (c, a) -> { system.frames.sigreturn(c, thread(c), true); return 0; };
            case "sigreturn" -> (c, a) -> { system.frames.sigreturn(c, thread(c), false); return 0; };
            case "kill" -> (c, a) -> kill(thread(c), (int) a[0], (int) a[1]);
            case "tkill" -> (c, a) -> tkill(thread(c), -1, (int) a[0], (int) a[1]);
            case "tgkill" -> (c, a) -> tkill(thread(c), (int) a[0], (int) a[1], (int) a[2]);
            default -> null;
        });
    }

    static GuestThread thread(Vcpu c) { return (GuestThread) c.kernelData; }

    private static void notifyWaiter(GuestThread w) {
        synchronized (w.sigwaitLock) { w.sigwaitLock.notifyAll(); }
    }

    /**
     * rt_sigtimedwait: takes a pending signal of {@code set} (thread-directed first, then the
     * process's), writing its siginfo; waits for one up to {@code timeoutNs} (-1: no limit).
     * EAGAIN when the time runs out, EINTR when another signal (not in the set, not blocked) arrives.
     */
    private long sigtimedwait(GuestThread t, long set, long infoAddr, long timeoutNs, GuestMem mem) throws ErrnoException {
        set &= ~UNBLOCKABLE;
        long deadline = timeoutNs < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutNs;
        synchronized (t.sigwaitLock) {
            t.sigwaitSet = set;
            try {
                while (true) {
                    long ready = (t.pending | t.proc.sharedPending()) & set;
                    if (ready != 0) {
                        int sig = Long.numberOfTrailingZeros(ready) + 1;
                        Info info = take(t, sig);
                        if (infoAddr != 0) mem.write(infoAddr, siginfo(info, mem.wordSize()));
                        return sig;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) throw new ErrnoException(Errno.EAGAIN);
                    GuestThread.await(t.sigwaitLock, deadline == Long.MAX_VALUE ? 0 : Math.max(1, left / 1_000_000));
                }
            } finally {
                t.sigwaitSet = 0;
            }
        }
    }

    private static long timeout(GuestMem mem, long addr, boolean wide) throws ErrnoException {
        long sec = wide ? mem.readU64(addr) : (int) mem.readU32(addr);
        long ns = wide ? mem.readU64(addr + 8) : (int) mem.readU32(addr + 4);
        if (sec < 0 || ns < 0 || ns >= 1_000_000_000L) throw new ErrnoException(Errno.EINVAL);
        return sec > Long.MAX_VALUE / 2_000_000_000L ? Long.MAX_VALUE / 2 : sec * 1_000_000_000L + ns;
    }

    /** Blocks until a signal arrives: always "interrupted" (the restart logic decides what the guest sees). */
    private long waitForSignal() throws ErrnoException {
        Object never = new Object();
        synchronized (never) {
            while (true) GuestThread.await(never, 0);
        }
    }

    private long sigaction(LinuxSyscalls s, int sig, long act, long oact, long setsize) throws ErrnoException {
        if (setsize != 8 || sig < 1 || sig > 64) throw new ErrnoException(Errno.EINVAL);
        if (act != 0 && (sig == SIGKILL || sig == SIGSTOP)) throw new ErrnoException(Errno.EINVAL);
        GuestMem mem = s.memory();
        int w = mem.wordSize();
        LinuxProcess p = s.process();
        SigAction n = null;
        if (act != 0) {
            long h = mem.readWord(act), f = mem.readWord(act + w), r = mem.readWord(act + 2L * w), m = mem.readU64(act + 3L * w);
            n = new SigAction(h, f, r, m & ~UNBLOCKABLE);
        }
        if (oact != 0) {
            SigAction o = p.actions[sig];
            ByteBuffer b = GuestMem.buffer(3 * w + 8);
            mem.putWord(b, o.handler());
            mem.putWord(b, o.flags());
            mem.putWord(b, o.restorer());
            b.putLong(o.mask());
            mem.write(oact, b);
        }
        if (n != null) {
            p.actions[sig] = n;
            if (ignored(p, sig)) { // setting SIG_IGN discards a pending instance (POSIX)
                synchronized (p) {
                    p.clearShared(sig);
                    for (GuestThread t : p.threads) synchronized (t) { t.pending &= ~bit(sig); }
                }
            }
        }
        return 0;
    }

    private long sigprocmask(GuestThread t, int how, Long set, long oset, GuestMem mem, boolean wide) throws ErrnoException {
        long old = t.sigmask;
        if (set != null) {
            long s = set & ~UNBLOCKABLE;
            long keepHigh = wide ? 0 : old & 0xFFFF_FFFF_0000_0000L;
            switch (how) {
                case 0 -> t.sigmask = old | s;
                case 1 -> t.sigmask = old & ~s;
                case 2 -> t.sigmask = keepHigh | s;
                default -> throw new ErrnoException(Errno.EINVAL);
            }
        }
        if (oset != 0) {
            if (wide) mem.writeU64(oset, old); else mem.writeU32(oset, old & 0xFFFF_FFFFL);
        }
        return 0;
    }

    private long kill(GuestThread self, int pid, int sig) throws ErrnoException {
        if (sig < 0 || sig > 64) throw new ErrnoException(Errno.EINVAL);
        LinuxProcess me = self.proc;
        Info info = new Info(sig, SI_USER, me.pid, me.uid, 0, 0);
        java.util.List<LinuxProcess> targets = new java.util.ArrayList<>();
        for (LinuxProcess p : system.processes.values()) {
            if (p.reaped) continue;
            boolean match = pid > 0 ? p.pid == pid
                    : pid == 0 ? p.pgid == me.pgid
                    : pid == -1 ? p != me
                    : p.pgid == -pid;
            if (match) targets.add(p);
        }
        if (targets.isEmpty()) throw new ErrnoException(Errno.ESRCH);
        if (sig == 0) return 0;
        // the caller last, so a signal that kills it still reaches the others
        targets.sort((x, y) -> Boolean.compare(x == me, y == me));
        for (LinuxProcess p : targets) {
            if (p == me) post(p, info);
            else post(p, info);
        }
        return 0;
    }

    private long tkill(GuestThread self, int tgid, int tid, int sig) throws ErrnoException {
        if (sig < 0 || sig > 64 || tid <= 0) throw new ErrnoException(Errno.EINVAL);
        GuestThread t = system.threads.get(tid);
        if (t == null || (tgid > 0 && t.proc.pid != tgid)) throw new ErrnoException(Errno.ESRCH);
        if (sig != 0) postThread(t, new Info(sig, SI_TKILL, self.proc.pid, self.proc.uid, 0, 0));
        return 0;
    }
}
