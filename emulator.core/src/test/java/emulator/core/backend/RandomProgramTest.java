package emulator.core.backend;

import static org.junit.jupiter.api.Assertions.*;

import emulator.core.exec.GuestException;
import emulator.core.exec.MachineConfig.BackendKind;
import emulator.core.ir.Cond;
import emulator.core.ir.Helper;
import emulator.core.ir.IrBlock;
import emulator.core.ir.IrBuilder;
import emulator.core.ir.Label;
import emulator.core.ir.Op;
import emulator.core.ir.Type;
import emulator.core.ir.Val;
import emulator.core.mem.Prot;
import emulator.core.opt.Optimizer;
import emulator.core.testing.Rig;
import emulator.core.testing.ToyTarget;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random IR programs run on the interpreter and the compiler, each with and without the optimizer,
 * from identical states: final state slots, memory, exit pc / exception and icount must agree.
 */
class RandomProgramTest {
    static final long PC = 0x1000, RAM = 0x10000;
    static final int PROGRAMS = 1500;
    static final Op[] BIN = {Op.ADD, Op.SUB, Op.MUL, Op.AND, Op.OR, Op.XOR, Op.SHL, Op.SHR, Op.SAR, Op.ROL, Op.ROR,
            Op.MULHU, Op.MULHS, Op.DIVU, Op.DIVS, Op.REMU, Op.REMS};
    static final Op[] UN = {Op.NEG, Op.NOT, Op.CLZ, Op.CTZ, Op.POPCNT, Op.BSWAP};
    static final Helper READ = new Helper("rd", (c, a, b, x, y) -> c.regs[(int) (a & 7)] ^ b, 2, true, Helper.READS_REGS);
    static final Helper WRITE = new Helper("wr", (c, a, b, x, y) -> { c.regs[(int) (a & 7)] = b; return 0; }, 2, false,
            Helper.READS_REGS | Helper.WRITES_REGS);

    /** A generator state: the temps usable at this point, per type. */
    static final class Gen {
        final SplittableRandom r;
        final IrBuilder ir = new IrBuilder(PC, ToyTarget.SLOTS);
        List<Val> v32 = new ArrayList<>(), v64 = new ArrayList<>();
        int insn;

        Gen(long seed) { r = new SplittableRandom(seed); }

        long imm() {
            return switch (r.nextInt(3)) {
                case 0 -> IrSemanticsTest.SPECIAL[r.nextInt(IrSemanticsTest.SPECIAL.length)];
                case 1 -> r.nextLong(-70, 70);
                default -> r.nextLong();
            };
        }

        Type type() { return r.nextBoolean() ? Type.I32 : Type.I64; }

        Val pick(Type t) {
            List<Val> l = t == Type.I32 ? v32 : v64;
            if (l.isEmpty() || r.nextInt(8) == 0) return add(r.nextInt(3) == 0 ? ir.getReg(r.nextInt(8), t) : ir.constant(t, imm()));
            return l.get(r.nextInt(l.size()));
        }

        Val add(Val v) { (v.type() == Type.I32 ? v32 : v64).add(v); return v; }

        Val addr() { return ir.add(ir.c64(RAM), ir.and(pick(Type.I64), ir.c64(0xFF0 | r.nextInt(8)))); }

        void step(boolean allowBranch) {
            int what = r.nextInt(100);
            Type t = type();
            if (what < 35) add(ir.binary(BIN[r.nextInt(BIN.length)], pick(t), pick(t)));
            else if (what < 43) add(ir.unary(UN[r.nextInt(UN.length)], pick(t)));
            else if (what < 50) {
                Type src = type();
                int bits = 1 + r.nextInt(Math.min(t.bits, src.bits));
                if (r.nextBoolean()) bits = new int[] {8, 16, 32, 32}[r.nextInt(4)] ;
                if (bits > Math.min(t.bits, src.bits)) bits = Math.min(t.bits, src.bits);
                add(r.nextBoolean() ? ir.extu(t, pick(src), bits) : ir.exts(t, pick(src), bits));
            } else if (what < 56) add(ir.setc(Cond.values()[r.nextInt(Cond.values().length)], pick(t), pick(t)));
            else if (what < 60) add(ir.select(pick(Type.I32), pick(t), pick(t)));
            else if (what < 75) ir.setReg(r.nextInt(8), pick(t));
            else if (what < 78) add(ir.getReg(r.nextInt(8), t));
            else if (what < 82) {
                int size = new int[] {1, 2, 4, 8}[r.nextInt(4)];
                if (size == 8) t = Type.I64;
                add(ir.load(t, addr(), size, r.nextBoolean()));
            } else if (what < 86) {
                int size = new int[] {1, 2, 4, 8}[r.nextInt(4)];
                if (size == 8) t = Type.I64;
                ir.store(addr(), pick(t), size);
            } else if (what < 88) add(ir.call(READ, pick(Type.I64), pick(Type.I64)));
            else if (what < 90) ir.call(WRITE, pick(Type.I64), pick(Type.I64));
            else if (what < 94 && allowBranch) {
                // forward branch over a few ops; temps defined inside are not used after the label
                Label l = ir.newLabel();
                ir.brc(pick(Type.I32), l);
                List<Val> s32 = new ArrayList<>(v32), s64 = new ArrayList<>(v64);
                int n = 1 + r.nextInt(6);
                for (int k = 0; k < n; k++) step(false);
                if (r.nextInt(4) == 0) ir.exit(0x3000 + r.nextInt(16));  // a conditional exit
                ir.label(l);
                v32 = s32; v64 = s64;
            } else if (what < 97 && allowBranch) {
                ir.beginInsn(PC + 4L * ++insn);
            } else ir.setReg(8 + r.nextInt(8), pick(t));
        }

        IrBlock build() {
            ir.beginInsn(PC);
            int n = 5 + r.nextInt(60);
            for (int k = 0; k < n; k++) step(true);
            if (r.nextBoolean()) ir.exit(0x2000); else ir.exit(ir.and(pick(Type.I64), ir.c64(0xFFFF)));
            return ir.finish();
        }
    }

    record Outcome(long next, String fault, long pc, long icount, long[] regs, byte[] ram) {
        void assertSame(Outcome o, String what) {
            assertEquals(fault, o.fault, what + ": exception");
            assertEquals(next, o.next, what + ": next pc");
            assertEquals(pc, o.pc, what + ": pc");
            assertEquals(icount, o.icount, what + ": icount");
            assertArrayEquals(regs, o.regs, what + ": state slots");
            assertArrayEquals(ram, o.ram, what + ": memory");
        }
    }

    static Outcome run(long seed, BackendKind k, boolean optimize) {
        IrBlock b = new Gen(seed).build();
        if (optimize) Optimizer.run(b);
        Rig rig = new Rig(k);
        rig.space.map(RAM, 0x2000, Prot.RW);
        SplittableRandom init = new SplittableRandom(seed ^ 0x5EED);
        byte[] ram = new byte[0x2000];
        init.nextBytes(ram);
        rig.space.poke(RAM, ram, 0, ram.length);
        for (int s = 0; s < 16; s++) rig.cpu.regs[s] = init.nextInt(3) == 0 ? init.nextLong(-3, 3) : init.nextLong();
        rig.cpu.icount = 500;
        long next = -1;
        String fault = null;
        try {
            next = Rig.exec(b, rig.cpu, k);
        } catch (GuestException e) {
            fault = e.kind + "@" + e.address;
        }
        byte[] after = new byte[0x2000];
        rig.space.peek(RAM, after, 0, after.length);
        return new Outcome(next, fault, fault != null ? rig.cpu.pc : 0, rig.cpu.icount, rig.cpu.regs.clone(), after);
    }

    @Test
    void backendsAndOptimizerAgree() {
        int faults = 0;
        for (int p = 0; p < PROGRAMS; p++) {
            long seed = 1000 + p;
            Outcome ref = run(seed, BackendKind.INTERPRETED, false);
            if (ref.fault != null) faults++;
            String what = "program seed " + seed + "\n" + new Gen(seed).build();
            ref.assertSame(run(seed, BackendKind.COMPILED, false), what + " compiled");
            ref.assertSame(run(seed, BackendKind.INTERPRETED, true), what + " optimized, interpreted");
            ref.assertSame(run(seed, BackendKind.COMPILED, true), what + " optimized, compiled");
        }
        assertTrue(faults > 10 && faults < PROGRAMS / 2, "the generator makes some, not mostly, faulting programs: " + faults);
    }

    @Test
    void generatorIsDeterministic() {
        assertEquals(new Gen(5).build().toString(), new Gen(5).build().toString());
        assertNotEquals(new Gen(5).build().toString(), new Gen(6).build().toString());
        assertTrue(Arrays.stream(new long[] {1, 2, 3}).sum() == 6);
    }
}
