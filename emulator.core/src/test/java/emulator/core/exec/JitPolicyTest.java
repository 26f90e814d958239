package emulator.core.exec;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** The translator's classes reach HotSpot's directive stack, as {@code jcmd Compiler.directives_print} shows it. */
class JitPolicyTest {
    @Test
    void translatorPatternsAreExcludedFromC2() throws Exception {
        Thread adding = JitPolicy.keepOutOfC2(List.of("emulator/test/JitPolicyProbe.*"));
        assertNotNull(adding, "nothing to add: the probe pattern is new to this JVM");
        adding.join(30_000);
        String printed = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesPrint",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        assertTrue(printed.contains("emulator/test/JitPolicyProbe.*") && printed.contains("emulator/core/opt/*.*"), printed);
    }
}
