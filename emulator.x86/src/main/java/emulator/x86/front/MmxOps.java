package emulator.x86.front;

import emulator.core.ir.Cond;
import emulator.core.ir.Label;
import emulator.core.ir.Type;
import emulator.core.ir.Val;
import emulator.x86.Slots;
import emulator.x86.decode.Operand;
import emulator.x86.decode.RegClass;
import emulator.x86.decode.X86Insn;
import emulator.x86.decode.X86Op;
import emulator.x86.sse.MmxExec;
import emulator.x86.sse.SimdInt;

/**
 * MMX: the no-prefix 0F-map integer forms on mm0–mm7, the SSE additions on mm registers (PSHUFW,
 * PINSRW, PMOVMSKB, …), EMMS, and the conversions and moves between mm and xmm. The mm registers
 * live in the x87 register file ({@link MmxExec}), so each instruction is a helper call; sources in
 * memory or general registers are read in IR first, and stores happen before the MMX state
 * transition, so a fault leaves the FPU as it was.
 */
final class MmxOps {
    private final E e;
    private X86Insn in;

    MmxOps(E e) { this.e = e; }

    private Operand op(int i) { return in.operand(i); }

    private static boolean isMm(Operand o) { return o instanceof Operand.Reg r && r.cls() == RegClass.MMX; }

    private int reg(int i) { return ((Operand.Reg) op(i)).num(); }

    private int imm() {
        for (Operand o : in.operands()) if (o instanceof Operand.Imm i) return (int) i.unsigned();
        return 0;
    }

    boolean translate(X86Insn insn) {
        this.in = insn;
        X86Op op = insn.op();
        switch (op) {
            case EMMS -> { e.ir.call(MmxExec.EMMS); return true; }
            case CVTPI2PS, CVTPI2PD, CVTPS2PI, CVTTPS2PI, CVTPD2PI, CVTTPD2PI, MOVQ2DQ, MOVDQ2Q -> { xmmForm(op); return true; }
            default -> { }
        }
        boolean mmx = false;
        for (Operand o : insn.operands()) mmx |= isMm(o);
        if (!mmx) return false;
        switch (op) {
            case MOVD, MOVQ, MOVNTQ -> move();
            case PMOVMSKB -> {
                Val v = e.ir.call(SimdInt.MOVMSKB, get(reg(1), true), e.ir.c64(0));
                setGpr32or64(v);
            }
            case PEXTRW -> {
                Val v = e.ir.and(e.ir.shr(get(reg(1), true), e.ir.c64(16 * (imm() & 3))), e.ir.c64(0xFFFF));
                setGpr32or64(v);
            }
            case PINSRW -> {
                Val v = e.ir.to64(e.read(op(1), op(1) instanceof Operand.Mem ? 2 : 4));
                compute(op, v, 0);
            }
            case MASKMOVQ -> {
                int as = in.addrSize();
                Val di = e.ir.to64(e.gpr(Slots.RDI, as));
                Val a = e.withSegment(di, in.segment());
                e.ir.call(MmxExec.MASKMOV, get(reg(0), false), get(reg(1), false), a, e.ir.c64(1));
            }
            case PSLLW, PSLLD, PSLLQ, PSRLW, PSRLD, PSRLQ, PSRAW, PSRAD -> {
                if (op(1) instanceof Operand.Imm) compute(op, e.ir.c64(0), 1);
                else compute(op, source(op(1)), 0);
            }
            case PADDB, PADDW, PADDD, PADDQ, PSUBB, PSUBW, PSUBD, PSUBQ, PADDSB, PADDSW, PADDUSB, PADDUSW,
                 PSUBSB, PSUBSW, PSUBUSB, PSUBUSW, PCMPEQB, PCMPEQW, PCMPEQD, PCMPGTB, PCMPGTW, PCMPGTD,
                 PMINUB, PMAXUB, PMINSW, PMAXSW, PAVGB, PAVGW, PMULLW, PMULHW, PMULHUW, PMULUDQ, PMADDWD,
                 PSADBW, PAND, PANDN, POR, PXOR, PUNPCKLBW, PUNPCKLWD, PUNPCKLDQ, PUNPCKHBW, PUNPCKHWD,
                 PUNPCKHDQ, PACKSSWB, PACKUSWB, PACKSSDW, PSHUFW -> compute(op, source(op(1)), 0);
            default -> { return false; }
        }
        return true;
    }

    /** mm[n] as I64; with touch, the instruction's MMX transition happens here too. */
    private Val get(int n, boolean touch) {
        return e.ir.call(MmxExec.GET, e.ir.c64(n), e.ir.c64(touch ? 1 : 0));
    }

    /** A 64-bit source: an mm register or memory of the operand's size, zero-extended. */
    private Val source(Operand o) {
        if (isMm(o)) return get(((Operand.Reg) o).num(), false);
        if (o instanceof Operand.Mem m) {
            Val a = e.ea(m);
            return m.size() == 8 ? e.load(a, 8) : e.ir.to64(e.load(a, m.size()));
        }
        throw new E.Unsupported("mmx operand " + o);
    }

    private void compute(X86Op op, Val src, int aux) {
        e.ir.call(MmxExec.OP, e.ir.c64(MmxExec.pack(op, reg(0), imm(), aux)), src);
    }

    private void setGpr32or64(Val v) {
        int size = op(0).size();
        e.setGpr(reg(0), size, size == 8 ? v : e.ir.to32(v));
    }

    /** MOVD/MOVQ between mm and a general register, memory or mm; MOVNTQ. */
    private void move() {
        Operand d = op(0), s = op(1);
        if (isMm(d)) {
            Val v;
            if (isMm(s)) v = get(((Operand.Reg) s).num(), false);
            else if (s instanceof Operand.Mem m) v = source(m);
            else v = e.ir.to64(e.read(s, s.size()));
            compute(X86Op.MOVQ, v, 0);
            return;
        }
        int size = d.size();
        if (d instanceof Operand.Mem m) {
            Val a = e.ea(m);
            Val v = get(reg(1), false);
            e.store(a, size == 8 ? v : e.ir.to32(v), size);
            e.ir.call(MmxExec.TOUCH);
            return;
        }
        Val v = get(reg(1), true);
        e.write(d, size, size == 8 ? v : e.ir.to32(v));
    }

    /** The conversions and moves between mm (or memory) and xmm. */
    private void xmmForm(X86Op op) {
        Operand s = op(1);
        Val lo, hi = e.ir.c64(0);
        boolean fromMm = isMm(s) || isMm(op(0));
        if (isMm(s)) lo = get(((Operand.Reg) s).num(), false);
        else if (s instanceof Operand.Reg r && r.cls() == RegClass.XMM) {
            lo = e.ir.getReg(Slots.xmmLo(r.num()), Type.I64);
            hi = e.ir.getReg(Slots.xmmHi(r.num()), Type.I64);
        } else {
            Operand.Mem m = (Operand.Mem) s;
            Val a = e.ea(m);
            if (m.size() == 16) {
                // CVT(T)PD2PI m128 is a legacy-SSE 128-bit access: it must be 16-byte aligned
                Label ok = e.label();
                e.ir.brc(e.ir.setc(Cond.EQ, e.ir.and(a, e.ir.c64(15)), e.ir.c64(0)), ok);
                e.fault(13, op + " with a misaligned memory operand");
                e.ir.label(ok);
                lo = e.load(a, 8);
                hi = e.load(e.ir.add(a, e.ir.c64(8)), 8);
            } else lo = m.size() == 8 ? e.load(a, 8) : e.ir.to64(e.load(a, m.size()));
        }
        e.ir.call(MmxExec.XMM, e.ir.c64(MmxExec.pack(op, reg(0), 0, fromMm ? 1 : 0)), lo, hi);
    }
}
