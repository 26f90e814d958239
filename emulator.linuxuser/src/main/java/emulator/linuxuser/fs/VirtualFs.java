package emulator.linuxuser.fs;

import emulator.linuxuser.abi.Errno;
import emulator.linuxuser.abi.ErrnoException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * The virtual trees the guest sees instead of the host's: {@code /proc} (the calling process
 * only, through {@code /proc/self} and {@code /proc/<pid>}) and {@code /dev} (null, zero, full,
 * random, urandom, tty when a terminal is attached, and the fd/stdin/stdout/stderr links). Both
 * shadow whatever the guest root folder holds under those names, so no host device or host
 * /proc file is ever reachable.
 */
public final class VirtualFs {
    /** st_dev of the virtual file systems (as procfs and devtmpfs have small anonymous devs). */
    public static final long PROC_DEV = StatInfo.encodeDev(0, 22), DEV_DEV = StatInfo.encodeDev(0, 5);

    private final Supplier<ProcessView> process;
    private final SystemInfo system;
    private final boolean terminal;
    private final long bootSec;
    private final SecureRandom random = new SecureRandom();
    private final Dir proc, dev;

    /**
     * @param process  the calling process's view (called at each access: the current process)
     * @param system   source of cpuinfo / meminfo
     * @param terminal whether a terminal is attached (then /dev/tty exists)
     */
    public VirtualFs(Supplier<ProcessView> process, SystemInfo system, boolean terminal) {
        this.process = process;
        this.system = system;
        this.terminal = terminal;
        this.bootSec = System.currentTimeMillis() / 1000;
        proc = new ProcRoot();
        dev = new Dir("/dev", DEV_DEV);
        dev.add("null", new Device("/dev/null", 1, 3, DeviceKind.NULL));
        dev.add("zero", new Device("/dev/zero", 1, 5, DeviceKind.ZERO));
        dev.add("full", new Device("/dev/full", 1, 7, DeviceKind.FULL));
        dev.add("random", new Device("/dev/random", 1, 8, DeviceKind.RANDOM));
        dev.add("urandom", new Device("/dev/urandom", 1, 9, DeviceKind.RANDOM));
        if (terminal) dev.add("tty", new Device("/dev/tty", 5, 0, DeviceKind.TTY));
        dev.add("fd", new Link("/dev/fd", DEV_DEV, () -> "/proc/self/fd"));
        dev.add("stdin", new Link("/dev/stdin", DEV_DEV, () -> "/proc/self/fd/0"));
        dev.add("stdout", new Link("/dev/stdout", DEV_DEV, () -> "/proc/self/fd/1"));
        dev.add("stderr", new Link("/dev/stderr", DEV_DEV, () -> "/proc/self/fd/2"));
    }

    public boolean terminalAttached() { return terminal; }

    /** The virtual node mounted at top-level {@code name} ("proc", "dev"), or null. */
    public VirtualFile mount(String name) {
        return switch (name) {
            case "proc" -> proc;
            case "dev" -> dev;
            default -> null;
        };
    }

    // ---- node kinds ----

    private long ino(String path) {
        long h = 1125899906842597L;
        for (int i = 0; i < path.length(); i++) h = 31 * h + path.charAt(i);
        return (h & 0x7fff_ffffL) | 0x1000;
    }

    private StatInfo stat(String path, long devNo, FileType t, int perm, long nlink, long rdev, long size) {
        return new StatInfo(devNo, ino(path), t.modeBits() | perm, nlink, 0, 0, rdev, size, 1024, 0,
                bootSec, 0, bootSec, 0, bootSec, 0);
    }

    private class Dir implements VirtualFile {
        final String path;
        final long devNo;
        final Map<String, VirtualFile> children = new LinkedHashMap<>();

        Dir(String path, long devNo) { this.path = path; this.devNo = devNo; }

        void add(String name, VirtualFile f) { children.put(name, f); }

        @Override public FileType type() { return FileType.DIRECTORY; }
        @Override public StatInfo stat() { return VirtualFs.this.stat(path, devNo, FileType.DIRECTORY, 0555, 2, 0, 0); }
        @Override public VirtualFile lookup(String name) { return children.get(name); }
        @Override public List<DirEntry> list() {
            List<DirEntry> l = new ArrayList<>();
            children.forEach((n, f) -> l.add(new DirEntry(n, f.stat().ino(), f.type().dtype())));
            return l;
        }
    }

    private class Link implements VirtualFile {
        final String path;
        final long devNo;
        final Supplier<String> target;
        final int fd;

        Link(String path, long devNo, Supplier<String> target) { this(path, devNo, target, -1); }
        Link(String path, long devNo, Supplier<String> target, int fd) {
            this.path = path; this.devNo = devNo; this.target = target; this.fd = fd;
        }

        @Override public FileType type() { return FileType.SYMLINK; }
        @Override public StatInfo stat() { return VirtualFs.this.stat(path, devNo, FileType.SYMLINK, 0777, 1, 0, 64); }
        @Override public String readlink() throws ErrnoException {
            String t = target.get();
            if (t == null) throw new ErrnoException(Errno.ENOENT, path);
            return t;
        }
        @Override public OptionalInt fdTarget() { return fd >= 0 ? OptionalInt.of(fd) : OptionalInt.empty(); }
    }

    /** A read-only text file generated when opened (a snapshot, as a seq_file read in one go). */
    private class Text implements VirtualFile {
        final String path;
        final Supplier<byte[]> content;

        Text(String path, Supplier<byte[]> content) { this.path = path; this.content = content; }

        @Override public FileType type() { return FileType.REGULAR; }
        @Override public StatInfo stat() { return VirtualFs.this.stat(path, PROC_DEV, FileType.REGULAR, 0444, 1, 0, 0); }
        @Override public Handle open(boolean read, boolean write) throws ErrnoException {
            if (write) throw new ErrnoException(Errno.EACCES, path);
            byte[] data = content.get();
            if (data == null) throw new ErrnoException(Errno.ENOENT, path);
            return new Handle() {
                @Override public int read(long position, ByteBuffer dst) {
                    if (position >= data.length || position < 0) return 0;
                    int n = (int) Math.min(dst.remaining(), data.length - position);
                    dst.put(data, (int) position, n);
                    return n;
                }
                @Override public long size() { return data.length; }
            };
        }
    }

    private enum DeviceKind { NULL, ZERO, FULL, RANDOM, TTY }

    private class Device implements VirtualFile {
        final String path;
        final long rdev;
        final DeviceKind kind;

        Device(String path, int major, int minor, DeviceKind kind) {
            this.path = path; this.rdev = StatInfo.encodeDev(major, minor); this.kind = kind;
        }

        @Override public FileType type() { return FileType.CHAR_DEVICE; }
        @Override public StatInfo stat() { return VirtualFs.this.stat(path, DEV_DEV, FileType.CHAR_DEVICE, 0666, 1, rdev, 0); }
        @Override public Handle open(boolean read, boolean write) throws ErrnoException {
            if (kind == DeviceKind.TTY) return process.get().openTerminal();
            return new Handle() {
                @Override public int read(long position, ByteBuffer dst) {
                    int n = dst.remaining();
                    switch (kind) {
                        case NULL -> { return 0; }
                        case RANDOM -> { byte[] b = new byte[n]; random.nextBytes(b); dst.put(b); }
                        default -> { for (int i = 0; i < n; i++) dst.put((byte) 0); }
                    }
                    return n;
                }
                @Override public int write(long position, ByteBuffer src) throws ErrnoException {
                    if (kind == DeviceKind.FULL) throw new ErrnoException(Errno.ENOSPC);
                    int n = src.remaining();
                    src.position(src.limit());
                    return n;
                }
                @Override public boolean seekable() { return true; } // lseek on /dev/null etc. succeeds (returns 0)
            };
        }
    }

    private static byte[] utf8(String s) { return s == null ? null : s.getBytes(StandardCharsets.UTF_8); }

    /** /proc: self, the current pid, cpuinfo, meminfo. Other pids do not exist. */
    private final class ProcRoot extends Dir {
        ProcRoot() {
            super("/proc", PROC_DEV);
            add("self", new Link("/proc/self", PROC_DEV, () -> Integer.toString(process.get().pid())));
            add("cpuinfo", new Text("/proc/cpuinfo", () -> utf8(system.cpuinfo())));
            add("meminfo", new Text("/proc/meminfo", () -> utf8(system.meminfo())));
        }

        @Override public VirtualFile lookup(String name) {
            VirtualFile f = super.lookup(name);
            if (f != null) return f;
            ProcessView p = process.get();
            return name.equals(Integer.toString(p.pid())) ? pidDir(p) : null;
        }

        @Override public List<DirEntry> list() {
            List<DirEntry> l = new ArrayList<>(super.list());
            ProcessView p = process.get();
            l.add(new DirEntry(Integer.toString(p.pid()), ino("/proc/" + p.pid()), FileType.DIRECTORY.dtype()));
            return l;
        }
    }

    private Dir pidDir(ProcessView p) {
        String base = "/proc/" + p.pid();
        Dir d = new Dir(base, PROC_DEV);
        d.add("exe", new Link(base + "/exe", PROC_DEV, p::exe));
        d.add("cwd", new Link(base + "/cwd", PROC_DEV, p::cwd));
        d.add("root", new Link(base + "/root", PROC_DEV, () -> "/"));
        d.add("maps", new Text(base + "/maps", () -> utf8(p.maps())));
        d.add("cmdline", new Text(base + "/cmdline", () -> { byte[] b = p.cmdline(); return b == null ? new byte[0] : b; }));
        d.add("environ", new Text(base + "/environ", () -> { byte[] b = p.environ(); return b == null ? new byte[0] : b; }));
        d.add("fd", new Dir(base + "/fd", PROC_DEV) {
            @Override public StatInfo stat() { return VirtualFs.this.stat(path, PROC_DEV, FileType.DIRECTORY, 0500, 2, 0, 0); }
            @Override public VirtualFile lookup(String name) {
                int fd = parseFd(name);
                if (fd < 0 || p.fdLink(fd) == null) return null;
                return new Link(path + "/" + fd, PROC_DEV, () -> p.fdLink(fd), fd);
            }
            @Override public List<DirEntry> list() {
                List<DirEntry> l = new ArrayList<>();
                for (int fd : p.fds()) l.add(new DirEntry(Integer.toString(fd), ino(path + "/" + fd), FileType.SYMLINK.dtype()));
                return l;
            }
        });
        return d;
    }

    private static int parseFd(String s) {
        if (s.isEmpty() || s.length() > 9 || (s.length() > 1 && s.charAt(0) == '0')) return -1;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return -1;
        return Integer.parseInt(s);
    }
}
