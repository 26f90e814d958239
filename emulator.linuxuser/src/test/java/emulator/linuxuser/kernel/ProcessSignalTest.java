package emulator.linuxuser.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static emulator.linuxuser.kernel.LinuxUserRunnerTest.compile;
import static emulator.linuxuser.kernel.LinuxUserRunnerTest.emulate;
import static emulator.linuxuser.kernel.LinuxUserRunnerTest.host;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real guest programs (compiled with gcc at test time, static, -m64 and -m32) against their native
 * runs: procsig.c (handlers with SA_SIGINFO, blocking and pending, SIGSEGV handlers leaving by
 * siglongjmp, fork/wait statuses, SIGCHLD with sigsuspend, pipes with EOF and SIGPIPE, SA_RESTART,
 * sigaltstack, pthreads, exec of /proc/self/exe, vfork, process groups, death by SIGTERM) must print
 * exactly what it prints natively and end with the same status; escape.c tries to leave the root.
 */
class ProcessSignalTest {
    /** Guest roots and native folders (a busybox or compiled programs each): JUnit deletes them after each test. */
    @TempDir Path tmp;


    private void procsig(String arch, String... flags) throws Exception {
        Path bin = compile("procsig.c", "procsig-" + arch, flags);
        Path root = Files.createTempDirectory(tmp, "abiscope-procsig");
        Files.copy(bin, root.resolve("procsig"));
        var nat = host(root, List.of(bin.toString()), Map.of(), new byte[0]);
        var emu = emulate(root, arch, List.of("/procsig"), Map.of(), new byte[0]);
        assertEquals(nat.out(), emu.out(), "stdout; emulator stderr: " + emu.err());
        assertEquals(143, nat.exit());
        assertEquals(nat.exit(), emu.exit(), "exit status; stderr: " + emu.err());
        assertEquals("", emu.err());
    }

    @Test void procsigX86_64() throws Exception { procsig("x86_64", "-static", "-pthread"); }

    @Test void procsigI386() throws Exception { procsig("i386", "-m32", "-static", "-pthread"); }

    /** atomics.c: threads updating shared counters with LOCK-prefixed instructions; every update counts, as natively. */
    private void atomics(String arch, String... flags) throws Exception {
        Path bin = compile("atomics.c", "atomics-" + arch, flags);
        Path root = Files.createTempDirectory(tmp, "abiscope-atomics");
        Files.copy(bin, root.resolve("atomics"));
        var nat = host(root, List.of(bin.toString()), Map.of(), new byte[0]);
        assertEquals("added 800000 fetched 1600000 cas 2400000 ids 6\nshort threads 600\n", nat.out(), "the native run");
        var emu = emulate(root, arch, List.of("/atomics"), Map.of(), new byte[0]);
        assertEquals(nat.out(), emu.out(), "stdout; emulator stderr: " + emu.err());
        assertEquals(0, emu.exit(), emu.err());
    }

    // A lost update in the xchg spinlock leaves it taken for good: the guest then spins, so the test
    // fails by its timeout (which interrupts the run) instead of hanging the build.
    @Test @Timeout(60) void atomicsX86_64() throws Exception { atomics("x86_64", "-static", "-pthread", "-O2"); }

    @Test @Timeout(60) void atomicsI386() throws Exception { atomics("i386", "-m32", "-static", "-pthread", "-O2"); }

    private void escape(String arch, String... flags) throws Exception {
        Path bin = compile("escape.c", "escape-" + arch, flags);
        Path outer = Files.createTempDirectory(tmp, "abiscope-escape");
        Path root = Files.createDirectory(outer.resolve("root"));
        Files.writeString(outer.resolve("secret.txt"), "TOPSECRET\n");
        Files.copy(bin, root.resolve("escape"));
        var emu = emulate(root, arch, List.of("/escape"), Map.of(), new byte[0]);
        assertEquals(0, emu.exit(), emu.err());
        assertFalse(emu.out().contains("TOPSECRET"), "the secret beside the root was read:\n" + emu.out());
        List<String> outside = new ArrayList<>();
        try (var s = Files.list(outer)) { s.forEach(p -> outside.add(p.getFileName().toString())); }
        assertEquals(List.of("root", "secret.txt"), outside.stream().sorted().toList(), "written outside the root");
        assertEquals("TOPSECRET\n", Files.readString(outer.resolve("secret.txt")));
        // what stayed inside: the attempts landed in the root (a write through "../" is a write to "/")
        for (String inside : List.of("outside-marker.txt", "outside-link-marker.txt", "renamed-marker.txt", "hard-marker.txt", "dir-marker"))
            assertTrue(Files.exists(root.resolve(inside)), inside + " should have been created inside the root\n" + emu.out());
        assertTrue(emu.out().contains("loop: open loop-a: errno 40"), emu.out());
        assertTrue(emu.out().contains("proc exe link: /escape"), emu.out());
    }

    @Test void escapeX86_64() throws Exception { escape("x86_64", "-static"); }

    @Test void escapeI386() throws Exception { escape("i386", "-m32", "-static"); }
}
