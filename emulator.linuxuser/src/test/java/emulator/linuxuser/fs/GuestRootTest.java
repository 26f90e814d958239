package emulator.linuxuser.fs;

import emulator.linuxuser.abi.Errno;
import emulator.linuxuser.abi.ErrnoException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Ordinary file-system behaviour, with coreutils' stat(1) and the host file system as the reference. */
class GuestRootTest {
    @TempDir Path tmp;
    FsFixture fx;
    GuestRoot g;

    @BeforeEach
    void setUp() throws Exception {
        fx = new FsFixture(tmp);
        g = fx.guestRoot(true);
        Files.createDirectories(fx.root.resolve("bin"));
        Files.writeString(fx.root.resolve("bin/prog"), "x".repeat(5000));
        Files.createSymbolicLink(fx.root.resolve("bin/sh"), Path.of("prog"));
        Files.createDirectories(fx.root.resolve("tmp"));
    }

    static Errno errnoOf(org.junit.jupiter.api.function.Executable e) {
        return assertThrows(ErrnoException.class, e).errno();
    }

    /** stat(1) fields: dev ino mode(hex) nlink uid gid major(hex) minor(hex) size atime mtime ctime. */
    static String[] stat1(Path p) throws Exception {
        Process pr = new ProcessBuilder("stat", "-c", "%d %i %f %h %u %g %t %T %s %.9X %.9Y %.9Z", p.toString()).start();
        String out = new String(pr.getInputStream().readAllBytes()).strip();
        assumeTrue(pr.waitFor() == 0, "coreutils stat failed");
        return out.split(" ");
    }

    static String time(long sec, int nsec) {
        return sec + "." + String.format("%09d", nsec);
    }

    @Test
    void statMatchesCoreutils() throws Exception {
        Files.setAttribute(fx.root.resolve("bin/prog"), "unix:mode", 04751, LinkOption.NOFOLLOW_LINKS);
        for (String path : List.of("/bin/prog", "/bin", "/", "/tmp")) {
            for (int flags : new int[]{0, GuestRoot.NOFOLLOW}) {
                Resolved r = g.resolve("/", path, flags);
                StatInfo s = g.stat(r);
                String[] f = stat1(r.hostPath());
                assertEquals(Long.parseLong(f[0]), s.dev(), path + " dev");
                assertEquals(Long.parseLong(f[1]), s.ino(), path + " ino");
                assertEquals(Integer.parseInt(f[2], 16), s.mode(), path + " mode");
                assertEquals(Long.parseLong(f[3]), s.nlink(), path + " nlink");
                assertEquals(Integer.parseInt(f[4]), s.uid());
                assertEquals(Integer.parseInt(f[5]), s.gid());
                assertEquals(Long.parseLong(f[6], 16), StatInfo.major(s.rdev()));
                assertEquals(Long.parseLong(f[7], 16), StatInfo.minor(s.rdev()));
                assertEquals(Long.parseLong(f[8]), s.size(), path + " size");
                assertEquals(f[9], time(s.atimeSec(), s.atimeNsec()), path + " atime");
                assertEquals(f[10], time(s.mtimeSec(), s.mtimeNsec()), path + " mtime");
                assertEquals(f[11], time(s.ctimeSec(), s.ctimeNsec()), path + " ctime");
            }
        }
        // lstat of a symlink vs stat through it
        StatInfo l = g.stat(g.resolve("/", "/bin/sh", GuestRoot.NOFOLLOW));
        assertEquals(FileType.SYMLINK, l.type());
        assertEquals(4, l.size());    // "prog"
        assertEquals(Long.parseLong(stat1(fx.root.resolve("bin/sh"))[1]), l.ino());
        StatInfo t = g.stat(g.resolve("/", "/bin/sh", 0));
        assertEquals(FileType.REGULAR, t.type());
        assertEquals(04751, t.permissions());
        assertEquals(5000, t.size());
        assertEquals(16, t.blocks());   // estimate: whole 4 KiB blocks in 512-byte units
    }

    @Test
    void listingHasInodesAndTypes() throws Exception {
        assumeTrue(new ProcessBuilder("mkfifo", fx.root.resolve("tmp/fifo").toString()).start().waitFor() == 0);
        Files.createDirectory(fx.root.resolve("tmp/sub"));
        Files.writeString(fx.root.resolve("tmp/file"), "");
        Files.createSymbolicLink(fx.root.resolve("tmp/link"), Path.of("nowhere"));
        Map<String, DirEntry> got = new TreeMap<>();
        for (DirEntry e : g.list(g.resolve("/", "/tmp", 0))) assertNull(got.put(e.name(), e));
        assertEquals(List.of(".", "..", "fifo", "file", "link", "sub"), List.copyOf(got.keySet()));
        assertEquals(FileType.FIFO.dtype(), got.get("fifo").dtype());
        assertEquals(8, got.get("file").dtype());
        assertEquals(10, got.get("link").dtype());
        assertEquals(4, got.get("sub").dtype());
        for (String n : List.of("fifo", "file", "link", "sub"))
            assertEquals(Long.parseLong(stat1(fx.root.resolve("tmp").resolve(n))[1]), got.get(n).ino(), n);
        assertEquals(Long.parseLong(stat1(fx.root.resolve("tmp"))[1]), got.get(".").ino());
        assertEquals(Long.parseLong(stat1(fx.root)[1]), got.get("..").ino());
        // the root: ".." is the root itself, and /proc, /dev are listed (virtual)
        Map<String, DirEntry> top = new HashMap<>();
        for (DirEntry e : g.list(g.resolve("/", "/", 0))) top.put(e.name(), e);
        assertEquals(top.get(".").ino(), top.get("..").ino());
        assertTrue(top.containsKey("proc") && top.containsKey("dev") && top.containsKey("bin"));
        assertEquals(Errno.ENOTDIR, errnoOf(() -> g.list(g.resolve("/", "/bin/prog", 0))));
    }

    @Test
    void createWriteReadWithExactModes() throws Exception {
        Resolved r = g.resolve("/tmp", "new.txt", 0);
        assertEquals(Resolved.Kind.MISSING, r.kind());
        assertEquals("/tmp/new.txt", r.guestPath());
        try (FileChannel ch = g.open(r, false, true, true, true, false, false, 0640)) {
            ch.write(ByteBuffer.wrap("hello".getBytes()));
        }
        Resolved now = g.resolve("/", "/tmp/new.txt", 0);
        assertEquals(0640, g.stat(now).permissions());
        assertEquals(Errno.EEXIST, errnoOf(() -> g.open(now, false, true, true, true, false, false, 0640)));
        try (FileChannel ch = g.open(now, true, false, false, false, false, false, 0)) {
            ByteBuffer b = ByteBuffer.allocate(10);
            ch.read(b);
            assertEquals("hello", new String(b.array(), 0, b.position()));
        }
        try (FileChannel ch = g.open(now, false, true, false, false, false, true, 0)) {
            ch.write(ByteBuffer.wrap("!".getBytes()));
        }
        assertEquals("hello!", Files.readString(fx.root.resolve("tmp/new.txt")));
        assertEquals(Errno.EISDIR, errnoOf(() -> g.open(g.resolve("/", "/tmp", 0), true, false, false, false, false, false, 0)));
        assertEquals(Errno.EISDIR, errnoOf(() -> g.open(g.resolve("/", "/tmp/newdir/", 0), false, true, true, false, false, false, 0644)));
        assertEquals(Errno.ENOENT, errnoOf(() -> g.open(g.resolve("/", "/tmp/none", 0), true, false, false, false, false, false, 0)));
        // O_NOFOLLOW on a symlink
        assertEquals(Errno.ELOOP, errnoOf(() -> g.open(g.resolve("/", "/bin/sh", GuestRoot.NOFOLLOW), true, false, false, false, false, false, 0)));
    }

    @Test
    void mutations() throws Exception {
        g.mkdir("/", "/tmp/d", 0750);
        assertEquals(0750, g.stat(g.resolve("/", "/tmp/d", 0)).permissions());
        assertEquals(Errno.EEXIST, errnoOf(() -> g.mkdir("/", "/tmp/d", 0750)));
        assertEquals(Errno.EEXIST, errnoOf(() -> g.mkdir("/", "/bin/sh", 0750)));   // even a symlink
        assertEquals(Errno.ENOENT, errnoOf(() -> g.mkdir("/", "/tmp/x/y", 0750)));
        g.mkdir("/tmp", "d2/", 0700);                                                  // trailing slash is fine for mkdir
        Files.writeString(fx.root.resolve("tmp/d/f"), "data");
        assertEquals(Errno.ENOTEMPTY, errnoOf(() -> g.rmdir("/", "/tmp/d")));
        assertEquals(Errno.ENOTDIR, errnoOf(() -> g.rmdir("/", "/tmp/d/f")));
        assertEquals(Errno.EINVAL, errnoOf(() -> g.rmdir("/", "/tmp/d2/.")));
        assertEquals(Errno.EISDIR, errnoOf(() -> g.unlink("/", "/tmp/d")));
        g.link("/", "/tmp/d/f", "/", "/tmp/hard", false);
        assertEquals(2, g.stat(g.resolve("/", "/tmp/hard", 0)).nlink());
        g.rename("/", "/tmp/hard", "/tmp", "renamed");
        assertEquals("data", Files.readString(fx.root.resolve("tmp/renamed")));
        Files.writeString(fx.root.resolve("tmp/victim"), "old");
        g.rename("/", "/tmp/renamed", "/", "/tmp/victim");                            // replaces
        assertEquals("data", Files.readString(fx.root.resolve("tmp/victim")));
        assertEquals(Errno.EINVAL, errnoOf(() -> g.rename("/", "/tmp/d", "/", "/tmp/d/inside")));
        assertEquals(Errno.EISDIR, errnoOf(() -> g.rename("/", "/tmp/victim", "/", "/tmp/d2")));
        assertEquals(Errno.ENOTEMPTY, errnoOf(() -> g.rename("/", "/tmp/d2", "/", "/tmp/d")));
        g.symlink("../bin/prog", "/tmp", "lnk");
        assertEquals("../bin/prog", g.readlink(g.resolve("/", "/tmp/lnk", GuestRoot.NOFOLLOW)));
        assertEquals("/bin/prog", g.resolve("/", "/tmp/lnk", 0).guestPath());
        assertEquals(Errno.EINVAL, errnoOf(() -> g.readlink(g.resolve("/", "/tmp/lnk", 0))));
        g.unlink("/", "/tmp/lnk");
        assertTrue(Files.exists(fx.root.resolve("bin/prog")));
        Resolved v = g.resolve("/", "/tmp/victim", 0);
        g.chmod(v, 0600);
        assertEquals(0600, g.stat(v).permissions());
        g.truncate(v, 2);
        assertEquals("da", Files.readString(fx.root.resolve("tmp/victim")));
        g.truncate(v, 6);
        assertArrayEquals(new byte[]{'d', 'a', 0, 0, 0, 0}, Files.readAllBytes(fx.root.resolve("tmp/victim")));
        g.setTimes(v, java.time.Instant.ofEpochSecond(1000, 5), java.time.Instant.ofEpochSecond(2000, 123456789));
        StatInfo s = g.stat(v);
        assertEquals(2000, s.mtimeSec());
        assertEquals(123456789, s.mtimeNsec());
        assertEquals(1000, s.atimeSec());
        g.unlink("/", "/tmp/d/f");
        g.rmdir("/", "/tmp/d");
        assertFalse(Files.exists(fx.root.resolve("tmp/d")));
    }

    @Test
    void virtualDevicesAndProc() throws Exception {
        fx.proc.cwd = "/tmp";
        fx.proc.fds.put(3, "/bin/prog");
        Resolved nul = g.resolve("/", "/dev/null", 0);
        StatInfo ns = g.stat(nul);
        assertEquals(FileType.CHAR_DEVICE, ns.type());
        assertEquals(StatInfo.encodeDev(1, 3), ns.rdev());
        assertEquals(0666, ns.permissions());
        try (VirtualFile.Handle h = nul.virtual().open(true, true)) {
            assertEquals(0, h.read(0, ByteBuffer.allocate(10)));
            assertEquals(4, h.write(0, ByteBuffer.wrap(new byte[4])));
        }
        try (VirtualFile.Handle h = g.resolve("/", "/dev/zero", 0).virtual().open(true, false)) {
            ByteBuffer b = ByteBuffer.allocate(16);
            b.put(0, (byte) 1);
            assertEquals(16, h.read(0, b));
            assertArrayEquals(new byte[16], b.array());
        }
        try (VirtualFile.Handle h = g.resolve("/", "/dev/urandom", 0).virtual().open(true, false)) {
            ByteBuffer b = ByteBuffer.allocate(64);
            h.read(0, b);
            assertFalse(java.util.Arrays.equals(new byte[64], b.array()));
        }
        try (VirtualFile.Handle h = g.resolve("/", "/dev/full", 0).virtual().open(false, true)) {
            assertEquals(Errno.ENOSPC, errnoOf(() -> h.write(0, ByteBuffer.allocate(1))));
        }
        assertEquals(FileType.CHAR_DEVICE, g.resolve("/", "/dev/tty", 0).type());
        GuestRoot noTty = fx.guestRoot(false);
        assertFalse(noTty.resolve("/", "/dev/tty", 0).exists());
        assertEquals(Errno.ENOTDIR, errnoOf(() -> g.resolve("/", "/dev/stdin/../x", 0)));   // stdin is a pipe
        assertEquals("/bin/prog", g.resolve("/", "/dev/fd/3", 0).guestPath());

        assertEquals("/bin/prog", g.readlink(g.resolve("/", "/proc/self/exe", GuestRoot.NOFOLLOW)));
        assertEquals("/bin/prog", g.resolve("/", "/proc/self/exe", 0).guestPath());
        assertEquals("/tmp", g.resolve("/", "/proc/self/cwd", 0).guestPath());
        assertEquals("4242", g.readlink(g.resolve("/", "/proc/self", GuestRoot.NOFOLLOW)));
        assertEquals("/proc/4242/maps", g.resolve("/", "/proc/self/maps", 0).guestPath());
        assertEquals(fx.proc.maps, text(g.resolve("/", "/proc/self/maps", 0)));
        List<String> fds = g.list(g.resolve("/", "/proc/self/fd", 0)).stream().map(DirEntry::name).toList();
        assertEquals(List.of(".", "..", "0", "1", "2", "3"), fds);
        List<String> proc = g.list(g.resolve("/", "/proc", 0)).stream().map(DirEntry::name).toList();
        assertTrue(proc.containsAll(List.of("self", "cpuinfo", "meminfo", "4242")), proc.toString());
        String cpuinfo = text(g.resolve("/", "/proc/cpuinfo", 0));
        assertEquals(2, cpuinfo.lines().filter(l -> l.startsWith("processor\t: ")).count());
        assertTrue(cpuinfo.contains("model name\t: abiscope virtual CPU"));
        assertTrue(cpuinfo.contains(" sse2 ") && cpuinfo.contains(" lm"));
        String meminfo = text(g.resolve("/", "/proc/meminfo", 0));
        assertTrue(meminfo.startsWith("MemTotal:        1048576 kB\nMemFree:"), meminfo);
        assertEquals(Errno.EACCES, errnoOf(() -> g.resolve("/", "/proc/cpuinfo", 0).virtual().open(false, true)));
        assertEquals(Errno.EISDIR, errnoOf(() -> g.resolve("/", "/proc", 0).virtual().open(true, false)));
    }

    static String text(Resolved r) throws Exception {
        try (VirtualFile.Handle h = r.virtual().open(true, false)) {
            ByteBuffer b = ByteBuffer.allocate(1 << 16);
            long pos = 0;
            int n;
            while ((n = h.read(pos, b)) > 0) pos += n;
            return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
        }
    }
}
