package emulator.core.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
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
}
