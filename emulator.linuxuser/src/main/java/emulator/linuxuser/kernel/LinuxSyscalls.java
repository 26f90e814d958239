package emulator.linuxuser.kernel;

import emulator.core.exec.Vcpu;
import emulator.core.mem.AddressSpace;
import emulator.core.mem.Page;
import emulator.core.mem.Prot;
import emulator.linuxuser.abi.Errno;
import emulator.linuxuser.abi.ErrnoException;
import emulator.linuxuser.abi.SyscallTable;
import emulator.linuxuser.fs.DirEntry;
import emulator.linuxuser.fs.FileType;
import emulator.linuxuser.fs.GuestRoot;
import emulator.linuxuser.fs.Resolved;
import emulator.linuxuser.fs.StatInfo;
import emulator.linuxuser.fs.VirtualFile;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Linux system calls of the user-mode personality, implemented once and dispatched by name
 * (from the ABI's {@link SyscallTable}), so every architecture shares them. Where an ABI's structs
 * differ (stat, timespec, iovec, sigaction …) the layout is chosen from {@link #abi} and the word
 * size. Architecture-only calls (arch_prctl, set_thread_area) are added by the architecture's
 * kernel with {@link #register}.
 *
 * <p>Process and signal calls are added by {@link ProcessCalls} and {@link Signals}. Not implemented
 * (ENOSYS, logged once): sockets, epoll, inotify, timers.
 */
public final class LinuxSyscalls {
    /** One system call: arguments already truncated to the ABI's word size; returns the result or throws the errno. */
    @FunctionalInterface
    public interface Handler {
        long call(Vcpu cpu, long[] a) throws ErrnoException;
    }

    public static final int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EMPTY_PATH = 0x1000;
    static final int O_CREAT = 0100, O_EXCL = 0200, O_TRUNC = 01000, O_APPEND = 02000, O_NONBLOCK = 04000,
            O_DIRECTORY = 0200000, O_NOFOLLOW = 0400000, O_CLOEXEC = 02000000, O_PATH = 010000000;
    static final long RLIM_INFINITY = -1L;

    public final SyscallTable.Abi abi;
    private final SyscallTable table;
    private final LinuxProcess proc;
    private final GuestMem mem;
    private final String machine;
    private final PrintStream log;
    private final Map<String, Handler> handlers = new HashMap<>();
    private final List<HandlerSource> sources = new ArrayList<>();
    /** Calls already reported as unimplemented (shared by all processes of a run: each is reported once). */
    Set<String> warned = ConcurrentHashMap.newKeySet();
    private final SecureRandom random = new SecureRandom();
    private final long startNanos = System.nanoTime();
    private final long[][] rlimits = new long[16][];
    private final Map<Long, Object> futexQueues = new ConcurrentHashMap<>();
    private byte[] termios;

    /**
     * @param abi     the calling convention's table
     * @param machine uname's machine field ("x86_64", "i686")
     * @param log     where "unimplemented system call" lines go (the runner's stderr)
     */
    public LinuxSyscalls(SyscallTable.Abi abi, LinuxProcess proc, GuestMem mem, String machine, PrintStream log) {
        this.abi = abi;
        this.table = SyscallTable.of(abi);
        this.proc = proc;
        this.mem = mem;
        this.machine = machine;
        this.log = log;
        for (int i = 0; i < rlimits.length; i++) rlimits[i] = new long[] {RLIM_INFINITY, RLIM_INFINITY};
        rlimits[3] = new long[] {8L << 20, RLIM_INFINITY};        // RLIMIT_STACK
        rlimits[4] = new long[] {0, RLIM_INFINITY};               // RLIMIT_CORE
        rlimits[7] = new long[] {LinuxProcess.MAX_FDS, 1 << 20};  // RLIMIT_NOFILE
        rlimits[8] = new long[] {8L << 20, 8L << 20};             // RLIMIT_MEMLOCK
        rlimits[13] = new long[] {0, 0};                          // RLIMIT_NICE
        rlimits[14] = new long[] {0, 0};                          // RLIMIT_RTPRIO
    }

    public SyscallTable table() { return table; }

    /** The architecture's stack pointer of a vCPU (set by the architecture's kernel). */
    public java.util.function.ToLongFunction<Vcpu> stackPointer = c -> { throw new IllegalStateException("no stack pointer"); };

    /** Called on the writing thread when a write finds no reader (the kernel then sends SIGPIPE). */
    public Runnable onBrokenPipe = () -> { };

    /** fork: the child starts with the parent's resource limits. */
    public void inheritLimits(LinuxSyscalls parent) {
        for (int i = 0; i < rlimits.length; i++) rlimits[i] = parent.rlimits[i].clone();
    }

    /** Wakes waiters of the futex at {@code uaddr} (thread exit with CLONE_CHILD_CLEARTID). */
    public void futexWake(long uaddr, int n) {
        Object q = futexQueues.get(uaddr);
        if (q != null) synchronized (q) { q.notifyAll(); }
    }
    public LinuxProcess process() { return proc; }
    public GuestMem memory() { return mem; }

    /** Adds or replaces a handler (architecture-specific calls, i386's socketcall); it takes precedence over the sources and {@link #builtin}. */
    public void register(String name, Handler h) { handlers.put(name, h); }

    /** Makes the handler of a call on demand, or returns null when it has none of that name. */
    @FunctionalInterface
    public interface HandlerSource {
        Handler handler(String name);
    }

    /**
     * Adds handlers made on demand (the other call files): each lambda in a source is a class the
     * JVM spins when it is first evaluated, so only the calls a program makes cost one. A later
     * source, and a handler given to {@link #register}, take precedence over an earlier one.
     */
    public void provide(HandlerSource source) { sources.add(source); }

    /** The handler for a call name: registered, else from the sources, else built in (once per name; null remembered too). */
    private Handler handlerFor(String name) {
        Handler h = handlers.get(name);
        if (h == null && !handlers.containsKey(name)) {
            for (int i = sources.size() - 1; i >= 0 && h == null; i--) h = sources.get(i).handler(name);
            if (h == null) h = builtin(name);
            handlers.put(name, h);
        }
        return h;
    }

    private boolean w4() { return mem.wordSize() == 4; }

    /**
     * Runs system call {@code nr}; the result is a value or a negative errno, as the guest sees it.
     * Unknown calls return -ENOSYS and are reported once by name.
     */
    public long dispatch(Vcpu cpu, int nr, long[] args) {
        String name = table.name(nr);
        Handler h = name == null ? null : handlerFor(name);
        if (h == null) {
            String n = name == null ? "syscall_" + nr : name;
            if (warned.add(n)) log.println("abiscope: unimplemented system call " + n + " (nr " + nr + ")");
            return -Errno.ENOSYS.number();
        }
        for (int i = 0; i < args.length; i++) args[i] = mem.word(args[i]);
        try {
            return h.call(cpu, args);
        } catch (ErrnoException e) {
            return -e.errno().number();
        }
    }

    // ================================================================== helpers

    private static int i32(long v) { return (int) v; }

    private String path(long addr) throws ErrnoException {
        String p = mem.readCString(addr, GuestRoot.PATH_MAX);
        if (p.isEmpty()) throw new ErrnoException(Errno.ENOENT);
        return p;
    }

    /** The starting directory for a *at() call. */
    private String base(int dirfd, String path) throws ErrnoException {
        if (path.startsWith("/")) return "/";
        if (dirfd == AT_FDCWD) return proc.cwd;
        String d = proc.file(dirfd).directoryPath();
        if (d == null) throw new ErrnoException(Errno.ENOTDIR);
        return d;
    }

    private GuestRoot root() { return proc.root; }

    private ByteBuffer chunk(long count) {
        return ByteBuffer.allocate((int) Math.min(Math.max(count, 0), 1 << 20));
    }

    // ================================================================== registry

    /**
     * The handler of a call implemented here, or null: made when a process first makes that call
     * ({@link #handlerFor}), not for every call up front. Each lambda below is a class the JVM spins
     * at run time when its expression is first evaluated (a bundle's lambdas are not in the startup
     * cache): registering all of them in the constructor, and the other call files' handlers, spun
     * about 170 such classes before the first guest instruction, 59 ms of {@code busybox true}.
     */
    private Handler builtin(String name) {
        return switch (name) {
            // ---- I/O
            case "read" -> (c, a) -> read(i32(a[0]), a[1], a[2]);
            case "write" -> (c, a) -> write(i32(a[0]), a[1], a[2]);
            case "readv" -> (c, a) -> vector(i32(a[0]), a[1], i32(a[2]), false);
            case "writev" -> (c, a) -> vector(i32(a[0]), a[1], i32(a[2]), true);
            case "pread64" -> (c, a) -> pread(i32(a[0]), a[1], a[2], w4() ? (a[3] | a[4] << 32) : a[3]);
            case "pwrite64" -> (c, a) -> pwrite(i32(a[0]), a[1], a[2], w4() ? (a[3] | a[4] << 32) : a[3]);
            case "open" -> (c, a) -> openat(AT_FDCWD, a[0], i32(a[1]), i32(a[2]));
            case "openat" -> (c, a) -> openat(i32(a[0]), a[1], i32(a[2]), i32(a[3]));
            case "creat" -> (c, a) -> openat(AT_FDCWD, a[0], O_CREAT | O_TRUNC | 1, i32(a[1]));
            case "close" -> (c, a) -> { proc.close(i32(a[0])); return 0; };
            case "lseek" -> (c, a) -> proc.file(i32(a[0])).seek(w4() ? i32(a[1]) : a[1], i32(a[2]));
            case "_llseek" -> (c, a) -> {
                long r = proc.file(i32(a[0])).seek(a[1] << 32 | a[2], i32(a[4]));
                mem.writeU64(a[3], r);
                return 0;
            };
            case "fsync", "fdatasync" -> (c, a) -> { fsync(i32(a[0])); return 0; };
            case "ftruncate" -> (c, a) -> ftruncate(i32(a[0]), w4() ? i32(a[1]) : a[1]);
            case "ftruncate64" -> (c, a) -> ftruncate(i32(a[0]), a[1] | a[2] << 32);
            // ---- metadata
            case "stat" -> (c, a) -> statPath(AT_FDCWD, a[0], a[1], 0, statKind("stat"));
            case "lstat" -> (c, a) -> statPath(AT_FDCWD, a[0], a[1], AT_SYMLINK_NOFOLLOW, statKind("stat"));
            case "fstat" -> (c, a) -> statFd(i32(a[0]), a[1], statKind("stat"));
            case "stat64" -> (c, a) -> statPath(AT_FDCWD, a[0], a[1], 0, StatKind.STAT64_I386);
            case "lstat64" -> (c, a) -> statPath(AT_FDCWD, a[0], a[1], AT_SYMLINK_NOFOLLOW, StatKind.STAT64_I386);
            case "fstat64" -> (c, a) -> statFd(i32(a[0]), a[1], StatKind.STAT64_I386);
            case "fstatat64" -> (c, a) -> statPath(i32(a[0]), a[1], a[2], i32(a[3]), StatKind.STAT64_I386);
            case "newfstatat" -> (c, a) -> statPath(i32(a[0]), a[1], a[2], i32(a[3]), StatKind.STAT_X86_64);
            case "statx" -> (c, a) -> statx(i32(a[0]), a[1], i32(a[2]), a[4]);
            case "access" -> (c, a) -> access(AT_FDCWD, a[0], i32(a[1]), 0);
            case "faccessat" -> (c, a) -> access(i32(a[0]), a[1], i32(a[2]), 0);
            case "faccessat2" -> (c, a) -> access(i32(a[0]), a[1], i32(a[2]), i32(a[3]));
            case "readlink" -> (c, a) -> readlink(AT_FDCWD, a[0], a[1], i32(a[2]));
            case "readlinkat" -> (c, a) -> readlink(i32(a[0]), a[1], a[2], i32(a[3]));
            case "getdents64" -> (c, a) -> getdents(i32(a[0]), a[1], i32(a[2]), true);
            case "getdents" -> (c, a) -> getdents(i32(a[0]), a[1], i32(a[2]), false);
            case "getcwd" -> (c, a) -> getcwd(a[0], a[1]);
            case "chdir" -> (c, a) -> chdir(path(a[0]));
            case "fchdir" -> (c, a) -> {
                String d = proc.file(i32(a[0])).directoryPath();
                if (d == null) throw new ErrnoException(Errno.ENOTDIR);
                proc.cwd = d;
                return 0;
            };
            case "umask" -> (c, a) -> { int o = proc.umask; proc.umask = i32(a[0]) & 0777; return o; };
            case "unlink" -> (c, a) -> { String p = path(a[0]); root().unlink(base(AT_FDCWD, p), p); return 0; };
            case "unlinkat" -> (c, a) -> {
                String p = path(a[1]);
                int flags = i32(a[2]);
                if ((flags & ~AT_REMOVEDIR) != 0) throw new ErrnoException(Errno.EINVAL);
                if ((flags & AT_REMOVEDIR) != 0) root().rmdir(base(i32(a[0]), p), p);
                else root().unlink(base(i32(a[0]), p), p);
                return 0;
            };
            case "rmdir" -> (c, a) -> { String p = path(a[0]); root().rmdir(base(AT_FDCWD, p), p); return 0; };
            case "mkdir" -> (c, a) -> mkdir(AT_FDCWD, a[0], i32(a[1]));
            case "mkdirat" -> (c, a) -> mkdir(i32(a[0]), a[1], i32(a[2]));
            case "rename" -> (c, a) -> rename(AT_FDCWD, a[0], AT_FDCWD, a[1], 0);
            case "renameat" -> (c, a) -> rename(i32(a[0]), a[1], i32(a[2]), a[3], 0);
            case "renameat2" -> (c, a) -> rename(i32(a[0]), a[1], i32(a[2]), a[3], i32(a[4]));
            case "symlink" -> (c, a) -> {
                String target = mem.readCString(a[0], GuestRoot.PATH_MAX), p = path(a[1]);
                root().symlink(target, base(AT_FDCWD, p), p);
                return 0;
            };
            case "symlinkat" -> (c, a) -> {
                String target = mem.readCString(a[0], GuestRoot.PATH_MAX), p = path(a[2]);
                root().symlink(target, base(i32(a[1]), p), p);
                return 0;
            };
            case "chmod" -> (c, a) -> chmod(AT_FDCWD, a[0], i32(a[1]));
            case "fchmodat" -> (c, a) -> chmod(i32(a[0]), a[1], i32(a[2]));
            // ---- descriptors
            case "dup" -> (c, a) -> dup(i32(a[0]), 0, false);
            case "dup2" -> (c, a) -> dup2(i32(a[0]), i32(a[1]), 0, true);
            case "dup3" -> (c, a) -> dup2(i32(a[0]), i32(a[1]), i32(a[2]), false);
            case "fcntl", "fcntl64" -> (c, a) -> fcntl(i32(a[0]), i32(a[1]), a[2]);
            case "pipe" -> (c, a) -> pipe(a[0], 0);
            case "pipe2" -> (c, a) -> pipe(a[0], i32(a[1]));
            case "ioctl" -> (c, a) -> ioctl(i32(a[0]), a[1] & 0xFFFF_FFFFL, a[2]);
            // ---- memory
            case "brk" -> (c, a) -> brk(a[0]);
            // i386's old mmap takes one pointer to its six 32-bit arguments
            case "mmap" -> abi == SyscallTable.Abi.I386
                    ? (c, a) -> {
                        long p = a[0];
                        return mmap(mem.readU32(p), mem.readU32(p + 4), (int) mem.readU32(p + 8), (int) mem.readU32(p + 12),
                                (int) mem.readU32(p + 16), mem.readU32(p + 20));
                    }
                    : (c, a) -> mmap(a[0], a[1], i32(a[2]), i32(a[3]), i32(a[4]), a[5]);
            case "mmap2" -> (c, a) -> mmap(a[0], a[1], i32(a[2]), i32(a[3]), i32(a[4]), a[5] << 12);
            case "munmap" -> (c, a) -> munmap(a[0], a[1]);
            case "mprotect" -> (c, a) -> mprotect(a[0], a[1], i32(a[2]));
            case "msync" -> (c, a) -> msync(a[0], a[1], i32(a[2]));
            case "mremap" -> (c, a) -> mremap(a[0], a[1], a[2], i32(a[3]), a[4]);
            case "madvise" -> (c, a) -> {
                if ((a[0] & AddressSpace.PAGE_MASK) != 0) throw new ErrnoException(Errno.EINVAL);
                return 0; // advice only: MADV_DONTNEED on private anonymous memory is not emulated (contents kept)
            };
            // posix_fadvise: advice about the page cache, which the personality does not have; the checks are Linux's.
            case "fadvise64" -> (c, a) -> fadvise(i32(a[0]), w4() ? i32(a[4]) : i32(a[3])); // i386: fd, off lo, off hi, len, advice
            case "fadvise64_64" -> (c, a) -> fadvise(i32(a[0]), i32(a[5])); // i386: fd, off lo/hi, len lo/hi, advice
            // ---- process, identity, limits
            case "getuid", "geteuid", "getuid32", "geteuid32" -> (c, a) -> proc.uid;
            case "getgid", "getegid", "getgid32", "getegid32" -> (c, a) -> proc.gid;
            // Supplementary groups: just the primary group (the guest has no group database of its own).
            // The old i386 getgroups uses 16-bit gids; getgroups32 and x86-64's getgroups use 32-bit ones.
            case "getgroups" -> (c, a) -> getgroups(i32(a[0]), a[1], abi == SyscallTable.Abi.I386 ? 2 : 4);
            case "getgroups32" -> (c, a) -> getgroups(i32(a[0]), a[1], 4);
            case "set_robust_list" -> (c, a) -> {
                if (a[1] != 3L * mem.wordSize()) throw new ErrnoException(Errno.EINVAL);
                proc.robustList = a[0];
                proc.robustListLen = a[1];
                return 0;
            };
            case "rseq" -> (c, a) -> err(Errno.ENOSYS); // glibc then runs without restartable sequences
            case "prlimit64" -> (c, a) -> prlimit(i32(a[0]), i32(a[1]), a[2], a[3]);
            case "getrlimit" -> (c, a) -> getrlimit(i32(a[0]), a[1], abi == SyscallTable.Abi.I386);
            case "ugetrlimit" -> (c, a) -> getrlimit(i32(a[0]), a[1], false);
            case "setrlimit" -> (c, a) -> setrlimit(i32(a[0]), a[1]);
            case "uname" -> (c, a) -> uname(a[0]);
            case "sysinfo" -> (c, a) -> sysinfo(a[0]);
            case "sched_getaffinity" -> (c, a) -> schedGetaffinity(i32(a[0]), a[1], a[2]);
            case "sched_yield" -> (c, a) -> { Thread.yield(); return 0; };
            case "prctl" -> (c, a) -> prctl(i32(a[0]), a[1]);
            case "sendfile" -> (c, a) -> sendfile(i32(a[0]), i32(a[1]), a[2], a[3], w4() ? 4 : 8);
            case "sendfile64" -> (c, a) -> sendfile(i32(a[0]), i32(a[1]), a[2], a[3], 8);
            // ---- time, randomness
            case "clock_gettime" -> (c, a) -> clockGettime(i32(a[0]), a[1], !w4());
            case "clock_gettime64" -> (c, a) -> clockGettime(i32(a[0]), a[1], true);
            case "clock_getres" -> (c, a) -> clockGetres(i32(a[0]), a[1], !w4());
            case "clock_getres_time64" -> (c, a) -> clockGetres(i32(a[0]), a[1], true);
            case "gettimeofday" -> (c, a) -> gettimeofday(a[0], a[1]);
            case "time" -> (c, a) -> {
                long t = Instant.now().getEpochSecond();
                if (a[0] != 0) mem.writeWord(a[0], t);
                return t;
            };
            case "nanosleep" -> (c, a) -> nanosleep(a[0], a[1], !w4());
            case "clock_nanosleep" -> (c, a) -> a[1] == 0 ? nanosleep(a[2], a[3], !w4()) : err(Errno.EINVAL);
            case "clock_nanosleep_time64" -> (c, a) -> a[1] == 0 ? nanosleep(a[2], a[3], true) : err(Errno.EINVAL);
            case "getrandom" -> (c, a) -> getrandom(a[0], a[1], i32(a[2]));
            // ---- signals (recorded only: no delivery yet)
            case "sigaltstack" -> (c, a) -> sigaltstack(a[0], a[1], stackPointer.applyAsLong(c));
            // ---- futex (process-local queues)
            case "futex" -> (c, a) -> futex(a[0], i32(a[1]), i32(a[2]), a[3], !w4());
            case "futex_time64" -> (c, a) -> futex(a[0], i32(a[1]), i32(a[2]), a[3], true);
            default -> null;
        };
    }

    private static long err(Errno e) throws ErrnoException { throw new ErrnoException(e); }

    // ================================================================== I/O

    private long read(int fd, long buf, long count) throws ErrnoException {
        OpenFile f = proc.file(fd);
        if (!f.readable()) throw new ErrnoException(Errno.EBADF);
        if ((long) count < 0) throw new ErrnoException(Errno.EINVAL);
        ByteBuffer b = chunk(count);
        int n = f.read(b);
        mem.write(buf, b.array(), 0, n);
        return n;
    }

    private long write(int fd, long buf, long count) throws ErrnoException {
        OpenFile f = proc.file(fd);
        if (!f.writable()) throw new ErrnoException(Errno.EBADF);
        if ((long) count < 0) throw new ErrnoException(Errno.EINVAL);
        long done = 0;
        while (done < count) {
            int n = (int) Math.min(count - done, 1 << 20);
            byte[] data;
            try {
                data = mem.read(buf + done, n);
            } catch (ErrnoException e) {
                if (done > 0) return done;
                throw e;
            }
            int w;
            try {
                w = f.write(ByteBuffer.wrap(data));
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EPIPE && done == 0) onBrokenPipe.run();
                if (done > 0) return done;
                throw e;
            }
            done += w;
            if (w < n) break;
        }
        return done;
    }

    private long pread(int fd, long buf, long count, long pos) throws ErrnoException {
        OpenFile f = proc.file(fd);
        if (!f.readable()) throw new ErrnoException(Errno.EBADF);
        if (pos < 0) throw new ErrnoException(Errno.EINVAL);
        ByteBuffer b = chunk(count);
        int n = f.pread(b, pos);
        mem.write(buf, b.array(), 0, n);
        return n;
    }

    private long pwrite(int fd, long buf, long count, long pos) throws ErrnoException {
        OpenFile f = proc.file(fd);
        if (!f.writable()) throw new ErrnoException(Errno.EBADF);
        if (pos < 0) throw new ErrnoException(Errno.EINVAL);
        return f.pwrite(ByteBuffer.wrap(mem.read(buf, (int) Math.min(count, 1 << 24))), pos);
    }

    private long vector(int fd, long iov, int cnt, boolean out) throws ErrnoException {
        if (cnt < 0 || cnt > 1024) throw new ErrnoException(Errno.EINVAL);
        proc.file(fd);
        int w = mem.wordSize();
        long total = 0;
        for (int i = 0; i < cnt; i++) {
            long base = mem.readWord(iov + (long) i * 2 * w), len = mem.readWord(iov + (long) i * 2 * w + w);
            if (len == 0) continue;
            long n;
            try {
                n = out ? write(fd, base, len) : read(fd, base, len);
            } catch (ErrnoException e) {
                if (total > 0) return total;
                throw e;
            }
            total += n;
            if (n < len) break;
        }
        return total;
    }

    private void fsync(int fd) throws ErrnoException {
        FileChannel ch = proc.file(fd).channel();
        if (ch == null) return; // pipes, streams and devices have nothing to sync
        try { ch.force(true); } catch (IOException e) { throw GuestRoot.errno(e, proc.file(fd).link); }
    }

    private long ftruncate(int fd, long len) throws ErrnoException {
        OpenFile f = proc.file(fd);
        if (len < 0) throw new ErrnoException(Errno.EINVAL);
        FileChannel ch = f.channel();
        if (ch == null || !f.writable()) throw new ErrnoException(Errno.EINVAL);
        try { GuestRoot.setLength(ch, len); } catch (IOException e) { throw GuestRoot.errno(e, f.link); }
        return 0;
    }

    // ================================================================== open

    private long openat(int dirfd, long pathAddr, int flags, int mode) throws ErrnoException {
        String p = path(pathAddr);
        String base = base(dirfd, p);
        int acc = flags & OpenFile.O_ACCMODE;
        if (acc == 3) throw new ErrnoException(Errno.EINVAL);
        boolean read = acc != OpenFile.O_WRONLY, write = acc != OpenFile.O_RDONLY;
        boolean create = (flags & O_CREAT) != 0, cloexec = (flags & O_CLOEXEC) != 0;
        int rflags = ((flags & O_NOFOLLOW) != 0 || (create && (flags & O_EXCL) != 0) ? GuestRoot.NOFOLLOW : GuestRoot.FOLLOW)
                | ((flags & O_DIRECTORY) != 0 ? GuestRoot.DIRECTORY : 0);
        Resolved r = root().resolve(base, p, rflags);
        if (r.kind() == Resolved.Kind.FD_LINK) {
            OpenFile f = proc.file(r.fd().getAsInt());
            f.retain();
            return proc.install(f, cloexec, 0);
        }
        int status = flags & (OpenFile.O_ACCMODE | O_APPEND | O_NONBLOCK | 0100000 /* O_LARGEFILE */ | O_PATH);
        if (r.exists() && r.type() == FileType.DIRECTORY) {
            if (write || (create && (flags & O_EXCL) == 0 && false)) throw new ErrnoException(Errno.EISDIR);
            if (create && (flags & O_EXCL) != 0) throw new ErrnoException(Errno.EEXIST);
            return proc.install(new OpenFile.DirFile(status, root(), r), cloexec, 0);
        }
        if ((flags & O_DIRECTORY) != 0) throw new ErrnoException(r.exists() ? Errno.ENOTDIR : Errno.ENOENT);
        if (r.isVirtual()) {
            if (!r.exists()) throw new ErrnoException(create ? Errno.EACCES : Errno.ENOENT, p);
            if (r.type() == FileType.SYMLINK) throw new ErrnoException(Errno.ELOOP, p);
            VirtualFile vf = r.virtual();
            VirtualFile.Handle h = vf.open(read, write);
            return proc.install(new OpenFile.Virtual(status, r.guestPath(), vf, h), cloexec, 0);
        }
        if ((flags & O_PATH) != 0) read = true;
        FileChannel ch = root().open(r, read, write, create, (flags & O_EXCL) != 0, (flags & O_TRUNC) != 0,
                (flags & O_APPEND) != 0, mode & ~proc.umask & 07777);
        Resolved opened = r.exists() ? r : root().resolve(base, p, GuestRoot.NOFOLLOW);
        return proc.install(new OpenFile.HostFile(ch, status, root(), opened), cloexec, 0);
    }

    // ================================================================== stat

    enum StatKind { STAT_X86_64, STAT64_I386, OLDSTAT_I386 }

    private StatKind statKind(String name) {
        return abi == SyscallTable.Abi.I386 ? StatKind.OLDSTAT_I386 : StatKind.STAT_X86_64;
    }

    private StatInfo statOf(int dirfd, String p, int flags) throws ErrnoException {
        if (p.isEmpty()) {
            if ((flags & AT_EMPTY_PATH) == 0) throw new ErrnoException(Errno.ENOENT);
            if (dirfd == AT_FDCWD) return root().stat(root().resolveExisting("/", proc.cwd, GuestRoot.FOLLOW));
            return proc.file(dirfd).stat();
        }
        Resolved r = root().resolveExisting(base(dirfd, p), p,
                (flags & AT_SYMLINK_NOFOLLOW) != 0 ? GuestRoot.NOFOLLOW : GuestRoot.FOLLOW);
        if (r.kind() == Resolved.Kind.FD_LINK) return proc.file(r.fd().getAsInt()).stat();
        return root().stat(r);
    }

    private long statPath(int dirfd, long pathAddr, long buf, int flags, StatKind kind) throws ErrnoException {
        if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | 0x800 /* AT_NO_AUTOMOUNT */)) != 0) throw new ErrnoException(Errno.EINVAL);
        String p = mem.readCString(pathAddr, GuestRoot.PATH_MAX);
        writeStat(buf, statOf(dirfd, p, flags), kind);
        return 0;
    }

    private long statFd(int fd, long buf, StatKind kind) throws ErrnoException {
        writeStat(buf, proc.file(fd).stat(), kind);
        return 0;
    }

    private void writeStat(long addr, StatInfo s, StatKind kind) throws ErrnoException {
        ByteBuffer b;
        switch (kind) {
            case STAT_X86_64 -> {
                b = GuestMem.buffer(144);
                b.putLong(s.dev()).putLong(s.ino()).putLong(s.nlink()).putInt(s.mode()).putInt(s.uid()).putInt(s.gid())
                        .putInt(0).putLong(s.rdev()).putLong(s.size()).putLong(s.blksize()).putLong(s.blocks())
                        .putLong(s.atimeSec()).putLong(s.atimeNsec()).putLong(s.mtimeSec()).putLong(s.mtimeNsec())
                        .putLong(s.ctimeSec()).putLong(s.ctimeNsec()).putLong(0).putLong(0).putLong(0);
            }
            case STAT64_I386 -> {
                b = GuestMem.buffer(96);
                b.putLong(s.dev()).putInt(0).putInt((int) s.ino()).putInt(s.mode()).putInt((int) s.nlink())
                        .putInt(s.uid()).putInt(s.gid()).putLong(s.rdev()).putInt(0).putLong(s.size())
                        .putInt(s.blksize()).putLong(s.blocks()).putInt((int) s.atimeSec()).putInt(s.atimeNsec())
                        .putInt((int) s.mtimeSec()).putInt(s.mtimeNsec()).putInt((int) s.ctimeSec()).putInt(s.ctimeNsec())
                        .putLong(s.ino());
            }
            default -> {
                if (s.ino() > 0xFFFF_FFFFL || s.size() > Integer.MAX_VALUE || s.nlink() > 0xFFFF)
                    throw new ErrnoException(Errno.EOVERFLOW);
                b = GuestMem.buffer(64);
                b.putInt((int) s.dev()).putInt((int) s.ino()).putShort((short) s.mode()).putShort((short) s.nlink())
                        .putShort((short) s.uid()).putShort((short) s.gid()).putInt((int) s.rdev()).putInt((int) s.size())
                        .putInt(s.blksize()).putInt((int) s.blocks()).putInt((int) s.atimeSec()).putInt(s.atimeNsec())
                        .putInt((int) s.mtimeSec()).putInt(s.mtimeNsec()).putInt((int) s.ctimeSec()).putInt(s.ctimeNsec())
                        .putInt(0).putInt(0);
            }
        }
        mem.write(addr, b);
    }

    private long statx(int dirfd, long pathAddr, int flags, long buf) throws ErrnoException {
        String p = mem.readCString(pathAddr, GuestRoot.PATH_MAX);
        StatInfo s = statOf(dirfd, p, flags);
        ByteBuffer b = GuestMem.buffer(256);
        b.putInt(0x7FF /* STATX_BASIC_STATS */).putInt(s.blksize()).putLong(0).putInt((int) s.nlink()).putInt(s.uid())
                .putInt(s.gid()).putShort((short) s.mode()).putShort((short) 0).putLong(s.ino()).putLong(s.size())
                .putLong(s.blocks()).putLong(0);
        b.putLong(s.atimeSec()).putInt(s.atimeNsec()).putInt(0);
        b.putLong(0).putInt(0).putInt(0); // btime: not in the mask
        b.putLong(s.ctimeSec()).putInt(s.ctimeNsec()).putInt(0);
        b.putLong(s.mtimeSec()).putInt(s.mtimeNsec()).putInt(0);
        b.putInt((int) StatInfo.major(s.rdev())).putInt((int) StatInfo.minor(s.rdev()))
                .putInt((int) StatInfo.major(s.dev())).putInt((int) StatInfo.minor(s.dev()));
        b.position(256);
        mem.write(buf, b);
        return 0;
    }

    private long access(int dirfd, long pathAddr, int mode, int flags) throws ErrnoException {
        if ((mode & ~7) != 0) throw new ErrnoException(Errno.EINVAL);
        String p = path(pathAddr);
        StatInfo s = statOf(dirfd, p, flags & AT_SYMLINK_NOFOLLOW);
        if (mode == 0) return 0;
        int perm = s.permissions();
        int granted;
        if (proc.uid == 0) {
            granted = 6 | ((perm & 0111) != 0 || s.type() == FileType.DIRECTORY ? 1 : 0);
        } else if (s.uid() == proc.uid) granted = (perm >> 6) & 7;
        else if (s.gid() == proc.gid) granted = (perm >> 3) & 7;
        else granted = perm & 7;
        if ((mode & ~granted) != 0) throw new ErrnoException(Errno.EACCES);
        return 0;
    }

    private long readlink(int dirfd, long pathAddr, long buf, int size) throws ErrnoException {
        if (size <= 0) throw new ErrnoException(Errno.EINVAL);
        String p = path(pathAddr);
        Resolved r = root().resolveExisting(base(dirfd, p), p, GuestRoot.NOFOLLOW);
        String target = r.kind() == Resolved.Kind.FD_LINK ? proc.file(r.fd().getAsInt()).link : root().readlink(r);
        byte[] t = target.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(t.length, size);
        mem.write(buf, t, 0, n);
        return n;
    }

    private long getdents(int fd, long buf, int count, boolean is64) throws ErrnoException {
        OpenFile f = proc.file(fd);
        List<DirEntry> all = f.list();
        int w = mem.wordSize(), pos = 0;
        ByteBuffer out = GuestMem.buffer(Math.max(count, 0));
        while (f.dirIndex < all.size()) {
            DirEntry e = all.get(f.dirIndex);
            byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
            int reclen = is64 ? (19 + name.length + 1 + 7) & ~7 : (2 * w + 2 + name.length + 2 + w - 1) & ~(w - 1);
            if (pos + reclen > count) {
                if (pos == 0) throw new ErrnoException(Errno.EINVAL);
                break;
            }
            out.position(pos);
            if (is64) {
                out.putLong(e.ino()).putLong(f.dirIndex + 1).putShort((short) reclen).put((byte) e.dtype()).put(name).put((byte) 0);
            } else {
                if (w == 4 && e.ino() > 0xFFFF_FFFFL) throw new ErrnoException(Errno.EOVERFLOW);
                mem.putWord(out, e.ino());
                mem.putWord(out, f.dirIndex + 1);
                out.putShort((short) reclen).put(name).put((byte) 0);
                out.put(pos + reclen - 1, (byte) e.dtype());
            }
            pos += reclen;
            f.dirIndex++;
        }
        mem.write(buf, out.array(), 0, pos);
        return pos;
    }

    private long getcwd(long buf, long size) throws ErrnoException {
        byte[] c = (proc.cwd + "\0").getBytes(StandardCharsets.UTF_8);
        if (size < c.length) throw new ErrnoException(Errno.ERANGE);
        mem.write(buf, c);
        return c.length;
    }

    private long chdir(String p) throws ErrnoException {
        Resolved r = root().resolveExisting(base(AT_FDCWD, p), p, GuestRoot.FOLLOW);
        if (r.type() != FileType.DIRECTORY) throw new ErrnoException(Errno.ENOTDIR);
        proc.cwd = r.guestPath();
        return 0;
    }

    private long mkdir(int dirfd, long pathAddr, int mode) throws ErrnoException {
        String p = path(pathAddr);
        root().mkdir(base(dirfd, p), p, mode & ~proc.umask & 07777);
        return 0;
    }

    private long rename(int olddir, long oldAddr, int newdir, long newAddr, int flags) throws ErrnoException {
        if (flags != 0) throw new ErrnoException(Errno.EINVAL); // RENAME_NOREPLACE/EXCHANGE/WHITEOUT not yet
        String o = path(oldAddr), n = path(newAddr);
        root().rename(base(olddir, o), o, base(newdir, n), n);
        return 0;
    }

    private long chmod(int dirfd, long pathAddr, int mode) throws ErrnoException {
        String p = path(pathAddr);
        root().chmod(root().resolveExisting(base(dirfd, p), p, GuestRoot.FOLLOW), mode & 07777);
        return 0;
    }

    // ================================================================== descriptors

    private long dup(int fd, int min, boolean cloexec) throws ErrnoException {
        OpenFile f = proc.file(fd);
        f.retain();
        return proc.install(f, cloexec, min);
    }

    private long dup2(int oldfd, int newfd, int flags, boolean isDup2) throws ErrnoException {
        OpenFile f = proc.file(oldfd);
        if (oldfd == newfd) {
            if (isDup2) return newfd;
            throw new ErrnoException(Errno.EINVAL);
        }
        if ((flags & ~O_CLOEXEC) != 0) throw new ErrnoException(Errno.EINVAL);
        f.retain();
        proc.installAt(newfd, f, (flags & O_CLOEXEC) != 0);
        return newfd;
    }

    private long fcntl(int fd, int cmd, long arg) throws ErrnoException {
        LinuxProcess.Fd d = proc.fd(fd);
        switch (cmd) {
            case 0: return dup(fd, (int) arg, false);          // F_DUPFD
            case 1030: return dup(fd, (int) arg, true);        // F_DUPFD_CLOEXEC
            case 1: return d.cloexec() ? 1 : 0;                // F_GETFD
            case 2: proc.setCloexec(fd, (arg & 1) != 0); return 0;
            case 3: return d.file().flags;                     // F_GETFL
            case 4:                                            // F_SETFL
                d.file().flags = (d.file().flags & ~OpenFile.SETFL_MASK) | ((int) arg & OpenFile.SETFL_MASK);
                return 0;
            case 5, 12, 36: {                                  // F_GETLK(64), F_OFD_GETLK: no other process holds a lock
                mem.write(arg, GuestMem.buffer(2).putShort((short) 2 /* F_UNLCK */));
                return 0;
            }
            case 6, 7, 13, 14, 37, 38: return 0;               // F_SETLK(W)(64), OFD: this is the only process
            case 1032: return OpenFile.Pipe.CAPACITY;          // F_GETPIPE_SZ
            default: throw new ErrnoException(Errno.EINVAL);
        }
    }

    private long pipe(long fdsAddr, int flags) throws ErrnoException {
        if ((flags & ~(O_CLOEXEC | O_NONBLOCK | 040000 /* O_DIRECT */)) != 0) throw new ErrnoException(Errno.EINVAL);
        mem.read(fdsAddr, 8); // EFAULT before creating anything
        OpenFile.Pipe p = new OpenFile.Pipe();
        boolean cloexec = (flags & O_CLOEXEC) != 0;
        int extra = flags & O_NONBLOCK;
        int r = proc.install(new OpenFile.PipeEnd(p, true, extra), cloexec, 0);
        int w;
        try {
            w = proc.install(new OpenFile.PipeEnd(p, false, extra), cloexec, 0);
        } catch (ErrnoException e) {
            proc.close(r);
            throw e;
        }
        mem.write(fdsAddr, GuestMem.buffer(8).putInt(r).putInt(w));
        return 0;
    }

    private long ioctl(int fd, long req, long arg) throws ErrnoException {
        LinuxProcess.Fd d = proc.fd(fd);
        OpenFile f = d.file();
        switch ((int) req) {
            case 0x5451: proc.setCloexec(fd, true); return 0;  // FIOCLEX
            case 0x5450: proc.setCloexec(fd, false); return 0; // FIONCLEX
            case 0x5421: {                                     // FIONBIO
                boolean on = mem.readU32(arg) != 0;
                f.flags = on ? f.flags | O_NONBLOCK : f.flags & ~O_NONBLOCK;
                return 0;
            }
            case 0x541B: {                                     // FIONREAD: bytes a read would get without waiting
                mem.writeU32(arg, (int) Math.min(Integer.MAX_VALUE, f.readableNow()));
                return 0;
            }
            default:
        }
        if (!f.isTerminal()) throw new ErrnoException(Errno.ENOTTY);
        switch ((int) req) {
            case 0x5401: mem.write(arg, termios()); return 0;                        // TCGETS: the host terminal's settings
            case 0x5402, 0x5403, 0x5404: termios = mem.read(arg, 36); return 0;       // TCSETS*: recorded, the host stream is not changed
            case 0x5413: {                                                            // TIOCGWINSZ: the host terminal's size
                int[] hs = HostTerminal.size();
                int rows = hs != null ? hs[0] : envInt("LINES", 24), cols = hs != null ? hs[1] : envInt("COLUMNS", 80);
                mem.write(arg, GuestMem.buffer(8).putShort((short) rows).putShort((short) cols).putShort((short) 0).putShort((short) 0));
                return 0;
            }
            case 0x540F: mem.writeU32(arg, proc.pid); return 0;                      // TIOCGPGRP
            case 0x5429: mem.writeU32(arg, proc.pid); return 0;                      // TIOCGSID
            default: throw new ErrnoException(Errno.ENOTTY);
        }
    }

    /** The settings last set by TCSETS*, else the host terminal's (stty -g), else Linux's defaults for a pty. */
    private byte[] termios() {
        if (termios == null) termios = HostTerminal.termios();
        if (termios == null) {
            ByteBuffer b = GuestMem.buffer(36);
            b.putInt(0x500).putInt(0x5).putInt(0xBF).putInt(0x8A3B).put((byte) 0);
            byte[] cc = {3, 0x1C, 0x7F, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1A, 0, 0x12, 0x0F, 0x17, 0x16, 0, 0, 0};
            b.put(cc);
            termios = b.array();
        }
        return termios.clone();
    }

    private int envInt(String name, int dflt) {
        try { return Integer.parseInt(proc.environment().getOrDefault(name, "")); } catch (NumberFormatException e) { return dflt; }
    }

    // ================================================================== memory

    private int pageProt(int prot) {
        // x86 (and ARM without execute-only) pages are readable whenever they are accessible at all
        int p = prot & Prot.RWX;
        return p == 0 ? 0 : p | Prot.READ;
    }

    private long userTop() { return w4() ? 0xFFFF_E000L : 0x7FFF_FFFF_F000L; }

    /** How high a mapping that starts at {@code addr} may reach: mmapBase, or in the area above 4 GiB (x86-64's compact layout) its base. */
    private long mmapCeiling(long addr) {
        return addr >= 1L << 32 && proc.mmapHighBase != 0 ? proc.mmapHighBase : proc.mmapBase;
    }

    /** Where mmap(NULL, size) goes: top-down below mmapBase, then (x86-64's compact layout) above 4 GiB; -1 if nowhere. */
    private long findMmapHole(long size) {
        AddressSpace s = proc.space;
        long at = s.findFree(size, proc.mmapMin, proc.mmapBase);
        if (at < 0 && proc.mmapHighBase != 0) at = s.findFree(size, 1L << 32, proc.mmapHighBase);
        return at;
    }

    private long brk(long want) throws ErrnoException {
        AddressSpace s = proc.space;
        if (want < proc.brkStart) return proc.brk;
        long newEnd = (want + AddressSpace.PAGE_MASK) & ~AddressSpace.PAGE_MASK;
        long oldEnd = proc.brkMapped;
        if (newEnd > oldEnd) {
            if (!s.isFree(oldEnd, newEnd - oldEnd) || newEnd > proc.stackTop - proc.stackSize) return proc.brk;
            if (!s.map(oldEnd, newEnd - oldEnd, Prot.RW)) return proc.brk;
        } else if (newEnd < oldEnd) {
            s.unmap(newEnd, oldEnd - newEnd);
        }
        proc.brkMapped = newEnd;
        proc.brk = want;
        return want;
    }

    static final int MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20, MAP_32BIT = 0x40,
            MAP_FIXED_NOREPLACE = 0x100000;

    private long mmap(long addr, long len, int prot, int flags, int fd, long off) throws ErrnoException {
        AddressSpace s = proc.space;
        int type = flags & 3;
        if (type == 0 || len == 0 || (off & AddressSpace.PAGE_MASK) != 0) throw new ErrnoException(Errno.EINVAL);
        long size = (len + AddressSpace.PAGE_MASK) & ~AddressSpace.PAGE_MASK;
        if (size == 0 || size > userTop()) throw new ErrnoException(Errno.ENOMEM);
        OpenFile file = null;
        if ((flags & MAP_ANONYMOUS) == 0) {
            file = proc.file(fd);
            if (!file.readable() || (type == MAP_SHARED && (prot & Prot.WRITE) != 0 && !file.writable()))
                throw new ErrnoException(Errno.EACCES);
            if (file.channel() == null) {
                if (!"/dev/zero".equals(file.link)) throw new ErrnoException(Errno.ENODEV);
                file = null; // /dev/zero: anonymous memory
            }
        }
        long at;
        boolean fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0;
        if (fixed) {
            if ((addr & AddressSpace.PAGE_MASK) != 0) throw new ErrnoException(Errno.EINVAL);
            if (addr + size > userTop() || addr + size < addr) throw new ErrnoException(Errno.ENOMEM);
            if ((flags & MAP_FIXED) == 0 && !s.isFree(addr, size)) throw new ErrnoException(Errno.EEXIST);
            at = addr;
        } else {
            long hint = addr & ~AddressSpace.PAGE_MASK;
            if (hint >= proc.mmapMin && hint + size <= mmapCeiling(hint) && hint + size > hint && s.isFree(hint, size)) at = hint;
            else if ((flags & MAP_32BIT) != 0 && !w4()) at = s.findFree(size, 0x4000_0000L, 0x8000_0000L);
            else at = findMmapHole(size);
            if (at < 0) throw new ErrnoException(Errno.ENOMEM);
        }
        if (!s.map(at, size, pageProt(prot))) throw new ErrnoException(Errno.ENOMEM);
        if (file != null) {
            // a private copy of the file's bytes (MAP_SHARED writes are not written back yet)
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(size, 1 << 20));
            long done = 0;
            try {
                while (done < size) {
                    b.clear();
                    b.limit((int) Math.min(b.capacity(), size - done));
                    int n = file.channel().read(b, off + done);
                    if (n <= 0) break;
                    s.poke(at + done, b.array(), 0, n);
                    done += n;
                }
            } catch (IOException e) {
                s.unmap(at, size);
                throw GuestRoot.errno(e, file.link);
            }
        }
        return at;
    }

    private long munmap(long addr, long len) throws ErrnoException {
        if ((addr & AddressSpace.PAGE_MASK) != 0 || len == 0) throw new ErrnoException(Errno.EINVAL);
        long size = (len + AddressSpace.PAGE_MASK) & ~AddressSpace.PAGE_MASK;
        if (addr + size > userTop()) throw new ErrnoException(Errno.EINVAL);
        proc.space.unmap(addr, size);
        return 0;
    }

    private long mprotect(long addr, long len, int prot) throws ErrnoException {
        if ((addr & AddressSpace.PAGE_MASK) != 0) throw new ErrnoException(Errno.EINVAL);
        if ((prot & ~(Prot.RWX | 0x0100_0000 | 0x0200_0000)) != 0) throw new ErrnoException(Errno.EINVAL);
        if (len == 0) return 0;
        long size = (len + AddressSpace.PAGE_MASK) & ~AddressSpace.PAGE_MASK;
        requireMapped(addr, addr + size, Errno.ENOMEM);
        proc.space.protect(addr, size, pageProt(prot));
        return 0;
    }

    /**
     * msync checks what Linux checks (alignment, flags, every page mapped: ENOMEM) and then has nothing
     * to write: private mappings never reach their file, and MAP_SHARED file mappings are private
     * copies here too (see mmap).
     */
    private long msync(long addr, long len, int flags) throws ErrnoException {
        final int async = 1, invalidate = 2, sync = 4;
        if ((flags & ~(async | invalidate | sync)) != 0 || (flags & async) != 0 && (flags & sync) != 0) throw new ErrnoException(Errno.EINVAL);
        if ((addr & AddressSpace.PAGE_MASK) != 0) throw new ErrnoException(Errno.EINVAL);
        long end = addr + ((len + AddressSpace.PAGE_MASK) & ~AddressSpace.PAGE_MASK);
        if (end < addr) throw new ErrnoException(Errno.ENOMEM);
        requireMapped(addr, end, Errno.ENOMEM);
        return 0;
    }

    /** Fails with {@code error} unless every page of [start, end) is mapped (start page-aligned). */
    private void requireMapped(long start, long end, Errno error) throws ErrnoException {
        for (long p = start; p < end; p += AddressSpace.PAGE_SIZE)
            if (!proc.space.isMapped(p)) throw new ErrnoException(error);
    }

    private static final int MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2, MREMAP_DONTUNMAP = 4;

    /**
     * mremap as mm/mremap.c does it: shrink in place, grow in place when the pages after the mapping
     * are free, else move (MREMAP_MAYMOVE) to a free range, to {@code newAddr} (MREMAP_FIXED, which
     * first unmaps whatever is there) and/or leaving the old range mapped (MREMAP_DONTUNMAP, which
     * always moves). The old range of a DONTUNMAP move reads as zeros afterwards, as a private
     * anonymous mapping's does on Linux (its pages went with the move).
     */
    private long mremap(long old, long oldLen, long newLen, int flags, long newAddr) throws ErrnoException {
        AddressSpace s = proc.space;
        boolean mayMove = (flags & MREMAP_MAYMOVE) != 0, fixed = (flags & MREMAP_FIXED) != 0, dontUnmap = (flags & MREMAP_DONTUNMAP) != 0;
        if ((old & AddressSpace.PAGE_MASK) != 0 || (flags & ~7) != 0) throw new ErrnoException(Errno.EINVAL);
        if ((fixed || dontUnmap) && !mayMove) throw new ErrnoException(Errno.EINVAL);
        long os = (oldLen + AddressSpace.PAGE_MASK) & ~AddressSpace.PAGE_MASK;
        long ns = (newLen + AddressSpace.PAGE_MASK) & ~AddressSpace.PAGE_MASK;
        if (ns == 0 || dontUnmap && os != ns) throw new ErrnoException(Errno.EINVAL);
        if (fixed) {
            if ((newAddr & AddressSpace.PAGE_MASK) != 0 || ns > userTop() || newAddr > userTop() - ns) throw new ErrnoException(Errno.EINVAL);
            if (old + os > newAddr && newAddr + ns > old) throw new ErrnoException(Errno.EINVAL); // the ranges overlap
            s.unmap(newAddr, ns); // like MAP_FIXED; Linux does this before it looks at the old range
            if (os > ns) {
                s.unmap(old + ns, os - ns);
                os = ns;
            }
        }
        if (os == 0) throw new ErrnoException(Errno.EINVAL); // duplicating shared mappings: not supported
        requireMapped(old, old + os, Errno.EFAULT);
        int prot = s.page(old).prot;
        if (!fixed && !dontUnmap) {
            if (ns <= os) {
                if (ns < os) s.unmap(old + ns, os - ns);
                return old;
            }
            if (s.isFree(old + os, ns - os) && old + ns <= mmapCeiling(old)) {
                if (!s.map(old + os, ns - os, prot)) throw new ErrnoException(Errno.ENOMEM);
                return old;
            }
            if (!mayMove) throw new ErrnoException(Errno.ENOMEM);
        }
        long at = fixed ? newAddr : findMmapHole(ns);
        if (at < 0 || !s.map(at, ns, Prot.RW)) throw new ErrnoException(Errno.ENOMEM);
        byte[] buf = new byte[AddressSpace.PAGE_SIZE];
        byte[] zeros = dontUnmap ? new byte[AddressSpace.PAGE_SIZE] : null;
        for (long p = 0; p < os; p += AddressSpace.PAGE_SIZE) {
            int pp = s.page(old + p).prot;
            s.peek(old + p, buf, 0, buf.length);
            s.poke(at + p, buf, 0, buf.length);
            s.protect(at + p, AddressSpace.PAGE_SIZE, pp);
            if (dontUnmap) s.poke(old + p, zeros, 0, zeros.length);
        }
        if (ns > os) s.protect(at + os, ns - os, prot);
        if (!dontUnmap) s.unmap(old, os);
        return at;
    }

    private long fadvise(int fd, int advice) throws ErrnoException {
        OpenFile f = proc.file(fd);
        if (f instanceof OpenFile.PipeEnd) throw new ErrnoException(Errno.ESPIPE);
        if (advice < 0 || advice > 5) throw new ErrnoException(Errno.EINVAL);
        return 0;
    }

    // ================================================================== process

    private byte[] threadName;

    private long getgroups(int size, long list, int width) throws ErrnoException {
        if (size < 0) throw new ErrnoException(Errno.EINVAL);
        if (size == 0) return 1;
        if (width == 2) mem.write(list, new byte[] {(byte) proc.gid, (byte) (proc.gid >>> 8)});
        else mem.writeU32(list, proc.gid);
        return 1;
    }

    private long prctl(int option, long arg) throws ErrnoException {
        switch (option) {
            case 15 -> { // PR_SET_NAME
                byte[] n = mem.readCString(arg, 16).getBytes(StandardCharsets.UTF_8);
                threadName = java.util.Arrays.copyOf(n, Math.min(n.length, 15));
                return 0;
            }
            case 16 -> { // PR_GET_NAME
                byte[] n = threadName != null ? threadName : baseName(proc.exe).getBytes(StandardCharsets.UTF_8);
                mem.write(arg, java.util.Arrays.copyOf(n, 16));
                return 0;
            }
            case 1, 4, 38 -> { return 0; }           // PDEATHSIG, SET_DUMPABLE, NO_NEW_PRIVS: accepted
            case 3 -> { return 1; }                  // PR_GET_DUMPABLE
            case 2 -> { mem.writeU32(arg, 0); return 0; } // PR_GET_PDEATHSIG
            default -> throw new ErrnoException(Errno.EINVAL);
        }
    }

    private static String baseName(String p) {
        if (p == null) return "";
        String b = p.substring(p.lastIndexOf('/') + 1);
        return b.length() > 15 ? b.substring(0, 15) : b;
    }

    /** sendfile: copies from {@code in} (at *offset, or its position) to {@code out}. */
    private long sendfile(int outFd, int inFd, long offAddr, long count, int offSize) throws ErrnoException {
        OpenFile in = proc.file(inFd), out = proc.file(outFd);
        if (!in.readable() || !out.writable()) throw new ErrnoException(Errno.EBADF);
        // Linux's sendfile needs a source it can page through: from a pipe it answers EINVAL (callers
        // such as busybox cat then fall back to read/write, as they do natively).
        if (in instanceof OpenFile.PipeEnd) throw new ErrnoException(Errno.EINVAL);
        if (in.channel() == null && offAddr != 0) throw new ErrnoException(Errno.ESPIPE);
        long pos = offAddr == 0 ? -1 : (offSize == 8 ? mem.readU64(offAddr) : mem.readU32(offAddr));
        long done = 0;
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(Math.max(count, 0), 1 << 16));
        while (done < count) {
            b.clear();
            b.limit((int) Math.min(b.capacity(), count - done));
            int n = pos >= 0 ? in.pread(b, pos + done) : in.read(b);
            if (n <= 0) break;
            b.flip();
            int w;
            try {
                w = out.write(b);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EPIPE && done == 0) onBrokenPipe.run();
                if (done > 0) break;
                throw e;
            }
            done += w;
            if (w < n) break;
            if (in.channel() == null) break; // a pipe or stream: return what one read gave (like a short transfer)
        }
        if (pos >= 0) {
            if (offSize == 8) mem.writeU64(offAddr, pos + done); else mem.writeU32(offAddr, pos + done);
        }
        return done;
    }

    private long prlimit(int pid, int res, long newAddr, long oldAddr) throws ErrnoException {
        if (pid != 0 && pid != proc.pid) throw new ErrnoException(Errno.ESRCH);
        if (res < 0 || res >= rlimits.length) throw new ErrnoException(Errno.EINVAL);
        long[] nl = null;
        if (newAddr != 0) {
            nl = new long[] {mem.readU64(newAddr), mem.readU64(newAddr + 8)};
            if (Long.compareUnsigned(nl[0], nl[1]) > 0) throw new ErrnoException(Errno.EINVAL);
        }
        if (oldAddr != 0) mem.write(oldAddr, GuestMem.buffer(16).putLong(rlimits[res][0]).putLong(rlimits[res][1]));
        if (nl != null) setLimit(res, nl);
        return 0;
    }

    private void setLimit(int res, long[] nl) throws ErrnoException {
        if (Long.compareUnsigned(nl[1], rlimits[res][1]) > 0 && proc.uid != 0) throw new ErrnoException(Errno.EPERM);
        if (res == 7 && Long.compareUnsigned(nl[1], 1 << 20) > 0) throw new ErrnoException(Errno.EPERM);
        rlimits[res] = nl;
    }

    private long getrlimit(int res, long addr, boolean oldI386) throws ErrnoException {
        if (res < 0 || res >= rlimits.length) throw new ErrnoException(Errno.EINVAL);
        ByteBuffer b = GuestMem.buffer(2 * mem.wordSize());
        for (long v : rlimits[res]) {
            if (w4()) {
                long cap = oldI386 ? 0x7FFF_FFFFL : 0xFFFF_FFFFL;
                mem.putWord(b, Long.compareUnsigned(v, cap) > 0 ? cap : v);
            } else mem.putWord(b, v);
        }
        mem.write(addr, b);
        return 0;
    }

    private long setrlimit(int res, long addr) throws ErrnoException {
        if (res < 0 || res >= rlimits.length) throw new ErrnoException(Errno.EINVAL);
        long cur = mem.readWord(addr), max = mem.readWord(addr + mem.wordSize());
        if (w4()) {
            if (cur == 0xFFFF_FFFFL) cur = RLIM_INFINITY;
            if (max == 0xFFFF_FFFFL) max = RLIM_INFINITY;
        }
        if (Long.compareUnsigned(cur, max) > 0) throw new ErrnoException(Errno.EINVAL);
        setLimit(res, new long[] {cur, max});
        return 0;
    }

    private long uname(long addr) throws ErrnoException {
        ByteBuffer b = GuestMem.buffer(6 * 65);
        String[] f = {"Linux", "abiscope", "6.1.0-abiscope", "#1 SMP PREEMPT_DYNAMIC abiscope", machine, "(none)"};
        for (int i = 0; i < 6; i++) {
            b.position(i * 65);
            b.put(f[i].getBytes(StandardCharsets.US_ASCII));
        }
        b.position(6 * 65);
        mem.write(addr, b);
        return 0;
    }

    private long sysinfo(long addr) throws ErrnoException {
        int w = mem.wordSize();
        ByteBuffer b = GuestMem.buffer(w == 8 ? 112 : 64);
        long total = proc.space.limitBytes(), used = proc.space.mappedBytes();
        mem.putWord(b, (System.nanoTime() - startNanos) / 1_000_000_000L + 1);
        for (int i = 0; i < 3; i++) mem.putWord(b, 0);
        long unit = 1;
        if (w == 4 && total > 0xFFFF_FFFFL) unit = 4096;
        mem.putWord(b, total / unit);
        mem.putWord(b, Math.max(0, total - used) / unit);
        mem.putWord(b, 0);
        mem.putWord(b, 0);
        mem.putWord(b, 0);
        mem.putWord(b, 0);
        b.putShort((short) 1).putShort((short) 0);
        if (w == 8) b.putInt(0);
        mem.putWord(b, 0);
        mem.putWord(b, 0);
        b.putInt((int) unit);
        b.position(b.capacity());
        mem.write(addr, b);
        return 0;
    }

    private long schedGetaffinity(int pid, long len, long addr) throws ErrnoException {
        if (pid != 0 && pid != proc.pid) throw new ErrnoException(Errno.ESRCH);
        int w = mem.wordSize();
        if (len < w || (len & (w - 1)) != 0) throw new ErrnoException(Errno.EINVAL);
        ByteBuffer b = GuestMem.buffer(w);
        mem.putWord(b, 1); // one CPU: the process runs on one vCPU
        mem.write(addr, b);
        return w;
    }

    // ================================================================== time

    private long[] clock(int id) throws ErrnoException {
        switch (id) {
            case 0, 5, 8, 11 -> { // REALTIME, REALTIME_COARSE, REALTIME_ALARM, TAI
                Instant n = Instant.now();
                return new long[] {n.getEpochSecond(), n.getNano()};
            }
            case 1, 4, 6, 7, 9, 2, 3 -> { // MONOTONIC, RAW, COARSE, BOOTTIME(_ALARM), CPU times (approximated by elapsed time)
                long t = System.nanoTime() - (id == 2 || id == 3 ? startNanos : 0);
                if (t < 0) t = 0;
                return new long[] {t / 1_000_000_000L, t % 1_000_000_000L};
            }
            default -> throw new ErrnoException(Errno.EINVAL);
        }
    }

    private void writeTimespec(long addr, long sec, long nsec, boolean wide) throws ErrnoException {
        mem.write(addr, wide ? GuestMem.buffer(16).putLong(sec).putLong(nsec) : GuestMem.buffer(8).putInt((int) sec).putInt((int) nsec));
    }

    private long clockGettime(int id, long addr, boolean wide) throws ErrnoException {
        long[] t = clock(id);
        writeTimespec(addr, t[0], t[1], wide);
        return 0;
    }

    private long clockGetres(int id, long addr, boolean wide) throws ErrnoException {
        clock(id);
        if (addr != 0) writeTimespec(addr, 0, id == 5 || id == 6 ? 4_000_000 : 1, wide);
        return 0;
    }

    private long gettimeofday(long tv, long tz) throws ErrnoException {
        Instant n = Instant.now();
        if (tv != 0) {
            ByteBuffer b = GuestMem.buffer(2 * mem.wordSize());
            mem.putWord(b, n.getEpochSecond());
            mem.putWord(b, n.getNano() / 1000);
            mem.write(tv, b);
        }
        if (tz != 0) mem.write(tz, GuestMem.buffer(8).putInt(0).putInt(0));
        return 0;
    }

    private long[] readTimespec(long addr, boolean wide) throws ErrnoException {
        long s = wide ? mem.readU64(addr) : (int) mem.readU32(addr);
        long ns = wide ? mem.readU64(addr + 8) : (int) mem.readU32(addr + 4);
        if (s < 0 || ns < 0 || ns >= 1_000_000_000L) throw new ErrnoException(Errno.EINVAL);
        return new long[] {s, ns};
    }

    private long nanosleep(long req, long rem, boolean wide) throws ErrnoException {
        long[] t = readTimespec(req, wide);
        long total = Math.min(t[0], Long.MAX_VALUE / 2_000_000_000L) * 1_000_000_000L + t[1];
        long start = System.nanoTime();
        try {
            GuestThread.sleep(total);
        } catch (ErrnoException e) {
            if (rem != 0) {
                long left = Math.max(0, total - (System.nanoTime() - start));
                writeTimespec(rem, left / 1_000_000_000L, left % 1_000_000_000L, wide);
            }
            throw e;
        }
        return 0;
    }

    private long getrandom(long buf, long len, int flags) throws ErrnoException {
        if ((flags & ~7) != 0 || (flags & 6) == 6) throw new ErrnoException(Errno.EINVAL);
        int n = (int) Math.min(len, 33_554_431L);
        byte[] b = new byte[n];
        random.nextBytes(b);
        mem.write(buf, b);
        return n;
    }

    // ================================================================== signals (recorded only)

    private long sigaltstack(long ss, long oss, long sp) throws ErrnoException {
        int w = mem.wordSize();
        sp = mem.word(sp);
        boolean onStack = proc.altStackFlags != 2 && sp > proc.altStackSp && sp - proc.altStackSp <= proc.altStackSize;
        if (oss != 0) {
            ByteBuffer b = GuestMem.buffer(w == 8 ? 24 : 12);
            mem.putWord(b, proc.altStackSp);
            b.putInt(onStack ? 1 /* SS_ONSTACK */ : proc.altStackFlags);
            if (w == 8) b.putInt(0);
            mem.putWord(b, proc.altStackSize);
            mem.write(oss, b);
        }
        if (ss != 0) {
            if (onStack) throw new ErrnoException(Errno.EPERM);
            sp = mem.readWord(ss);
            int flags = (int) mem.readU32(ss + w);
            long size = mem.readWord(ss + (w == 8 ? 16 : 8));
            if (flags != 0 && flags != 2 && flags != 1) throw new ErrnoException(Errno.EINVAL);
            if (flags == 2) {
                proc.altStackFlags = 2;
                proc.altStackSp = 0;
                proc.altStackSize = 0;
            } else {
                if (size < 2048) throw new ErrnoException(Errno.ENOMEM);
                proc.altStackSp = sp;
                proc.altStackSize = size;
                proc.altStackFlags = 0;
            }
        }
        return 0;
    }

    // ================================================================== futex

    private long futex(long uaddr, int op, int val, long timeout, boolean wide) throws ErrnoException {
        int cmd = op & 127;
        if ((uaddr & 3) != 0) throw new ErrnoException(Errno.EINVAL);
        Object q = futexQueues.computeIfAbsent(uaddr, k -> new Object());
        switch (cmd) {
            case 0, 9 -> { // FUTEX_WAIT, FUTEX_WAIT_BITSET
                long deadline = Long.MAX_VALUE;
                if (timeout != 0) {
                    long[] t = readTimespec(timeout, wide);
                    long ns = t[0] * 1_000_000_000L + t[1];
                    if (cmd == 9) { // absolute on CLOCK_MONOTONIC or (FUTEX_CLOCK_REALTIME) CLOCK_REALTIME
                        long[] now = clock((op & 256) != 0 ? 0 : 1);
                        ns -= now[0] * 1_000_000_000L + now[1];
                    }
                    deadline = System.nanoTime() + Math.max(ns, 0);
                }
                synchronized (q) {
                    if ((int) mem.readU32(uaddr) != val) throw new ErrnoException(Errno.EAGAIN);
                    long left = deadline - System.nanoTime();
                    if (deadline == Long.MAX_VALUE) GuestThread.await(q, 0);
                    else if (left > 0) GuestThread.await(q, Math.max(1, left / 1_000_000));
                    else throw new ErrnoException(Errno.ETIMEDOUT);
                    if (deadline != Long.MAX_VALUE && System.nanoTime() >= deadline) throw new ErrnoException(Errno.ETIMEDOUT);
                }
                return 0;
            }
            case 1, 10 -> { // FUTEX_WAKE, FUTEX_WAKE_BITSET: the process's threads share these queues
                synchronized (q) {
                    q.notifyAll(); // waiters return 0; user code re-checks the word (spurious wake-ups are allowed)
                }
                return 0;
            }
            default -> throw new ErrnoException(Errno.ENOSYS);
        }
    }
}
