package emulator.x86;

/**
 * Lazy x86 arithmetic flags: the CC_* operation codes a front end records and the one place where
 * rflags' CF PF AF ZF SF OF are computed from them. Operation codes are kind * 4 + log2(size).
 */
public final class Flags {
    private Flags() {}

    public static final long CF = 1, PF = 4, AF = 16, ZF = 64, SF = 128, DF = 1024, OF = 2048;
    public static final long ARITH = CF | PF | AF | ZF | SF | OF;

    /** Flags are materialised: CC_DST holds the arithmetic flags themselves. */
    public static final int CC_EFLAGS = 0;
    /** dst = a + b; SRC = b. */
    public static final int ADD = 1;
    /** dst = a + b + c; SRC = b, SRC2 = carry in. */
    public static final int ADC = 2;
    /** dst = a - b; SRC = b. */
    public static final int SUB = 3;
    /** dst = a - b - c; SRC = b, SRC2 = borrow in. */
    public static final int SBB = 4;
    /** Logic: CF = OF = 0. */
    public static final int LOGIC = 5;
    /** INC: SRC2 = carry flag before (preserved). */
    public static final int INC = 6;
    /** DEC: SRC2 = carry flag before. */
    public static final int DEC = 7;
    /** SHL: SRC = value shifted by count-1 (CF = its msb). */
    public static final int SHL = 8;
    /** SHR/SAR: SRC = value shifted by count-1 (CF = its lsb); SRC2 = original value (OF for SHR = its msb). */
    public static final int SHR = 9;
    public static final int SAR = 10;
    /** MUL/IMUL: CF = OF = (SRC != 0). */
    public static final int MUL = 11;

    public static int op(int kind, int size) {
        return kind * 4 + (size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3);
    }

    public static int kind(int ccop) { return ccop >>> 2; }

    public static int size(int ccop) { return 1 << (ccop & 3); }

    /** The arithmetic flags (CF PF AF ZF SF OF) of rflags, from the lazy state. */
    public static long compute(long ccop, long dst, long src, long src2) {
        int op = (int) ccop;
        int k = kind(op);
        if (k == CC_EFLAGS) return dst & ARITH;
        int bits = 8 * size(op);
        long mask = bits == 64 ? -1L : (1L << bits) - 1;
        long sign = 1L << (bits - 1);
        dst &= mask;
        src &= mask;
        long cf, of, af;
        switch (k) {
            case ADD, ADC -> {
                long c = k == ADC ? src2 & 1 : 0;
                long a = (dst - src - c) & mask;
                cf = c == 0 ? (Long.compareUnsigned(dst, a) < 0 ? 1 : 0) : (Long.compareUnsigned(dst, a) <= 0 ? 1 : 0);
                of = ((a ^ dst) & (src ^ dst) & sign) != 0 ? 1 : 0;
                af = ((a ^ src ^ dst) & 0x10) != 0 ? 1 : 0;
            }
            case SUB, SBB -> {
                long c = k == SBB ? src2 & 1 : 0;
                long a = (dst + src + c) & mask;
                cf = c == 0 ? (Long.compareUnsigned(a, src) < 0 ? 1 : 0) : (Long.compareUnsigned(a, src) <= 0 ? 1 : 0);
                of = ((a ^ src) & (a ^ dst) & sign) != 0 ? 1 : 0;
                af = ((a ^ src ^ dst) & 0x10) != 0 ? 1 : 0;
            }
            case LOGIC -> { cf = 0; of = 0; af = 0; }
            case INC -> {
                cf = src2 & 1;
                of = dst == sign ? 1 : 0;
                af = (dst & 0xF) == 0 ? 1 : 0;
            }
            case DEC -> {
                cf = src2 & 1;
                of = dst == sign - 1 ? 1 : 0;
                af = (dst & 0xF) == 0xF ? 1 : 0;
            }
            case SHL -> {
                cf = (src & sign) != 0 ? 1 : 0;
                of = (((dst & sign) != 0 ? 1 : 0) ^ cf);
                af = 0;
            }
            case SHR -> {
                cf = src & 1;
                of = (src2 & sign) != 0 ? 1 : 0;
                af = 0;
            }
            case SAR -> { cf = src & 1; of = 0; af = 0; }
            case MUL -> { cf = src != 0 ? 1 : 0; of = cf; af = 0; }
            default -> throw new IllegalStateException("bad lazy-flags op " + ccop);
        }
        long zf = dst == 0 ? 1 : 0;
        long sf = (dst & sign) != 0 ? 1 : 0;
        long pf = (Long.bitCount(dst & 0xFF) & 1) == 0 ? 1 : 0;
        return cf | pf << 2 | af << 4 | zf << 6 | sf << 7 | of << 11;
    }

    // ---- single flags and conditions: what generated code calls when the flag producer is not in the
    // block. Each computes only what it needs (compute() does all six flags and is too big for the JIT
    // to inline); each must agree with compute() bit for bit.

    /** CF (0/1) of the lazy state. */
    public static long carry(long ccop, long dst, long src, long src2) {
        int op = (int) ccop;
        int k = kind(op);
        if (k == CC_EFLAGS) return dst & CF;
        long mask = mask(op);
        switch (k) {
            case ADD, ADC -> {
                long d = dst & mask, s = src & mask, c = k == ADC ? src2 & 1 : 0;
                long a = (d - s - c) & mask;
                return (c == 0 ? Long.compareUnsigned(d, a) < 0 : Long.compareUnsigned(d, a) <= 0) ? 1 : 0;
            }
            case SUB, SBB -> {
                long d = dst & mask, s = src & mask, c = k == SBB ? src2 & 1 : 0;
                long a = (d + s + c) & mask;
                return (c == 0 ? Long.compareUnsigned(a, s) < 0 : Long.compareUnsigned(a, s) <= 0) ? 1 : 0;
            }
            case INC, DEC -> { return src2 & 1; }
            case SHL -> { return (src & sign(op)) != 0 ? 1 : 0; }
            case SHR, SAR -> { return src & 1; }
            case MUL -> { return (src & mask) != 0 ? 1 : 0; }
            default -> { return 0; } // LOGIC
        }
    }

    /** ZF (0/1) of the lazy state. */
    public static long zero(long ccop, long dst) {
        int op = (int) ccop;
        if (kind(op) == CC_EFLAGS) return (dst >>> 6) & 1;
        return (dst & mask(op)) == 0 ? 1 : 0;
    }

    /** SF (0/1) of the lazy state. */
    public static long sign(long ccop, long dst) {
        int op = (int) ccop;
        if (kind(op) == CC_EFLAGS) return (dst >>> 7) & 1;
        return (dst & sign(op)) != 0 ? 1 : 0;
    }

    /** OF (0/1) of the lazy state. */
    public static long overflow(long ccop, long dst, long src, long src2) {
        int op = (int) ccop;
        int k = kind(op);
        if (k == CC_EFLAGS) return (dst >>> 11) & 1;
        long mask = mask(op), sign = sign(op);
        long d = dst & mask, s = src & mask;
        switch (k) {
            case ADD, ADC -> {
                long a = (d - s - (k == ADC ? src2 & 1 : 0)) & mask;
                return ((a ^ d) & (s ^ d) & sign) != 0 ? 1 : 0;
            }
            case SUB, SBB -> {
                long a = (d + s + (k == SBB ? src2 & 1 : 0)) & mask;
                return ((a ^ s) & (a ^ d) & sign) != 0 ? 1 : 0;
            }
            case INC -> { return d == sign ? 1 : 0; }
            case DEC -> { return d == sign - 1 ? 1 : 0; }
            case SHL -> { return ((d & sign) != 0 ? 1 : 0) ^ ((s & sign) != 0 ? 1 : 0); }
            case SHR -> { return (src2 & sign) != 0 ? 1 : 0; }
            case MUL -> { return s != 0 ? 1 : 0; }
            default -> { return 0; } // LOGIC, SAR
        }
    }

    /**
     * Condition {@code cc} (even codes only: 0 O, 2 B, 4 E, 6 BE, 8 S, 10 P, 12 L, 14 LE) as 0/1, from
     * the lazy state; a constant {@code cc} lets the JIT keep only its own case.
     */
    public static long cond(int cc, long ccop, long dst, long src, long src2) {
        return switch (cc) {
            case 0 -> overflow(ccop, dst, src, src2);
            case 2 -> carry(ccop, dst, src, src2);
            case 4 -> zero(ccop, dst);
            case 6 -> carry(ccop, dst, src, src2) | zero(ccop, dst);
            case 8 -> sign(ccop, dst);
            case 10 -> (compute(ccop, dst, src, src2) >>> 2) & 1;
            case 12 -> sign(ccop, dst) ^ overflow(ccop, dst, src, src2);
            case 14 -> zero(ccop, dst) | (sign(ccop, dst) ^ overflow(ccop, dst, src, src2));
            default -> throw new IllegalArgumentException("odd or bad condition code " + cc);
        };
    }

    private static long mask(int op) {
        int bits = 8 * size(op);
        return bits == 64 ? -1L : (1L << bits) - 1;
    }

    private static long sign(int op) { return 1L << (8 * size(op) - 1); }

    /** Full rflags value as software sees it (pushf): arithmetic flags plus the FLAGS slot's others. */
    public static long rflags(long[] r) {
        return (r[Slots.FLAGS] & ~ARITH) | compute(r[Slots.CC_OP], r[Slots.CC_DST], r[Slots.CC_SRC], r[Slots.CC_SRC2]) | 2;
    }

    /** Sets rflags: the arithmetic flags become materialised (CC_OP = EFLAGS, CC_DST = them). */
    public static void setRflags(long[] r, long v) {
        r[Slots.FLAGS] = (v & ~ARITH) | 0x202; // IF is always set in user mode
        r[Slots.CC_DST] = v & ARITH;
        r[Slots.CC_OP] = CC_EFLAGS;
    }
}
