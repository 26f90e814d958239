package emulator.linuxuser.kernel;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * sigwait/sigtimedwait/sigwaitinfo (rt_sigtimedwait), getrusage and times with real CPU time, and
 * the terminal ioctls on pipes (TCGETS/TIOCGWINSZ → ENOTTY, FIONREAD with the real count): the
 * program sigwait.c prints only timing-independent facts, and its output must equal a native run
 * with the same stdin (a pipe holding "abc").
 */
class SigwaitAccountingTest {
    private void compare(String arch, String... flags) throws Exception {
        Path bin = LinuxUserRunnerTest.compile("sigwait.c", "sigwait-" + arch, flags);
        byte[] in = "abc".getBytes(StandardCharsets.US_ASCII);
        var nat = LinuxUserRunnerTest.host(bin.getParent(), List.of(bin.toString()), Map.of(), in);
        assertEquals(0, nat.exit(), nat.err());
        assertTrue(nat.out().contains("FIONREAD pipe: 0 n=5") && nat.out().contains("isatty(0): 0 ENOTTY"), nat.out());
        var emu = LinuxUserRunnerTest.emulate(bin.getParent(), arch, List.of(bin.toString()), Map.of(), in);
        assertEquals(nat.out(), emu.out(), "emulator stderr: " + emu.err());
        assertEquals("", emu.err());
        assertEquals(0, emu.exit());
        assertTrue(Files.isRegularFile(bin));
    }

    @Test void x86_64() throws Exception { compare("x86_64", "-static"); }

    @Test void i386() throws Exception { compare("i386", "-m32", "-static"); }
}
