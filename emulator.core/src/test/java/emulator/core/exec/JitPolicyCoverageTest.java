package emulator.core.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every class of the engine's execution and backend packages is either translation code, kept out of
 * C2 by {@link JitPolicy#CORE}, or code that runs while the guest runs (listed here). A class split
 * out of a translation class escaped the directive once: StoreJoins, taken out of BytecodeCompiler's
 * generator, then cost 110–170 ms of C2 time in every JVM, and Translator.translate, never listed,
 * 230 ms (with 7.5 kB of its callees inlined), while guest regions waited in C2's queue. A new
 * class fails here until it is put on one side.
 */
class JitPolicyCoverageTest {
    /** Classes whose code runs with the guest: the loop, generated code's helpers, the cache, the machine. */
    static final Set<String> RUNS_WITH_THE_GUEST = Set.of(
            "emulator/core/backend/Backend",       // interprets blocks until they are hot, tiers them up
            "emulator/core/backend/Callbacks",     // called from generated code
            "emulator/core/backend/Interpreter",   // runs guest code before it is compiled, and restarts
            "emulator/core/backend/Ops",           // called from generated code
            "emulator/core/exec/CodeCache",
            "emulator/core/exec/CompiledBlock",
            "emulator/core/exec/CpuEvents",
            "emulator/core/exec/ExitLink",         // called from generated code
            "emulator/core/exec/GuestException",
            "emulator/core/exec/GuestKernel",
            "emulator/core/exec/JitPolicy",
            "emulator/core/exec/Machine",
            "emulator/core/exec/MachineConfig",
            "emulator/core/exec/Machines",
            "emulator/core/exec/Traces",           // its MUST_LEAVE helper is called from generated code
            "emulator/core/exec/TranslatedBlock",
            "emulator/core/exec/Vcpu",
            "emulator/core/exec/package-info");

    @Test
    void everyClassIsTranslationCodeOrRunsWithTheGuest() throws IOException, URISyntaxException {
        Path classes = Path.of(Vcpu.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Set<String> found = new TreeSet<>();
        for (String pkg : List.of("emulator/core/backend", "emulator/core/exec")) {
            try (Stream<Path> s = Files.list(classes.resolve(pkg))) {
                s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".class") && !n.contains("$"))
                        .forEach(n -> found.add(pkg + "/" + n.substring(0, n.length() - ".class".length())));
            }
        }
        assertTrue(found.contains("emulator/core/exec/Translator") && found.contains("emulator/core/backend/StoreJoins"), "classes not found in " + classes);
        List<String> undecided = new ArrayList<>(), both = new ArrayList<>();
        for (String c : found) {
            boolean excluded = JitPolicy.CORE.stream().anyMatch(p -> matches(p, c));
            boolean runtime = RUNS_WITH_THE_GUEST.contains(c);
            if (!excluded && !runtime) undecided.add(c);
            if (excluded && runtime) both.add(c);
        }
        assertEquals(List.of(), undecided, "translation code (add a pattern to JitPolicy.CORE) or code that runs with the guest (list it here)?");
        assertEquals(List.of(), both, "kept out of C2, yet listed as running with the guest");
    }

    /** HotSpot's directive pattern {@code package/Class.method}, its class part with an optional trailing '*', against a class. */
    static boolean matches(String pattern, String cls) {
        String classPart = pattern.substring(0, pattern.lastIndexOf('.'));
        return classPart.endsWith("*") ? cls.startsWith(classPart.substring(0, classPart.length() - 1)) : cls.equals(classPart);
    }
}
