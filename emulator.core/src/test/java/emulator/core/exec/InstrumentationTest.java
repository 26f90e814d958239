package emulator.core.exec;

import static org.junit.jupiter.api.Assertions.*;

import emulator.api.instrument.BlockCallback;
import emulator.api.instrument.InlineCounter;
import emulator.api.instrument.InsnCallback;
import emulator.api.instrument.InsnInfo;
import emulator.api.instrument.InsnKind;
import emulator.api.instrument.MemAccessKind;
import emulator.api.instrument.MemCallback;
import emulator.core.exec.MachineConfig.BackendKind;
import emulator.core.ir.CallbackRef;
import emulator.core.mem.Prot;
import emulator.core.spi.BlockEditor;
import emulator.core.testing.Asm;
import emulator.core.testing.Rig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The instrumentation SPI (BlockEditor) on every backend. */
class InstrumentationTest {
    static final long CODE = 0x1000, LOOP = 0x1100, DATA = 0x8000;
    static final int N = 10, INSNS = 3 + 3 * N + 1;

    static Rig countdown(BackendKind k) {
        // tiered with threshold 2: blocks run interpreted first, then compiled
        return new Rig(k, 2, 1 << 16, 200).load(ExecutionLoopTest.countdown(N));
    }

    static void each(BlockEditor ed, Consumer<InsnInfo> f) { ed.insns().forEach(f); }

    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void blockAndInstructionCallbacks(BackendKind k) {
        Rig r = countdown(k);
        List<Long> blocks = new ArrayList<>(), before = new ArrayList<>(), after = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        BlockCallback bc = (cpu, pc, n) -> { blocks.add(pc); if (cpu.pc() != pc) problems.add("block pc"); };
        InsnCallback bi = (cpu, pc) -> {
            before.add(pc);
            if (cpu.pc() != pc) problems.add("before pc " + cpu.pc());
            // registers are up to date: before "addi r1, 3" r1 holds 3 * iterations done
            if (pc == LOOP && cpu.reg("r1") != 3L * (N - cpu.reg("r0"))) problems.add("r1 " + cpu.reg("r1") + " at r0 " + cpu.reg("r0"));
        };
        InsnCallback ai = (cpu, pc) -> after.add(pc);
        r.machine.setInstrumentation(new TestInstrumentation(ed -> {
            assertEquals("toy", ed.arch());
            assertEquals(r.space.asid(), ed.asid());
            ed.beforeBlock(new CallbackRef(bc, "p", false));
            each(ed, i -> {
                assertEquals(ed.insns().get(i.index()), i);
                ed.beforeInsn(i.index(), new CallbackRef(bi, "p", false));
                ed.afterInsn(i.index(), new CallbackRef(ai, "p", false));
            });
        }));
        r.run(CODE);
        assertEquals(List.of(), problems);
        List<Long> wantBlocks = new ArrayList<>(List.of(CODE));
        for (int j = 0; j < N; j++) wantBlocks.add(LOOP);
        wantBlocks.add(LOOP + 24);
        assertEquals(wantBlocks, blocks);
        assertEquals(INSNS, before.size());
        assertEquals(before, after, "after-callbacks for the same instructions, in the same order");
        assertEquals(3L * N, r.cpu.regs[1]);
        assertEquals(INSNS, r.cpu.icount);
    }

    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void memoryCallbacks(BackendKind k) {
        Rig r = new Rig(k, 1, 1 << 16, 200);
        r.space.map(DATA, 0x1000, Prot.RW);
        Asm a = new Asm(CODE).loadi(2, DATA).loadi(3, -2).jmp(LOOP);
        a.pad(LOOP).st(2, 8, 3).ld(4, 2, 8).stb(2, 0x21, 3).ldb(5, 2, 0x21).addi(6, 1).halt();
        r.load(a);
        record Access(long pc, long addr, int size, long value, boolean write) {}
        List<Access> all = new ArrayList<>(), reads = new ArrayList<>(), writes = new ArrayList<>();
        MemCallback ca = (cpu, pc, addr, size, value, write) -> all.add(new Access(pc, addr, size, value, write));
        MemCallback cr = (cpu, pc, addr, size, value, write) -> reads.add(new Access(pc, addr, size, value, write));
        MemCallback cw = (cpu, pc, addr, size, value, write) -> writes.add(new Access(pc, addr, size, value, write));
        r.machine.setInstrumentation(new TestInstrumentation(ed -> each(ed, i -> {
            ed.onMemory(i.index(), new CallbackRef(ca, "m", false), MemAccessKind.READ_WRITE);
            ed.onMemory(i.index(), new CallbackRef(cr, "m", false), MemAccessKind.READ);
            ed.onMemory(i.index(), new CallbackRef(cw, "m", false), MemAccessKind.WRITE);
        })));
        r.run(CODE);
        List<Access> want = List.of(
                new Access(LOOP, DATA + 8, 8, -2L, true),
                new Access(LOOP + 8, DATA + 8, 8, -2L, false),
                new Access(LOOP + 16, DATA + 0x21, 1, 0xFEL, true),
                new Access(LOOP + 24, DATA + 0x21, 1, 0xFEL, false));
        assertEquals(want, all);
        assertEquals(List.of(want.get(1), want.get(3)), reads);
        assertEquals(List.of(want.get(0), want.get(2)), writes);
        assertEquals(-2L, r.cpu.regs[4]);
        assertEquals(0xFE, r.cpu.regs[5]);
    }

    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void inlineCounters(BackendKind k) {
        Rig r = countdown(k);
        InlineCounter perInsn = new InlineCounter(), perBlock = new InlineCounter(), branches = new InlineCounter();
        r.machine.setInstrumentation(new TestInstrumentation(ed -> {
            ed.countBlock(perBlock);
            each(ed, i -> {
                ed.countInsn(i.index(), perInsn);
                if (i.kind() == InsnKind.COND_JUMP) ed.countInsn(i.index(), branches);
            });
        }));
        r.run(CODE);
        assertEquals(INSNS, r.cpu.icount);
        assertEquals(INSNS, perInsn.sum());
        assertEquals(INSNS, perBlock.sum());
        assertEquals(N, branches.sum());
        assertEquals(INSNS, perInsn.get(r.cpu.index));
    }

    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void throwingCallbackIsReportedAndTheGuestGoesOn(BackendKind k) {
        Rig r = countdown(k);
        AtomicInteger good = new AtomicInteger();
        InsnCallback bad = (cpu, pc) -> { throw new IllegalStateException("plugin bug"); };
        InsnCallback ok = (cpu, pc) -> good.incrementAndGet();
        MemCallback badMem = (cpu, pc, addr, size, value, write) -> { throw new AssertionError("x"); };
        TestInstrumentation ti = new TestInstrumentation(ed -> each(ed, i -> {
            ed.beforeInsn(i.index(), new CallbackRef(bad, "badOwner", true));
            ed.afterInsn(i.index(), new CallbackRef(ok, "goodOwner", false));
        }));
        r.machine.setInstrumentation(ti);
        r.run(CODE);
        assertEquals(3L * N, r.cpu.regs[1]);
        assertEquals(INSNS, r.cpu.icount);
        assertEquals(INSNS, good.get(), "the rest of the block ran, including later callbacks");
        assertEquals(INSNS, ti.failedOwners.size());
        assertTrue(ti.failedOwners.stream().allMatch("badOwner"::equals));
        assertTrue(ti.failures.get(0) instanceof IllegalStateException);
        assertTrue(r.kernel.faults.isEmpty());
    }

    /**
     * A callback that reads its own inline counter (counted before it at each instruction) sees it
     * exact, also inside a region where counts are kept in locals.
     */
    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void callbackSeesItsInlineCounterUpToDate(BackendKind k) {
        int n = 20_000;
        Rig r = new Rig(k, 2, 1 << 16, 200).load(ExecutionLoopTest.countdown(n));
        emulator.api.instrument.InlineCounter counter = new emulator.api.instrument.InlineCounter();
        long[] calls = {0}, gaps = {0};
        InsnCallback cb = (cpu, pc) -> { if (counter.get(cpu.index()) != ++calls[0]) gaps[0]++; };
        r.machine.setInstrumentation(new TestInstrumentation(ed -> each(ed, i -> {
            ed.countInsn(i.index(), counter);
            ed.beforeInsn(i.index(), new CallbackRef(cb, "p", false, false));
        })));
        r.run(ExecutionLoopTest.CODE);
        assertEquals(3 + 3L * n + 1, calls[0]);
        assertEquals(0, gaps[0], "callbacks that saw a stale counter");
        assertEquals(calls[0], counter.sum());
        if (k != BackendKind.INTERPRETED) assertTrue(r.machine.translator().backend().regionsCompiled() > 0, "ran as a region");
    }

    /**
     * Callbacks that use no registers (RegAccess.NONE) are called before every instruction with its
     * pc, in order, also in a loop long enough to run as a region, and cannot change registers.
     */
    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void callbacksWithoutRegisterAccessSeeEveryInstruction(BackendKind k) {
        int n = 20_000;
        Rig r = new Rig(k, 2, 1 << 16, 200).load(ExecutionLoopTest.countdown(n));
        long[] calls = {0};
        List<String> problems = new ArrayList<>();
        long[] expected = {ExecutionLoopTest.CODE, ExecutionLoopTest.CODE + 8, ExecutionLoopTest.CODE + 16};
        InsnCallback cb = (cpu, pc) -> {
            long c = calls[0]++;
            // entry: three instructions, then the loop's three per iteration, then halt
            long want = c < 3 ? expected[(int) c] : c < 3 + 3L * n ? ExecutionLoopTest.LOOP + 8 * ((c - 3) % 3) : ExecutionLoopTest.LOOP + 24;
            if (pc != want && problems.size() < 5) problems.add("call " + c + " at " + Long.toHexString(pc) + ", expected " + Long.toHexString(want));
            if (cpu.pc() != pc && problems.size() < 5) problems.add("cpu.pc() " + Long.toHexString(cpu.pc()) + " != " + Long.toHexString(pc));
            cpu.setReg("r1", 12345); // ignored
        };
        r.machine.setInstrumentation(new TestInstrumentation(ed -> each(ed, i -> ed.beforeInsn(i.index(), new CallbackRef(cb, "p", false, false)))));
        r.run(ExecutionLoopTest.CODE);
        assertEquals(List.of(), problems);
        assertEquals(3 + 3L * n + 1, calls[0]);
        assertEquals(3L * n, r.cpu.regs[1]);
        if (k != BackendKind.INTERPRETED) assertTrue(r.machine.translator().backend().regionsCompiled() > 0, "ran as a region");
    }

    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void readWriteCallbacksChangeRegistersReadOnesDoNot(BackendKind k) {
        for (boolean rw : new boolean[] {true, false}) {
            Rig r = countdown(k);
            InsnCallback bump = (cpu, pc) -> {
                cpu.setReg("r1", cpu.reg("r1") + 1000);
                cpu.setReg("r7", 5);   // a register the block never touches
            };
            r.machine.setInstrumentation(new TestInstrumentation(ed -> {
                for (InsnInfo i : ed.insns()) if (i.pc() == LOOP) ed.beforeInsn(i.index(), new CallbackRef(bump, "p", rw));
            }));
            r.run(CODE);
            assertEquals(rw ? 3L * N + 1000L * N : 3L * N, r.cpu.regs[1], rw ? "READ_WRITE is seen" : "READ is not seen");
            assertEquals(rw ? 5 : 0, r.cpu.regs[7], rw ? "READ_WRITE is seen" : "READ is not seen");
        }
    }

    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void removingInstrumentationFlushes(BackendKind k) {
        Rig r = new Rig(k, 2, 1 << 16, 200);
        Asm a = new Asm(CODE).loadi(0, N).jmp(LOOP);
        a.pad(LOOP).addi(1, 3).addi(0, -1).sys().jnz(0, LOOP).halt();
        r.load(a);
        AtomicBoolean removed = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger(), late = new AtomicInteger();
        InsnCallback cb = (cpu, pc) -> { calls.incrementAndGet(); if (removed.get()) late.incrementAndGet(); };
        r.machine.setInstrumentation(new TestInstrumentation(ed -> each(ed, i -> ed.beforeInsn(i.index(), new CallbackRef(cb, "p", false)))));
        r.kernel.onSyscall = c -> {
            if (c.regs[0] == N / 2) {
                c.machine.setInstrumentation(null);
                removed.set(true);
            }
        };
        r.run(CODE);
        assertEquals(0, late.get(), "no callback after setInstrumentation(null) returned");
        assertEquals(2 + 4 * (N / 2) - 1, calls.get(), "callbacks ran until the removal");
        assertEquals(3L * N, r.cpu.regs[1]);
    }
}
