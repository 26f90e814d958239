package emulator.linuxuser.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emulator.api.instrument.InsnCallback;
import emulator.core.exec.CpuEvents;
import emulator.core.exec.Machine;
import emulator.core.exec.MachineConfig;
import emulator.core.exec.MachineConfig.BackendKind;
import emulator.core.exec.Machines;
import emulator.core.ir.CallbackRef;
import emulator.core.spi.BlockEditor;
import emulator.core.spi.Instrumentation;
import emulator.linuxuser.LinuxUserRunner;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A callback before every instruction that reads the registers sees, at every instruction of a
 * program, the values the instruction sees. Compiled code keeps guest registers in JVM locals and
 * stores the changed ones before such a callback, also where paths meet inside blocks and regions;
 * a register stored too seldom shows here as a callback that saw a stale value. A program built with
 * gcc without libc ({@code regmix.c}: loops, calls, a jump table, flags, string copies; nothing that
 * differs from run to run, as libc's stack canary and its stat of stdout's pipe do) runs under the IR
 * interpreter, which works on the registers in memory, and under the default tiered backend (blocks,
 * traces and regions); the digests of every callback's pc, general registers and flags must be equal,
 * and the program's output must be the native run's.
 */
class CallbackRegistersTest {
    @TempDir Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"i386", "amd64"})
    void registersSeenBeforeEveryInstructionMatchTheInterpreters(String arch) throws Exception {
        Path bin = LinuxUserRunnerTest.compile("regmix.c", "regmix-" + arch, arch.equals("amd64") ? "-m64" : "-m32",
                "-static", "-nostdlib", "-ffreestanding", "-fno-stack-protector", "-no-pie");
        Path root = Files.createDirectories(tmp.resolve("root-" + arch));
        Files.copy(bin, root.resolve("regmix"));
        String expected = LinuxUserRunnerTest.host(root, List.of(root.resolve("regmix").toString()), Map.of(), new byte[0]).out();
        assertEquals(17, expected.length(), "the native run's checksum line: " + expected);

        for (boolean mixed : new boolean[] {false, true}) {
            String what = arch + (mixed ? ", reading before every third instruction, none elsewhere: " : ", reading before every instruction: ");
            Seen interpreted = run(BackendKind.INTERPRETED, root, arch, mixed);
            Seen tiered = run(BackendKind.TIERED, root, arch, mixed);
            assertEquals(expected, interpreted.out, what + "interpreted output");
            assertEquals(expected, tiered.out, what + "tiered output");
            assertTrue(interpreted.calls > 1_000_000, what + "callbacks " + interpreted.calls);
            System.out.printf("callback registers, %s%d callbacks, %d regions in the tiered run%n", what, tiered.calls, tiered.regions);
            assertTrue(tiered.regions > 0, what + "the tiered run formed regions");
            assertEquals(interpreted.calls, tiered.calls, what + "callbacks");
            assertEquals(Long.toHexString(interpreted.digest), Long.toHexString(tiered.digest), what + "what the callbacks saw");
        }
    }

    /** One run's output, callbacks, their digest, and the regions its machine compiled. */
    record Seen(String out, long calls, long digest, long regions) {}

    /**
     * {@code mixed}: a register-reading callback before every third instruction and one that
     * declares no register access before the others (which must not count as storing them).
     */
    private static Seen run(BackendKind kind, Path root, String arch, boolean mixed) {
        List<String> names = new ArrayList<>(arch.equals("amd64")
                ? List.of("rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rflags")
                : List.of("eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "eflags"));
        long[] state = {0, 0}; // calls, digest
        InsnCallback cb = (cpu, pc) -> {
            long h = state[1] * 0x100000001B3L ^ pc;
            for (String n : names) h = (h ^ cpu.reg(n)) * 0x9E3779B97F4A7C15L;
            state[1] = h;
            state[0]++;
        };
        CallbackRef ref = new CallbackRef(cb, "test", false); // may read the registers
        InsnCallback other = (cpu, pc) -> state[0]++;
        CallbackRef none = new CallbackRef(other, "test", false, false);
        Instrumentation every = new Instrumentation() {
            public void instrument(BlockEditor b) {
                b.insns().forEach(i -> b.beforeInsn(i.index(), !mixed || i.index() % 3 == 2 ? ref : none));
            }
            public CpuEvents events() { return CpuEvents.NONE; }
            public void callbackFailed(Object owner, Throwable error) { throw new AssertionError(error); }
        };
        long[] regions = {0};
        Machines.Listener l = new Machines.Listener() {
            public void started(Machine m) { m.setInstrumentation(every); }
            public void stopped(Machine m) { regions[0] += m.translator().backend().regionsCompiled(); }
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        Machines.addListener(l);
        try {
            int exit = new LinuxUserRunner().config(MachineConfig.defaults("test").withBackend(kind))
                    .run(root, arch.equals("amd64") ? "x86_64" : "i386", List.of("/regmix"), Map.of(),
                            new ByteArrayInputStream(new byte[0]), out, err);
            assertEquals(0, exit, kind + ": exit status; stderr " + err);
        } finally {
            Machines.removeListener(l);
        }
        return new Seen(out.toString(), state[0], state[1], regions[0]);
    }
}
