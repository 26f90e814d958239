package emulator.linuxuser.kernel;

import emulator.core.exec.Vcpu;
import emulator.linuxuser.abi.Errno;
import emulator.linuxuser.abi.ErrnoException;
import emulator.linuxuser.abi.SyscallTable;
import emulator.linuxuser.fs.GuestRoot;
import emulator.linuxuser.fs.Resolved;

import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * File calls beyond the basic set: timestamps (utimensat, utimes, utime), ownership (the chown
 * family), hard links, truncate, fchmod, statfs, and waiting for descriptors (poll, ppoll, select,
 * pselect6). Registered into each process's {@link LinuxSyscalls}.
 */
final class FileCalls {
    static final int POLLIN = 1, POLLOUT = 4, POLLERR = 8, POLLHUP = 0x10, POLLNVAL = 0x20;
    static final long UTIME_NOW = (1L << 30) - 1, UTIME_OMIT = (1L << 30) - 2;

    private final LinuxProcess proc;
    private final GuestMem mem;
    private final boolean i386;

    private FileCalls(LinuxSyscalls s) {
        this.proc = s.process();
        this.mem = s.memory();
        this.i386 = s.abi == SyscallTable.Abi.I386;
    }

    static void register(LinuxSyscalls s) {
        FileCalls f = new FileCalls(s);
        int at = LinuxSyscalls.AT_FDCWD;
        s.provide(name -> switch (name) {
            case "utimensat" -> (c, a) -> f.utimensat((int) a[0], a[1], a[2], (int) a[3], !f.i386);
            case "utimensat_time64" -> (c, a) -> f.utimensat((int) a[0], a[1], a[2], (int) a[3], true);
            case "utimes" -> (c, a) -> f.utimes(at, a[0], a[1]);
            case "futimesat" -> (c, a) -> f.utimes((int) a[0], a[1], a[2]);
            case "utime" -> (c, a) -> f.utime(a[0], a[1]);
            case "chown", "chown32" -> (c, a) -> f.chown(at, a[0], (int) a[1], (int) a[2], 0);
            case "lchown", "lchown32" -> (c, a) -> f.chown(at, a[0], (int) a[1], (int) a[2], LinuxSyscalls.AT_SYMLINK_NOFOLLOW);
            case "fchown", "fchown32" -> (c, a) -> f.fchown((int) a[0], (int) a[1], (int) a[2]);
            case "fchownat" -> (c, a) -> f.chown((int) a[0], a[1], (int) a[2], (int) a[3], (int) a[4]);
            case "link" -> (c, a) -> f.link(at, a[0], at, a[1], 0);
            case "linkat" -> (c, a) -> f.link((int) a[0], a[1], (int) a[2], a[3], (int) a[4]);
            case "truncate" -> (c, a) -> f.truncate(a[0], f.i386 ? (int) a[1] : a[1]);
            case "truncate64" -> (c, a) -> f.truncate(a[0], a[1] | a[2] << 32);
            case "fchmod" -> (c, a) -> {
                Resolved r = f.proc.file((int) a[0]).node();
                if (r == null) throw new ErrnoException(Errno.EPERM);
                f.proc.root.chmod(r, (int) a[1] & 07777);
                return 0;
            };
            case "statfs" -> (c, a) -> f.statfs(a[1], f.i386 ? 0 : 120);
            case "fstatfs" -> (c, a) -> { f.proc.file((int) a[0]); return f.statfs(a[1], f.i386 ? 0 : 120); };
            case "statfs64" -> (c, a) -> f.statfs(a[2], (int) a[1]);
            case "fstatfs64" -> (c, a) -> { f.proc.file((int) a[0]); return f.statfs(a[2], (int) a[1]); };
            case "sync" -> (c, a) -> 0;
            case "syncfs" -> (c, a) -> { f.proc.file((int) a[0]); return 0; };
            case "poll" -> (c, a) -> f.poll(a[0], (int) a[1], (int) a[2] < 0 ? -1 : (long) (int) a[2] * 1_000_000L);
            case "ppoll" -> (c, a) -> f.poll(a[0], (int) a[1], a[2] == 0 ? -1 : f.timespec(a[2], !f.i386));
            case "ppoll_time64" -> (c, a) -> f.poll(a[0], (int) a[1], a[2] == 0 ? -1 : f.timespec(a[2], true));
            // i386's select is the old one-pointer call, not implemented; its _newselect is x86-64's select
            case "_newselect", "select" -> name.equals(f.i386 ? "_newselect" : "select")
                    ? (c, a) -> f.select((int) a[0], a[1], a[2], a[3], a[4] == 0 ? -1 : f.timeval(a[4]))
                    : null;
            case "pselect6" -> (c, a) -> f.select((int) a[0], a[1], a[2], a[3], a[4] == 0 ? -1 : f.timespec(a[4], !f.i386));
            case "pselect6_time64" -> (c, a) -> f.select((int) a[0], a[1], a[2], a[3], a[4] == 0 ? -1 : f.timespec(a[4], true));
            default -> null;
        });
    }

    private String base(int dirfd, String path) throws ErrnoException {
        if (path.startsWith("/")) return "/";
        if (dirfd == LinuxSyscalls.AT_FDCWD) return proc.cwd;
        String d = proc.file(dirfd).directoryPath();
        if (d == null) throw new ErrnoException(Errno.ENOTDIR);
        return d;
    }

    private Resolved node(int dirfd, long pathAddr, int flags) throws ErrnoException {
        String p = pathAddr == 0 ? "" : mem.readCString(pathAddr, GuestRoot.PATH_MAX);
        if (p.isEmpty()) {
            if (pathAddr != 0 && (flags & LinuxSyscalls.AT_EMPTY_PATH) == 0) throw new ErrnoException(Errno.ENOENT);
            if (dirfd == LinuxSyscalls.AT_FDCWD) return proc.root.resolveExisting("/", proc.cwd, GuestRoot.FOLLOW);
            Resolved r = proc.file(dirfd).node();
            if (r == null) throw new ErrnoException(Errno.EPERM);
            return r;
        }
        return proc.root.resolveExisting(base(dirfd, p), p,
                (flags & LinuxSyscalls.AT_SYMLINK_NOFOLLOW) != 0 ? GuestRoot.NOFOLLOW : GuestRoot.FOLLOW);
    }

    // ---- times

    private Instant time(long sec, long nsec, Instant now) throws ErrnoException {
        if (nsec == UTIME_NOW) return now;
        if (nsec == UTIME_OMIT) return null;
        if (nsec < 0 || nsec >= 1_000_000_000L) throw new ErrnoException(Errno.EINVAL);
        return Instant.ofEpochSecond(sec, nsec);
    }

    private long utimensat(int dirfd, long path, long times, int flags, boolean wide) throws ErrnoException {
        Instant now = Instant.now(), at = now, mt = now;
        if (times != 0) {
            int sz = wide ? 16 : 8;
            at = time(wide ? mem.readU64(times) : (int) mem.readU32(times), wide ? mem.readU64(times + 8) : (int) mem.readU32(times + 4), now);
            mt = time(wide ? mem.readU64(times + sz) : (int) mem.readU32(times + sz),
                    wide ? mem.readU64(times + sz + 8) : (int) mem.readU32(times + sz + 4), now);
            if (at == null && mt == null) return 0;
        }
        proc.root.setTimes(node(dirfd, path, flags), at, mt);
        return 0;
    }

    private long utimes(int dirfd, long path, long tv) throws ErrnoException {
        Instant at = Instant.now(), mt = at;
        if (tv != 0) {
            int w = mem.wordSize();
            long as = mem.readLong(tv), au = mem.readLong(tv + w), ms = mem.readLong(tv + 2L * w), mu = mem.readLong(tv + 3L * w);
            if (au < 0 || au >= 1_000_000 || mu < 0 || mu >= 1_000_000) throw new ErrnoException(Errno.EINVAL);
            at = Instant.ofEpochSecond(as, au * 1000);
            mt = Instant.ofEpochSecond(ms, mu * 1000);
        }
        if (path == 0) throw new ErrnoException(Errno.EFAULT);
        proc.root.setTimes(node(dirfd, path, 0), at, mt);
        return 0;
    }

    private long utime(long path, long buf) throws ErrnoException {
        Instant at = Instant.now(), mt = at;
        if (buf != 0) {
            at = Instant.ofEpochSecond(mem.readLong(buf));
            mt = Instant.ofEpochSecond(mem.readLong(buf + mem.wordSize()));
        }
        proc.root.setTimes(node(LinuxSyscalls.AT_FDCWD, path, 0), at, mt);
        return 0;
    }

    // ---- ownership, links, truncate

    private long chown(int dirfd, long path, int uid, int gid, int flags) throws ErrnoException {
        proc.root.chown(node(dirfd, path, flags), uid, gid);
        return 0;
    }

    private long fchown(int fd, int uid, int gid) throws ErrnoException {
        Resolved r = proc.file(fd).node();
        if (r == null) throw new ErrnoException(Errno.EPERM);
        proc.root.chown(r, uid, gid);
        return 0;
    }

    private long link(int olddir, long oldAddr, int newdir, long newAddr, int flags) throws ErrnoException {
        if ((flags & ~0x400 /* AT_SYMLINK_FOLLOW */) != 0) throw new ErrnoException(Errno.EINVAL);
        String o = mem.readCString(oldAddr, GuestRoot.PATH_MAX), n = mem.readCString(newAddr, GuestRoot.PATH_MAX);
        if (o.isEmpty() || n.isEmpty()) throw new ErrnoException(Errno.ENOENT);
        proc.root.link(base(olddir, o), o, base(newdir, n), n, (flags & 0x400) != 0);
        return 0;
    }

    private long truncate(long path, long len) throws ErrnoException {
        proc.root.truncate(node(LinuxSyscalls.AT_FDCWD, path, 0), len);
        return 0;
    }

    // ---- statfs

    /**
     * statfs: an ext4-like file system (magic 0xEF53, 4 KiB blocks) with the host's free space.
     * {@code size} 0 is i386's 32-bit struct statfs, 120 x86-64's, 84 i386's statfs64.
     */
    private long statfs(long buf, int size) throws ErrnoException {
        long total = 1L << 28, free = 1L << 27;
        try {
            var store = java.nio.file.Files.getFileStore(proc.root.hostRoot());
            total = store.getTotalSpace() / 4096;
            free = store.getUsableSpace() / 4096;
        } catch (java.io.IOException ignored) {
            // keep the defaults
        }
        ByteBuffer b;
        if (size == 120) {
            b = GuestMem.buffer(120);
            b.putLong(0xEF53).putLong(4096).putLong(total).putLong(free).putLong(free).putLong(1 << 20).putLong(1 << 19)
                    .putInt(0).putInt(0).putLong(255).putLong(4096).putLong(0x20 /* ST_RELATIME */);
        } else if (size == 0) {
            b = GuestMem.buffer(64);
            b.putInt(0xEF53).putInt(4096).putInt((int) Math.min(total, 0xFFFF_FFFFL)).putInt((int) Math.min(free, 0xFFFF_FFFFL))
                    .putInt((int) Math.min(free, 0xFFFF_FFFFL)).putInt(1 << 20).putInt(1 << 19).putInt(0).putInt(0)
                    .putInt(255).putInt(4096).putInt(0x20);
        } else if (size == 84) {
            b = GuestMem.buffer(84);
            b.putInt(0xEF53).putInt(4096).putLong(total).putLong(free).putLong(free).putLong(1 << 20).putLong(1 << 19)
                    .putInt(0).putInt(0).putInt(255).putInt(4096).putInt(0x20);
        } else throw new ErrnoException(Errno.EINVAL);
        b.position(b.capacity());
        mem.write(buf, b);
        return 0;
    }

    // ---- poll and select

    private long timespec(long addr, boolean wide) throws ErrnoException {
        long s = wide ? mem.readU64(addr) : (int) mem.readU32(addr), ns = wide ? mem.readU64(addr + 8) : (int) mem.readU32(addr + 4);
        if (s < 0 || ns < 0 || ns >= 1_000_000_000L) throw new ErrnoException(Errno.EINVAL);
        return s * 1_000_000_000L + ns;
    }

    private long timeval(long addr) throws ErrnoException {
        long s = mem.readLong(addr), us = mem.readLong(addr + mem.wordSize());
        if (s < 0 || us < 0 || us >= 1_000_000) throw new ErrnoException(Errno.EINVAL);
        return s * 1_000_000_000L + us * 1000;
    }

    /**
     * Waits by polling readiness every millisecond or so (pipes and streams have no selector
     * here); a signal interrupts the wait (EINTR, restarted when no handler runs).
     */
    private void pause(long deadline) throws ErrnoException {
        long left = deadline < 0 ? 2_000_000 : Math.min(2_000_000, deadline - System.nanoTime());
        if (left > 0) GuestThread.sleep(left);
    }

    private long poll(long fds, int n, long timeoutNs) throws ErrnoException {
        if (n < 0 || n > LinuxProcess.MAX_FDS) throw new ErrnoException(Errno.EINVAL);
        long deadline = timeoutNs < 0 ? -1 : System.nanoTime() + timeoutNs;
        byte[] raw = mem.read(fds, 8 * n);
        ByteBuffer b = ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        while (true) {
            int ready = 0;
            for (int i = 0; i < n; i++) {
                int fd = b.getInt(8 * i), events = b.getShort(8 * i + 4) & 0xFFFF, rev = 0;
                if (fd >= 0) {
                    OpenFile f;
                    try { f = proc.file(fd); } catch (ErrnoException e) { f = null; }
                    if (f == null) rev = POLLNVAL;
                    else rev = f.pollMask() & (events | POLLERR | POLLHUP);
                }
                b.putShort(8 * i + 6, (short) rev);
                if (rev != 0) ready++;
            }
            if (ready > 0 || (deadline >= 0 && System.nanoTime() >= deadline)) {
                mem.write(fds, raw);
                return ready;
            }
            pause(deadline);
        }
    }

    private long select(int n, long rd, long wr, long ex, long timeoutNs) throws ErrnoException {
        if (n < 0 || n > LinuxProcess.MAX_FDS) throw new ErrnoException(Errno.EINVAL);
        int bytes = ((n + 8 * mem.wordSize() - 1) / (8 * mem.wordSize())) * mem.wordSize();
        byte[] r = rd == 0 ? null : mem.read(rd, bytes), w = wr == 0 ? null : mem.read(wr, bytes);
        if (ex != 0) mem.read(ex, bytes);
        long deadline = timeoutNs < 0 ? -1 : System.nanoTime() + timeoutNs;
        while (true) {
            byte[] ro = new byte[bytes], wo = new byte[bytes];
            int ready = 0;
            for (int fd = 0; fd < n; fd++) {
                boolean wantR = r != null && (r[fd >> 3] & (1 << (fd & 7))) != 0, wantW = w != null && (w[fd >> 3] & (1 << (fd & 7))) != 0;
                if (!wantR && !wantW) continue;
                int m = proc.file(fd).pollMask();
                if (wantR && (m & (POLLIN | POLLHUP | POLLERR)) != 0) { ro[fd >> 3] |= (byte) (1 << (fd & 7)); ready++; }
                if (wantW && (m & (POLLOUT | POLLERR)) != 0) { wo[fd >> 3] |= (byte) (1 << (fd & 7)); ready++; }
            }
            if (ready > 0 || (deadline >= 0 && System.nanoTime() >= deadline)) {
                if (rd != 0) mem.write(rd, ro);
                if (wr != 0) mem.write(wr, wo);
                if (ex != 0) mem.write(ex, new byte[bytes]);
                return ready;
            }
            pause(deadline);
        }
    }
}
