package emulator.core.exec;

import static org.junit.jupiter.api.Assertions.*;

import emulator.core.exec.MachineConfig.BackendKind;
import emulator.core.ir.IrBuilder;
import emulator.core.ir.Type;
import emulator.core.ir.Val;
import emulator.core.mem.AddressSpace;
import emulator.core.mem.Prot;
import emulator.core.testing.Asm;
import emulator.core.testing.Rig;
import emulator.core.testing.TestKernel;
import emulator.core.testing.ToyTarget;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** The block cache and the execution loop, driven by the toy ISA. */
class ExecutionLoopTest {
    static final long CODE = 0x1000, LOOP = 0x1100, DATA = 0x8000;

    /** r0 = n; r1 = 0; loop: r1 += 3; r0 -= 1; jnz r0 loop; halt. 3n + 4 instructions. */
    static Asm countdown(long n) {
        Asm a = new Asm(CODE).loadi(0, n).loadi(1, 0).jmp(LOOP);
        a.pad(LOOP).addi(1, 3).addi(0, -1).jnz(0, LOOP).halt();
        return a;
    }

    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void loopResultAndExactIcount(BackendKind k) {
        Rig r = new Rig(k).load(countdown(1000));
        r.run(CODE);
        assertEquals(3000, r.cpu.regs[1]);
        assertEquals(0, r.cpu.regs[0]);
        assertEquals(3 + 3 * 1000 + 1, r.cpu.icount);
        assertEquals(1, r.kernel.stops);
        assertEquals(LOOP + 32, r.cpu.pc, "pc after halt is the next instruction");
        assertEquals(3 + 3 * 1000 + 1, r.machine.icount());
    }

    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void chainingDoesNotRetranslate(BackendKind k) {
        Rig r = new Rig(k).load(countdown(5000));
        r.run(CODE);
        assertEquals(3, r.machine.translator().blocksTranslated(), "entry, loop, halt: each translated once");
        assertEquals(15000, r.cpu.regs[1]);
    }

    @Test
    void tieringCompilesAfterThresholdRuns() {
        int threshold = 3;
        Rig r = new Rig(BackendKind.TIERED, threshold, 1 << 16, 200);
        Asm a = new Asm(CODE).loadi(0, 10).jmp(LOOP);
        a.pad(LOOP).insn(ToyTarget.PROBE, 0, 0, 0).addi(0, -1).jnz(0, LOOP).halt();
        r.load(a);
        List<Long> compiledAtRun = new ArrayList<>();
        List<Boolean> loopBlockCompiled = new ArrayList<>();
        r.target.probe = (c, pc, x, y, z) -> {
            compiledAtRun.add(r.machine.translator().backend().blocksCompiled());
            TranslatedBlock b = c.cache.get(LOOP, 0);
            loopBlockCompiled.add(b != null && b.isCompiled());
            return 0;
        };
        r.run(CODE);
        assertEquals(10, compiledAtRun.size());
        for (int run = 1; run <= 10; run++) {
            assertEquals(run <= threshold ? 0L : 1L, compiledAtRun.get(run - 1), "run " + run + " of the loop block: " + compiledAtRun);
            // the block is marked compiled from the run that compiles it on
            assertEquals(run > threshold, loopBlockCompiled.get(run - 1), "run " + run + ": " + loopBlockCompiled);
        }
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"INTERPRETED", "COMPILED"})
    void fixedBackendsNeverSwitch(BackendKind k) {
        Rig r = new Rig(k, 1, 1 << 16, 200).load(countdown(50));
        r.run(CODE);
        var be = r.machine.translator().backend();
        // compiled here, or given code compiled for equal IR by an earlier test (SharedCode)
        assertEquals(k == BackendKind.COMPILED ? 3 : 0, be.blocksCompiled() + be.sharedCodeHits());
    }

    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void boundedCacheFlushesAndKeepsRunning(BackendKind k) {
        // 20 blocks in a ring, each adding its index to r1; r0 counts rounds.
        int n = 20;
        Rig r = new Rig(k, 2, 4, 200);
        Asm a = new Asm(CODE).loadi(0, 30).loadi(1, 0).jmp(0x2000);
        for (int b = 0; b < n; b++) {
            a.pad(0x2000 + 0x40L * b).addi(1, b);
            if (b < n - 1) a.jmp(0x2000 + 0x40L * (b + 1));
            else a.addi(0, -1).jnz(0, 0x2000).halt();
        }
        r.load(a).run(CODE);
        assertEquals(30L * (n * (n - 1) / 2), r.cpu.regs[1]);
        assertTrue(r.machine.cachedBlocks() <= 4, "cache bounded: " + r.machine.cachedBlocks());
        assertTrue(r.machine.translator().blocksTranslated() > 100, "blocks were re-translated after flushes");
    }

    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void selfModifyingCode(BackendKind k) {
        // 0x1000: r0 = 2; r2 = address of ADDI's imm; jmp 0x1100
        // 0x1100: r1 += 1; r0 -= 1; jnz r0, 0x1200; halt
        // 0x1200: byte [r2] = r3 (=100); jmp 0x1100     -- rewrites the ADDI the program already ran
        Rig r = new Rig(k, 1, 1 << 16, 200);
        Asm a = new Asm(CODE).loadi(0, 3).loadi(2, 0x1104).loadi(3, 100).jmp(0x1100);
        a.pad(0x1100).addi(1, 1).addi(0, -1).jnz(0, 0x1200).halt();
        a.pad(0x1200).stb(2, 0, 3).addi(3, 1).jmp(0x1100);
        r.load(a).run(CODE);
        assertEquals(1 + 100 + 101, r.cpu.regs[1], "each rewrite is seen by the next run of the block");
        assertTrue(r.machine.translator().blocksTranslated() >= 5);
    }

    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void codeWrittenFromOutsideIsRetranslated(BackendKind k) {
        Rig r = new Rig(k, 1, 1 << 16, 200);
        r.load(new Asm(CODE).loadi(1, 5).sys().loadi(1, 7).halt());
        // the kernel (a debugger, a loader) patches the instruction after the syscall
        r.kernel.onSyscall = c -> c.memory().write(CODE + 16, Asm.encode(ToyTarget.LOADI, 1, 0, 9), 0, 8);
        r.run(CODE);
        assertEquals(9, r.cpu.regs[1]);
    }

    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void syscallsReachTheKernelWithNextPc(BackendKind k) {
        Rig r = new Rig(k);
        r.load(new Asm(CODE).loadi(0, 60).loadi(1, 2).sys().addi(1, 1).sys().halt());
        r.kernel.onSyscall = c -> c.regs[0] = c.regs[0] + 1;  // a return value the guest sees
        r.run(CODE);
        assertEquals(2, r.kernel.syscalls.size());
        assertEquals(new TestKernel.Sys(CODE + 24, 3, 60), r.kernel.syscalls.get(0));
        assertEquals(new TestKernel.Sys(CODE + 40, 5, 61), r.kernel.syscalls.get(1));
        assertEquals(62, r.cpu.regs[0]);
        assertEquals(6, r.cpu.icount);
    }

    /**
     * After a switch of address space the vCPU runs the new space's code at a pc it has run in the
     * old one (the vCPU's table of recent blocks must not hand back the old space's block).
     */
    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void newAddressSpaceRunsItsOwnCodeAtAKnownPc(BackendKind k) {
        long p = CODE + 0x100;
        Rig r = new Rig(k);
        // old space: loop of "r1 += 1; sys" (the block after sys, at p + 16, runs after each call)
        r.load(new Asm(CODE).loadi(1, 0).jmp(p).pad(p).addi(1, 1).sys().jmp(p));
        AddressSpace other = new AddressSpace(1L << 30);
        byte[] code = new Asm(CODE).pad(p).loadi(3, 666).halt().loadi(3, 77).halt().bytes();
        other.map(CODE, code.length, Prot.RWX);
        other.poke(CODE, code, 0, code.length);
        r.kernel.onSyscall = c -> {
            if (c.regs[1] == 5) c.setSpace(other);
            if (c.regs[1] > 5) c.stop(); // the old space's loop again: it would never end
        };
        r.run(CODE);
        assertEquals(77, r.cpu.regs[3], "ran the new space's block at p + 16");
        assertEquals(5, r.cpu.regs[1]);
    }

    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void faultsReachTheKernelWithExactState(BackendKind k) {
        Rig r = new Rig(k);
        r.load(new Asm(CODE).loadi(0, 5).loadi(1, 0).divu(0, 1).loadi(3, 3).halt());
        r.run(CODE);
        assertEquals(1, r.kernel.faults.size());
        TestKernel.Fault f = r.kernel.faults.get(0);
        assertEquals(GuestException.Kind.DIVIDE_ERROR, f.kind());
        assertEquals(CODE + 16, f.pc());
        assertEquals(2, f.icount());
        assertEquals(0, r.cpu.regs[3]);

        Rig r2 = new Rig(k);
        r2.load(new Asm(CODE).loadi(4, 1).loadi(2, 0x7778).ld(3, 2, 0).halt());
        r2.run(CODE);
        TestKernel.Fault pf = r2.kernel.faults.get(0);
        assertEquals(GuestException.Kind.PAGE_FAULT, pf.kind());
        assertEquals(0x7778, pf.address());
        assertEquals(0, pf.access());
        assertEquals(CODE + 16, pf.pc());
        assertEquals(2, pf.icount());
        assertEquals(1, r2.cpu.regs[4]);

        Rig r3 = new Rig(k);
        r3.load(new Asm(CODE).loadi(4, 1).trapi(3).halt());
        r3.run(CODE);
        TestKernel.Fault t = r3.kernel.faults.get(0);
        assertEquals(GuestException.Kind.TRAP, t.kind());
        assertEquals(3, t.vector());
        assertEquals(CODE + 16, t.pc(), "a trap reports the next instruction");
        assertEquals(2, t.icount());

        Rig r4 = new Rig(k);
        r4.load(new Asm(CODE).loadi(4, 1).insn(0x77, 0, 0, 0).halt());
        r4.run(CODE);
        assertEquals(ToyTarget.VEC_UD, r4.kernel.faults.get(0).vector());
        assertEquals(CODE + 8, r4.kernel.faults.get(0).pc());
        assertEquals(1, r4.kernel.faults.get(0).icount());
    }

    /** The kernel unmaps or write-protects a page during a system call; the guest must fault on its next access. */
    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void mappingChangesInTheKernelAreSeenAfterReturn(BackendKind k) {
        Rig r = new Rig(k);
        r.space.map(DATA, 0x1000, Prot.RW);
        r.load(new Asm(CODE).loadi(2, DATA).loadi(3, 7).st(2, 0, 3).ld(4, 2, 0).sys().ld(5, 2, 0).halt());
        r.kernel.onSyscall = c -> c.space.unmap(DATA, 0x1000);
        r.run(CODE);
        assertEquals(7, r.cpu.regs[4]);
        assertEquals(1, r.kernel.faults.size(), "load from the unmapped page faults");
        assertEquals(DATA, r.kernel.faults.get(0).address());

        Rig w = new Rig(k);
        w.space.map(DATA, 0x1000, Prot.RW);
        w.load(new Asm(CODE).loadi(2, DATA).loadi(3, 7).st(2, 0, 3).sys().st(2, 8, 3).halt());
        w.kernel.onSyscall = c -> c.space.protect(DATA, 0x1000, Prot.READ);
        w.run(CODE);
        assertEquals(1, w.kernel.faults.size(), "store to the now read-only page faults");
        assertEquals(DATA + 8, w.kernel.faults.get(0).address());
        assertEquals(1, w.kernel.faults.get(0).access());
    }

    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void unmappedCodeTraps(BackendKind k) {
        Rig r = new Rig(k);
        r.load(new Asm(CODE).loadi(1, 1).jmp(0x9000));
        r.run(CODE);
        assertEquals(ToyTarget.VEC_FETCH, r.kernel.faults.get(0).vector());
        assertEquals(0x9000, r.kernel.faults.get(0).pc());
        assertEquals(2, r.kernel.faults.get(0).icount());
    }

    /**
     * A block of many instructions too large for one JVM method is split (re-translated with fewer
     * instructions) until its pieces compile; the result is unchanged.
     */
    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"COMPILED", "TIERED"})
    void tooLargeBlockIsSplit(BackendKind k) {
        Rig r = new Rig(k, 1, 1 << 16, 200);
        Asm a = new Asm(0x1000);
        int insns = 120, rounds = 250;
        for (int j = 0; j < insns; j++) a.heavy(3, rounds);
        a.halt();
        r.load(a);
        long want = 5;
        for (int j = 0; j < insns; j++) for (long q = 0; q < rounds; q++) want = (want ^ (q * 0x9E3779B97F4A7C15L)) + q;
        TranslatedBlock first = null;
        // Tiered: interpret, try to compile, split, interpret the shorter block, … until it compiles.
        for (int round = 0; round < 30 && (first == null || !first.isCompiled()); round++) {
            Vcpu c = r.machine.newVcpu(r.space);
            c.regs[3] = 5;
            c.pc = 0x1000;
            c.run();
            assertEquals(want, c.regs[3], "round " + round);
            assertEquals(insns + 1, c.icount);
            first = r.cpu.cache.get(0x1000, 0);
        }
        assertTrue(first != null && first.isCompiled(), "the block at the start ends up compiled");
        assertTrue(first.insnCount() < insns, "the block was split: " + first.insnCount() + " instructions");
    }

    /** A block far larger than a JVM method allows: compiles or falls back to the interpreter, with the right result. */
    @ParameterizedTest
    @EnumSource(BackendKind.class)
    void hugeBlock(BackendKind k) {
        Rig r = new Rig(k, 1, 1 << 16, 200);
        int n = 20_000;
        r.target.scripts.put(0x5000L, ir -> {
            ir.beginInsn(0x5000);
            Val acc = ir.getReg(0, Type.I64);
            for (int j = 0; j < n; j++) {
                acc = ir.add(ir.xor(acc, ir.c64(j * 0x9E3779B97F4A7C15L)), ir.c64(j));
                if (j % 1000 == 999) ir.setReg(1 + j / 1000 % 8, acc);
            }
            ir.setReg(0, acc);
            ir.exit(0x6000, emulator.core.ir.ExitReason.STOP);
        });
        long want = 77;
        long[] slots = new long[9];
        for (int j = 0; j < n; j++) {
            want = (want ^ (j * 0x9E3779B97F4A7C15L)) + j;
            if (j % 1000 == 999) slots[1 + j / 1000 % 8] = want;
        }
        for (int round = 0; round < 3; round++) {
            Vcpu c = r.machine.newVcpu(r.space);
            c.regs[0] = 77;
            c.pc = 0x5000;
            c.run();
            assertEquals(want, c.regs[0], "round " + round);
            for (int s = 1; s <= 8; s++) assertEquals(slots[s], c.regs[s]);
            assertEquals(1, c.icount);
            assertEquals(0x6000, c.pc);
        }
        assertEquals(1, r.machine.translator().blocksTranslated());
        assertEquals(0, r.kernel.faults.size());
    }
}
