package emulator.linuxuser.kernel;

import emulator.linuxuser.abi.Errno;
import emulator.linuxuser.abi.ErrnoException;
import emulator.linuxuser.abi.SyscallTable;
import emulator.linuxuser.fs.FileType;
import emulator.linuxuser.fs.GuestRoot;
import emulator.linuxuser.fs.Resolved;
import emulator.linuxuser.fs.StatInfo;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The sockets a sandbox with no network can honestly offer: AF_UNIX stream and datagram sockets
 * that can be created and closed, and whose connect() answers as Linux would when nobody listens —
 * ENOENT for a path missing from the root, ECONNREFUSED for anything else (a guest cannot listen
 * yet, and a host socket is never reachable from the guest). glibc needs exactly this much when it
 * probes nscd (/var/run/nscd/socket) and syslog. Other families are refused with EAFNOSUPPORT
 * (reported once); bind, listen, accept, send and receive are not implemented (ENOSYS, reported once).
 */
final class SocketCalls {
    static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_SEQPACKET = 5;
    static final int SOCK_NONBLOCK = 04000, SOCK_CLOEXEC = 02000000;
    /** socketcall(2) sub-call numbers (i386). */
    static final int SYS_SOCKET = 1, SYS_CONNECT = 3;

    private final LinuxProcess proc;
    private final GuestMem mem;
    private final PrintStream log;
    private final Set<String> warned;

    private SocketCalls(LinuxSyscalls s, PrintStream log) {
        this.proc = s.process();
        this.mem = s.memory();
        this.log = log;
        this.warned = s.warned;
    }

    static void register(LinuxSyscalls s, PrintStream log) {
        SocketCalls k = new SocketCalls(s, log);
        s.register("socket", (c, a) -> k.socket((int) a[0], (int) a[1], (int) a[2]));
        s.register("connect", (c, a) -> k.connect((int) a[0], a[1], (int) a[2]));
        if (s.abi == SyscallTable.Abi.I386) s.register("socketcall", (c, a) -> k.socketcall((int) a[0], a[1]));
    }

    private long socketcall(int call, long args) throws ErrnoException {
        return switch (call) {
            case SYS_SOCKET -> socket((int) mem.readU32(args), (int) mem.readU32(args + 4), (int) mem.readU32(args + 8));
            case SYS_CONNECT -> connect((int) mem.readU32(args), mem.readU32(args + 4), (int) mem.readU32(args + 8));
            default -> {
                if (warned.add("socketcall " + call)) log.println("abiscope: unimplemented system call socketcall (call " + call + ")");
                throw new ErrnoException(Errno.ENOSYS);
            }
        };
    }

    private long socket(int domain, int type, int protocol) throws ErrnoException {
        int kind = type & 0xF;
        if ((type & ~(0xF | SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) throw new ErrnoException(Errno.EINVAL);
        if (domain != AF_UNIX) {
            if (warned.add("socket family " + domain)) log.println("abiscope: socket family " + domain + " is not supported (only AF_UNIX)");
            throw new ErrnoException(Errno.EAFNOSUPPORT);
        }
        if (kind != SOCK_STREAM && kind != SOCK_DGRAM && kind != SOCK_SEQPACKET) throw new ErrnoException(Errno.EINVAL);
        if (protocol != 0) throw new ErrnoException(Errno.EPROTONOSUPPORT);
        return proc.install(new UnixSocket(OpenFile.O_RDWR | (type & SOCK_NONBLOCK)), (type & SOCK_CLOEXEC) != 0, 0);
    }

    private long connect(int fd, long addr, int len) throws ErrnoException {
        if (!(proc.file(fd) instanceof UnixSocket)) throw new ErrnoException(Errno.ENOTSOCK);
        if (len < 2 || len > 110) throw new ErrnoException(Errno.EINVAL);
        byte[] sa = mem.read(addr, len);
        int family = (sa[0] & 0xFF) | (sa[1] & 0xFF) << 8;
        if (family != AF_UNIX) throw new ErrnoException(Errno.EAFNOSUPPORT);
        if (len == 2 || sa[2] == 0) throw new ErrnoException(Errno.ECONNREFUSED); // abstract namespace: nobody bound
        int end = 2;
        while (end < len && sa[end] != 0) end++;
        String path = new String(sa, 2, end - 2, StandardCharsets.UTF_8);
        Resolved r = proc.root.resolveExisting(path.startsWith("/") ? "/" : proc.cwd, path, GuestRoot.FOLLOW); // ENOENT, ENOTDIR …
        // a socket file of the root (or any other file): nobody in the guest listens on it
        throw new ErrnoException(Errno.ECONNREFUSED, r.guestPath());
    }

    /** An AF_UNIX socket that is never connected. */
    static final class UnixSocket extends OpenFile {
        private static final java.util.concurrent.atomic.AtomicLong INODES = new java.util.concurrent.atomic.AtomicLong(100_000);
        private final long ino;

        UnixSocket(int flags, long ino) {
            super(flags, "socket:[" + ino + "]");
            this.ino = ino;
        }

        UnixSocket(int flags) { this(flags, INODES.incrementAndGet()); }

        @Override public int read(java.nio.ByteBuffer dst) throws ErrnoException { throw new ErrnoException(Errno.ENOTCONN); }
        @Override public int write(java.nio.ByteBuffer src) throws ErrnoException { throw new ErrnoException(Errno.ENOTCONN); }
        @Override public int pollMask() { return 0x10; } // POLLHUP: an unconnected stream socket
        @Override public StatInfo stat() {
            return new StatInfo(StatInfo.encodeDev(0, 8), ino, FileType.SOCKET.modeBits() | 0777, 1, 0, 0, 0, 0, 4096, 0,
                    0, 0, 0, 0, 0, 0);
        }
    }
}
