package emulator.linuxuser.fs;

import emulator.linuxuser.abi.Errno;
import emulator.linuxuser.abi.ErrnoException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Attacks on the guest root, written as a guest would try them. After every test nothing outside
 * the root may have been read into the guest, created, or changed (sentinels' content, size,
 * mode, mtime, ctime, link count are compared).
 */
class SandboxEscapeTest {
    @TempDir Path tmp;
    FsFixture fx;
    GuestRoot g;
    String secretHostPath;

    @BeforeEach
    void setUp() throws Exception {
        fx = new FsFixture(tmp);
        g = fx.guestRoot(false);
        secretHostPath = fx.secret.toString();
        Files.createDirectories(fx.root.resolve("etc"));
        Files.writeString(fx.root.resolve("etc/passwd"), "root:x:0:0:guest:/root:/bin/sh\n");
        Files.createDirectories(fx.root.resolve("home/user"));
        Files.createDirectories(fx.root.resolve("d"));
        Files.writeString(fx.root.resolve("d/f"), "guest file");
    }

    @AfterEach
    void nothingOutsideChanged() throws Exception {
        assertEquals(fx.before, fx.snapshot(), "the host outside the root changed");
        try (var s = Files.list(fx.top)) {
            assertEquals(List.of("outside", "root"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    static Errno errnoOf(Executable e) {
        return assertThrows(ErrnoException.class, e).errno();
    }

    String read(Resolved r) throws Exception {
        try (FileChannel ch = g.open(r, true, false, false, false, false, false, 0)) {
            ByteBuffer b = ByteBuffer.allocate(4096);
            ch.read(b);
            return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
        }
    }

    void assertInsideRoot(Resolved r) {
        if (r.hostPath() != null) assertTrue(r.hostPath().startsWith(fx.root), r.toString());
    }

    @Test
    void dotDotChainsStayAtTheRoot() throws Exception {
        assertEquals("/home", g.resolve("/home/user", "..", 0).guestPath());
        for (String p : List.of("/../../..", "/..", "../../../..", "a/../../..", "/home/user/../../../../..",
                "/proc/../..", "/dev/../../..", "//..//..//", "/./../.")) {
            Resolved r = p.startsWith("a/") ? null : g.resolve("/home/user", p, 0);
            if (r != null) {
                assertEquals("/", r.guestPath(), p);
                assertEquals(fx.root, r.hostPath(), p);
            }
        }
        assertEquals(Errno.ENOENT, errnoOf(() -> g.resolve("/", "a/../../..", 0)));   // a does not exist
        Files.createDirectory(fx.root.resolve("a"));
        assertEquals("/", g.resolve("/", "a/../../..", 0).guestPath());
        assertEquals("guest file", read(g.resolve("/", "/../../../../d/f", 0)));
        assertEquals(Errno.ENOENT, errnoOf(() -> g.resolve("/", "/../outside/secret", 0)));
        String rel = "../".repeat(30) + fx.secret.toString().substring(1);
        assertEquals(Errno.ENOENT, errnoOf(() -> g.resolve("/home/user", rel, 0)));
        assertEquals(Errno.ENOENT, errnoOf(() -> g.resolve("/", secretHostPath, 0)));
    }

    @Test
    void absoluteSymlinksAreRelativeToTheGuestRoot() throws Exception {
        Files.createSymbolicLink(fx.root.resolve("pw"), Path.of("/etc/passwd"));
        Resolved r = g.resolve("/", "/pw", 0);
        assertEquals("/etc/passwd", r.guestPath());
        assertInsideRoot(r);
        assertTrue(read(r).contains(":guest:"), "must read the guest's /etc/passwd, not the host's");

        Files.createSymbolicLink(fx.root.resolve("sec"), fx.secret);        // absolute host path
        assertEquals(Errno.ENOENT, errnoOf(() -> g.resolve("/", "/sec", 0)));
        Files.createSymbolicLink(fx.root.resolve("etcdir"), Path.of("/etc"));
        assertEquals("/etc/passwd", g.resolve("/", "/etcdir/passwd", 0).guestPath());
        Resolved shadow = g.resolve("/", "/etcdir/shadow", 0);
        assertEquals(Resolved.Kind.MISSING, shadow.kind());
        assertEquals(fx.root.resolve("etc/shadow"), shadow.hostPath());
    }

    @Test
    void relativeSymlinksClampAtTheRoot() throws Exception {
        Files.createSymbolicLink(fx.root.resolve("d/up"), Path.of("../../../../../etc"));
        Resolved r = g.resolve("/", "/d/up/passwd", 0);
        assertEquals("/etc/passwd", r.guestPath());
        assertInsideRoot(r);
        Files.createSymbolicLink(fx.root.resolve("d/out"), Path.of("../../outside/secret"));
        assertEquals(Errno.ENOENT, errnoOf(() -> g.resolve("/", "/d/out", 0)));
        // the link itself can be seen (lstat) but not followed out
        Resolved l = g.resolve("/", "/d/out", GuestRoot.NOFOLLOW);
        assertEquals(FileType.SYMLINK, l.type());
        assertEquals("../../outside/secret", g.readlink(l));
    }

    @Test
    void chainsLoopsAndTheFortyLinkLimit() throws Exception {
        Files.createSymbolicLink(fx.root.resolve("l1"), Path.of("l2"));
        Files.createSymbolicLink(fx.root.resolve("l2"), Path.of("/d/l3"));
        Files.createSymbolicLink(fx.root.resolve("d/l3"), Path.of("../../../.."));
        assertEquals("/", g.resolve("/", "/l1", 0).guestPath());
        assertEquals("/etc/passwd", g.resolve("/", "/l1/etc/passwd", 0).guestPath());

        Files.createSymbolicLink(fx.root.resolve("loopa"), Path.of("loopb"));
        Files.createSymbolicLink(fx.root.resolve("loopb"), Path.of("/loopa"));
        Files.createSymbolicLink(fx.root.resolve("self"), Path.of("self"));
        assertEquals(Errno.ELOOP, errnoOf(() -> g.resolve("/", "/loopa", 0)));
        assertEquals(Errno.ELOOP, errnoOf(() -> g.resolve("/", "/self/x", 0)));
        assertEquals(FileType.SYMLINK, g.resolve("/", "/self", GuestRoot.NOFOLLOW).type());

        // n0 -> n1 -> ... -> n{k-1} -> d/f : k links
        for (int i = 0; i < 41; i++)
            Files.createSymbolicLink(fx.root.resolve("n" + i), Path.of(i == 40 ? "/d/f" : "n" + (i + 1)));
        assertEquals("/d/f", g.resolve("/", "/n1", 0).guestPath());        // 40 links: allowed
        assertEquals(Errno.ELOOP, errnoOf(() -> g.resolve("/", "/n0", 0))); // 41 links
    }

    @Test
    void symlinkToASymlinkPointingOutside() throws Exception {
        Files.createSymbolicLink(fx.root.resolve("hop2"), fx.outside);
        Files.createSymbolicLink(fx.root.resolve("hop1"), Path.of("/hop2"));
        assertEquals(Errno.ENOENT, errnoOf(() -> g.resolve("/", "/hop1/secret", 0)));
        assertEquals(Errno.ENOENT, errnoOf(() -> g.resolve("/", "/hop1/dir/sentinel", 0)));
        assertEquals(Errno.ENOENT, errnoOf(() -> g.mkdir("/", "/hop1/newdir", 0755)));
        assertEquals(Errno.ENOENT, errnoOf(() -> g.unlink("/", "/hop1/secret")));
        assertEquals(Errno.ENOENT, errnoOf(() -> g.resolve("/", "/hop1/dir/../secret", 0)));
    }

    @Test
    void guestCreatedSymlinksPointingOutside() throws Exception {
        g.symlink(secretHostPath, "/", "/evil");
        g.symlink("../../../../../../../../" + secretHostPath, "/", "/evil2");
        g.symlink(fx.outside.toString(), "/", "/evildir");
        g.symlink("/proc/self/cwd/../../../../" + secretHostPath, "/", "/evil3");
        assertEquals(Errno.ENOENT, errnoOf(() -> g.resolve("/", "/evil", 0)));
        assertEquals(Errno.ENOENT, errnoOf(() -> g.resolve("/", "/evil2", 0)));
        assertEquals(Errno.ENOENT, errnoOf(() -> g.resolve("/", "/evil3", 0)));
        assertEquals(Errno.ENOENT, errnoOf(() -> g.resolve("/", "/evildir/dir/sentinel", 0)));
        // creating through a dangling link lands inside the root
        g.symlink("/created-by-guest", "/", "/dangling");
        Resolved r = g.resolve("/", "/dangling", 0);
        assertEquals(Resolved.Kind.MISSING, r.kind());
        g.open(r, false, true, true, false, false, false, 0644).close();
        assertTrue(Files.exists(fx.root.resolve("created-by-guest")));
        g.symlink(fx.outside.resolve("created").toString(), "/", "/dangling-out");
        assertEquals(Errno.ENOENT, errnoOf(() -> g.resolve("/", "/dangling-out", 0)));
        // links to directories outside cannot be listed through
        assertEquals(Errno.ENOENT, errnoOf(() -> g.list(g.resolve("/", "/evildir", 0))));
    }

    @Test
    void renameAndLinkTargetsCannotLeave() throws Exception {
        Files.createSymbolicLink(fx.root.resolve("esc"), fx.outside);
        Files.createSymbolicLink(fx.root.resolve("esc2"), Path.of("../outside"));
        for (String target : List.of("/esc/stolen", "/esc2/stolen", "/../outside/stolen", "../../outside/dir/stolen",
                secretHostPath, fx.outside.resolve("dir/sentinel").toString())) {
            assertEquals(Errno.ENOENT, errnoOf(() -> g.rename("/", "/d/f", "/home/user", target)), target);
            assertEquals(Errno.ENOENT, errnoOf(() -> g.link("/", "/d/f", "/home/user", target, false)), target);
            assertEquals(Errno.ENOENT, errnoOf(() -> g.symlink("/d/f", "/home/user", target)), target);
            assertEquals(Errno.ENOENT, errnoOf(() -> g.mkdir("/home/user", target, 0777)), target);
        }
        for (String source : List.of("/esc/secret", "/esc2/secret", "/../../outside/secret", secretHostPath)) {
            assertEquals(Errno.ENOENT, errnoOf(() -> g.rename("/", source, "/", "/got")), source);
            assertEquals(Errno.ENOENT, errnoOf(() -> g.link("/", source, "/", "/got", true)), source);
            assertEquals(Errno.ENOENT, errnoOf(() -> g.unlink("/", source)), source);
        }
        // renaming the link itself is fine and stays a link inside the root
        g.rename("/", "/esc", "/", "/esc-renamed");
        assertTrue(Files.isSymbolicLink(fx.root.resolve("esc-renamed")));
        // hard link of a symlink (no follow) links the symlink, still harmless
        g.link("/", "/esc-renamed", "/", "/esc-hard", false);
        assertEquals(Errno.ENOENT, errnoOf(() -> g.resolve("/", "/esc-hard/secret", 0)));
        assertEquals(Errno.EBUSY, errnoOf(() -> g.rename("/", "/", "/", "/x")));
        assertEquals(Errno.EBUSY, errnoOf(() -> g.rmdir("/", "/")));
        assertEquals(Errno.EXDEV, errnoOf(() -> g.rename("/", "/d/f", "/", "/proc/x")));
    }

    @Test
    void procSelfLinksResolveInsideTheSandbox() throws Exception {
        fx.proc.cwd = "/home/user";
        fx.proc.fds.put(3, "/etc/passwd");
        fx.proc.fds.put(4, secretHostPath);                  // a confused process model
        fx.proc.fds.put(5, "/d");
        assertEquals("/home/user", g.resolve("/", "/proc/self/cwd", 0).guestPath());
        assertInsideRoot(g.resolve("/", "/proc/self/cwd/../..", 0));
        assertEquals("/", g.resolve("/", "/proc/self/cwd/../../../../..", 0).guestPath());
        assertEquals("/", g.resolve("/", "/proc/self/root", 0).guestPath());
        assertEquals("/", g.resolve("/", "/proc/4242/root/..", 0).guestPath());
        assertTrue(read(g.resolve("/", "/proc/self/fd/3", 0)).contains(":guest:"));
        assertTrue(read(g.resolve("/", "/dev/fd/3", 0)).contains(":guest:"));
        assertEquals(Errno.ENOENT, errnoOf(() -> g.resolve("/", "/proc/self/fd/4", 0)));
        assertEquals("guest file", read(g.resolve("/", "/proc/self/fd/5/f", 0)));
        Resolved pipe = g.resolve("/", "/proc/self/fd/0", 0);
        assertEquals(Resolved.Kind.FD_LINK, pipe.kind());
        assertEquals(0, pipe.fd().getAsInt());
        assertEquals(Errno.ENOTDIR, errnoOf(() -> g.resolve("/", "/proc/self/fd/0/x", 0)));
        assertFalse(g.resolve("/", "/proc/self/fd/9", 0).exists());
        assertEquals(Errno.ENOENT, errnoOf(() -> g.resolveExisting("/", "/proc/self/fd/9", 0)));
        assertEquals(Errno.ENOENT, errnoOf(() -> g.resolve("/", "/proc/1/root", 0)));   // other processes do not exist
        assertEquals("pipe:[77]", g.readlink(g.resolve("/", "/proc/self/fd/0", GuestRoot.NOFOLLOW)));
        fx.proc.exe = "/../../.." + secretHostPath;
        assertEquals(Errno.ENOENT, errnoOf(() -> g.resolve("/", "/proc/self/exe", 0)));
        // the virtual trees cannot be written
        assertEquals(Errno.EPERM, errnoOf(() -> g.unlink("/", "/proc/self/fd/3")));
        assertEquals(Errno.EPERM, errnoOf(() -> g.mkdir("/", "/proc/newdir", 0755)));
        Resolved inProc = g.resolve("/", "/proc/newfile", 0);
        assertTrue(inProc.isVirtual() && !inProc.exists() && inProc.hostPath() == null && inProc.virtual() == null);
        assertEquals(Errno.ENOENT, errnoOf(() -> g.open(inProc, false, true, true, false, false, false, 0644)));
        assertEquals(Errno.EPERM, errnoOf(() -> g.symlink("/x", "/", "/dev/null")));
    }

    @Test
    void swappedDirectoryIsDetectedBeforeTheHostOperation() throws Exception {
        Resolved r = g.resolve("/", "/d/f", 0);
        Resolved dir = g.resolve("/", "/d", 0);
        // the attacker swaps /d for a link to the outside folder, which has a file of the same name
        Files.writeString(fx.root.resolve("d/secret"), "x");
        Files.move(fx.root.resolve("d"), fx.root.resolve("d.old"));
        Files.createSymbolicLink(fx.root.resolve("d"), fx.outside);
        Resolved stale = new Resolved(Resolved.Kind.HOST, List.of("d"), "secret", fx.root.resolve("d/secret"), null,
                FileType.REGULAR, false, -1);
        assertEquals(Errno.EACCES, errnoOf(() -> read(stale)));
        assertEquals(Errno.EACCES, errnoOf(() -> g.stat(stale)));
        assertEquals(Errno.EACCES, errnoOf(() -> g.chmod(stale, 0777)));
        assertEquals(Errno.EACCES, errnoOf(() -> g.truncate(stale, 0)));
        assertEquals(Errno.EACCES, errnoOf(() -> g.setTimes(stale, java.time.Instant.EPOCH, java.time.Instant.EPOCH)));
        assertEquals(Errno.EACCES, errnoOf(() -> g.open(r, false, true, false, false, true, false, 0)));
        // listing a stale directory result: /d is now a symlink, never listed
        Resolved staleDir = new Resolved(Resolved.Kind.HOST, List.of(), "d", fx.root.resolve("d"), null, FileType.DIRECTORY, false, -1);
        assertEquals(Errno.EACCES, errnoOf(() -> g.list(new Resolved(Resolved.Kind.HOST, List.of("d"), "dir",
                fx.root.resolve("d/dir"), null, FileType.DIRECTORY, false, -1))));
        assertNotNull(dir);
        // a fresh resolution follows the link by guest rules: the host's outside/ is not there
        assertEquals(Errno.ENOENT, errnoOf(() -> g.resolve("/", "/d/secret", 0)));
        assertNotNull(staleDir);
    }

    @Test
    void finalComponentSwappedForASymlinkIsNotFollowed() throws Exception {
        Resolved r = g.resolve("/", "/d/f", 0);
        Files.delete(fx.root.resolve("d/f"));
        Files.createSymbolicLink(fx.root.resolve("d/f"), fx.secret);
        assertEquals(Errno.ELOOP, errnoOf(() -> read(r)));               // O_NOFOLLOW on the host
        assertEquals(Errno.ELOOP, errnoOf(() -> g.truncate(r, 0)));
        assertNotEquals(0, Files.size(fx.secret));
    }

    @Test
    void namesAndLengths() throws Exception {
        assertEquals(Errno.EINVAL, errnoOf(() -> g.resolve("/", "/etc\0/../../outside", 0)));
        assertEquals(Errno.ENOENT, errnoOf(() -> g.resolve("/", "", 0)));
        String p4095 = "/" + "a/".repeat(2047);          // 1 + 4094 = 4095 bytes
        assertEquals(4095, p4095.length());
        assertEquals(Errno.ENOENT, errnoOf(() -> g.resolve("/", p4095, 0)));
        assertEquals(Errno.ENAMETOOLONG, errnoOf(() -> g.resolve("/", p4095 + "b", 0)));
        assertEquals(Errno.ENAMETOOLONG, errnoOf(() -> g.resolve("/", "/" + "é".repeat(2048), 0))); // bytes, not chars
        assertEquals(Errno.ENAMETOOLONG, errnoOf(() -> g.resolve("/", "/" + "x".repeat(256), 0)));
        assertEquals(Resolved.Kind.MISSING, g.resolve("/", "/" + "x".repeat(255), 0).kind());
        assertEquals(Errno.ENOTDIR, errnoOf(() -> g.resolve("/", "/etc/passwd/x", 0)));
        assertEquals(Errno.ENOTDIR, errnoOf(() -> g.resolve("/", "/etc/passwd/", 0)));
        assertEquals(Errno.ENOTDIR, errnoOf(() -> g.resolve("/", "/etc/passwd/.", 0)));
        assertEquals(Errno.ENOTDIR, errnoOf(() -> g.resolve("/", "/etc/passwd", GuestRoot.DIRECTORY)));
        assertEquals(Errno.ENOENT, errnoOf(() -> g.resolve("/", "/nope/x", 0)));
        assertEquals(Errno.ENAMETOOLONG, errnoOf(() -> g.symlink("x".repeat(4096), "/", "/l")));
        // a long symlink target chain cannot smuggle a long path past the check: each is resolved anew
        assertEquals(Resolved.Kind.MISSING, g.resolve("/", "/new", 0).kind());
    }

    @Test
    void hostSpecialFilesAreNeverOpened() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                new ProcessBuilder("mkfifo", fx.root.resolve("fifo").toString()).start().waitFor() == 0, "mkfifo");
        Resolved r = g.resolve("/", "/fifo", 0);
        assertEquals(FileType.FIFO, r.type());
        assertEquals(Errno.EACCES, errnoOf(() -> g.open(r, true, false, false, false, false, false, 0)));
        assertEquals(FileType.FIFO, g.stat(r).type());
        // a host /dev or /proc folder inside the root is shadowed by the virtual ones
        Files.createDirectories(fx.root.resolve("dev"));
        Files.writeString(fx.root.resolve("dev/null"), "not the device");
        assertEquals(Resolved.Kind.VIRTUAL, g.resolve("/", "/dev/null", 0).kind());
        assertEquals(FileType.CHAR_DEVICE, g.resolve("/", "/dev/null", 0).type());
    }
}
