package emulator.core.backend;

import emulator.api.instrument.BlockCallback;
import emulator.api.instrument.InlineCounter;
import emulator.api.instrument.InsnCallback;
import emulator.api.instrument.MemCallback;
import emulator.core.exec.GuestException;
import emulator.core.exec.Vcpu;
import emulator.core.ir.CallbackRef;
import emulator.core.ir.Cond;
import emulator.core.ir.ExitReason;
import emulator.core.ir.Helper;
import emulator.core.ir.Inst;
import emulator.core.ir.IrBlock;
import emulator.core.ir.Op;
import emulator.core.ir.TrapInfo;
import emulator.core.ir.Type;
import emulator.core.mem.MemOps;
import java.util.List;

/**
 * The IR interpreter, and the reference semantics of every IR operation: the bytecode backend must
 * agree with it (the tests run both). Values of I32 temps are kept sign-extended in a long.
 */
public final class Interpreter {
    private Interpreter() {}

    public static long run(IrBlock b, Vcpu cpu) {
        List<Inst> ops = b.ops;
        int temps = b.temps.size();
        long[] t = cpu.interpreterTemps;
        if (t.length < temps) t = cpu.interpreterTemps = new long[Math.max(temps, 2 * t.length)];
        else java.util.Arrays.fill(t, 0, temps, 0L); // a temp read before it is set reads 0, as in a new array
        int[] labels = b.labelPositions();
        int cur = 0;
        int n = ops.size();
        int k = 0;
        try {
            while (k < n) {
                Inst i = ops.get(k++);
                Type ty = i.type;
                switch (i.op) {
                    case CONST -> { if (i.dst >= 0) t[i.dst] = i.imm; }
                    case MOV -> { if (i.dst >= 0) t[i.dst] = t[i.a]; }
                    case GETR -> t[i.dst] = ty.canon(cpu.regs[(int) i.imm]);
                    case SETR -> cpu.regs[(int) i.imm] = ty == Type.I32 ? t[i.a] & 0xFFFFFFFFL : t[i.a];
                    case INSN -> cur = (int) i.imm;
                    case LABEL -> { }
                    case BR -> k = labels[(int) i.imm];
                    case BRC -> { if (t[i.a] != 0) k = labels[(int) i.imm]; }
                    case EXIT -> {
                        cpu.icount += cur + 1;
                        if (i.aux != null) cpu.exitReason = ((ExitReason) i.aux).ordinal() + 1;
                        return i.imm;
                    }
                    case EXITR -> {
                        cpu.icount += cur + 1;
                        if (i.aux != null) cpu.exitReason = ((ExitReason) i.aux).ordinal() + 1;
                        return t[i.a];
                    }
                    case TRAP -> {
                        TrapInfo ti = (TrapInfo) i.aux;
                        cpu.icount += ti.afterInsn() ? cur + 1 : cur;
                        cpu.pc = i.imm;
                        throw GuestException.trap(ti.vector(), ti.errorCode(), ti.afterInsn(), ti.detail());
                    }
                    case LOAD -> {
                        int size = (int) (i.imm & 0xF);
                        long v = MemOps.load(cpu, t[i.a], size);
                        if ((i.imm & Op.SIGNED) != 0) v = (v << (64 - 8 * size)) >> (64 - 8 * size);
                        t[i.dst] = ty.canon(v);
                    }
                    case STORE -> MemOps.store(cpu, t[i.a], t[i.b], (int) i.imm);
                    case CALL -> {
                        Helper h = (Helper) i.aux;
                        int[] a = i.args;
                        long r = h.fn().call(cpu, a.length > 0 ? t[a[0]] : 0, a.length > 1 ? t[a[1]] : 0,
                                a.length > 2 ? t[a[2]] : 0, a.length > 3 ? t[a[3]] : 0);
                        if (i.dst >= 0) t[i.dst] = r;
                    }
                    case CB_BLOCK -> {
                        CallbackRef r = (CallbackRef) i.aux;
                        cpu.pc = i.imm;
                        cpu.regsReadOnly = !r.writesRegs();
                        try { ((BlockCallback) r.callback()).onBlock(cpu, i.imm, b.insnCount()); }
                        catch (GuestException ge) { throw ge; }
                        catch (Throwable e) { Callbacks.failed(cpu, r, e); }
                        finally { cpu.regsReadOnly = false; }
                    }
                    case CB_INSN -> {
                        CallbackRef r = (CallbackRef) i.aux;
                        cpu.pc = i.imm;
                        cpu.regsReadOnly = !r.writesRegs();
                        try { ((InsnCallback) r.callback()).onInsn(cpu, i.imm); }
                        catch (GuestException ge) { throw ge; }
                        catch (Throwable e) { Callbacks.failed(cpu, r, e); }
                        finally { cpu.regsReadOnly = false; }
                    }
                    case CB_MEM -> {
                        CallbackRef r = (CallbackRef) i.aux;
                        int size = (int) (i.imm & 0xF);
                        long v = size == 8 ? t[i.b] : t[i.b] & ((1L << (8 * size)) - 1);
                        long pc = b.insnPcs[cur];
                        cpu.pc = pc;
                        cpu.regsReadOnly = !r.writesRegs();
                        try { ((MemCallback) r.callback()).onAccess(cpu, pc, t[i.a], size, v, (i.imm & Op.WRITE) != 0); }
                        catch (GuestException ge) { throw ge; }
                        catch (Throwable e) { Callbacks.failed(cpu, r, e); }
                        finally { cpu.regsReadOnly = false; }
                    }
                    case COUNT -> ((InlineCounter) i.aux).add(cpu.index, i.imm);
                    default -> t[i.dst] = ty.canon(compute(i.op, ty, i, t));
                }
            }
        } catch (GuestException e) {
            if (i(ops, k - 1).op != Op.TRAP) {
                cpu.pc = b.insnPcs.length > 0 ? b.insnPcs[cur] : b.pc;
                cpu.icount += cur;
            }
            throw e;
        }
        throw new IllegalStateException("block 0x" + Long.toHexString(b.pc) + " ran off its end");
    }

    private static Inst i(List<Inst> ops, int k) { return ops.get(Math.max(0, k)); }

    /** Pure operations on canonical values: the single definition of their semantics. */
    public static long compute(Op op, Type ty, Inst i, long[] t) {
        long a = i.a >= 0 ? t[i.a] : 0, b = i.b >= 0 ? t[i.b] : 0;
        boolean w = ty == Type.I32;
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case AND -> a & b;
            case OR -> a | b;
            case XOR -> a ^ b;
            case SHL -> w ? (int) a << (int) b : a << b;
            case SHR -> w ? (int) a >>> (int) b : a >>> b;
            case SAR -> w ? (int) a >> (int) b : a >> b;
            case ROL -> w ? Integer.rotateLeft((int) a, (int) b) : Long.rotateLeft(a, (int) b);
            case ROR -> w ? Integer.rotateRight((int) a, (int) b) : Long.rotateRight(a, (int) b);
            case MULHU -> w ? ((a & 0xFFFFFFFFL) * (b & 0xFFFFFFFFL)) >>> 32 : Math.unsignedMultiplyHigh(a, b);
            case MULHS -> w ? (a * b) >> 32 : Math.multiplyHigh(a, b);
            case DIVU -> { if (b == 0) throw GuestException.divideError(); yield w ? Integer.divideUnsigned((int) a, (int) b) : Long.divideUnsigned(a, b); }
            case DIVS -> { if (b == 0) throw GuestException.divideError(); yield w ? (int) a / (int) b : a / b; }
            case REMU -> { if (b == 0) throw GuestException.divideError(); yield w ? Integer.remainderUnsigned((int) a, (int) b) : Long.remainderUnsigned(a, b); }
            case REMS -> { if (b == 0) throw GuestException.divideError(); yield w ? (int) a % (int) b : a % b; }
            case NEG -> -a;
            case NOT -> ~a;
            case CLZ -> w ? Integer.numberOfLeadingZeros((int) a) : Long.numberOfLeadingZeros(a);
            case CTZ -> w ? Integer.numberOfTrailingZeros((int) a) : Long.numberOfTrailingZeros(a);
            case POPCNT -> w ? Integer.bitCount((int) a) : Long.bitCount(a);
            case BSWAP -> w ? Integer.reverseBytes((int) a) : Long.reverseBytes(a);
            case EXTU -> i.imm == 64 ? a : a & ((1L << i.imm) - 1);
            case EXTS -> (a << (64 - i.imm)) >> (64 - i.imm);
            case SETC -> ((Cond) i.aux).test(i.imm == 1 ? Type.I64 : Type.I32, a, b) ? 1 : 0;
            case SELECT -> a != 0 ? b : t[i.c];
            default -> throw new IllegalStateException("not a pure op: " + op);
        };
    }

}
