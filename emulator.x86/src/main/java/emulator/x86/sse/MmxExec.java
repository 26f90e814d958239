package emulator.x86.sse;

import emulator.core.exec.Vcpu;
import emulator.core.ir.Helper;
import emulator.core.mem.MemOps;
import emulator.x86.Slots;
import emulator.x86.X86State;
import emulator.x86.X87;
import emulator.x86.decode.X86Op;

import static emulator.x86.sse.SseFloat.F32;
import static emulator.x86.sse.SseFloat.F64;

/**
 * MMX semantics on the x87 register file, as the hardware aliases it: mmN is the 64-bit significand
 * of physical x87 register N, and writing it sets that register's sign/exponent field to 0xFFFF.
 * Every MMX instruction except EMMS then sets TOP to 0 and marks all eight registers valid; EMMS
 * marks them all empty. The lane arithmetic is SSE2's ({@link SseExec#compute}) run on one 64-bit
 * half, with the operands rearranged where the MMX form differs from the low half of the SSE2 one.
 * Argument 0 packs the operation like {@link SseExec#pack}; memory sources are loaded by the front
 * end before the call, so a fault leaves the state untouched.
 */
public final class MmxExec {
    private MmxExec() {}

    private static final X86Op[] OPS = X86Op.values();

    /** (packed op, source value) → writes mm[dst]. Touches only the x87 state. */
    public static final Helper OP = new Helper("x86.mmx", MmxExec::op, 2, false, 0);
    /** (n, touch) → mm[n]; with touch = 1 also enters MMX state (TOP 0, all tags valid). */
    public static final Helper GET = new Helper("x86.mmx.get", MmxExec::get, 2, true, 0);
    /** () → enters MMX state: for stores, after the store has succeeded. */
    public static final Helper TOUCH = new Helper("x86.mmx.touch", (c, a, b, d, e) -> { touch(fpu(c)); return 0; }, 0, false, 0);
    /** () → EMMS: all tags empty. */
    public static final Helper EMMS = new Helper("x86.emms", (c, a, b, d, e) -> { fpu(c).ftw = 0xFFFF; return 0; }, 0, false, 0);
    /** (packed op, source lo, source hi) → the conversions and moves between mm and xmm (read MXCSR, write xmm). */
    public static final Helper XMM = new Helper("x86.mmx.xmm", MmxExec::xmm, 3, false,
            Helper.READS_REGS | Helper.WRITES_REGS);
    /**
     * (data, mask, address, mmx) → the byte stores of MASKMOVQ (mmx = 1: also the MMX transition) and,
     * one quadword at a time, of MASKMOVDQU.
     */
    public static final Helper MASKMOV = new Helper("x86.maskmov", MmxExec::maskmov, 4, false, 0);

    private static X87 fpu(Vcpu c) { return ((X86State) c.ext).fpu; }

    /** The transition every MMX instruction but EMMS makes: TOP = 0, every register valid (FXSAVE tag 0xFF). */
    static void touch(X87 f) {
        f.top = 0;
        f.ftw = 0;
    }

    static void set(X87 f, int n, long v) {
        f.mant[n] = v;
        f.sexp[n] = 0xFFFF;
        touch(f);
    }

    private static long get(Vcpu c, long n, long touch, long u1, long u2) {
        X87 f = fpu(c);
        long v = f.mant[(int) n];
        if (touch != 0) touch(f);
        return v;
    }

    private static long op(Vcpu c, long a0, long s, long u1, long u2) {
        X87 f = fpu(c);
        X86Op op = OPS[(int) (a0 & 0xFFFF)];
        int d = (int) (a0 >>> 16) & 7;
        int imm = (int) (a0 >>> 24) & 0xFF;
        int aux = (int) (a0 >>> 32) & 0xFF;
        set(f, d, compute(op, f.mant[d], s, imm, aux));
        return 0;
    }

    /** The MMX form of {@code op} on destination value a and source value b. */
    static long compute(X86Op op, long a, long b, int imm, int aux) {
        long[] r = new long[2];
        switch (op) {
            case MOVD, MOVQ -> { return b; }
            case PAND -> { return a & b; }
            case PANDN -> { return ~a & b; }
            case POR -> { return a | b; }
            case PXOR -> { return a ^ b; }
            case PADDQ -> { return a + b; }
            case PSUBQ -> { return a - b; }
            // the high-half unpacks of a 64-bit register are the low-half unpacks of its upper dwords
            case PUNPCKHBW -> SseExec.compute(X86Op.PUNPCKLBW, null, a >>> 32, 0, b >>> 32, 0, 0, 0, r);
            case PUNPCKHWD -> SseExec.compute(X86Op.PUNPCKLWD, null, a >>> 32, 0, b >>> 32, 0, 0, 0, r);
            case PUNPCKHDQ -> SseExec.compute(X86Op.PUNPCKLDQ, null, a >>> 32, 0, b >>> 32, 0, 0, 0, r);
            // packing a then b: the 128-bit form packs its destination's two halves into the low result half
            case PACKSSWB, PACKUSWB, PACKSSDW -> SseExec.compute(op, null, a, b, 0, 0, 0, 0, r);
            case PSHUFW -> SseExec.compute(X86Op.PSHUFLW, null, 0, 0, b, 0, imm, 0, r);
            case PINSRW -> SseExec.compute(op, null, a, 0, b, 0, imm & 3, 0, r);
            default -> SseExec.compute(op, null, a, 0, b, 0, imm, aux, r);
        }
        return r[0];
    }

    private static long xmm(Vcpu c, long a0, long lo, long hi, long u) {
        long[] regs = c.regs;
        X87 f = fpu(c);
        X86Op op = OPS[(int) (a0 & 0xFFFF)];
        int d = (int) (a0 >>> 16) & 0xFF;
        boolean fromMm = ((a0 >>> 32) & 1) != 0;
        SseFloat fp = new SseFloat(regs[Slots.MXCSR]);
        switch (op) {
            case CVTPI2PS -> regs[Slots.xmmLo(d)] = fp.fromInt((int) lo, F32) | fp.fromInt((int) (lo >> 32), F32) << 32;
            case CVTPI2PD -> {
                regs[Slots.xmmLo(d)] = fp.fromInt((int) lo, F64);
                regs[Slots.xmmHi(d)] = fp.fromInt((int) (lo >> 32), F64);
            }
            case MOVQ2DQ -> { regs[Slots.xmmLo(d)] = lo; regs[Slots.xmmHi(d)] = 0; }
            case CVTPS2PI, CVTTPS2PI -> {
                boolean t = op == X86Op.CVTTPS2PI;
                set(f, d, fp.toInt(lo & 0xFFFFFFFFL, F32, 4, t) & 0xFFFFFFFFL | fp.toInt(lo >>> 32, F32, 4, t) << 32);
            }
            case CVTPD2PI, CVTTPD2PI -> {
                boolean t = op == X86Op.CVTTPD2PI;
                set(f, d, fp.toInt(lo, F64, 4, t) & 0xFFFFFFFFL | fp.toInt(hi, F64, 4, t) << 32);
            }
            case MOVDQ2Q -> set(f, d, lo);
            default -> throw new IllegalStateException("mmx/xmm op " + op);
        }
        // an mm source makes the MMX transition; CVTPI2PS/PD from memory do not (SDM: no x87 interaction)
        if (fromMm) touch(f);
        regs[Slots.MXCSR] |= fp.flags;
        return 0;
    }

    private static long maskmov(Vcpu c, long data, long mask, long addr, long mmx) {
        for (int i = 0; i < 8; i++)
            if ((mask >>> (8 * i + 7) & 1) != 0) MemOps.store(c, addr + i, data >>> (8 * i), 1);
        if (mmx != 0) touch(fpu(c));
        return 0;
    }

    public static long pack(X86Op op, int dst, int imm, int aux) { return SseExec.pack(op, dst, imm, aux); }
}
