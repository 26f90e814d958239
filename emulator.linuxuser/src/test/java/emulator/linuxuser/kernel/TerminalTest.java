package emulator.linuxuser.kernel;

import emulator.linuxuser.LinuxUserRunner;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * On a real terminal (a pty made by util-linux's {@code script}, sized with stty), the guest's
 * isatty, TIOCGWINSZ and TCGETS answers equal the native program's; with stdin from /dev/null and
 * stdout into a pipe both are ENOTTY, as natively. The emulator runs in a child JVM whose
 * descriptors are that pty (the runner detects it through /proc/self/fd).
 */
class TerminalTest {
    @Test void ptyAnswersAreTheHostTerminals() throws Exception {
        assumeTrue(LinuxUserRunnerTest.has("script") && LinuxUserRunnerTest.has("stty"), "script/stty (util-linux, coreutils) missing");
        Path bin = LinuxUserRunnerTest.compile("tty.c", "tty-x86_64", "-static");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String emu = java + " -cp " + System.getProperty("java.class.path") + " '" + Main.class.getName() + "' " + bin;
        String shell = "stty rows 33 cols 101; " + bin + "; " + emu + "; " + bin + " </dev/null | cat; " + emu + " </dev/null | cat";
        var r = LinuxUserRunnerTest.host(bin.getParent(), List.of("script", "-qec", shell, "/dev/null"), System.getenv(), new byte[0]);
        List<String> lines = r.out().replace("\r", "").lines().filter(l -> l.startsWith("isatty")).toList();
        assertEquals(4, lines.size(), r.out() + r.err());
        assertTrue(lines.get(0).contains("isatty 1 1 winsz 0 33x101 tcgetattr 0"), lines.get(0));
        assertEquals(lines.get(0), lines.get(1), "on the pty");
        assertTrue(lines.get(2).startsWith("isatty 0 0 winsz -1"), lines.get(2));
        assertEquals(lines.get(2), lines.get(3), "on /dev/null and a pipe");
    }

    /** Runs PROGRAM with the host's standard streams, telling the runner which are terminals. */
    public static final class Main {
        public static void main(String[] a) {
            boolean[] tty = LinuxUserRunner.hostTerminals();
            int rc = new LinuxUserRunner().terminal(tty[0], tty[1], tty[2])
                    .run(Path.of(a[0]).getParent(), null, List.of(a[0]), Map.of(), System.in, System.out, System.err);
            System.out.flush();
            System.exit(rc);
        }
    }
}
