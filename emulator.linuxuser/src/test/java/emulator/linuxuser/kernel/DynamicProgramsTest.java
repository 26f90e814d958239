package emulator.linuxuser.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Dynamically linked programs: a guest root made from Debian's libc6 and coreutils packages
 * (scripts/make-debian-root.sh) runs every line of {@code dynamic/commands.txt} natively
 * ({@code chroot ROOT PROGRAM ARGS…}) and under abiscope with ROOT as "/", and stdout, stderr and
 * the exit status must be identical. The program's PT_INTERP (ld-linux) comes from the root, and
 * so do libc and every library it maps. Also: a program whose interpreter is missing fails as a
 * shell reports it (one line, exit 127).
 */
class DynamicProgramsTest {
    static final Map<String, String> ENV = Map.of("PATH", "/bin:/usr/bin", "LC_ALL", "C");
    static final byte[] STDIN = "banana\napple\ncherry\napple\n".getBytes(StandardCharsets.UTF_8);
    static final FileTime FIXED = FileTime.fromMillis(1_600_000_000_000L);

    /**
     * "arch" → why that architecture cannot pass yet; its lines are run and reported, not asserted,
     * as long as the emulator's stderr shows that reason.
     */
    static final Map<String, String> KNOWN_FAILING = Map.of();

    /** The root for {@code arch}, built (or reused from the cache) by the script; skipped if apt cannot provide it. */
    static Path root(String arch) throws Exception {
        var r = LinuxUserRunnerTest.host(LinuxUserRunnerTest.MODULE, List.of("sh", "scripts/make-debian-root.sh", arch),
                System.getenv(), new byte[0]);
        Path root = Path.of(r.out().strip().isEmpty() ? "/nonexistent" : r.out().strip());
        assumeTrue(r.exit() == 0 && Files.isDirectory(root.resolve("usr/bin")),
                "Debian root for " + arch + " unavailable: " + r.err());
        writeData(root);
        return root;
    }

    /** /data inside the root: fixed contents, permissions and times, so both runs list the same thing. */
    static void writeData(Path root) throws IOException {
        Path data = root.resolve("data");
        BusyboxSuiteTest.deleteTree(data);
        Files.createDirectories(data.resolve("sub"));
        Files.writeString(data.resolve("a.txt"), "line one\nline two\nthird line\nneedle here\nlast\n");
        Files.writeString(data.resolve("b.txt"), "The quick brown fox jumps over the lazy dog\n");
        Files.writeString(data.resolve("nums.txt"), "10\n2.5\n-3\n100\n42\n7.25\n");
        Files.writeString(data.resolve("words.txt"), "pear\napple\nfig\napple\nzucchini\nfig\n");
        Files.writeString(data.resolve("colon.txt"), "k1:v2:x\nk2:v1:y\nk3:v2:z\n");
        Files.writeString(data.resolve("sub/deep.txt"), "deep\n");
        for (Path p : List.of(data.resolve("sub/deep.txt"), data.resolve("sub"), data.resolve("a.txt"), data.resolve("b.txt"),
                data.resolve("nums.txt"), data.resolve("words.txt"), data.resolve("colon.txt"), data, root)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            Files.setLastModifiedTime(p, FIXED);
        }
    }

    static List<List<String>> commands() throws IOException {
        try (InputStream in = DynamicProgramsTest.class.getResourceAsStream("/dynamic/commands.txt")) {
            List<List<String>> l = new ArrayList<>();
            for (String s : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"))
                if (!s.isBlank() && !s.startsWith("#")) l.add(split(s));
            return l;
        }
    }

    /** Splits on blanks; '…' quotes (no escapes), as the data file's comment says. */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = null;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'') { quoted = !quoted; if (cur == null) cur = new StringBuilder(); continue; }
            if (c == ' ' && !quoted) { if (cur != null) out.add(cur.toString()); cur = null; continue; }
            if (cur == null) cur = new StringBuilder();
            cur.append(c);
        }
        if (cur != null) out.add(cur.toString());
        return out;
    }

    static LinuxUserRunnerTest.Result nativeRun(Path root, List<String> argv) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (!BusyboxSuiteTest.isRoot()) cmd.addAll(List.of("unshare", "-r"));
        cmd.addAll(List.of("/usr/bin/env", "--default-signal")); // default dispositions, as the emulated process starts
        cmd.add("/usr/sbin/chroot");
        cmd.add(root.toString());
        cmd.addAll(argv);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile());
        pb.environment().clear();
        pb.environment().putAll(ENV);
        Process p = pb.start();
        Thread in = Thread.ofVirtual().start(() -> {
            try (var o = p.getOutputStream()) { o.write(STDIN); } catch (IOException ignored) { } // a program may not read it
        });
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        Thread t = Thread.ofVirtual().start(() -> {
            try (InputStream e = p.getErrorStream()) { e.transferTo(err); } catch (IOException ignored) { }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "native run timed out: " + cmd);
        t.join();
        in.join();
        return new LinuxUserRunnerTest.Result(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
    }

    private void suite(String arch) throws Exception {
        Path root = root(arch);
        String known = KNOWN_FAILING.get(arch);
        List<String> failures = new ArrayList<>();
        int passed = 0, n = 0, knownFailing = 0;
        for (List<String> argv : commands()) {
            n++;
            var nat = nativeRun(root, argv);
            var emu = LinuxUserRunnerTest.emulate(root, arch.equals("amd64") ? "x86_64" : "i386", argv, ENV, STDIN);
            List<String> diffs = new ArrayList<>();
            if (nat.exit() != emu.exit()) diffs.add("exit " + emu.exit() + " (native " + nat.exit() + ")");
            if (!nat.out().equals(emu.out())) diffs.add("stdout " + BusyboxSuiteTest.show(emu.out()) + " (native " + BusyboxSuiteTest.show(nat.out()) + ")");
            if (!nat.err().equals(emu.err())) diffs.add("stderr " + BusyboxSuiteTest.show(emu.err()) + " (native " + BusyboxSuiteTest.show(nat.err()) + ")");
            if (diffs.isEmpty()) passed++;
            else if (known != null && emu.err().contains(known)) knownFailing++;
            else failures.add(arch + ": " + String.join(" ", argv) + "\n    " + String.join("\n    ", diffs));
        }
        System.out.println("dynamic programs " + arch + ": " + passed + " of " + n + " command lines identical to native"
                + (knownFailing > 0 ? ", " + knownFailing + " KNOWN FAILING [" + known + "]" : "") + ", " + failures.size() + " failing");
        failures.forEach(f -> System.out.println("FAIL " + f));
        assertEquals(List.of(), failures);
        if (known != null && knownFailing == 0) System.out.println("known failing " + arch + " [" + known + "]: NOW PASSES, remove it");
    }

    @Test void amd64() throws Exception { suite("amd64"); }

    @Test void i386() throws Exception { suite("i386"); }

    /** PT_INTERP names a file the root lacks: one line on stderr and exit 127, as a shell. */
    @Test void missingInterpreter(@TempDir Path root) throws Exception {
        Path bin = LinuxUserRunnerTest.compile("crash.c", "crash-dynamic-x86_64");
        Files.copy(bin, root.resolve("prog"));
        var r = LinuxUserRunnerTest.emulate(root, null, List.of("/prog"), Map.of(), new byte[0]);
        assertEquals(127, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("abiscope: /prog: No such file or directory"), r.err());
        assertTrue(r.err().contains("/lib64/ld-linux-x86-64.so.2"), r.err());
        // an interpreter that is not a loader: exec fails with ELIBBAD (126, one line)
        Files.createDirectories(root.resolve("lib64"));
        Files.writeString(root.resolve("lib64/ld-linux-x86-64.so.2"), "not an ELF file\n");
        var bad = LinuxUserRunnerTest.emulate(root, null, List.of("/prog"), Map.of(), new byte[0]);
        assertEquals(126, bad.exit(), bad.err());
        assertEquals(1, bad.err().lines().count(), bad.err());
        assertTrue(Files.exists(root.resolve("prog"), LinkOption.NOFOLLOW_LINKS));
    }
}
