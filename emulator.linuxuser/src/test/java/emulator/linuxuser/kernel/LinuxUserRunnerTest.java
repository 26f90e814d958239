package emulator.linuxuser.kernel;

import emulator.linuxuser.LinuxUserRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs static C programs compiled at test time (x86-64 and i386) under the emulator and natively,
 * and compares standard output and exit status; also the runner's handling of bad input.
 */
class LinuxUserRunnerTest {
    /** Guest roots and native folders (a busybox or compiled programs each): JUnit deletes them after each test. */
    @TempDir Path tmp;

    static final Path MODULE = module();
    static final Path TARGET = MODULE.resolve("target/native");

    static Path module() {
        Path p = Path.of("").toAbsolutePath();
        if (Files.isDirectory(p.resolve("scripts")) && p.endsWith("emulator.linuxuser")) return p;
        return p.resolve("emulator.linuxuser");
    }

    record Result(int exit, String out, String err) {}

    /** Cases that cannot pass yet, with the reason; each is run and its state printed, not asserted. */
    static final Map<String, String> KNOWN_FAILING = Map.of();

    /** Returns true when {@code key} is known failing (after printing whether it passes now). */
    static boolean known(String key, boolean ok, String detail) {
        if (!KNOWN_FAILING.containsKey(key)) return false;
        System.out.println("known failing: " + key + " [" + KNOWN_FAILING.get(key) + "]" + (ok ? " — NOW PASSES" : " — " + detail));
        return true;
    }

    /** Runs under the emulator with {@code root} as "/". */
    static Result emulate(Path root, String arch, List<String> argv, Map<String, String> env, byte[] stdin) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = new LinuxUserRunner().run(root, arch, argv, env, new ByteArrayInputStream(stdin), out, err);
        return new Result(rc, out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs natively in {@code dir} with exactly {@code env}. */
    static Result host(Path dir, List<String> cmd, Map<String, String> env, byte[] stdin) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        try (var o = p.getOutputStream()) { o.write(stdin); }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread t = Thread.ofVirtual().start(() -> {
            try (InputStream in = p.getErrorStream()) { in.transferTo(err); } catch (IOException ignored) { }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "native run timed out: " + cmd);
        t.join();
        return new Result(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
    }

    static boolean has(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
            if (Files.isExecutable(Path.of(dir, tool))) return true;
        return false;
    }

    static Path compile(String source, String name, String... flags) throws IOException, InterruptedException {
        assumeTrue(has("gcc"), "gcc not installed");
        Files.createDirectories(TARGET);
        Path src = MODULE.resolve("src/test/resources/native").resolve(source);
        Path out = TARGET.resolve(name);
        if (Files.exists(out) && Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(src)) > 0) return out;
        List<String> cmd = new ArrayList<>(List.of("gcc", "-O1", "-fcf-protection=none", "-o", out.toString()));
        cmd.addAll(List.of(flags));
        cmd.add(src.toString());
        Result r = host(TARGET, cmd, System.getenv(), new byte[0]);
        assumeTrue(r.exit() == 0, "gcc " + String.join(" ", flags) + " failed (multilib missing?): " + r.err());
        return out;
    }

    private void probe(String key, String arch, String... flags) throws Exception {
        Path bin = compile("abiprobe.c", "abiprobe-" + key, flags);
        Path guestRoot = Files.createTempDirectory(tmp, "abiscope-root"), nativeDir = Files.createTempDirectory(tmp, "abiscope-native");
        Files.copy(bin, guestRoot.resolve("probe"));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("FOO", "bar baz");
        Result nat = host(nativeDir, List.of(bin.toString(), "one", "two words"), env, new byte[0]);
        Result emu = emulate(guestRoot, arch, List.of("/probe", "one", "two words"), env, new byte[0]);
        if (known("probe " + key, nat.out().equals(emu.out()) && nat.exit() == emu.exit(), emu.err().strip())) return;
        assertEquals(nat.out(), emu.out(), "stdout; emulator stderr: " + emu.err());
        assertEquals(nat.exit(), emu.exit(), "exit status; stderr: " + emu.err());
        assertEquals(5, emu.exit());
        assertTrue(Files.notExists(guestRoot.resolve("d")), "the program removed its folder");
    }

    @Test void probeX86_64() throws Exception { probe("x86_64", "x86_64", "-static"); }

    @Test void probeI386() throws Exception { probe("i386", "i386", "-m32", "-static"); }

    @Test void staticPie() throws Exception { probe("static-pie", "x86_64", "-static-pie", "-fPIE"); }

    private void crash(String arch, String how, int signal, String... flags) throws Exception {
        Path bin = compile("crash.c", "crash-" + arch, flags);
        Path root = Files.createTempDirectory(tmp, "abiscope-root");
        Result nat = host(root, List.of(bin.toString(), how), Map.of(), new byte[0]);
        Result emu = emulate(root, arch, List.of(bin.toString(), how), Map.of(), new byte[0]);
        assertEquals(128 + signal, nat.exit(), "native");
        if (known("crash " + arch, nat.exit() == emu.exit(), how + ": " + emu.err().strip())) return;
        assertEquals(nat.exit(), emu.exit(), emu.err());
        assertTrue(emu.err().startsWith("abiscope: guest killed by "), emu.err());
        assertTrue(emu.err().strip().lines().count() == 1, emu.err());
    }

    @Test void crashes() throws Exception {
        for (String[] a : new String[][] {{"x86_64", "-static"}, {"i386", "-m32", "-static"}}) {
            String[] flags = java.util.Arrays.copyOfRange(a, 1, a.length);
            crash(a[0], "segv", 11, flags);
            crash(a[0], "ill", 4, flags);
            crash(a[0], "fpe", 8, flags);
            crash(a[0], "trap", 5, flags);
            Path bin = compile("crash.c", "crash-" + a[0], flags);
            Result plain = emulate(bin.getParent(), a[0], List.of(bin.toString()), Map.of(), new byte[0]);
            if (!known("crash " + a[0], plain.exit() == 3, "no argument: " + plain.err().strip())) assertEquals(3, plain.exit());
        }
    }

    /** mremap's moves (MREMAP_FIXED, MREMAP_DONTUNMAP) and errors against the real kernel (native/mremap.c). */
    @Test void mremapMoves() throws Exception {
        for (String[] a : new String[][] {{"x86_64", "-static"}, {"i386", "-m32", "-static"}}) {
            Path bin = compile("mremap.c", "mremap-" + a[0], java.util.Arrays.copyOfRange(a, 1, a.length));
            Path root = Files.createTempDirectory(tmp, "abiscope-root");
            Result nat = host(root, List.of(bin.toString()), Map.of(), new byte[0]);
            assertEquals(0, nat.exit(), "native: " + nat.err());
            Result emu = emulate(root, a[0], List.of(bin.toString()), Map.of(), new byte[0]);
            assertEquals(nat.out(), emu.out(), a[0] + " stdout; emulator stderr: " + emu.err());
            assertEquals(0, emu.exit(), emu.err());
        }
    }

    @Test void badInput(@TempDir Path root) throws Exception {
        Result missing = emulate(root, null, List.of("/no/such/program"), Map.of(), new byte[0]);
        assertEquals(127, missing.exit());
        assertEquals(1, missing.err().lines().count(), missing.err());
        Files.writeString(root.resolve("script"), "#!/bin/sh\necho hi\n");
        Result notElf = emulate(root, null, List.of("/script"), Map.of(), new byte[0]);
        assertEquals(126, notElf.exit());
        assertEquals(1, notElf.err().lines().count(), notElf.err());
        Files.write(root.resolve("trunc"), new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
        assertEquals(126, emulate(root, null, List.of("/trunc"), Map.of(), new byte[0]).exit());
        Result dir = emulate(root, null, List.of("/"), Map.of(), new byte[0]);
        assertEquals(126, dir.exit());
        Path bin = compile("crash.c", "crash-x86_64", "-static");
        Result wrongArch = emulate(root, "i386", List.of(bin.toString()), Map.of(), new byte[0]);
        assertEquals(126, wrongArch.exit());
        assertTrue(wrongArch.err().contains("Exec format error"), wrongArch.err());
    }
}
