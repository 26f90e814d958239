package emulator.core.backend;

import static org.junit.jupiter.api.Assertions.*;

import emulator.core.exec.CompiledBlock;
import emulator.core.exec.GuestException;
import emulator.core.exec.MachineConfig.BackendKind;
import emulator.core.ir.Cond;
import emulator.core.ir.IrBlock;
import emulator.core.ir.IrBuilder;
import emulator.core.ir.Label;
import emulator.core.ir.Type;
import emulator.core.ir.Val;
import emulator.core.mem.Prot;
import emulator.core.testing.Rig;
import emulator.core.testing.ToyTarget;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Page guards ({@link PageGuards}): blocks of loads and stores at one register plus constants, as
 * the x86 front end makes them for {@code [esp+k]} (with some at base + index × scale, which must
 * stay out of the groups), compiled for the flat paths, as 64-bit or as 32-bit code, and
 * run from addresses around every kind of page boundary, against the IR interpreter, which tests
 * every access on its own: the same registers, memory, faults (kind, address, access, pc, count)
 * and reports of writes to code.
 */
class PageGuardTest {
    static final long PC = 0x1000, NEXT = 0x2000;
    static final long RAM = 0x10000, RO = 0x12000, HOLE = 0x13000, NONE = 0x14000, WO = 0x15000, CODE = 0x16000;
    static final long TOP = 0xFFFFF000L; // the last page below 4 GiB, RW; page 0 is RW too (a 32-bit wrap)
    static final long[] BOUNDARIES = {RAM, RAM + 0x1000, RO, HOLE, NONE, WO, CODE, CODE + 0x1000, TOP, 0x1000, 1L << 32};

    Rig rig(BackendKind k, byte[] fill) {
        Rig r = new Rig(k);
        r.space.map(0, 0x1000, Prot.RW);
        r.space.map(RAM, 0x2000, Prot.RW);
        r.space.map(RO, 0x1000, Prot.READ);
        r.space.map(NONE, 0x1000, 0);
        r.space.map(WO, 0x1000, Prot.WRITE);
        r.space.map(CODE, 0x1000, Prot.RWX);
        r.space.map(TOP, 0x1000, Prot.RW);
        for (long p : new long[] {0, RAM, RAM + 0x1000, RO, CODE, TOP}) r.space.poke(p, fill, (int) (p >>> 12 & 7) * 0x100, 0x1000);
        r.space.markCode(CODE);
        return r;
    }

    /**
     * A block of {@code n} accesses at r0 plus constants, or at r0 + (r1 << scale) plus constants
     * (base + index), wrapping at 32 bits or not, r0 moved once in the middle.
     */
    static IrBlock block(long seed, boolean wrap32) {
        SplittableRandom rnd = new SplittableRandom(seed);
        IrBuilder ir = new IrBuilder(PC, ToyTarget.SLOTS);
        ir.setLowAddresses(true);
        int n = 2 + rnd.nextInt(8);
        int moveAt = rnd.nextInt(3) == 0 ? rnd.nextInt(n) : -1;
        int scale = rnd.nextInt(3) == 0 ? rnd.nextInt(4) : -1;
        for (int j = 0; j < n; j++) {
            ir.beginInsn(PC + 8L * j);
            if (j == moveAt) ir.setReg(0, ir.add(ir.getReg(0, Type.I64), ir.c64(rnd.nextInt(-24, 24))));
            Val a = ir.add(root(ir, rnd, scale), ir.c64(rnd.nextInt(-72, 72)));
            if (wrap32) a = ir.extu(Type.I64, a, 32);
            int size = 1 << rnd.nextInt(4);
            if (rnd.nextInt(5) < 3) ir.setReg(2 + j, ir.load(Type.I64, a, size, rnd.nextBoolean()));
            else ir.store(a, ir.getReg(20 + j, Type.I64), size);
        }
        ir.exit(NEXT);
        return ir.finish();
    }

    /**
     * A loop inside the block: a load at r0 before the loop's label, one at r0+8 inside it, r0 a page
     * further each turn. A guard made before the label does not hold for the later turns (the label
     * ends every group), so the turn that reaches the unmapped page faults there.
     */
    @Test
    void aLabelEndsTheGroup() {
        IrBuilder ir = new IrBuilder(PC, ToyTarget.SLOTS);
        ir.setLowAddresses(true);
        ir.beginInsn(PC);
        ir.setReg(2, ir.load(Type.I64, ir.getReg(0, Type.I64), 4, false));
        Label loop = ir.newLabel();
        ir.label(loop);
        ir.beginInsn(PC + 8);
        ir.setReg(3, ir.load(Type.I64, ir.add(ir.getReg(0, Type.I64), ir.c64(8)), 4, false));
        ir.setReg(0, ir.add(ir.getReg(0, Type.I64), ir.c64(0x1000)));
        Val left = ir.sub(ir.getReg(1, Type.I64), ir.c64(1));
        ir.setReg(1, left);
        ir.brc(ir.setc(Cond.NE, left, ir.c64(0)), loop);
        ir.exit(NEXT);
        IrBlock b = ir.finish();
        byte[] fill = new byte[0x2000];
        new SplittableRandom(3).nextBytes(fill);
        for (BackendKind k : new BackendKind[] {BackendKind.INTERPRETED, BackendKind.COMPILED}) {
            Rig r = rig(k, fill);
            CompiledBlock code = Rig.prepare(b, k);
            r.cpu.regs[0] = RAM + 0x1800;
            r.cpu.regs[1] = 4;
            GuestException e = assertThrows(GuestException.class, () -> code.exec(r.cpu), k + ": the third turn reads the hole");
            assertEquals(HOLE + 0x808, e.address, k + ": fault address");
        }
    }

    /**
     * An access's root: r0; or, in a block with a scale, one of r0 + (r1 << scale), r0 + ((r1 + k) <<
     * scale), r3 + (r1 << scale) and r0 + (r4 << scale) (in {@link #run} r3 is r0 + 0x40 and r4 is
     * r1 + 8: near, and other roots).
     */
    static Val root(IrBuilder ir, SplittableRandom rnd, int scale) {
        Val r0 = ir.getReg(0, Type.I64);
        if (scale < 0) return r0;
        Val index = ir.getReg(1, Type.I64);
        return switch (rnd.nextInt(5)) {
            case 0 -> r0;
            case 1 -> ir.add(r0, ir.shl(index, ir.c64(scale)));
            case 2 -> ir.add(r0, ir.shl(ir.add(index, ir.c64(rnd.nextInt(-6, 6))), ir.c64(scale)));
            case 3 -> ir.add(ir.getReg(3, Type.I64), ir.shl(index, ir.c64(scale)));
            default -> ir.add(r0, ir.shl(ir.getReg(4, Type.I64), ir.c64(scale)));
        };
    }

    record Outcome(String fault, long pc, long icount, long[] regs, byte[] memory, List<Long> codeWrites) {
        @Override public boolean equals(Object o) {
            return o instanceof Outcome x && fault.equals(x.fault) && pc == x.pc && icount == x.icount && Arrays.equals(regs, x.regs)
                    && Arrays.equals(memory, x.memory) && codeWrites.equals(x.codeWrites);
        }
        @Override public int hashCode() { return fault.hashCode(); }
        @Override public String toString() { return fault + " pc=0x" + Long.toHexString(pc) + " icount=" + icount + " code writes " + codeWrites; }
    }

    Outcome run(BackendKind k, IrBlock b, long r0, long r1, byte[] fill) {
        Rig r = rig(k, fill);
        List<Long> codeWrites = new ArrayList<>();
        r.space.setCodeWriteListener(codeWrites::add);
        CompiledBlock code = Rig.prepare(b, k);
        for (int s = 0; s < 40; s++) r.cpu.regs[s] = 0x0101010101010101L * (s + 1);
        r.cpu.regs[0] = r0;
        r.cpu.regs[1] = r1;
        r.cpu.regs[3] = r0 + 0x40;
        r.cpu.regs[4] = r1 + 8;
        r.cpu.icount = 1000;
        r.cpu.pc = 0;
        String fault = "none";
        try {
            code.exec(r.cpu);
        } catch (GuestException e) {
            fault = e.kind + " at 0x" + Long.toHexString(e.address) + " access " + e.access;
        }
        byte[] mem = new byte[7 * 0x1000];
        long[] pages = {0, RAM, RAM + 0x1000, RO, WO, CODE, TOP};
        for (int p = 0; p < pages.length; p++) r.space.peek(pages[p], mem, p * 0x1000, 0x1000);
        return new Outcome(fault, r.cpu.pc, r.cpu.icount, Arrays.copyOf(r.cpu.regs, 40), mem, codeWrites);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void sameAsTheInterpreterAroundEveryBoundary(boolean wrap32) {
        byte[] fill = new byte[0x2000];
        new SplittableRandom(7).nextBytes(fill);
        SplittableRandom rnd = new SplittableRandom(wrap32 ? 11 : 13);
        int grouped = 0, blocks = 0, faults = 0;
        for (long seed = 0; seed < 150; seed++) {
            IrBlock b = block(seed, wrap32);
            IrBlock again = block(seed, wrap32);
            if (!PageGuards.plan(b, TempFacts.constants(b), 0).isEmpty()) grouped++;
            blocks++;
            for (int t = 0; t < 12; t++) {
                long edge = BOUNDARIES[rnd.nextInt(BOUNDARIES.length)];
                long r1 = rnd.nextInt(64);
                long r0 = edge + rnd.nextInt(-100, 100) - (rnd.nextBoolean() ? r1 * 8 : 0);
                if (wrap32 && edge == 1L << 32) r0 &= 0xFFFFFFFFL; // 32-bit code never holds more
                Outcome want = run(BackendKind.INTERPRETED, again, r0, r1, fill);
                Outcome got = run(BackendKind.COMPILED, b, r0, r1, fill);
                assertEquals(want, got, "block " + seed + (wrap32 ? " (32-bit)" : "") + " at r0=0x" + Long.toHexString(r0) + ", r1=" + r1);
                if (!want.fault.equals("none")) faults++;
            }
        }
        // the cases must exercise what they test: groups formed, and both outcomes seen
        assertTrue(grouped > blocks * 2 / 3, grouped + " of " + blocks + " blocks had a page guard");
        assertTrue(faults > 100 && faults < blocks * 12 - 100, faults + " faults in " + blocks * 12 + " runs");
    }
}
