package emulator.linuxuser.kernel;

import emulator.core.mem.AddressSpace;
import emulator.core.mem.Prot;
import emulator.linuxuser.abi.Errno;
import emulator.linuxuser.abi.ErrnoException;
import emulator.linuxuser.fs.GuestRoot;
import emulator.linuxuser.fs.ProcessView;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One guest process of the Linux personality: descriptors, current directory, umask, program
 * break, memory layout, recorded signal dispositions and the exit status. What /proc/self shows
 * comes from here ({@link ProcessView}).
 */
public final class LinuxProcess implements ProcessView {
    /** Linux's default RLIMIT_NOFILE soft limit. */
    public static final int MAX_FDS = 1024;

    public final int pid;
    /** The parent's pid; 1 (an init that reaps everything) once the parent is gone. */
    public volatile int ppid;
    public volatile LinuxProcess parent;
    public final List<LinuxProcess> children = new java.util.concurrent.CopyOnWriteArrayList<>();
    public final List<GuestThread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
    public volatile int pgid, sid;
    /** The signal the parent gets when this process ends (clone's low byte; SIGCHLD for fork). */
    public int exitSignal = 17;
    /** Ended and waiting to be reaped (exit processing done). */
    volatile boolean zombie;
    /** Where the loaded image starts: initial stack pointer and entry (the interpreter's when there is one). */
    public long initialSp, entry;
    public final int uid, gid;
    /** The system call table of this process (bound to its memory). */
    public LinuxSyscalls sys;
    /** Signal dispositions, shared by the threads (copied by fork, handlers reset by exec). */
    public SigAction[] actions = SigAction.defaults();
    /** Process-directed pending signals (kill). */
    private volatile long sharedPending;
    /** siginfo of pending signals by number (sender pid, code, status …), kept for delivery. */
    final Signals.Info[] pendingInfo = new Signals.Info[65];
    /** Wait status as Linux encodes it (exit code << 8, or the signal number); valid once {@link #hasExited()}. */
    private volatile int waitStatus;
    /** True once a parent's wait reaped this zombie. */
    volatile boolean reaped;
    /** Released by exec or exit: a vfork parent waits for it. */
    final java.util.concurrent.CountDownLatch vforkDone = new java.util.concurrent.CountDownLatch(1);
    public long utimeStartNanos = System.nanoTime();
    /** CPU time and peak memory, for getrusage and times (see {@link Accounting}). */
    final Accounting.Usage usage = new Accounting.Usage();
    public GuestRoot root;
    public AddressSpace space;
    public String exe;
    public String cwd = "/";
    public int umask = 022;
    public List<String> argv = List.of();
    public List<String> envp = List.of();

    /** Program break: the initial break (from the ELF) and the current one. */
    public long brkStart, brk;
    /** Mapped end of the brk area (page aligned). */
    long brkMapped;
    /** mmap searches top-down from here (below the stack gap), not below {@link #mmapMin}. */
    public long mmapBase, mmapMin = 0x10000;
    /** When nothing below {@link #mmapBase} is free, mmap searches top-down from here to 4 GiB (0: it fails instead). */
    public long mmapHighBase;
    public long stackTop, stackSize;

    /** fd → (description, close-on-exec). */
    private final TreeMap<Integer, Fd> fds = new TreeMap<>();

    public long altStackSp, altStackSize;
    public int altStackFlags = 2; // SS_DISABLE
    public long clearChildTid, robustList, robustListLen;

    private volatile boolean exited;
    private volatile int exitStatus;

    public record Fd(OpenFile file, boolean cloexec) {}

    public LinuxProcess(int pid, int ppid, int uid, int gid) {
        this.pid = pid;
        this.ppid = ppid;
        this.pgid = pid;
        this.sid = pid;
        this.uid = uid;
        this.gid = gid;
    }

    // ------------------------------------------------------------------ exit

    /** Records a normal exit with {@code code & 0xff}; false if it had already ended. */
    public synchronized boolean exit(int code) {
        if (exited) return false;
        exitStatus = code & 0xFF;
        waitStatus = (code & 0xFF) << 8;
        exited = true;
        return true;
    }

    /** Records a death by signal: the runner's status is 128 + signal, as a shell reports it. */
    public synchronized boolean killed(int signal) {
        if (exited) return false;
        exitStatus = 128 + signal;
        waitStatus = signal; // no core bit: RLIMIT_CORE is 0 and no core file is written
        exited = true;
        return true;
    }

    public boolean hasExited() { return exited; }
    public int exitStatus() { return exitStatus; }
    public int waitStatus() { return waitStatus; }

    // ------------------------------------------------------------------ signals

    public long sharedPending() { return sharedPending; }
    synchronized void addShared(int sig) { sharedPending |= 1L << (sig - 1); }
    synchronized void clearShared(int sig) { sharedPending &= ~(1L << (sig - 1)); }

    /** A copy of the descriptor table for fork: the same open file descriptions, each retained. */
    public synchronized void copyFdsTo(LinuxProcess child) {
        for (var e : fds.entrySet()) {
            e.getValue().file().retain();
            child.fds.put(e.getKey(), e.getValue());
        }
    }

    /** exec: closes the descriptors marked close-on-exec. */
    public void closeOnExec() {
        List<Fd> gone = new java.util.ArrayList<>();
        synchronized (this) {
            var it = fds.entrySet().iterator();
            while (it.hasNext()) {
                var e = it.next();
                if (e.getValue().cloexec()) { gone.add(e.getValue()); it.remove(); }
            }
        }
        for (Fd f : gone) f.file.release();
    }

    // ------------------------------------------------------------------ descriptors

    public synchronized OpenFile file(int fd) throws ErrnoException {
        Fd f = fds.get(fd);
        if (f == null) throw new ErrnoException(Errno.EBADF);
        return f.file;
    }

    public synchronized Fd fd(int fd) throws ErrnoException {
        Fd f = fds.get(fd);
        if (f == null) throw new ErrnoException(Errno.EBADF);
        return f;
    }

    /** Installs {@code f} at the lowest free descriptor ≥ {@code min}; takes over the caller's reference. */
    public synchronized int install(OpenFile f, boolean cloexec, int min) throws ErrnoException {
        if (min < 0 || min >= MAX_FDS) throw new ErrnoException(Errno.EINVAL);
        int n = min;
        while (fds.containsKey(n)) n++;
        if (n >= MAX_FDS) {
            f.release();
            throw new ErrnoException(Errno.EMFILE);
        }
        fds.put(n, new Fd(f, cloexec));
        return n;
    }

    /** Puts {@code f} at exactly {@code fd} (dup2), closing what was there; takes over the reference. */
    public void installAt(int fd, OpenFile f, boolean cloexec) throws ErrnoException {
        if (fd < 0 || fd >= MAX_FDS) {
            f.release();
            throw new ErrnoException(Errno.EBADF);
        }
        Fd old;
        synchronized (this) { old = fds.put(fd, new Fd(f, cloexec)); }
        if (old != null) old.file.release();
    }

    public synchronized void setCloexec(int fd, boolean cloexec) throws ErrnoException {
        Fd f = fd(fd);
        fds.put(fd, new Fd(f.file, cloexec));
    }

    public void close(int fd) throws ErrnoException {
        Fd f;
        synchronized (this) { f = fds.remove(fd); }
        if (f == null) throw new ErrnoException(Errno.EBADF);
        f.file.release();
    }

    public void closeAll() {
        List<Fd> all;
        synchronized (this) {
            all = List.copyOf(fds.values());
            fds.clear();
        }
        for (Fd f : all) f.file.release();
    }

    // ------------------------------------------------------------------ ProcessView

    @Override public int pid() { return pid; }
    @Override public String exe() { return exe; }
    @Override public String cwd() { return cwd; }

    @Override public synchronized int[] fds() {
        return fds.keySet().stream().mapToInt(Integer::intValue).toArray();
    }

    @Override public synchronized String fdLink(int fd) {
        Fd f = fds.get(fd);
        return f == null ? null : f.file.link;
    }

    @Override public String maps() {
        StringBuilder sb = new StringBuilder();
        for (long[] r : space.regions()) {
            int p = (int) r[2];
            String name = r[0] < stackTop && r[1] > stackTop - stackSize ? "[stack]"
                    : r[0] >= brkStart && r[1] <= Math.max(brkMapped, brkStart) && brkMapped > brkStart ? "[heap]" : "";
            sb.append(String.format("%08x-%08x %s%sp 00000000 00:00 0", r[0], r[1], Prot.format(p).substring(0, 2),
                    (p & Prot.EXEC) != 0 ? "x" : "-"));
            if (!name.isEmpty()) sb.append("                          ").append(name);
            sb.append('\n');
        }
        return sb.toString();
    }

    @Override public byte[] cmdline() { return joined(argv); }
    @Override public byte[] environ() { return joined(envp); }

    private static byte[] joined(List<String> l) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (String s : l) {
            o.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            o.write(0);
        }
        return o.toByteArray();
    }

    /** Environment as a map (for the runner's diagnostics). */
    public Map<String, String> environment() {
        Map<String, String> m = new TreeMap<>();
        for (String e : envp) {
            int i = e.indexOf('=');
            if (i > 0) m.put(e.substring(0, i), e.substring(i + 1));
        }
        return m;
    }
}
