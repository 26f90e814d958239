package emulator.core.exec;

import static emulator.core.exec.RegionTest.CODE;
import static emulator.core.exec.RegionTest.LOOP;
import static emulator.core.exec.RegionTest.BODY;
import static emulator.core.exec.RegionTest.outcome;
import static emulator.core.exec.RegionTest.run;
import static org.junit.jupiter.api.Assertions.*;

import emulator.core.exec.MachineConfig.BackendKind;
import emulator.core.testing.Asm;
import emulator.core.testing.Rig;
import org.junit.jupiter.api.Test;

/**
 * What a machine reuses from earlier machines in the same JVM — translations found by the bytes they
 * were made from ({@link SharedTranslations}) and the choice of region members ({@code RegionPlan}) —
 * must never change a result: every run ends in the state the IR interpreter reaches (which reuses
 * nothing), also when other code now stands at the same addresses. The reuse must really happen,
 * so these tests are not vacuous. Each test uses constants no other test uses: what is shared
 * outlives machines.
 */
class ReuseAcrossRunsTest {
    /** A loop of two blocks (LOOP → BODY → LOOP) adding {@code step} to r1 {@code n - 1} times. */
    static Asm twoBlockLoop(int n, int step) {
        Asm a = new Asm(CODE).loadi(0, n).jmp(LOOP);
        a.pad(LOOP).addi(2, 3).addi(0, -1).jnz(0, BODY).halt();
        a.pad(BODY).addi(1, step).jmp(LOOP);
        return a;
    }

    static Rig rerun(Asm p) { return run(BackendKind.TIERED, p, CODE - 0x4000, CODE); }

    static RegionTest.Outcome interpreted(Asm p) { return outcome(run(BackendKind.INTERPRETED, p, CODE - 0x4000, CODE)); }

    @Test
    void aSecondRunReusesTranslationsAndRegionsAndEndsTheSame() {
        Asm p = twoBlockLoop(6_007, 1_234_567);
        RegionTest.Outcome reference = interpreted(p);
        Rig first = rerun(p), second = rerun(p);
        assertEquals(reference, outcome(first));
        assertEquals(reference, outcome(second));
        Translator t1 = first.machine.translator(), t2 = second.machine.translator();
        assertEquals(t2.blocksTranslated(), t2.translationsReused(), "every block of the second run was translated before");
        assertTrue(t1.backend().regionsCompiled() > 0, "the first run formed a region");
        assertEquals(t1.backend().regionsCompiled(), t2.backend().regionsCompiled(), "the same regions again");
        assertEquals(0, t2.backend().blocksCompiled(), "no code compiled the second time");
    }

    /** An engine that instruments blocks or only listens to CPU events, and changes no block either way. */
    record Engine(boolean instrumentsBlocks) implements emulator.core.spi.Instrumentation {
        @Override public void instrument(emulator.core.spi.BlockEditor block) { }
        @Override public CpuEvents events() { return CpuEvents.NONE; }
        @Override public void callbackFailed(Object owner, Throwable error) { }
    }

    static Rig rerun(Asm p, emulator.core.spi.Instrumentation inst) {
        Rig r = new Rig(BackendKind.TIERED);
        r.machine.setInstrumentation(inst);
        r.load(p);
        r.space.map(CODE - 0x4000, 0x4000, emulator.core.mem.Prot.READ | emulator.core.mem.Prot.WRITE);
        r.run(CODE);
        return r;
    }

    @Test
    void cpuEventListenersAloneKeepTranslationsShared() {
        // a system-call tracer instruments no block: a run under it reuses what a plain run translated
        Asm p = twoBlockLoop(4_001, 7_654_321);
        RegionTest.Outcome reference = interpreted(p);
        rerun(p);
        Rig listening = rerun(p, new Engine(false));
        assertEquals(reference, outcome(listening));
        Translator t = listening.machine.translator();
        assertTrue(t.blocksTranslated() > 0);
        assertEquals(t.blocksTranslated(), t.translationsReused(), "every block reused under an engine of CPU events only");
        // an engine that may change blocks translates afresh (its blocks are not those shared)
        Rig hooked = rerun(p, new Engine(true));
        assertEquals(reference, outcome(hooked));
        assertEquals(0, hooked.machine.translator().translationsReused(), "nothing reused under an engine of translation hooks");
    }

    @Test
    void aSecondRunEntersThePlannedRegionAtOnce() {
        // The first run goes round the loop through the execution loop until the entry is hot
        // (Regions.THRESHOLD); the second installs the region it planned then as soon as both
        // members have run (Regions.firstTry), a few dispatches in.
        // its own loop entry (addi 2, 17): twoBlockLoop's entry is the same in every program, so its plan is shared
        Asm p = new Asm(CODE).loadi(0, 3_001).jmp(LOOP);
        p.pad(LOOP).addi(2, 17).addi(0, -1).jnz(0, BODY).halt();
        p.pad(BODY).addi(1, 4_321).jmp(LOOP);
        RegionTest.Outcome reference = interpreted(p);
        Rig first = rerun(p), second = rerun(p);
        assertEquals(reference, outcome(second));
        assertTrue(first.machine.dispatches() > 2L * Regions.THRESHOLD, "first run: " + first.machine.dispatches() + " dispatches");
        assertTrue(second.machine.dispatches() < 10, "second run: " + second.machine.dispatches() + " dispatches");
        assertEquals(first.machine.translator().backend().regionsCompiled(), second.machine.translator().backend().regionsCompiled());
    }

    @Test
    void otherCodeAtTheSameAddressesIsTranslatedAfresh() {
        // Same addresses, same block boundaries, one immediate different in each block.
        Asm a = twoBlockLoop(5_003, 111_111), b = twoBlockLoop(5_003, 222_222);
        RegionTest.Outcome reference = interpreted(b);   // first: translated from b's own bytes
        rerun(a);
        Rig second = rerun(b);
        assertEquals(reference, outcome(second));
        assertEquals(5_002L * 222_222, second.cpu.regs[1]);
    }

    @Test
    void aRegionPlannedFromOtherMembersIsCompiledForTheCodeThereNow() {
        // The loop's entry block is the same in both programs, so the second finds the first's plan
        // (LOOP, BODY); its BODY differs, so the planned region must be compiled for its own BODY.
        Asm a = twoBlockLoop(4_001, 7), b = twoBlockLoop(4_001, 9);
        RegionTest.Outcome reference = interpreted(b);
        Rig first = rerun(a);
        assertTrue(first.machine.translator().backend().regionsCompiled() > 0, "the first run formed a region");
        Rig second = rerun(b);
        assertTrue(second.machine.translator().backend().regionsCompiled() > 0, "the second run formed a region");
        assertEquals(reference, outcome(second));
        assertEquals(4_000L * 9, second.cpu.regs[1]);
    }

    @Test
    void aTranslationThatCouldNotFetchItsCodeIsNotReusedOnceTheCodeIsThere() {
        long far = CODE + 0x3000;
        Asm missing = new Asm(CODE).loadi(1, 41).jmp(far);            // nothing mapped at far: a fetch fault
        Rig r1 = rerun(missing);
        assertEquals(1, r1.kernel.faults.size(), "the jump to unmapped code faults");
        Asm present = new Asm(CODE).loadi(1, 41).jmp(far);
        present.pad(far).addi(1, 1).halt();
        Rig r2 = rerun(present);
        assertEquals(0, r2.kernel.faults.size(), "the code is there now");
        assertEquals(42, r2.cpu.regs[1]);
    }
}
