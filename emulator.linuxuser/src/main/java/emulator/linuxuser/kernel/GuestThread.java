package emulator.linuxuser.kernel;

import emulator.core.exec.Vcpu;
import emulator.linuxuser.abi.Errno;
import emulator.linuxuser.abi.ErrnoException;

/**
 * One guest thread: its vCPU (kept in {@code Vcpu.kernelData}), the host thread that runs it, its
 * tid, signal mask and thread-directed pending signals.
 *
 * <p>Blocking system calls wait through {@link #await}: a signal sent to the thread interrupts the
 * host thread only while it waits there ({@link #wake}), never while it does file I/O, because an
 * interrupt would close a {@code FileChannel} under the guest.
 */
public final class GuestThread {
    private static final ThreadLocal<GuestThread> CURRENT = new ThreadLocal<>();

    public final int tid;
    public volatile LinuxProcess proc;
    public final Vcpu cpu;
    Thread host;
    /** Blocked signals (bit N-1 for signal N). */
    public volatile long sigmask;
    /** Thread-directed pending signals (tkill/tgkill, faults). */
    volatile long pending;
    public long clearChildTid;
    /** Set by a call that rewrote all registers (sigreturn, exec): the syscall result is not stored. */
    boolean keepRegisters;
    /** The mask to restore after the handler of a signal that interrupted rt_sigsuspend. */
    long savedMask;
    boolean restoreSavedMask;
    private boolean waiting;
    /** Signals this thread waits for in rt_sigtimedwait (0: not waiting); they wake it though blocked. */
    volatile long sigwaitSet;
    /** Monitor of rt_sigtimedwait: a signal in {@link #sigwaitSet} is queued, then this is notified. */
    final Object sigwaitLock = new Object();

    GuestThread(int tid, LinuxProcess proc, Vcpu cpu) {
        this.tid = tid;
        this.proc = proc;
        this.cpu = cpu;
        cpu.kernelData = this;
    }

    public static GuestThread current() { return CURRENT.get(); }

    void bindToHostThread() {
        host = Thread.currentThread();
        CURRENT.set(this);
    }

    void unbind() { CURRENT.remove(); }

    /** A pending signal this thread would act on now (neither blocked nor ignored). */
    boolean signalPending() {
        return ((pending | proc.sharedPending()) & ~sigmask) != 0;
    }

    /** Interrupts the host thread if it is waiting in {@link #await}; otherwise the signal is seen at the next syscall. */
    synchronized void wake() {
        if (waiting && host != null) host.interrupt();
        // A thread that is computing (no system call) takes the signal at its next block boundary.
        cpu.exitRequest = true;
    }

    /**
     * Waits on {@code monitor} (whose lock the caller holds) for at most {@code millis} (0: no
     * limit); EINTR when a signal arrives first.
     */
    public static void await(Object monitor, long millis) throws ErrnoException {
        GuestThread t = current();
        if (t != null) t.beginWait();
        try {
            if (millis > 0) monitor.wait(millis); else monitor.wait();
        } catch (InterruptedException e) {
            throw new ErrnoException(Errno.EINTR);
        } finally {
            if (t != null) t.endWait();
        }
    }

    /** Sleeps {@code nanos}; EINTR when a signal arrives first. */
    public static void sleep(long nanos) throws ErrnoException {
        GuestThread t = current();
        if (t != null) t.beginWait();
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            throw new ErrnoException(Errno.EINTR);
        } finally {
            if (t != null) t.endWait();
        }
    }

    private synchronized void beginWait() throws ErrnoException {
        if (signalPending() || cpu.isStopped()) throw new ErrnoException(Errno.EINTR);
        waiting = true;
    }

    private synchronized void endWait() {
        waiting = false;
        Thread.interrupted(); // a late wake must not reach a later FileChannel operation
    }
}
