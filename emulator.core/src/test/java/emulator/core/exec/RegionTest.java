package emulator.core.exec;

import static org.junit.jupiter.api.Assertions.*;

import emulator.core.exec.MachineConfig.BackendKind;
import emulator.core.mem.Prot;
import emulator.core.testing.Asm;
import emulator.core.testing.Rig;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regions (several blocks compiled into one method, see {@link Regions}) and code shared between
 * machines: every run under the compiling backends must end in exactly the state the IR interpreter
 * (which has neither) reaches — registers, pc, instruction count, faults — and the regions and sharing
 * must really have happened, so these tests are not vacuous.
 */
class RegionTest {
    static final long CODE = 0x10000, LOOP = 0x10100, BODY = 0x10200;

    /** Outcome of a run, compared as a whole. */
    record Outcome(long[] regs, long pc, long icount, Object faults) {
        @Override public boolean equals(Object o) {
            return o instanceof Outcome x && Arrays.equals(regs, x.regs) && pc == x.pc && icount == x.icount && faults.equals(x.faults);
        }
        @Override public int hashCode() { return Long.hashCode(icount); }
        @Override public String toString() { return "pc=" + Long.toHexString(pc) + " icount=" + icount + " regs=" + Arrays.toString(Arrays.copyOf(regs, 8)) + " faults=" + faults; }
    }

    static Outcome outcome(Rig r) { return new Outcome(r.cpu.regs.clone(), r.cpu.pc, r.cpu.icount, r.kernel.faults); }

    /**
     * A loop run 20,000 times that, in iteration 10,000 (long after it became a region), writes into
     * the immediate of its own first instruction (r1 += imm): the write must end the region run in
     * progress and the following iterations must add the new value. The other iterations store to a
     * data page instead.
     */
    static Asm selfModifyingLoop(int iterations) {
        Asm a = new Asm(CODE).loadi(0, iterations).loadi(6, iterations / 2).loadi(8, LOOP + 4).loadi(9, CODE - 0x100)
                .loadi(3, 5).jmp(LOOP);
        a.pad(LOOP).addi(1, 1).addi(0, -1).jnz(0, BODY).halt();
        a.pad(BODY).addi(6, -1).jnz(6, BODY + 0x100).stb(8, 0, 3).jmp(LOOP);
        a.pad(BODY + 0x100).stb(9, 0, 3).jmp(LOOP);
        return a;
    }

    static Rig run(BackendKind k, Asm program, long dataFrom, long dataTo) {
        Rig r = new Rig(k);
        r.load(program);
        if (dataTo > dataFrom) r.space.map(dataFrom, dataTo - dataFrom, Prot.READ | Prot.WRITE);
        r.run(CODE);
        return r;
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"TIERED", "COMPILED"})
    void selfModifyingCodeInsideARegionIsSeen(BackendKind k) {
        Asm p = selfModifyingLoop(20_000);
        Rig ref = run(BackendKind.INTERPRETED, p, CODE - 0x4000, CODE);
        Rig r = run(k, p, CODE - 0x4000, CODE);
        assertTrue(r.machine.translator().backend().regionsCompiled() > 0, "a region was formed");
        assertEquals(outcome(ref), outcome(r));
        assertEquals(10_000 + 5 * 10_000, r.cpu.regs[1], "the rewritten immediate was added from iteration 10,001 on");
    }

    /**
     * The writing block comes first in the region and jumps forward to the block it changes: each
     * iteration stores a byte at a data address plus an offset read from a table, and the table's
     * entry for iteration 10,000 points the store at the immediate of the next block (r1 += imm).
     */
    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"TIERED", "COMPILED"})
    void selfModifyingCodeFollowedByAJumpForwardIsSeen(BackendKind k) {
        codeWrittenBeforeAJumpForward(k, false);
    }

    /**
     * The same with a page mapped above 4 GiB, so the blocks take the tagged TLB and write in place
     * (not restartable): the jump forward after the store must test for the safe point the write
     * asked for. (Below 4 GiB the store restarts instead, code pages being read-only to it.)
     */
    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"TIERED", "COMPILED"})
    void selfModifyingCodeWrittenInPlaceFollowedByAJumpForwardIsSeen(BackendKind k) {
        codeWrittenBeforeAJumpForward(k, true);
    }

    private static void codeWrittenBeforeAJumpForward(BackendKind k, boolean above4GiB) {
        int iterations = 20_000;
        long table = 0x100000, data = CODE - 0x100;
        Asm a = new Asm(CODE).loadi(0, iterations).loadi(12, table).loadi(9, data).loadi(3, 5).jmp(LOOP);
        a.pad(LOOP).ld(11, 12, 0).addi(12, 8).loadi(5, 0).add(5, 9).add(5, 11).stb(5, 0, 3).jmp(BODY);
        a.pad(BODY).addi(1, 1).addi(0, -1).jnz(0, LOOP).halt();
        Outcome[] out = new Outcome[2];
        BackendKind[] kinds = {BackendKind.INTERPRETED, k};
        for (int n = 0; n < 2; n++) {
            Rig r = new Rig(kinds[n]).load(a);
            if (above4GiB) r.space.map(0x1_0000_0000L, 0x1000, Prot.READ | Prot.WRITE);
            r.space.map(data & ~0xFFFL, 0x1000, Prot.READ | Prot.WRITE);
            r.space.map(table, 8L * iterations, Prot.READ | Prot.WRITE);
            byte[] offset = new byte[8];
            java.nio.ByteBuffer.wrap(offset).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(BODY + 4 - data);
            r.space.poke(table + 8L * 9_999, offset, 0, 8);
            r.run(CODE);
            out[n] = outcome(r);
            if (n == 1) assertTrue(r.machine.translator().backend().regionsCompiled() > 0, "a region was formed");
        }
        assertEquals(out[0], out[1]);
        assertEquals(9_999 + 5 * 10_001, out[1].regs()[1], "the rewritten immediate was added from iteration 10,000 on");
    }

    /**
     * A loop that reads ever higher addresses until it reaches an unmapped page: the fault must
     * report the faulting instruction's pc and the exact count of instructions before it.
     */
    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"TIERED", "COMPILED"})
    void faultInsideARegionIsExact(BackendKind k) {
        long data = 0x40000;
        Asm a = new Asm(CODE).loadi(0, 1).loadi(2, data).jmp(LOOP);
        a.pad(LOOP).ldb(6, 2, 0).add(1, 6).addi(2, 1).jnz(0, BODY).halt();
        a.pad(BODY).addi(7, 2).jmp(LOOP);
        Rig ref = run(BackendKind.INTERPRETED, a, data, data + 0x3000);
        Rig r = run(k, a, data, data + 0x3000);
        assertTrue(r.machine.translator().backend().regionsCompiled() > 0, "a region was formed");
        assertEquals(1, r.kernel.faults.size());
        assertEquals(data + 0x3000, r.kernel.faults.get(0).address());
        assertEquals(outcome(ref), outcome(r));
    }

    /** The machine's instruction limit stops a guest looping inside a region at the same block boundary. */
    @ParameterizedTest
    @ValueSource(longs = {1_000, 54_321, 250_007})
    void instructionLimitStopsARegionLikeTheLoop(long limit) {
        Asm a = new Asm(CODE).loadi(0, 1).jmp(LOOP);
        a.pad(LOOP).addi(1, 3).jnz(0, BODY).halt();
        a.pad(BODY).addi(2, 1).addi(3, 2).jmp(LOOP);
        Outcome[] out = new Outcome[2];
        BackendKind[] kinds = {BackendKind.INTERPRETED, BackendKind.COMPILED};
        for (int n = 0; n < 2; n++) {
            Rig r = new Rig(kinds[n]).load(a);
            r.machine.setInsnLimit(limit);
            r.run(CODE);
            out[n] = outcome(r);
            if (n == 1 && limit > 10_000) assertTrue(r.machine.translator().backend().regionsCompiled() > 0, "a region was formed");
        }
        assertEquals(out[0], out[1]);
        assertTrue(out[1].icount() >= limit && out[1].icount() < limit + 4, "stopped at the first block boundary at or after the limit");
    }

    /**
     * A function called from three places in a loop returns (through a link register) to each: the
     * returns must jump inside the region to all three return sites — the last two targets the
     * execution loop saw would miss one of them on every iteration.
     */
    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"TIERED", "COMPILED"})
    void returnsToEveryCallSiteStayInTheRegion(BackendKind k) {
        long f = 0x10800, ra1 = LOOP + 0x100, ra2 = LOOP + 0x200, ra3 = LOOP + 0x300;
        int iterations = 30_000;
        Asm a = new Asm(CODE).loadi(0, iterations).jmp(LOOP);
        a.pad(LOOP).addi(1, 1).loadi(15, ra1).jmp(f);
        a.pad(ra1).addi(2, 1).loadi(15, ra2).jmp(f);
        a.pad(ra2).addi(4, 1).loadi(15, ra3).jmp(f);
        a.pad(ra3).addi(0, -1).jnz(0, LOOP).halt();
        a.pad(f).addi(3, 1).jr(15);
        Rig ref = run(BackendKind.INTERPRETED, a, 0, 0);
        Rig r = run(k, a, 0, 0);
        assertEquals(outcome(ref), outcome(r));
        assertEquals(3 * iterations, r.cpu.regs[3]);
        assertTrue(r.machine.translator().backend().regionsCompiled() > 0, "a region was formed");
        assertTrue(r.machine.dispatches() < iterations / 4,
                "returns stayed in the region: " + r.machine.dispatches() + " dispatches for " + iterations + " iterations");
    }

    /**
     * A trap raised inside a region (a block that loops to itself, and traps on its last round)
     * leaves inline counters as the interpreter counts them: the counts kept in locals are added
     * once, not once by the trap and again by the fault handler it throws to.
     */
    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"TIERED", "COMPILED"})
    void trapInsideARegionCountsOnce(BackendKind k) {
        long[] interpreted = trapLoop(BackendKind.INTERPRETED), compiled = trapLoop(k);
        assertEquals(interpreted[0], compiled[0], "block counter");
        assertEquals(interpreted[1], compiled[1], "instruction count");
        assertEquals(1, compiled[2], "regions formed");
    }

    /** Runs the trapping loop; returns {counter, icount, regions formed (0/1)}. */
    static long[] trapLoop(BackendKind k) {
        Rig r = new Rig(k);
        r.target.scripts.put(LOOP, ir -> {
            ir.beginInsn(LOOP);
            ir.setReg(1, ir.add(ir.getReg(1, emulator.core.ir.Type.I64), ir.c64(1)));
            ir.setReg(0, ir.add(ir.getReg(0, emulator.core.ir.Type.I64), ir.c64(-1)));
            ir.beginInsn(LOOP + 8);
            emulator.core.ir.Label done = ir.newLabel();
            ir.brc(ir.setc(emulator.core.ir.Cond.EQ, ir.getReg(0, emulator.core.ir.Type.I64), ir.c64(0)), done);
            ir.exit(LOOP);
            ir.label(done);
            ir.trap(new emulator.core.ir.TrapInfo(3, 0, true, "int3"), LOOP + 8);
        });
        emulator.api.instrument.InlineCounter counter = new emulator.api.instrument.InlineCounter();
        r.machine.setInstrumentation(new TestInstrumentation(ed -> ed.countBlock(counter)));
        r.load(new Asm(CODE).loadi(0, 5_000).jmp(LOOP));
        r.run(CODE);
        assertEquals(1, r.kernel.faults.size());
        assertEquals(5_000, r.cpu.regs[1]);
        return new long[] {counter.sum(), r.cpu.icount, r.machine.translator().backend().regionsCompiled() > 0 ? 1 : 0};
    }

    /** A second machine running the same program gets the code compiled for the first. */
    @Test
    void equalCodeIsSharedBetweenMachines() {
        // a loop no other test runs (the shared code outlives machines)
        Asm p = new Asm(CODE).loadi(0, 5_000).jmp(LOOP);
        p.pad(LOOP).addi(1, 7_919).addi(2, 1).addi(0, -1).jnz(0, LOOP).halt();
        Rig first = run(BackendKind.TIERED, p, CODE - 0x4000, CODE);
        Rig second = run(BackendKind.TIERED, p, CODE - 0x4000, CODE);
        assertEquals(outcome(first), outcome(second));
        var be = second.machine.translator().backend();
        assertTrue(be.sharedCodeHits() > 0, "the second run reused compiled code");
        assertTrue(be.blocksCompiled() < first.machine.translator().backend().blocksCompiled(),
                "fewer blocks compiled the second time: " + be.blocksCompiled());
        assertEquals(outcome(run(BackendKind.INTERPRETED, p, CODE - 0x4000, CODE)), outcome(second));
    }
}
