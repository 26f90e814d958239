package emulator.core.backend;

import static org.junit.jupiter.api.Assertions.*;

import emulator.core.exec.CompiledBlock;
import emulator.core.exec.GuestException;
import emulator.core.exec.MachineConfig.BackendKind;
import emulator.core.exec.Vcpu;
import emulator.core.ir.Cond;
import emulator.core.ir.ExitReason;
import emulator.core.ir.Helper;
import emulator.core.ir.IrBlock;
import emulator.core.ir.IrBuilder;
import emulator.core.ir.Label;
import emulator.core.ir.Op;
import emulator.core.ir.TrapInfo;
import emulator.core.ir.Type;
import emulator.core.ir.Val;
import emulator.core.opt.Optimizer;
import emulator.core.testing.Rig;
import emulator.core.testing.ToyTarget;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every IR op on both backends against an independent BigInteger reference. */
class IrSemanticsTest {
    static final long[] SPECIAL = {0, 1, 2, 3, -1, -2, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE,
            0x80000000L, 0xFFFFFFFFL, 0x100000000L, 0x7FL, 0x80L, 0xFFL, 0x7FFFL, 0x8000L, 0xFFFFL, 0xFFFFFFFF00000000L,
            31, 32, 33, 63, 64, 65, 1000, 0x12345678_9ABCDEF0L};
    static final Op[] BINARY = {Op.ADD, Op.SUB, Op.MUL, Op.AND, Op.OR, Op.XOR, Op.SHL, Op.SHR, Op.SAR, Op.ROL, Op.ROR,
            Op.MULHU, Op.MULHS, Op.DIVU, Op.DIVS, Op.REMU, Op.REMS};
    static final Op[] UNARY = {Op.NEG, Op.NOT, Op.CLZ, Op.CTZ, Op.POPCNT, Op.BSWAP};
    static final int CASES = 3000;
    static final long PC = 0x1000, NEXT = 0x2000;

    static long operand(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> SPECIAL[r.nextInt(SPECIAL.length)];
            case 1 -> r.nextLong(-300, 300);
            default -> r.nextLong();
        };
    }

    static IrBlock block(Consumer<IrBuilder> body) {
        IrBuilder ir = new IrBuilder(PC, ToyTarget.SLOTS);
        ir.beginInsn(PC);
        body.accept(ir);
        return ir.finish();
    }

    static int w(Type t) { return t.bits; }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"INTERPRETED", "COMPILED"})
    void binaryOpsFromRegisters(BackendKind k) {
        Rig rig = new Rig(k);
        Vcpu cpu = rig.cpu;
        SplittableRandom rnd = new SplittableRandom(42);
        for (Op op : BINARY) for (Type t : Type.values()) {
            CompiledBlock code = Rig.prepare(block(ir -> {
                ir.setReg(2, ir.binary(op, ir.getReg(0, t), ir.getReg(1, t)));
                ir.exit(NEXT);
            }), k);
            for (int n = 0; n < CASES; n++) {
                long a = operand(rnd), b = operand(rnd);
                if (n < SPECIAL.length * SPECIAL.length) { a = SPECIAL[n / SPECIAL.length]; b = SPECIAL[n % SPECIAL.length]; }
                cpu.regs[0] = a; cpu.regs[1] = b; cpu.regs[2] = 0xDEAD;
                long ic = cpu.icount;
                Long want = Ref.binary(op, w(t), a, b);
                String what = op + " " + t + " 0x" + Long.toHexString(a) + ", 0x" + Long.toHexString(b);
                if (want == null) {
                    GuestException e = assertThrows(GuestException.class, () -> code.exec(cpu), what);
                    assertEquals(GuestException.Kind.DIVIDE_ERROR, e.kind, what);
                    assertEquals(PC, cpu.pc, what);
                    assertEquals(ic, cpu.icount, what);
                    assertEquals(0xDEAD, cpu.regs[2], what);
                } else {
                    assertEquals(NEXT, code.exec(cpu), what);
                    assertEquals((long) want, cpu.regs[2], what);
                    assertEquals(ic + 1, cpu.icount, what);
                }
            }
        }
    }

    /** Constant operands: the optimizer folds them (with Interpreter.compute) and the result must not change. */
    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"INTERPRETED", "COMPILED"})
    void binaryOpsFolded(BackendKind k) {
        Rig rig = new Rig(k);
        SplittableRandom rnd = new SplittableRandom(7);
        for (Op op : BINARY) for (Type t : Type.values()) for (int round = 0; round < 10; round++) {
            List<long[]> cases = new ArrayList<>();
            for (int j = 0; j < 48; j++) {
                long a = operand(rnd), b = operand(rnd);
                if (Ref.binary(op, w(t), a, b) == null) b = 7;
                cases.add(new long[] {a, b});
            }
            IrBlock blk = block(ir -> {
                for (int j = 0; j < cases.size(); j++)
                    ir.setReg(16 + j, ir.binary(op, ir.constant(t, cases.get(j)[0]), ir.constant(t, cases.get(j)[1])));
                ir.exit(NEXT);
            });
            Optimizer.run(blk);
            assertEquals(0, Optimizer.count(blk, op), "folded " + op);
            Rig.exec(blk, rig.cpu, k);
            for (int j = 0; j < cases.size(); j++) {
                long a = cases.get(j)[0], b = cases.get(j)[1];
                assertEquals((long) Ref.binary(op, w(t), a, b), rig.cpu.regs[16 + j], op + " " + t + " " + a + ", " + b);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"INTERPRETED", "COMPILED"})
    void foldedDivideByZeroStillTraps(BackendKind k) {
        Rig rig = new Rig(k);
        for (Op op : new Op[] {Op.DIVU, Op.DIVS, Op.REMU, Op.REMS}) for (Type t : Type.values()) {
            IrBlock blk = block(ir -> {
                ir.setReg(3, ir.c64(9));
                ir.beginInsn(PC + 4);
                ir.setReg(2, ir.binary(op, ir.constant(t, 5), ir.constant(t, 0)));
                ir.exit(NEXT);
            });
            Optimizer.run(blk);
            rig.cpu.icount = 100;
            GuestException e = assertThrows(GuestException.class, () -> Rig.exec(blk, rig.cpu, k));
            assertEquals(GuestException.Kind.DIVIDE_ERROR, e.kind);
            assertEquals(PC + 4, rig.cpu.pc);
            assertEquals(101, rig.cpu.icount);
            assertEquals(9, rig.cpu.regs[3], "state written by the earlier instruction");
        }
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"INTERPRETED", "COMPILED"})
    void unaryOps(BackendKind k) {
        Rig rig = new Rig(k);
        Vcpu cpu = rig.cpu;
        SplittableRandom rnd = new SplittableRandom(43);
        for (Op op : UNARY) for (Type t : Type.values()) {
            CompiledBlock code = Rig.prepare(block(ir -> {
                ir.setReg(2, ir.unary(op, ir.getReg(0, t)));
                ir.setReg(3, ir.unary(op, ir.constant(t, 0)));
                ir.exit(NEXT);
            }), k);
            for (int n = 0; n < CASES; n++) {
                long a = n < SPECIAL.length ? SPECIAL[n] : operand(rnd);
                cpu.regs[0] = a;
                assertEquals(NEXT, code.exec(cpu));
                assertEquals(Ref.unary(op, w(t), a), cpu.regs[2], op + " " + t + " 0x" + Long.toHexString(a));
                assertEquals(Ref.unary(op, w(t), 0), cpu.regs[3], op + " " + t + " of constant 0");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"INTERPRETED", "COMPILED"})
    void extensions(BackendKind k) {
        Rig rig = new Rig(k);
        Vcpu cpu = rig.cpu;
        SplittableRandom rnd = new SplittableRandom(44);
        for (boolean signed : new boolean[] {false, true}) for (Type src : Type.values()) for (Type dst : Type.values())
            for (int bits : new int[] {1, 7, 8, 16, 31, 32, 33, 48, 63, 64}) {
                if (bits > Math.min(src.bits, dst.bits)) continue;
                CompiledBlock code = Rig.prepare(block(ir -> {
                    Val a = ir.getReg(0, src);
                    ir.setReg(2, signed ? ir.exts(dst, a, bits) : ir.extu(dst, a, bits));
                    ir.exit(NEXT);
                }), k);
                for (int n = 0; n < 500; n++) {
                    long a = n < SPECIAL.length ? SPECIAL[n] : operand(rnd);
                    cpu.regs[0] = a;
                    code.exec(cpu);
                    assertEquals(Ref.ext(signed, src.bits, dst.bits, bits, a), cpu.regs[2],
                            (signed ? "exts " : "extu ") + src + "->" + dst + " " + bits + " 0x" + Long.toHexString(a));
                }
            }
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"INTERPRETED", "COMPILED"})
    void setcAndSelect(BackendKind k) {
        Rig rig = new Rig(k);
        Vcpu cpu = rig.cpu;
        SplittableRandom rnd = new SplittableRandom(45);
        for (Cond c : Cond.values()) for (Type t : Type.values()) {
            CompiledBlock code = Rig.prepare(block(ir -> {
                Val a = ir.getReg(0, t), b = ir.getReg(1, t);
                Val cc = ir.setc(c, a, b);
                ir.setReg(2, cc);
                ir.setReg(3, ir.select(cc, ir.getReg(4, t), ir.getReg(5, t)));
                ir.setReg(6, ir.setc(c.negate(), a, b));
                ir.exit(NEXT);
            }), k);
            for (int n = 0; n < CASES; n++) {
                long a, b;
                if (n < SPECIAL.length * SPECIAL.length) { a = SPECIAL[n / SPECIAL.length]; b = SPECIAL[n % SPECIAL.length]; }
                else { a = operand(rnd); b = rnd.nextInt(4) == 0 ? a : operand(rnd); }
                cpu.regs[0] = a; cpu.regs[1] = b; cpu.regs[4] = rnd.nextLong(); cpu.regs[5] = rnd.nextLong();
                code.exec(cpu);
                boolean want = Ref.cmp(c, w(t), a, b);
                String what = c + " " + t + " 0x" + Long.toHexString(a) + ", 0x" + Long.toHexString(b);
                assertEquals(want ? 1 : 0, cpu.regs[2], what);
                assertEquals(want ? 0 : 1, cpu.regs[6], what + " negated");
                assertEquals(Ref.wrap(Ref.u(want ? cpu.regs[4] : cpu.regs[5], w(t)), w(t)), cpu.regs[3], what + " select");
            }
        }
        // SELECT looks at the I32 condition only: high bits of the slot do not count.
        CompiledBlock sel = Rig.prepare(block(ir -> {
            ir.setReg(3, ir.select(ir.getReg(0, Type.I32), ir.c64(11), ir.c64(22)));
            ir.exit(NEXT);
        }), k);
        for (long v : new long[] {0, 1, 0x100000000L, 0x80000000L, -1}) {
            cpu.regs[0] = v;
            sel.exec(cpu);
            assertEquals((int) v != 0 ? 11 : 22, cpu.regs[3], "select on 0x" + Long.toHexString(v));
        }
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"INTERPRETED", "COMPILED"})
    void getAndSetRegisterWidths(BackendKind k) {
        Rig rig = new Rig(k);
        Vcpu cpu = rig.cpu;
        CompiledBlock code = Rig.prepare(block(ir -> {
            Val lo = ir.getReg(0, Type.I32);
            ir.setReg(1, lo);                   // zero-extended into the slot
            ir.setReg(2, ir.to64(lo));          // extu 32
            ir.setReg(3, ir.exts(Type.I64, lo, 32));
            ir.setReg(4, ir.getReg(0, Type.I64));
            ir.exit(ir.getReg(5, Type.I64));
        }), k);
        cpu.regs[0] = 0xAAAA_BBBB_8000_0001L;
        cpu.regs[5] = 0x1234_5678_9000L;
        assertEquals(0x1234_5678_9000L, code.exec(cpu));
        assertEquals(0x8000_0001L, cpu.regs[1]);
        assertEquals(0x8000_0001L, cpu.regs[2]);
        assertEquals(0xFFFF_FFFF_8000_0001L, cpu.regs[3]);
        assertEquals(0xAAAA_BBBB_8000_0001L, cpu.regs[4]);
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"INTERPRETED", "COMPILED"})
    void loopsInsideABlock(BackendKind k) {
        Rig rig = new Rig(k);
        Vcpu cpu = rig.cpu;
        CompiledBlock code = Rig.prepare(block(ir -> {
            Val acc = ir.newTemp(Type.I64), i = ir.newTemp(Type.I64);
            ir.assign(acc, ir.c64(0));
            ir.assign(i, ir.getReg(0, Type.I64));
            Label top = ir.newLabel(), done = ir.newLabel();
            ir.label(top);
            ir.brc(ir.setc(Cond.EQ, i, ir.c64(0)), done);
            ir.assign(acc, ir.add(acc, i));
            ir.setReg(3, acc);                 // a store in the loop: must not be treated as dead
            ir.assign(i, ir.sub(i, ir.c64(1)));
            ir.br(top);
            ir.label(done);
            ir.setReg(2, acc);
            ir.exit(NEXT);
        }), k);
        for (long n = 0; n < 300; n++) {
            cpu.regs[0] = n;
            long ic = cpu.icount;
            code.exec(cpu);
            assertEquals(n * (n + 1) / 2, cpu.regs[2]);
            assertEquals(n == 0 ? cpu.regs[3] : n * (n + 1) / 2, cpu.regs[3]);
            assertEquals(ic + 1, cpu.icount);
        }
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"INTERPRETED", "COMPILED"})
    void exitsAndTraps(BackendKind k) {
        Rig rig = new Rig(k);
        Vcpu cpu = rig.cpu;
        // EXIT with SYSCALL reason: pc returned is the next instruction, exitReason set, icount counts it.
        IrBlock sys = block(ir -> {
            ir.setReg(0, ir.c64(60));
            ir.beginInsn(PC + 8);
            ir.exit(PC + 16, ExitReason.SYSCALL);
        });
        cpu.icount = 10; cpu.exitReason = 0;
        assertEquals(PC + 16, Rig.exec(sys, cpu, k));
        assertEquals(ExitReason.SYSCALL.ordinal() + 1, cpu.exitReason);
        assertEquals(12, cpu.icount);
        assertEquals(60, cpu.regs[0]);
        IrBlock sysr = block(ir -> { ir.exit(ir.getReg(1, Type.I64)); });
        cpu.exitReason = 0; cpu.regs[1] = 0xFFFF_8000_0000_1234L;
        assertEquals(0xFFFF_8000_0000_1234L, Rig.exec(sysr, cpu, k));
        assertEquals(0, cpu.exitReason);

        for (boolean after : new boolean[] {false, true}) {
            IrBlock trap = block(ir -> {
                ir.setReg(4, ir.c64(44));
                ir.beginInsn(PC + 8);
                ir.setReg(5, ir.c64(55));
                ir.trap(new TrapInfo(3, 7, after, "int3"), after ? PC + 9 : PC + 8);
            });
            cpu.icount = 100; cpu.regs[4] = cpu.regs[5] = 0;
            GuestException e = assertThrows(GuestException.class, () -> Rig.exec(trap, cpu, k));
            assertEquals(GuestException.Kind.TRAP, e.kind);
            assertEquals(3, e.vector);
            assertEquals(7, e.errorCode);
            assertEquals(after, e.afterInsn);
            assertEquals(after ? PC + 9 : PC + 8, cpu.pc);
            assertEquals(after ? 102 : 101, cpu.icount);
            assertEquals(44, cpu.regs[4]);
            assertEquals(55, cpu.regs[5]);
        }
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"INTERPRETED", "COMPILED"})
    void helperCalls(BackendKind k) {
        Rig rig = new Rig(k);
        Vcpu cpu = rig.cpu;
        long[] seen = new long[5];
        for (int arity = 0; arity <= 4; arity++) {
            int ar = arity;
            Helper h = new Helper("h" + arity, (c, a0, a1, a2, a3) -> {
                assertSame(cpu, c);
                seen[0] = a0; seen[1] = a1; seen[2] = a2; seen[3] = a3; seen[4]++;
                return a0 * 3 + a1 * 5 + a2 * 7 + a3 * 11 + ar;
            }, arity, true, 0);
            CompiledBlock code = Rig.prepare(block(ir -> {
                Val[] args = new Val[ar];
                for (int j = 0; j < ar; j++) args[j] = ir.getReg(j, Type.I64);
                ir.setReg(10, ir.call(h, args));
                ir.exit(NEXT);
            }), k);
            cpu.regs[0] = -1; cpu.regs[1] = 1L << 40; cpu.regs[2] = 3; cpu.regs[3] = Long.MIN_VALUE;
            seen[4] = 0;
            code.exec(cpu);
            assertEquals(1, seen[4]);
            long[] want = new long[4];
            for (int j = 0; j < ar; j++) want[j] = cpu.regs[j];
            for (int j = 0; j < 4; j++) assertEquals(want[j], seen[j], "arg " + j + " of arity " + ar);
            assertEquals(want[0] * 3 + want[1] * 5 + want[2] * 7 + want[3] * 11 + ar, cpu.regs[10]);
        }
        // A helper without a result, that reads registers: sees the value set earlier in the block.
        Helper reads = new Helper("reads", (c, a0, a1, a2, a3) -> { c.regs[11] = c.regs[3] + 1; return 0; }, 0, false, Helper.READS_REGS | Helper.WRITES_REGS);
        // A helper that writes registers (only).
        Helper writes = new Helper("writes", (c, a0, a1, a2, a3) -> { c.regs[4] = a0; return 0; }, 1, false, Helper.WRITES_REGS);
        Helper readsOnly = new Helper("readsOnly", (c, a0, a1, a2, a3) -> c.regs[3], 0, true, Helper.READS_REGS);
        CompiledBlock code = Rig.prepare(block(ir -> {
            ir.setReg(3, ir.c64(1234));
            ir.call(reads);
            ir.setReg(12, ir.call(readsOnly));
            ir.setReg(6, ir.c64(5));
            ir.call(writes, ir.c64(777));
            ir.setReg(2, ir.getReg(4, Type.I64));
            ir.setReg(7, ir.getReg(6, Type.I64));
            ir.setReg(13, ir.getReg(11, Type.I64));
            ir.exit(NEXT);
        }), k);
        cpu.regs[4] = 0; cpu.regs[6] = 0;
        code.exec(cpu);
        assertEquals(1235, cpu.regs[11], "READS_REGS helper sees the earlier SETR");
        assertEquals(1235, cpu.regs[13], "register written by a helper is seen by later GETR");
        assertEquals(1234, cpu.regs[12]);
        assertEquals(777, cpu.regs[2], "WRITES_REGS helper's write seen by later GETR");
        assertEquals(5, cpu.regs[6], "a SETR before a WRITES_REGS helper is not lost");
        assertEquals(5, cpu.regs[7], "a SETR before a WRITES_REGS helper is not lost");
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"INTERPRETED", "COMPILED"})
    void helperThrowingGuestExceptionReportsItsInstruction(BackendKind k) {
        Rig rig = new Rig(k);
        Vcpu cpu = rig.cpu;
        Helper fault = new Helper("fault", (c, a0, a1, a2, a3) -> { throw GuestException.pageFault(0xBAD, 1); }, 0, false, 0);
        IrBlock b = block(ir -> {
            ir.setReg(1, ir.c64(1));
            ir.beginInsn(PC + 8);
            ir.setReg(2, ir.c64(2));
            ir.beginInsn(PC + 16);
            ir.call(fault);
            ir.exit(NEXT);
        });
        cpu.icount = 0;
        GuestException e = assertThrows(GuestException.class, () -> Rig.exec(b, cpu, k));
        assertEquals(0xBAD, e.address);
        assertEquals(PC + 16, cpu.pc);
        assertEquals(2, cpu.icount);
        assertEquals(1, cpu.regs[1]);
        assertEquals(2, cpu.regs[2]);
    }
}
