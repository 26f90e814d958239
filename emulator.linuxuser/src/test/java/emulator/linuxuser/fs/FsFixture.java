package emulator.linuxuser.fs;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.TreeMap;

/**
 * A temp folder with {@code root/} (the guest root) beside {@code outside/} (sentinels the guest
 * must never read, create or change), and a snapshot of everything outside the root.
 */
final class FsFixture {
    final Path top, root, outside, secret;
    final Map<String, String> before;
    final TestProcess proc = new TestProcess();

    FsFixture(Path tmp) throws IOException {
        top = tmp.toRealPath();
        root = Files.createDirectory(top.resolve("root"));
        outside = Files.createDirectory(top.resolve("outside"));
        secret = Files.writeString(outside.resolve("secret"), "TOP SECRET host data\n");
        Files.createDirectory(outside.resolve("dir"));
        Files.writeString(outside.resolve("dir/sentinel"), "sentinel");
        before = snapshot();
    }

    /** Every path under top except root/, with type, size, mode, mtime and ctime. */
    Map<String, String> snapshot() throws IOException {
        Map<String, String> m = new TreeMap<>();
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
                if (d.equals(root)) return FileVisitResult.SKIP_SUBTREE;
                m.put(top.relativize(d) + "/", describe(d));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                m.put(top.relativize(f).toString(), describe(f) + " " + (a.isRegularFile() ? Files.readString(f) : ""));
                return FileVisitResult.CONTINUE;
            }
        });
        return m;
    }

    private static String describe(Path p) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,size,lastModifiedTime,ctime,nlink,lastAccessTime", LinkOption.NOFOLLOW_LINKS);
        return a.get("mode") + " " + a.get("size") + " " + a.get("lastModifiedTime") + " " + a.get("ctime") + " " + a.get("nlink");
    }

    GuestRoot guestRoot(boolean tty) throws IOException {
        return new GuestRoot(root, new VirtualFs(() -> proc, SystemInfo.defaultX86(2, 1 << 20), tty));
    }

    /** A ProcessView the tests can steer. */
    static final class TestProcess implements ProcessView {
        int pid = 4242;
        String exe = "/bin/prog", cwd = "/";
        Map<Integer, String> fds = new TreeMap<>(Map.of(0, "pipe:[77]", 1, "/dev/null", 2, "/dev/null"));
        String maps = "00400000-00401000 r--p 00000000 00:00 0 /bin/prog\n";

        @Override public int pid() { return pid; }
        @Override public String exe() { return exe; }
        @Override public String cwd() { return cwd; }
        @Override public int[] fds() { return fds.keySet().stream().mapToInt(Integer::intValue).toArray(); }
        @Override public String fdLink(int fd) { return fds.get(fd); }
        @Override public String maps() { return maps; }
    }
}
