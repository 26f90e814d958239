package emulator.core.exec;

import static org.junit.jupiter.api.Assertions.*;

import emulator.core.exec.MachineConfig.BackendKind;
import emulator.core.exec.RegionTest.Outcome;
import emulator.core.testing.Asm;
import emulator.core.testing.Rig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Traces (blocks that run one after another joined into one, see {@link Traces}): where no region
 * fits — here a loop of more blocks than a region takes — every run under the compiling backends
 * must end in exactly the state the IR interpreter reaches, and traces must really have formed and
 * cut the execution loop's dispatches, so the comparison is not vacuous.
 */
class TraceTest {
    static final long CODE = 0x10000, BLOCKS = 0x20000;
    /** More blocks than a region collects (64): the loop never closes inside one. */
    static final int N = 80;

    /** The block whose probe writes into the next one (inside the trace that starts at block 16). */
    static final int WRITER = 20;

    static long block(int i) { return BLOCKS + 0x100L * i; }

    /**
     * A loop of {@link #N} blocks, each a few adds to rotating registers. Block 5 goes on to block 6
     * through a register ({@code jr}, as a return does), so a trace compares the target. Block
     * {@link #WRITER} calls the probe helper, and the block after it starts with {@code r13 += 1}.
     */
    static Asm program(int iterations) {
        Asm a = new Asm(CODE).loadi(0, iterations).loadi(7, block(6)).jmp(block(0));
        for (int i = 0; i < N; i++) {
            a.pad(block(i));
            if (i == WRITER) a.probe();
            if (i == WRITER + 1) a.addi(13, 1);
            for (int k = 0; k < 6; k++) a.addi(1 + (i + k) % 6, i * 7 + k);
            if (i == 5) a.jr(7);
            else if (i == N - 1) a.addi(0, -1).jnz(0, block(0)).halt();
            else a.jmp(block(i + 1));
        }
        return a;
    }

    /** Calls of the probe so far, and the call that writes (or -1), by vCPU. */
    static final java.util.Map<Vcpu, int[]> PROBES = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Runs the program; when {@code smcAt >= 0}, block {@link #WRITER}'s probe writes 5 into the
     * immediate of the next block's first instruction in its {@code smcAt}-th call, through the vCPU's store (as a guest store
     * takes its slow path: in place, inside the compiled code, not restarted by the loop). From then
     * on the new immediate must be added, the trace's next block included.
     *
     * <p>The probe is found by the vCPU it is called with: translations are shared between machines
     * (see {@code SharedTranslations}), and with them the helper of the first machine's target.
     */
    static Rig run(BackendKind k, Asm program, int smcAt) {
        Rig r = new Rig(k).load(program);
        PROBES.put(r.cpu, new int[] {0, smcAt});
        r.target.probe = (cpu, pc, x, y, z) -> {
            int[] p = PROBES.get((Vcpu) cpu);
            if (p[0]++ == p[1]) emulator.core.mem.MemOps.st8((Vcpu) cpu, block(WRITER + 1) + 4, 5);
            return 0;
        };
        r.run(CODE);
        PROBES.remove(r.cpu);
        return r;
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"TIERED", "COMPILED"})
    void aLoopTooLargeForARegionRunsAsTracesAndEndsAsTheInterpreter(BackendKind k) {
        int iterations = 3_000;
        Asm p = program(iterations);
        Rig ref = run(BackendKind.INTERPRETED, p, -1);
        Rig r = run(k, p, -1);
        var backend = r.machine.translator().backend();
        assertTrue(backend.tracesCompiled() > 0, "traces were formed");
        assertEquals(RegionTest.outcome(ref), RegionTest.outcome(r));
        // without traces (or regions) the loop dispatches each block of each iteration
        long blockRuns = (long) iterations * N;
        assertTrue(r.cpu.dispatches < blockRuns / 3, r.cpu.dispatches + " dispatches for " + blockRuns + " runs of blocks");
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"TIERED", "COMPILED"})
    void aStoreIntoTheNextBlockOfATraceIsSeen(BackendKind k) {
        int iterations = 3_000, smcAt = 1_000;
        Asm p = program(iterations);
        Rig ref = run(BackendKind.INTERPRETED, p, smcAt);
        Rig r = run(k, p, smcAt);
        assertTrue(r.machine.translator().backend().tracesCompiled() > 0, "traces were formed");
        assertEquals(RegionTest.outcome(ref), RegionTest.outcome(r));
        assertEquals(smcAt + 5L * (iterations - smcAt), r.cpu.regs[13], "the rewritten immediate was added from iteration " + smcAt + " on");
    }
}
