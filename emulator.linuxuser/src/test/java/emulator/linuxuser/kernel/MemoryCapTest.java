package emulator.linuxuser.kernel;

import emulator.core.exec.MachineConfig;
import emulator.linuxuser.LinuxUserRunner;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A guest that allocates without bound (memhog.c: malloc, mmap and brk loops that touch every page)
 * meets the memory cap as ENOMEM — each loop ends, the program reports it and exits 0 — exactly the
 * way it meets RLIMIT_AS natively ({@code prlimit --as}), which is the reference for the output's
 * shape. And the cap bounds the host: the same run in a JVM whose heap is only a little larger than
 * the cap completes instead of dying of OutOfMemoryError.
 */
class MemoryCapTest {
    static final long CAP = 64L << 20;
    static final Pattern LINE = Pattern.compile("(malloc|mmap|brk) stopped after (\\d+) MiB: (\\S+)");

    /** "malloc stopped after 62 MiB: ENOMEM" → "malloc stopped after N MiB: ENOMEM", checking N is plausible for the cap. */
    static List<String> shape(String out) {
        List<String> l = new ArrayList<>();
        for (String s : out.strip().split("\n")) {
            Matcher m = LINE.matcher(s);
            assertTrue(m.matches(), "unexpected line: " + s);
            int mib = Integer.parseInt(m.group(2));
            assertTrue(mib >= 32 && mib < CAP >> 20, m.group(1) + " got " + mib + " MiB under a " + (CAP >> 20) + " MiB cap");
            l.add(m.group(1) + " stopped after N MiB: " + m.group(3));
        }
        return l;
    }

    static LinuxUserRunnerTest.Result emulate(Path bin, String arch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = new LinuxUserRunner().config(MachineConfig.defaults("memcap").withMemoryLimit(CAP))
                .run(bin.getParent(), arch, List.of(bin.toString()), Map.of(), new ByteArrayInputStream(new byte[0]), out, err);
        return new LinuxUserRunnerTest.Result(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private void capped(String arch, String... flags) throws Exception {
        Path bin = LinuxUserRunnerTest.compile("memhog.c", "memhog-" + arch, flags);
        assumeTrue(LinuxUserRunnerTest.has("prlimit"), "prlimit (util-linux) missing: no native reference");
        var nat = LinuxUserRunnerTest.host(bin.getParent(), List.of("prlimit", "--as=" + CAP, bin.toString()), Map.of(), new byte[0]);
        assertEquals(0, nat.exit(), nat.err());
        var emu = emulate(bin, arch);
        assertEquals(0, emu.exit(), emu.err());
        assertEquals("", emu.err());
        assertEquals(shape(nat.out()), shape(emu.out()), "emulated: " + emu.out() + " native: " + nat.out());
        assertEquals(List.of("malloc stopped after N MiB: ENOMEM", "mmap stopped after N MiB: ENOMEM", "brk stopped after N MiB: ENOMEM"),
                shape(emu.out()));
    }

    @Test void x86_64() throws Exception { capped("x86_64", "-static"); }

    @Test void i386() throws Exception { capped("i386", "-m32", "-static"); }

    /** Guest pages are host byte arrays: with -Xmx a bit above the cap, an uncapped guest would end in OutOfMemoryError. */
    @Test void capBoundsTheHostHeap() throws Exception {
        Path bin = LinuxUserRunnerTest.compile("memhog.c", "memhog-x86_64", "-static");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = List.of(java.toString(), "-Xmx" + (CAP * 5 / 2 >> 20) + "m", "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), bin.toString(), Long.toString(CAP));
        var r = LinuxUserRunnerTest.host(bin.getParent(), cmd, System.getenv(), new byte[0]);
        assertEquals(0, r.exit(), "out: " + r.out() + " err: " + r.err());
        assertEquals(3, shape(r.out()).size(), r.out());
        assertTrue(Files.isRegularFile(bin));
    }

    /** Runs PROGRAM under a cap of BYTES in this (small-heap) JVM. */
    public static final class Main {
        public static void main(String[] a) {
            int rc = new LinuxUserRunner().config(MachineConfig.defaults("memcap").withMemoryLimit(Long.parseLong(a[1])))
                    .run(Path.of(a[0]).getParent(), null, List.of(a[0]), Map.of(), System.in, System.out, System.err);
            System.out.flush();
            System.exit(rc);
        }
    }
}
