package emulator.x86.front;

import emulator.core.ir.Cond;
import emulator.core.ir.Label;
import emulator.core.ir.Type;
import emulator.core.ir.Val;
import emulator.x86.Flags;
import emulator.x86.Slots;
import emulator.x86.decode.X86Insn;
import emulator.x86.decode.X86Op;

/**
 * MOVS, STOS, LODS, CMPS, SCAS with REP/REPE/REPNE: the repeat loop runs inside the block, one
 * iteration's state (rcx, rsi, rdi) committed per pass, so a fault mid-way resumes where it stopped.
 */
final class StringOps {
    private final E e;

    StringOps(E e) { this.e = e; }

    void translate(X86Insn in) {
        int size = in.opSize();
        int as = in.addrSize();
        boolean rep = in.rep() || in.repne();
        boolean compares = in.op() == X86Op.CMPS || in.op() == X86Op.SCAS;
        Type at = E.ty(as);
        Label top = e.label(), done = e.label();
        // Direction: +size, or -size when DF is set.
        Val df = e.ir.setc(Cond.NE, e.ir.and(e.ir.getReg(Slots.FLAGS, Type.I64), e.ir.c64(Flags.DF)), e.ir.c64(0));
        Val step = e.ir.select(df, e.ir.c64(-size), e.ir.c64(size));
        e.ir.label(top);
        e.forgetFlags();
        if (rep) e.ir.brc(e.ir.setc(Cond.EQ, e.gpr(Slots.RCX, as), e.ir.constant(at, 0)), done);
        int srcSeg = in.segment() >= 0 ? in.segment() : 3;
        Val si = e.ir.to64(e.gpr(Slots.RSI, as)), di = e.ir.to64(e.gpr(Slots.RDI, as));
        switch (in.op()) {
            case MOVS -> {
                Val v = e.load(e.withSegment(si, srcSeg), size);
                e.store(di, v, size);
                advance(Slots.RSI, as, step);
                advance(Slots.RDI, as, step);
            }
            case STOS -> {
                e.store(di, e.gpr(Slots.RAX, size), size);
                advance(Slots.RDI, as, step);
            }
            case LODS -> {
                e.setGpr(Slots.RAX, size, e.load(e.withSegment(si, srcSeg), size));
                advance(Slots.RSI, as, step);
            }
            case CMPS -> {
                Val a = e.load(e.withSegment(si, srcSeg), size), b = e.load(di, size);
                sub(a, b, size);
                advance(Slots.RSI, as, step);
                advance(Slots.RDI, as, step);
            }
            default -> { // SCAS
                Val b = e.load(di, size);
                sub(e.gpr(Slots.RAX, size), b, size);
                advance(Slots.RDI, as, step);
            }
        }
        if (rep) {
            Val n = e.ir.sub(e.gpr(Slots.RCX, as), e.ir.constant(at, 1));
            e.setGpr(Slots.RCX, as, n);
            if (compares) {
                // REPE stops when ZF = 0, REPNE when ZF = 1.
                e.ir.brc(e.cond(in.rep() ? 5 : 4), done);
            }
            e.ir.br(top);
        }
        e.ir.label(done);
        e.forgetFlags();
    }

    private void sub(Val a, Val b, int size) {
        Val r = size >= 4 ? e.ir.sub(a, b) : e.ir.extu(Type.I32, e.ir.sub(a, b), 8 * size);
        e.setFlags(Flags.SUB, size, r, b, null, a);
    }

    private void advance(int reg, int as, Val step64) {
        Val v = e.ir.add(e.ir.to64(e.gpr(reg, as)), step64);
        e.setGpr(reg, as, as == 8 ? v : e.ir.to32(v));
    }
}
