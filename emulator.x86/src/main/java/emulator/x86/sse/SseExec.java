package emulator.x86.sse;

import emulator.core.exec.Vcpu;
import emulator.core.ir.Helper;
import emulator.x86.Slots;
import emulator.x86.decode.X86Op;

import static emulator.x86.sse.SseFloat.F32;
import static emulator.x86.sse.SseFloat.F64;

/**
 * Out-of-line SSE/SSE2 semantics on the xmm state slots. Argument 0 packs the operation
 * ({@link X86Op} ordinal, bits 0–15), the destination xmm (16–23), the imm8 (24–31) and an
 * auxiliary value such as an integer size (32–39); arguments 1 and 2 are the source's low and
 * high quadwords (a general register or memory value already loaded by the front end).
 */
public final class SseExec {
    private SseExec() {}

    private static final X86Op[] OPS = X86Op.values();

    /** Writes the destination xmm; no result. */
    public static final Helper XMM = new Helper("x86.sse", SseExec::xmm, 3, false,
            Helper.READS_REGS | Helper.WRITES_REGS);
    /** Returns a value for a general register (or rflags for COMIS). */
    public static final Helper VAL = new Helper("x86.sse.val", SseExec::val, 3, true,
            Helper.READS_REGS | Helper.WRITES_REGS);

    public static long pack(X86Op op, int dst, int imm, int aux) {
        return op.ordinal() | (long) dst << 16 | (long) (imm & 0xFF) << 24 | (long) aux << 32;
    }

    // ---- lanes

    static long[] lanes(long lo, long hi, int w) {
        int n = 128 / w;
        long[] v = new long[n];
        long m = w == 64 ? -1L : (1L << w) - 1;
        for (int i = 0; i < n; i++) {
            int bit = i * w;
            long q = bit < 64 ? lo : hi;
            v[i] = (q >>> (bit & 63)) & m;
        }
        return v;
    }

    static long sx(long v, int w) { return w == 64 ? v : (v << (64 - w)) >> (64 - w); }

    /** Packs lanes into r[0] (lo) and r[1] (hi). */
    static void pack(long[] v, int w, long[] r) {
        long m = w == 64 ? -1L : (1L << w) - 1;
        r[0] = 0; r[1] = 0;
        for (int i = 0; i < v.length; i++) {
            int bit = i * w;
            r[bit < 64 ? 0 : 1] |= (v[i] & m) << (bit & 63);
        }
    }

    static int width(X86Op op) {
        String n = op.name();
        char c = n.charAt(n.length() - 1);
        if (n.endsWith("SB") || n.endsWith("UB")) return 8;
        if (n.endsWith("SW") || n.endsWith("UW")) return 16;
        return switch (c) { case 'B' -> 8; case 'W' -> 16; case 'D' -> 32; default -> 64; };
    }

    static long sat(long v, int w, boolean signed) {
        if (signed) {
            long max = (1L << (w - 1)) - 1, min = -(1L << (w - 1));
            return Math.max(min, Math.min(max, v));
        }
        long max = (1L << w) - 1;
        return Math.max(0, Math.min(max, v));
    }

    // ---- the helpers

    private static long xmm(Vcpu cpu, long a0, long a1, long a2, long a3) {
        long[] regs = cpu.regs;
        X86Op op = OPS[(int) (a0 & 0xFFFF)];
        int d = (int) (a0 >>> 16) & 0xFF;
        int imm = (int) (a0 >>> 24) & 0xFF;
        int aux = (int) (a0 >>> 32) & 0xFF;
        long dl = regs[Slots.xmmLo(d)], dh = regs[Slots.xmmHi(d)];
        long[] r = {dl, dh};
        SseFloat fp = new SseFloat(regs[Slots.MXCSR]);
        compute(op, fp, dl, dh, a1, a2, imm, aux, r);
        regs[Slots.xmmLo(d)] = r[0];
        regs[Slots.xmmHi(d)] = r[1];
        regs[Slots.MXCSR] |= fp.flags;
        return 0;
    }

    private static long val(Vcpu cpu, long a0, long a1, long a2, long a3) {
        long[] regs = cpu.regs;
        X86Op op = OPS[(int) (a0 & 0xFFFF)];
        int d = (int) (a0 >>> 16) & 0xFF;
        int imm = (int) (a0 >>> 24) & 0xFF;
        int aux = (int) (a0 >>> 32) & 0xFF;
        SseFloat fp = new SseFloat(regs[Slots.MXCSR]);
        long dl = regs[Slots.xmmLo(d)];
        long res = switch (op) {
            case PMOVMSKB -> {
                long m = 0;
                long[] v = lanes(a1, a2, 8);
                for (int i = 0; i < 16; i++) m |= (v[i] >>> 7) << i;
                yield m;
            }
            case MOVMSKPS -> ((a1 >>> 31) & 1) | ((a1 >>> 62) & 2) | ((a2 >>> 29) & 4) | ((a2 >>> 60) & 8);
            case MOVMSKPD -> ((a1 >>> 63) & 1) | ((a2 >>> 62) & 2);
            case PEXTRW -> lanes(a1, a2, 16)[imm & 7];
            case CVTSS2SI, CVTTSS2SI -> fp.toInt(a1, F32, aux, op == X86Op.CVTTSS2SI);
            case CVTSD2SI, CVTTSD2SI -> fp.toInt(a1, F64, aux, op == X86Op.CVTTSD2SI);
            case COMISS, UCOMISS -> fp.comi(op == X86Op.COMISS, dl, a1, F32);
            case COMISD, UCOMISD -> fp.comi(op == X86Op.COMISD, dl, a1, F64);
            default -> throw new IllegalStateException("sse value op " + op);
        };
        regs[Slots.MXCSR] |= fp.flags;
        return res;
    }

    static void compute(X86Op op, SseFloat fp, long dl, long dh, long sl, long sh, int imm, int aux, long[] r) {
        switch (op) {
            // ---- packed integer arithmetic
            case PADDB, PADDW, PADDD, PSUBB, PSUBW, PSUBD, PADDSB, PADDSW, PADDUSB, PADDUSW, PSUBSB, PSUBSW,
                 PSUBUSB, PSUBUSW, PCMPEQB, PCMPEQW, PCMPEQD, PCMPGTB, PCMPGTW, PCMPGTD, PMINUB, PMAXUB, PMINSW,
                 PMAXSW, PAVGB, PAVGW, PMULLW, PMULHW, PMULHUW -> {
                int w = width(op);
                long[] a = lanes(dl, dh, w), b = lanes(sl, sh, w);
                long m = (1L << w) - 1;
                for (int i = 0; i < a.length; i++) {
                    long x = a[i], y = b[i], sxa = sx(x, w), sxb = sx(y, w);
                    a[i] = switch (op) {
                        case PADDB, PADDW, PADDD -> x + y;
                        case PSUBB, PSUBW, PSUBD -> x - y;
                        case PADDSB, PADDSW -> sat(sxa + sxb, w, true);
                        case PADDUSB, PADDUSW -> sat(x + y, w, false);
                        case PSUBSB, PSUBSW -> sat(sxa - sxb, w, true);
                        case PSUBUSB, PSUBUSW -> sat(x - y, w, false);
                        case PCMPEQB, PCMPEQW, PCMPEQD -> x == y ? m : 0;
                        case PCMPGTB, PCMPGTW, PCMPGTD -> sxa > sxb ? m : 0;
                        case PMINUB -> Math.min(x, y);
                        case PMAXUB -> Math.max(x, y);
                        case PMINSW -> Math.min(sxa, sxb);
                        case PMAXSW -> Math.max(sxa, sxb);
                        case PAVGB, PAVGW -> (x + y + 1) >>> 1;
                        case PMULLW -> sxa * sxb;
                        case PMULHW -> (sxa * sxb) >> 16;
                        default -> (x * y) >>> 16; // PMULHUW
                    };
                }
                pack(a, w, r);
            }
            case PMULUDQ -> { r[0] = (dl & 0xFFFFFFFFL) * (sl & 0xFFFFFFFFL); r[1] = (dh & 0xFFFFFFFFL) * (sh & 0xFFFFFFFFL); }
            case PMADDWD -> {
                long[] a = lanes(dl, dh, 16), b = lanes(sl, sh, 16), o = new long[4];
                for (int i = 0; i < 4; i++)
                    o[i] = sx(a[2 * i], 16) * sx(b[2 * i], 16) + sx(a[2 * i + 1], 16) * sx(b[2 * i + 1], 16);
                pack(o, 32, r);
            }
            case PSADBW -> {
                long[] a = lanes(dl, dh, 8), b = lanes(sl, sh, 8);
                long s0 = 0, s1 = 0;
                for (int i = 0; i < 8; i++) { s0 += Math.abs(a[i] - b[i]); s1 += Math.abs(a[i + 8] - b[i + 8]); }
                r[0] = s0; r[1] = s1;
            }
            // ---- shifts (aux = 1: count is the imm8, else the source's low quadword)
            case PSLLW, PSLLD, PSLLQ, PSRLW, PSRLD, PSRLQ, PSRAW, PSRAD -> {
                int w = width(op);
                long cnt = aux == 1 ? imm : sl;
                long[] a = lanes(dl, dh, w);
                boolean big = Long.compareUnsigned(cnt, w - 1) > 0;
                for (int i = 0; i < a.length; i++) {
                    long x = a[i];
                    a[i] = switch (op) {
                        case PSLLW, PSLLD, PSLLQ -> big ? 0 : x << cnt;
                        case PSRLW, PSRLD, PSRLQ -> big ? 0 : x >>> cnt;
                        default -> sx(x, w) >> (big ? w - 1 : cnt);
                    };
                }
                pack(a, w, r);
            }
            case PSLLDQ, PSRLDQ -> {
                int n = imm > 15 ? 16 : imm;
                long[] a = lanes(dl, dh, 8), o = new long[16];
                for (int i = 0; i < 16; i++) {
                    int j = op == X86Op.PSLLDQ ? i - n : i + n;
                    o[i] = j >= 0 && j < 16 ? a[j] : 0;
                }
                pack(o, 8, r);
            }
            // ---- unpack and pack
            case PUNPCKLBW, PUNPCKLWD, PUNPCKLDQ, PUNPCKHBW, PUNPCKHWD, PUNPCKHDQ, UNPCKLPS, UNPCKHPS -> {
                int w = switch (op) {
                    case PUNPCKLBW, PUNPCKHBW -> 8;
                    case PUNPCKLWD, PUNPCKHWD -> 16;
                    default -> 32;
                };
                boolean high = op.name().contains("H");
                long[] a = lanes(dl, dh, w), b = lanes(sl, sh, w), o = new long[a.length];
                int half = a.length / 2, base = high ? half : 0;
                for (int i = 0; i < half; i++) { o[2 * i] = a[base + i]; o[2 * i + 1] = b[base + i]; }
                pack(o, w, r);
            }
            case PACKSSWB, PACKUSWB, PACKSSDW -> {
                int w = op == X86Op.PACKSSDW ? 32 : 16;
                boolean signed = op != X86Op.PACKUSWB;
                long[] a = lanes(dl, dh, w), b = lanes(sl, sh, w), o = new long[a.length * 2];
                for (int i = 0; i < a.length; i++) {
                    o[i] = sat(sx(a[i], w), w / 2, signed);
                    o[i + a.length] = sat(sx(b[i], w), w / 2, signed);
                }
                pack(o, w / 2, r);
            }
            // ---- shuffles
            case PSHUFD -> {
                long[] b = lanes(sl, sh, 32), o = new long[4];
                for (int i = 0; i < 4; i++) o[i] = b[(imm >>> (2 * i)) & 3];
                pack(o, 32, r);
            }
            case PSHUFLW, PSHUFHW -> {
                long[] b = lanes(sl, sh, 16), o = b.clone();
                int base = op == X86Op.PSHUFLW ? 0 : 4;
                for (int i = 0; i < 4; i++) o[base + i] = b[base + ((imm >>> (2 * i)) & 3)];
                pack(o, 16, r);
            }
            case SHUFPS -> {
                long[] a = lanes(dl, dh, 32), b = lanes(sl, sh, 32);
                long[] o = {a[imm & 3], a[(imm >>> 2) & 3], b[(imm >>> 4) & 3], b[(imm >>> 6) & 3]};
                pack(o, 32, r);
            }
            case SHUFPD -> { r[0] = (imm & 1) == 0 ? dl : dh; r[1] = (imm & 2) == 0 ? sl : sh; }
            case PINSRW -> {
                long[] a = lanes(dl, dh, 16);
                a[imm & 7] = sl & 0xFFFF;
                pack(a, 16, r);
            }
            // ---- floating point arithmetic
            case ADDPS, SUBPS, MULPS, DIVPS, MINPS, MAXPS, SQRTPS, CMPPS -> {
                long[] a = lanes(dl, dh, 32), b = lanes(sl, sh, 32);
                for (int i = 0; i < 4; i++) a[i] = fop(op, fp, a[i], b[i], imm, F32);
                pack(a, 32, r);
            }
            case ADDPD, SUBPD, MULPD, DIVPD, MINPD, MAXPD, SQRTPD, CMPPD -> {
                r[0] = fop(op, fp, dl, sl, imm, F64);
                r[1] = fop(op, fp, dh, sh, imm, F64);
            }
            case ADDSS, SUBSS, MULSS, DIVSS, MINSS, MAXSS, SQRTSS, CMPSS ->
                r[0] = (dl & 0xFFFFFFFF00000000L) | (fop(op, fp, dl, sl, imm, F32) & 0xFFFFFFFFL);
            case ADDSD, SUBSD, MULSD, DIVSD, MINSD, MAXSD, SQRTSD, CMPSD -> r[0] = fop(op, fp, dl, sl, imm, F64);
            // ---- approximate reciprocals (exact special cases; see Reciprocal)
            case RCPPS, RSQRTPS -> {
                long[] b = lanes(sl, sh, 32);
                for (int i = 0; i < 4; i++) b[i] = op == X86Op.RCPPS ? Reciprocal.rcp((int) b[i]) : Reciprocal.rsqrt((int) b[i]);
                pack(b, 32, r);
            }
            case RCPSS, RSQRTSS -> {
                int v = op == X86Op.RCPSS ? Reciprocal.rcp((int) sl) : Reciprocal.rsqrt((int) sl);
                r[0] = (dl & 0xFFFFFFFF00000000L) | (v & 0xFFFFFFFFL);
            }
            // ---- conversions
            case CVTSI2SS -> r[0] = (dl & 0xFFFFFFFF00000000L) | fp.fromInt(aux == 8 ? sl : (long) (int) sl, F32);
            case CVTSI2SD -> r[0] = fp.fromInt(aux == 8 ? sl : (long) (int) sl, F64);
            case CVTSS2SD -> r[0] = fp.convert(sl, F32, F64);
            case CVTSD2SS -> r[0] = (dl & 0xFFFFFFFF00000000L) | fp.convert(sl, F64, F32);
            case CVTDQ2PS -> {
                long[] b = lanes(sl, sh, 32);
                for (int i = 0; i < 4; i++) b[i] = fp.fromInt((int) b[i], F32);
                pack(b, 32, r);
            }
            case CVTPS2DQ, CVTTPS2DQ -> {
                long[] b = lanes(sl, sh, 32);
                for (int i = 0; i < 4; i++) b[i] = fp.toInt(b[i], F32, 4, op == X86Op.CVTTPS2DQ);
                pack(b, 32, r);
            }
            case CVTDQ2PD -> { r[0] = fp.fromInt((int) sl, F64); r[1] = fp.fromInt((int) (sl >> 32), F64); }
            case CVTPD2DQ, CVTTPD2DQ -> {
                boolean t = op == X86Op.CVTTPD2DQ;
                r[0] = fp.toInt(sl, F64, 4, t) | fp.toInt(sh, F64, 4, t) << 32;
                r[1] = 0;
            }
            case CVTPS2PD -> {
                long lo = fp.convert(sl & 0xFFFFFFFFL, F32, F64);
                long hi = fp.convert(sl >>> 32, F32, F64);
                r[0] = lo; r[1] = hi;
            }
            case CVTPD2PS -> {
                r[0] = fp.convert(sl, F64, F32) | fp.convert(sh, F64, F32) << 32;
                r[1] = 0;
            }
            default -> throw new IllegalStateException("sse op " + op);
        }
    }

    private static long fop(X86Op op, SseFloat fp, long a, long b, int imm, SseFloat.Fmt f) {
        String n = op.name();
        long m = f.mask();
        long res;
        if (n.startsWith("ADD")) res = fp.arith(SseFloat.ADD, a, b, f);
        else if (n.startsWith("SUB")) res = fp.arith(SseFloat.SUB, a, b, f);
        else if (n.startsWith("MUL")) res = fp.arith(SseFloat.MUL, a, b, f);
        else if (n.startsWith("DIV")) res = fp.arith(SseFloat.DIV, a, b, f);
        else if (n.startsWith("MIN")) res = fp.minMax(false, a, b, f);
        else if (n.startsWith("MAX")) res = fp.minMax(true, a, b, f);
        else if (n.startsWith("SQRT")) res = fp.sqrt(b, f);
        else res = fp.cmp(imm & 7, a, b, f) ? m : 0;
        return res & m;
    }
}
