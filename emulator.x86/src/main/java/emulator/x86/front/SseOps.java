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
import emulator.x86.sse.SimdInt;
import emulator.x86.sse.SseExec;

/**
 * SSE and SSE2 instructions. Moves, logic and 64-bit lane arithmetic are written in IR on the two
 * quadword slots of each xmm register; the rest runs out of line in {@link SseExec} (integer lanes)
 * and {@link emulator.x86.sse.SseFloat} (exact IEEE arithmetic under MXCSR with its exception
 * flags) and {@link emulator.x86.sse.Reciprocal} (RCP/RSQRT). MMX forms are in {@link MmxOps}; SSE3 and
 * later are not handled (the caller raises #UD).
 */
final class SseOps {
    private final E e;

    SseOps(E e) { this.e = e; }

    private X86Insn in;

    private Operand op(int i) { return in.operand(i); }

    boolean translate(X86Insn insn) {
        this.in = insn;
        for (Operand o : insn.operands()) if (o instanceof Operand.Reg r && r.cls() == RegClass.MMX) return false;
        X86Op op = insn.op();
        switch (op) {
            case MOVD, MOVQ -> movdq();
            case MOVDQA, MOVAPS, MOVAPD, MOVDQU, MOVUPS, MOVUPD, MOVNTDQ, MOVNTPS, MOVNTPD -> mov128();
            case MOVNTI -> e.store(e.ea((Operand.Mem) op(0)), e.read(op(1), op(1).size()), op(1).size());
            case MOVSS, MOVSD -> movScalar(op == X86Op.MOVSS ? 4 : 8);
            case MOVLPS, MOVLPD, MOVHPS, MOVHPD -> movHalf(op == X86Op.MOVHPS || op == X86Op.MOVHPD);
            case MOVHLPS -> e.ir.setReg(Slots.xmmLo(xr(0)), e.ir.getReg(Slots.xmmHi(xr(1)), Type.I64));
            case MOVLHPS -> e.ir.setReg(Slots.xmmHi(xr(0)), e.ir.getReg(Slots.xmmLo(xr(1)), Type.I64));
            case PAND, ANDPS, ANDPD, POR, ORPS, ORPD, PXOR, XORPS, XORPD, PANDN, ANDNPS, ANDNPD -> logic(op);
            case PADDQ, PSUBQ -> addq(op == X86Op.PADDQ);
            case PUNPCKLQDQ, UNPCKLPD -> {
                Val[] s = src(op(1));
                e.ir.setReg(Slots.xmmHi(xr(0)), s[0]);
            }
            case PUNPCKHQDQ, UNPCKHPD -> {
                Val[] s = src(op(1));
                int d = xr(0);
                e.ir.setReg(Slots.xmmLo(d), e.ir.getReg(Slots.xmmHi(d), Type.I64));
                e.ir.setReg(Slots.xmmHi(d), s[1]);
            }
            case PCMPEQB, PCMPEQW, PCMPEQD, PADDB, PSUBB, PMINUB, PMAXUB -> simdHalves(op);
            case PUNPCKLBW -> {
                Val[] s = src(op(1));
                int n = xr(0);
                Val dl = e.ir.getReg(Slots.xmmLo(n), Type.I64);
                Val lo = e.ir.call(SimdInt.INTERLEAVE_B, dl, s[0]);
                Val hi = e.ir.call(SimdInt.INTERLEAVE_B, e.ir.shr(dl, e.ir.c64(32)), e.ir.shr(s[0], e.ir.c64(32)));
                setX(n, lo, hi);
            }
            case PSHUFD -> pshufd();
            case PMOVMSKB -> {
                Val[] s = src(op(1));
                Val v = e.ir.call(SimdInt.MOVMSKB, s[0], s[1]);
                e.setGpr(((Operand.Reg) op(0)).num(), op(0).size(), op(0).size() == 8 ? v : e.ir.to32(v));
            }
            case PADDW, PADDD, PSUBW, PSUBD, PADDSB, PADDSW, PADDUSB, PADDUSW, PSUBSB, PSUBSW,
                 PSUBUSB, PSUBUSW, PCMPGTB, PCMPGTW, PCMPGTD, PMINSW,
                 PMAXSW, PAVGB, PAVGW, PMULLW, PMULHW, PMULHUW, PMULUDQ, PMADDWD, PSADBW,
                 PUNPCKLWD, PUNPCKLDQ, PUNPCKHBW, PUNPCKHWD, PUNPCKHDQ, UNPCKLPS, UNPCKHPS,
                 PACKSSWB, PACKUSWB, PACKSSDW, PSHUFLW, PSHUFHW, SHUFPS, SHUFPD,
                 ADDPS, SUBPS, MULPS, DIVPS, MINPS, MAXPS, SQRTPS, CMPPS,
                 ADDPD, SUBPD, MULPD, DIVPD, MINPD, MAXPD, SQRTPD, CMPPD,
                 ADDSS, SUBSS, MULSS, DIVSS, MINSS, MAXSS, SQRTSS, CMPSS,
                 ADDSD, SUBSD, MULSD, DIVSD, MINSD, MAXSD, SQRTSD, CMPSD, RCPPS, RCPSS, RSQRTPS, RSQRTSS,
                 CVTSS2SD, CVTSD2SS, CVTDQ2PS, CVTPS2DQ, CVTTPS2DQ, CVTDQ2PD, CVTPD2DQ, CVTTPD2DQ, CVTPS2PD, CVTPD2PS -> {
                if (op(1) instanceof Operand.Mem m && m.size() > 16) return false;
                helper(op, src(op(1)), 0);
            }
            case PSLLW, PSLLD, PSLLQ, PSRLW, PSRLD, PSRLQ, PSRAW, PSRAD -> {
                if (op(1) instanceof Operand.Imm) helper(op, new Val[] {e.ir.c64(0), e.ir.c64(0)}, 1);
                else helper(op, src(op(1)), 0);
            }
            case PSLLDQ, PSRLDQ -> helper(op, new Val[] {e.ir.c64(0), e.ir.c64(0)}, 0);
            case PINSRW -> {
                Val v = e.ir.to64(e.read(op(1), op(1) instanceof Operand.Mem ? 2 : 4));
                helper(op, new Val[] {v, e.ir.c64(0)}, 0);
            }
            case CVTSI2SS, CVTSI2SD -> {
                int size = op(1).size();
                helper(op, new Val[] {e.ir.to64(e.read(op(1), size)), e.ir.c64(0)}, size);
            }
            case MOVMSKPS, MOVMSKPD, PEXTRW -> {
                Val[] s = src(op(1));
                Val v = e.ir.call(SseExec.VAL, e.ir.c64(SseExec.pack(op, 0, imm(), 0)), s[0], s[1]);
                e.setGpr(((Operand.Reg) op(0)).num(), op(0).size(), op(0).size() == 8 ? v : e.ir.to32(v));
            }
            case CVTSS2SI, CVTTSS2SI, CVTSD2SI, CVTTSD2SI -> {
                Val[] s = src(op(1));
                int size = op(0).size();
                Val v = e.ir.call(SseExec.VAL, e.ir.c64(SseExec.pack(op, 0, 0, size)), s[0], s[1]);
                e.setGpr(((Operand.Reg) op(0)).num(), size, size == 8 ? v : e.ir.to32(v));
            }
            case COMISS, UCOMISS, COMISD, UCOMISD -> {
                Val[] s = src(op(1));
                Val f = e.ir.call(SseExec.VAL, e.ir.c64(SseExec.pack(op, xr(0), 0, 0)), s[0], s[1]);
                e.setEflags(f);
            }
            case LDMXCSR -> {
                Val v = e.ir.to64(e.load(e.ea((Operand.Mem) op(0)), 4));
                Label ok = e.label();
                e.ir.brc(e.ir.setc(Cond.EQ, e.ir.and(v, e.ir.c64(~0xFFFFL)), e.ir.c64(0)), ok);
                e.fault(13, "ldmxcsr with reserved bits set");
                e.ir.label(ok);
                e.ir.setReg(Slots.MXCSR, v);
            }
            case MASKMOVDQU -> {
                // the selected bytes of xmm1 to [rdi] (DS, or the segment override), one quadword at a time
                Val a = e.withSegment(e.ir.to64(e.gpr(Slots.RDI, in.addrSize())), in.segment());
                int d = xr(0), m = xr(1);
                e.ir.call(emulator.x86.sse.MmxExec.MASKMOV, e.ir.getReg(Slots.xmmLo(d), Type.I64),
                        e.ir.getReg(Slots.xmmLo(m), Type.I64), a, e.ir.c64(0));
                Val hiAddr = e.ir.add(a, e.ir.c64(8));
                if (!e.x64) hiAddr = e.ir.extu(Type.I64, hiAddr, 32);
                e.ir.call(emulator.x86.sse.MmxExec.MASKMOV, e.ir.getReg(Slots.xmmHi(d), Type.I64),
                        e.ir.getReg(Slots.xmmHi(m), Type.I64), hiAddr, e.ir.c64(0));
            }
            case STMXCSR -> e.store(e.ea((Operand.Mem) op(0)), e.ir.to32(e.ir.getReg(Slots.MXCSR, Type.I64)), 4);
            default -> { return false; }
        }
        return true;
    }

    private int xr(int i) { return ((Operand.Reg) op(i)).num(); }

    private int imm() {
        for (Operand o : in.operands()) if (o instanceof Operand.Imm i) return (int) i.unsigned();
        return 0;
    }

    private void helper(X86Op op, Val[] s, int aux) {
        e.ir.call(SseExec.XMM, e.ir.c64(SseExec.pack(op, xr(0), imm(), aux)), s[0], s[1]);
    }

    /** Whether a 16-byte memory operand of this instruction must be 16-byte aligned. */
    private boolean alignedForm() {
        return switch (in.op()) {
            case MOVUPS, MOVUPD, MOVDQU -> false;
            default -> true;
        };
    }

    private void checkAlign(Val addr) {
        Label ok = e.label();
        e.ir.brc(e.ir.setc(Cond.EQ, e.ir.and(addr, e.ir.c64(15)), e.ir.c64(0)), ok);
        e.fault(13, in.op() + " with a misaligned memory operand");
        e.ir.label(ok);
    }

    /** A source operand as {lo, hi} I64: an xmm register, or memory of its size (zero-extended). */
    private Val[] src(Operand o) {
        if (o instanceof Operand.Reg r && r.cls() == RegClass.XMM)
            return new Val[] {e.ir.getReg(Slots.xmmLo(r.num()), Type.I64), e.ir.getReg(Slots.xmmHi(r.num()), Type.I64)};
        if (o instanceof Operand.Mem m) {
            Val a = e.ea(m);
            int size = m.size();
            if (size == 16) {
                if (alignedForm()) checkAlign(a);
                return new Val[] {e.load(a, 8), e.load(e.ir.add(a, e.ir.c64(8)), 8)};
            }
            Val v = size == 8 ? e.load(a, 8) : e.ir.to64(e.load(a, size));
            return new Val[] {v, e.ir.c64(0)};
        }
        if (o instanceof Operand.Reg r && r.cls() == RegClass.GPR)
            return new Val[] {e.ir.to64(e.read(o, r.size())), e.ir.c64(0)};
        throw new E.Unsupported("sse operand " + o);
    }

    private void setX(int n, Val lo, Val hi) {
        e.ir.setReg(Slots.xmmLo(n), lo);
        e.ir.setReg(Slots.xmmHi(n), hi);
    }

    /** MOVD / MOVQ between xmm and a general register or memory, and MOVQ xmm, xmm/m64. */
    private void movdq() {
        Operand d = op(0), s = op(1);
        if (d instanceof Operand.Reg r && r.cls() == RegClass.XMM) {
            Val[] v = src(s);
            Val lo = v[0];
            if (s instanceof Operand.Reg sr && sr.cls() == RegClass.XMM) lo = v[0];
            setX(r.num(), lo, e.ir.c64(0));
            return;
        }
        int size = d.size();
        Val lo = e.ir.getReg(Slots.xmmLo(xr(1)), Type.I64);
        e.write(d, size, size == 8 ? lo : e.ir.to32(lo));
    }

    private void mov128() {
        Operand d = op(0), s = op(1);
        if (d instanceof Operand.Mem m) {
            Val a = e.ea(m);
            if (alignedForm()) checkAlign(a);
            int r = xr(1);
            e.store(a, e.ir.getReg(Slots.xmmLo(r), Type.I64), 8);
            e.store(e.ir.add(a, e.ir.c64(8)), e.ir.getReg(Slots.xmmHi(r), Type.I64), 8);
            return;
        }
        Val[] v = src(s);
        setX(xr(0), v[0], v[1]);
    }

    private void movScalar(int size) {
        Operand d = op(0), s = op(1);
        if (d instanceof Operand.Mem m) {
            Val lo = e.ir.getReg(Slots.xmmLo(xr(1)), Type.I64);
            e.store(e.ea(m), size == 8 ? lo : e.ir.to32(lo), size);
            return;
        }
        int n = xr(0);
        if (s instanceof Operand.Mem) {
            Val[] v = src(s);
            setX(n, v[0], e.ir.c64(0));
            return;
        }
        Val sl = e.ir.getReg(Slots.xmmLo(xr(1)), Type.I64);
        if (size == 8) { e.ir.setReg(Slots.xmmLo(n), sl); return; }
        Val dl = e.ir.getReg(Slots.xmmLo(n), Type.I64);
        e.ir.setReg(Slots.xmmLo(n), e.ir.or(e.ir.and(dl, e.ir.c64(0xFFFFFFFF00000000L)), e.ir.and(sl, e.ir.c64(0xFFFFFFFFL))));
    }

    private void movHalf(boolean high) {
        Operand d = op(0), s = op(1);
        if (d instanceof Operand.Mem m) {
            int r = xr(1);
            e.store(e.ea(m), e.ir.getReg(high ? Slots.xmmHi(r) : Slots.xmmLo(r), Type.I64), 8);
            return;
        }
        Val v = e.load(e.ea((Operand.Mem) s), 8);
        e.ir.setReg(high ? Slots.xmmHi(xr(0)) : Slots.xmmLo(xr(0)), v);
    }

    private void logic(X86Op op) {
        Val[] s = src(op(1));
        int n = xr(0);
        Val dl = e.ir.getReg(Slots.xmmLo(n), Type.I64), dh = e.ir.getReg(Slots.xmmHi(n), Type.I64);
        Val lo, hi;
        switch (op) {
            case PAND, ANDPS, ANDPD -> { lo = e.ir.and(dl, s[0]); hi = e.ir.and(dh, s[1]); }
            case POR, ORPS, ORPD -> { lo = e.ir.or(dl, s[0]); hi = e.ir.or(dh, s[1]); }
            case PXOR, XORPS, XORPD -> {
                if (op(1) instanceof Operand.Reg r && r.num() == n) { lo = e.ir.c64(0); hi = e.ir.c64(0); }
                else { lo = e.ir.xor(dl, s[0]); hi = e.ir.xor(dh, s[1]); }
            }
            default -> { lo = e.ir.and(e.ir.not(dl), s[0]); hi = e.ir.and(e.ir.not(dh), s[1]); }
        }
        setX(n, lo, hi);
    }

    /** The string-routine ops on each 64-bit half with an allocation-free pure helper ({@link SimdInt}). */
    private void simdHalves(X86Op op) {
        int code = switch (op) {
            case PCMPEQB -> SimdInt.PCMPEQB;
            case PCMPEQW -> SimdInt.PCMPEQW;
            case PCMPEQD -> SimdInt.PCMPEQD;
            case PADDB -> SimdInt.PADDB;
            case PSUBB -> SimdInt.PSUBB;
            case PMINUB -> SimdInt.PMINUB;
            default -> SimdInt.PMAXUB;
        };
        Val[] s = src(op(1));
        int n = xr(0);
        Val c = e.ir.c64(code);
        Val lo = e.ir.call(SimdInt.HALF, c, e.ir.getReg(Slots.xmmLo(n), Type.I64), s[0]);
        Val hi = e.ir.call(SimdInt.HALF, c, e.ir.getReg(Slots.xmmHi(n), Type.I64), s[1]);
        setX(n, lo, hi);
    }

    /** PSHUFD in IR: the imm8 is known at translation, so each dword is a fixed shift of a source half. */
    private void pshufd() {
        Val[] s = src(op(1));
        int imm = imm();
        Val[] dw = new Val[4];
        for (int i = 0; i < 4; i++) {
            int j = (imm >>> (2 * i)) & 3;
            Val q = s[j >> 1];
            dw[i] = (j & 1) == 0 ? e.ir.and(q, e.ir.c64(0xFFFFFFFFL)) : e.ir.shr(q, e.ir.c64(32));
        }
        setX(xr(0), e.ir.or(dw[0], e.ir.shl(dw[1], e.ir.c64(32))), e.ir.or(dw[2], e.ir.shl(dw[3], e.ir.c64(32))));
    }

    private void addq(boolean add) {
        Val[] s = src(op(1));
        int n = xr(0);
        Val dl = e.ir.getReg(Slots.xmmLo(n), Type.I64), dh = e.ir.getReg(Slots.xmmHi(n), Type.I64);
        setX(n, add ? e.ir.add(dl, s[0]) : e.ir.sub(dl, s[0]), add ? e.ir.add(dh, s[1]) : e.ir.sub(dh, s[1]));
    }
}
