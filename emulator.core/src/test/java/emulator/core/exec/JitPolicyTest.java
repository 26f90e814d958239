package emulator.core.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/**
 * The translator's classes, the patterns given at start ({@code -Dabiscope.jitExclude}) and a plugin's reach HotSpot's directive stack, as {@code jcmd
 * Compiler.directives_print} shows it: excluded from C2, the plugin's also never inlined by C2, and
 * each change replacing the policy's directives rather than stacking more.
 */
class JitPolicyTest {
    @Test
    void translatorAndPluginPatternsReachTheDirectiveStack() throws Exception {
        System.setProperty(JitPolicy.EXCLUDE_PROPERTY, "emulator/test/GivenAtStart.*, emulator/test/AlsoGiven*.*");
        Thread adding = JitPolicy.keepOutOfC2(List.of("emulator/test/JitPolicyProbe.*"));
        assertNotNull(adding, "nothing to add: the probe pattern is new to this JVM");
        adding.join(30_000);
        Thread plugin = JitPolicy.keepPluginOutOfC2(List.of("emulator.test.plugin"));
        assertNotNull(plugin, "nothing to add: the plugin package is new to this JVM");
        plugin.join(30_000);

        String printed = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesPrint",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        List<String> matching = printed.lines().map(String::strip).filter(l -> l.startsWith("matching:")).toList();
        assertTrue(matching.stream().anyMatch(l -> l.contains("emulator/core/opt/*.*") && l.contains("emulator/test/JitPolicyProbe.*")
                && l.contains("emulator/test/plugin/*.*") && l.contains("emulator/test/GivenAtStart.*")
                && l.contains("emulator/test/AlsoGiven*.*")), printed);
        assertEquals(1, matching.stream().filter(l -> l.contains("emulator/core/opt/*.*")).count(), "replaced, not stacked: " + printed);
        assertTrue(printed.lines().anyMatch(l -> l.contains("inline:") && l.contains("-emulator/test/plugin/*.*")), printed);
        assertTrue(printed.contains("Exclude:true"), printed);
    }

    /**
     * With a C2 list in force, a plugin whose callbacks run in the guest's code joins it on HotSpot's
     * stack, after the excluded patterns; without one, nothing is added (C2 compiles it anyway).
     */
    @Test
    void inGuestPluginJoinsTheC2List() throws Exception {
        assertEquals(null, JitPolicy.letPluginReachC2(List.of("emulator.test.noList")), "no list, nothing to add");
        System.setProperty(JitPolicy.C2_ONLY_PROPERTY, "emulator/test/Runtime*.*");
        try {
            Thread adding = JitPolicy.letPluginReachC2(List.of("emulator.test.inguest"));
            assertNotNull(adding);
            adding.join(30_000);
            String printed = directivesPrinted();
            List<String> matching = printed.lines().map(String::strip).filter(l -> l.startsWith("matching:")).toList();
            assertTrue(matching.stream().anyMatch(l -> l.contains("emulator/test/Runtime*.*") && l.contains("emulator/test/inguest/*.*")), printed);
            assertTrue(matching.stream().anyMatch(l -> l.equals("matching: *.*")), printed);
        } finally {
            System.clearProperty(JitPolicy.C2_ONLY_PROPERTY);
            Thread back = JitPolicy.keepOutOfC2(List.of("emulator/test/AfterTheList.*")); // the set again without a list
            if (back != null) back.join(30_000);
        }
        assertTrue(directivesPrinted().lines().noneMatch(l -> l.contains("emulator/test/inguest/*.*")), "the list outlived its property");
    }

    private static String directivesPrinted() throws Exception {
        return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesPrint",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
    }

    /**
     * HotSpot itself says what a set with a C2 list does (the set {@code ./abiscope} starts the JVM
     * with, in the shape the policy gives it): a child JVM runs two equally hot methods under
     * {@code -XX:+PrintCompilation}; the listed one reaches C2 (level 4), the other only C1, and an
     * excluded one inside the listed pattern only C1 too.
     */
    @Test
    void onlyTheC2ListReachesC2() throws Exception {
        String json = JitPolicy.directives(List.of("emulator/core/exec/JitPolicyTest$ListedButExcluded.*"), List.of(),
                List.of("emulator/core/exec/JitPolicyTest$Listed*.*"));
        Path file = Files.createTempFile("jit-policy-test", ".json");
        try {
            Files.writeString(file, json);
            String java = ProcessHandle.current().info().command().orElse("java");
            // -Xbatch: each compilation finishes before the call that asked for it goes on, so the probe's
            // loops end with every compilation they caused done and printed, whatever the machine's load
            List<String> cmd = new ArrayList<>(List.of(java, "-Xbatch", "-XX:+UnlockDiagnosticVMOptions", "-XX:CompilerDirectivesFile=" + file,
                    "-XX:+PrintCompilation", "-cp", System.getProperty("java.class.path"), Probe.class.getName()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM did not end");
            assertEquals(0, p.exitValue(), out);
            assertTrue(compiledAt(out, "Listed::work", 4), "the listed method never reached C2:\n" + out);
            assertTrue(compiledAt(out, "Unlisted::work", 3) || compiledAt(out, "Unlisted::work", 1), "the other one was never compiled:\n" + out);
            assertTrue(!compiledAt(out, "Unlisted::work", 4), "C2 compiled a method off the list:\n" + out);
            assertTrue(!compiledAt(out, "ListedButExcluded::work", 4), "C2 compiled an excluded method:\n" + out);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Whether PrintCompilation's output has {@code method} (the end of its name) compiled at {@code level}. */
    private static boolean compiledAt(String out, String method, int level) {
        return out.lines().anyMatch(l -> l.contains("JitPolicyTest$" + method) && l.matches("\\s*\\d+\\s+\\d+\\s+[%sbn! ]*" + level + "\\s+.*"));
    }

    /** Runs three methods hot enough for C2 (the JIT's thresholds are a few thousand calls and loops). */
    static final class Probe {
        public static void main(String[] args) {
            long sum = 0;
            for (int i = 0; i < 200_000; i++) sum += Listed.work(i) + Unlisted.work(i) + ListedButExcluded.work(i);
            System.out.println("sum " + sum);
        }
    }

    static final class Listed {
        static long work(int n) { long s = 0; for (int k = 0; k < 50; k++) s += (n ^ k) * 31L; return s; }
    }

    static final class Unlisted {
        static long work(int n) { long s = 0; for (int k = 0; k < 50; k++) s += (n ^ k) * 37L; return s; }
    }

    static final class ListedButExcluded {
        static long work(int n) { long s = 0; for (int k = 0; k < 50; k++) s += (n ^ k) * 41L; return s; }
    }
}
