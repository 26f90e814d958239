package emulator.x86.front;

import emulator.core.ir.Helper;
import emulator.core.ir.Val;
import emulator.x86.Slots;
import emulator.x86.decode.Operand;
import emulator.x86.decode.RegClass;
import emulator.x86.decode.X86Insn;
import emulator.x86.fpu.Fpu;

/**
 * x87 FPU instructions: each becomes one helper call that runs the instruction on the
 * {@link emulator.x86.X87} state in Java ({@link Fpu}, exact 80-bit arithmetic in
 * {@link emulator.x86.fpu.F80}).
 */
final class X87Ops {
    private final E e;

    X87Ops(E e) { this.e = e; }

    /** Touches only the FPU object and guest memory. */
    private static final Helper FPU = new Helper("x87", Fpu::exec, 4, false, 0);
    /** Also reads/writes state slots (EFLAGS for FCOMI, MXCSR and xmm for FXSAVE/FXRSTOR). */
    private static final Helper FPU_REGS = new Helper("x87.regs", Fpu::exec, 4, false,
            Helper.READS_REGS | Helper.WRITES_REGS);
    /** Returns a value (FNSTSW AX). */
    private static final Helper FPU_RES = new Helper("x87.res", Fpu::exec, 4, true, 0);

    private void call(int op, Val a1, int a2, int a3) {
        e.ir.call(FPU, e.ir.c64(op), a1, e.ir.c64(a2), e.ir.c64(a3));
    }

    private void call(int op, long a1, int a2, int a3) { call(op, e.ir.c64(a1), a2, a3); }

    private Operand op(int k) { return e.insn.operand(k); }

    private int st(int k) { return ((Operand.Reg) op(k)).num(); }

    private boolean isMem() { return e.insn.operandCount() > 0 && op(0) instanceof Operand.Mem; }

    private Val addr() { return e.ea((Operand.Mem) op(0)); }

    private int msize() { return op(0).size(); }

    boolean translate(X86Insn in) {
        switch (in.op()) {
            case FLD -> { if (isMem()) call(Fpu.LD_M, addr(), msize(), 0); else call(Fpu.LD_ST, 0, st(0), 0); }
            case FST, FSTP -> {
                int pop = in.op() == emulator.x86.decode.X86Op.FSTP ? 1 : 0;
                if (isMem()) call(Fpu.ST_M, addr(), msize(), pop); else call(Fpu.ST_ST, 0, st(0), pop);
            }
            case FILD -> call(Fpu.ILD, addr(), msize(), 0);
            case FIST -> call(Fpu.IST, addr(), msize(), 0);
            case FISTP -> call(Fpu.IST, addr(), msize(), 1);
            case FISTTP -> call(Fpu.ISTT, addr(), msize(), 1);
            case FLD1 -> call(Fpu.LDCONST, 0, 0, 0);
            case FLDL2T -> call(Fpu.LDCONST, 1, 0, 0);
            case FLDL2E -> call(Fpu.LDCONST, 2, 0, 0);
            case FLDPI -> call(Fpu.LDCONST, 3, 0, 0);
            case FLDLG2 -> call(Fpu.LDCONST, 4, 0, 0);
            case FLDLN2 -> call(Fpu.LDCONST, 5, 0, 0);
            case FLDZ -> call(Fpu.LDCONST, 6, 0, 0);
            case FADD, FMUL, FSUB, FSUBR, FDIV, FDIVR -> arith(in, 0);
            case FADDP, FMULP, FSUBP, FSUBRP, FDIVP, FDIVRP -> arith(in, 1);
            case FIADD, FIMUL, FISUB, FISUBR, FIDIV, FIDIVR -> call(Fpu.ARITH_I, addr(), sub(in.op()), msize());
            case FCOM, FCOMP, FUCOM, FUCOMP -> {
                boolean pop = in.op() == emulator.x86.decode.X86Op.FCOMP || in.op() == emulator.x86.decode.X86Op.FUCOMP;
                boolean quiet = in.op() == emulator.x86.decode.X86Op.FUCOM || in.op() == emulator.x86.decode.X86Op.FUCOMP;
                int a2 = (pop ? 1 : 0) | (quiet ? 0x100 : 0);
                if (isMem()) call(Fpu.COM_M, addr(), a2, msize());
                else call(Fpu.COM_ST, 0, a2, in.operandCount() == 0 ? 1 : st(in.operandCount() - 1));
            }
            case FCOMPP -> call(Fpu.COM_ST, 0, 2, 1);
            case FUCOMPP -> call(Fpu.COM_ST, 0, 2 | 0x100, 1);
            case FICOM -> call(Fpu.COM_I, addr(), 0, msize());
            case FICOMP -> call(Fpu.COM_I, addr(), 1, msize());
            case FCOMI, FCOMIP, FUCOMI, FUCOMIP -> {
                var o = in.op();
                int pop = o == emulator.x86.decode.X86Op.FCOMIP || o == emulator.x86.decode.X86Op.FUCOMIP ? 1 : 0;
                int quiet = o == emulator.x86.decode.X86Op.FUCOMI || o == emulator.x86.decode.X86Op.FUCOMIP ? 2 : 0;
                e.ir.call(FPU_REGS, e.ir.c64(Fpu.COMI), e.ir.c64(0), e.ir.c64(st(1)), e.ir.c64(pop | quiet));
                e.forgetFlags();
            }
            case FCMOVB, FCMOVE, FCMOVBE, FCMOVU, FCMOVNB, FCMOVNE, FCMOVNBE, FCMOVNU -> {
                int cc = switch (in.op()) {
                    case FCMOVB -> 2; case FCMOVNB -> 3; case FCMOVE -> 4; case FCMOVNE -> 5;
                    case FCMOVBE -> 6; case FCMOVNBE -> 7; case FCMOVU -> 10; default -> 11;
                };
                Val c = e.ir.to64(e.cond(cc));
                e.ir.call(FPU, e.ir.c64(Fpu.FCMOV), e.ir.c64(0), e.ir.c64(st(1)), c);
            }
            case FXCH -> call(Fpu.FXCH, 0, in.operandCount() == 0 ? 1 : st(0), 0);
            case FLDCW -> call(Fpu.LDCW, addr(), 0, 0);
            case FNSTCW -> call(Fpu.STCW, addr(), 0, 0);
            case FNSTSW -> {
                if (isMem()) call(Fpu.STSW_M, addr(), 0, 0);
                else {
                    Val v = e.ir.call(FPU_RES, e.ir.c64(Fpu.STSW_AX), e.ir.c64(0), e.ir.c64(0), e.ir.c64(0));
                    e.setGpr(Slots.RAX, 2, e.ir.to32(v));
                }
            }
            case FNINIT -> call(Fpu.INIT, 0, 0, 0);
            case FNCLEX -> call(Fpu.CLEX, 0, 0, 0);
            case FFREE -> call(Fpu.FREE, 0, st(0), 0);
            case FFREEP -> call(Fpu.FREE, 0, st(0), 1);
            case FINCSTP -> call(Fpu.INCSTP, 0, 0, 0);
            case FDECSTP -> call(Fpu.DECSTP, 0, 0, 0);
            case FNOP -> call(Fpu.NOP, 0, 0, 0);
            case FNENI, FNDISI, FNSETPM -> { }
            case FNSTENV -> call(Fpu.STENV, addr(), envOpSize(in), 0);
            case FLDENV -> call(Fpu.LDENV, addr(), envOpSize(in), 0);
            case FNSAVE -> call(Fpu.SAVE, addr(), envOpSize(in), 0);
            case FRSTOR -> call(Fpu.RSTOR, addr(), envOpSize(in), 0);
            case FXSAVE, FXRSTOR -> {
                Val a = addr();
                // #GP on a misaligned save area
                Val mis = e.ir.setc(emulator.core.ir.Cond.NE, e.ir.and(a, e.ir.c64(15)), e.ir.c64(0));
                emulator.core.ir.Label ok = e.label();
                e.ir.brc(e.ir.xor(mis, e.ir.c32(1)), ok);
                e.fault(13, "fxsave/fxrstor on an unaligned address");
                e.ir.label(ok);
                e.ir.call(FPU_REGS, e.ir.c64(in.op() == emulator.x86.decode.X86Op.FXSAVE ? Fpu.FXSAVE : Fpu.FXRSTOR), a,
                        e.ir.c64(in.rexW() ? 1 : 0), e.ir.c64(e.x64 ? 16 : 8));
            }
            case FCHS -> call(Fpu.UNARY, Fpu.CHS, 0, 0);
            case FABS -> call(Fpu.UNARY, Fpu.ABS, 0, 0);
            case FTST -> call(Fpu.UNARY, Fpu.TST, 0, 0);
            case FXAM -> call(Fpu.UNARY, Fpu.XAM, 0, 0);
            case F2XM1 -> call(Fpu.UNARY, Fpu.F2XM1, 0, 0);
            case FYL2X -> call(Fpu.UNARY, Fpu.FYL2X, 0, 0);
            case FPTAN -> call(Fpu.UNARY, Fpu.FPTAN, 0, 0);
            case FPATAN -> call(Fpu.UNARY, Fpu.FPATAN, 0, 0);
            case FXTRACT -> call(Fpu.UNARY, Fpu.FXTRACT, 0, 0);
            case FPREM1 -> call(Fpu.UNARY, Fpu.FPREM1, 0, 0);
            case FPREM -> call(Fpu.UNARY, Fpu.FPREM, 0, 0);
            case FYL2XP1 -> call(Fpu.UNARY, Fpu.FYL2XP1, 0, 0);
            case FSQRT -> call(Fpu.UNARY, Fpu.FSQRT, 0, 0);
            case FSINCOS -> call(Fpu.UNARY, Fpu.FSINCOS, 0, 0);
            case FRNDINT -> call(Fpu.UNARY, Fpu.FRNDINT, 0, 0);
            case FSCALE -> call(Fpu.UNARY, Fpu.FSCALE, 0, 0);
            case FSIN -> call(Fpu.UNARY, Fpu.FSIN, 0, 0);
            case FCOS -> call(Fpu.UNARY, Fpu.FCOS, 0, 0);
            case FBLD -> call(Fpu.BLD, addr(), 0, 0);
            case FBSTP -> call(Fpu.BSTP, addr(), 0, 0);
            default -> { return false; }
        }
        return true;
    }

    private static int envOpSize(X86Insn in) { return in.operandSizeAttr() == 2 ? 2 : 4; }

    private static int sub(emulator.x86.decode.X86Op o) {
        return switch (o) {
            case FADD, FADDP, FIADD -> 0;
            case FMUL, FMULP, FIMUL -> 1;
            case FSUB, FSUBP, FISUB -> 4;
            case FSUBR, FSUBRP, FISUBR -> 5;
            case FDIV, FDIVP, FIDIV -> 6;
            default -> 7;
        };
    }

    private void arith(X86Insn in, int pop) {
        int s = sub(in.op());
        if (isMem()) { call(Fpu.ARITH_M, addr(), s, msize()); return; }
        int dst, src;
        if (in.operandCount() >= 2) { dst = st(0); src = st(1); }
        else { dst = 1; src = 0; }
        e.ir.call(FPU, e.ir.c64(Fpu.ARITH_ST), e.ir.c64(s | (pop << 8)), e.ir.c64(dst), e.ir.c64(src));
    }
}
