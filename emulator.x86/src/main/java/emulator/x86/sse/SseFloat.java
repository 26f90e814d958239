package emulator.x86.sse;

import java.math.BigInteger;

/**
 * SSE floating point on raw bit patterns, exact and independent of Java's arithmetic: every finite
 * value is a dyadic number M·2^K, results are computed exactly (or with a sticky bit for divide and
 * square root) and rounded under MXCSR.RC. Sets the MXCSR exception flags as the CPU does with all
 * exceptions masked (tininess detected after rounding, FTZ and DAZ honoured). NaNs never pass through
 * Java floating point.
 */
public final class SseFloat {
    public static final int IE = 1, DE = 2, ZE = 4, OE = 8, UE = 16, PE = 32, DAZ = 0x40, FTZ = 0x8000;
    public static final int RN = 0, RD = 1, RU = 2, RZ = 3;

    /** A binary format. */
    public record Fmt(int bits, int p, int emin, int emax, int bias, long defaultNaN) {
        long fracMask() { return (1L << (p - 1)) - 1; }
        long expMask() { return ((1L << (bits - p)) - 1) << (p - 1); }
        long signBit() { return 1L << (bits - 1); }
        long quietBit() { return 1L << (p - 2); }
        long maxFinite() { return expMask() - (1L << (p - 1)) | fracMask(); }
        long inf() { return expMask(); }
        long mask() { return bits == 64 ? -1L : (1L << bits) - 1; }
    }

    public static final Fmt F32 = new Fmt(32, 24, -126, 127, 127, 0xFFC00000L);
    public static final Fmt F64 = new Fmt(64, 53, -1022, 1023, 1023, 0xFFF8000000000000L);

    /** Accumulates exception flags for one instruction; {@code mxcsr} is the control word in effect. */
    public int flags;
    public final int mxcsr;

    public SseFloat(long mxcsr) { this.mxcsr = (int) mxcsr; }

    int rc() { return (mxcsr >>> 13) & 3; }

    boolean daz() { return (mxcsr & DAZ) != 0; }

    boolean ftz() { return (mxcsr & FTZ) != 0; }

    // ---- classification

    public static boolean isNaN(long b, Fmt f) { return (b & f.expMask()) == f.expMask() && (b & f.fracMask()) != 0; }

    public static boolean isSNaN(long b, Fmt f) { return isNaN(b, f) && (b & f.quietBit()) == 0; }

    static boolean isInf(long b, Fmt f) { return (b & f.expMask()) == f.expMask() && (b & f.fracMask()) == 0; }

    static boolean isZero(long b, Fmt f) { return (b & ~f.signBit() & f.mask()) == 0; }

    static boolean isDenormal(long b, Fmt f) { return (b & f.expMask()) == 0 && (b & f.fracMask()) != 0; }

    static boolean neg(long b, Fmt f) { return (b & f.signBit()) != 0; }

    static long quiet(long b, Fmt f) { return b | f.quietBit(); }

    /** Applies DAZ to a source operand, or notes a denormal operand. */
    long in(long b, Fmt f) {
        b &= f.mask();
        if (isDenormal(b, f)) {
            if (daz()) return b & f.signBit();
        }
        return b;
    }

    void denormalCheck(long b, Fmt f) {
        if (!daz() && isDenormal(b, f)) flags |= DE;
    }

    /** Mantissa of a finite value (sign ignored); exponent by {@link #exp}. */
    static BigInteger mant(long b, Fmt f) {
        long e = (b & f.expMask()) >>> (f.p() - 1);
        long m = b & f.fracMask();
        if (e != 0) m |= 1L << (f.p() - 1);
        return BigInteger.valueOf(m);
    }

    static int exp(long b, Fmt f) {
        long e = (b & f.expMask()) >>> (f.p() - 1);
        return (int) (e == 0 ? f.emin() : e - f.bias()) - (f.p() - 1);
    }

    // ---- rounding

    /** Rounds |M·2^K| (M ≥ 0; a sticky low bit may have been appended by the caller) to {@code f}. */
    long round(boolean negative, BigInteger m, int k, Fmt f) {
        long sign = negative ? f.signBit() : 0;
        if (m.signum() == 0) return sign;
        int p = f.p();
        int l = m.bitLength();
        int e = l - 1 + k;
        // tininess after rounding: round to p bits with unbounded exponent
        boolean tiny = false;
        if (e < f.emin()) {
            long ur = roundBits(negative, m, l - p);
            int ue = e + (ur >>> p != 0 ? 1 : 0);
            tiny = ue < f.emin();
        }
        int shift = l - p;
        if (e < f.emin()) shift += f.emin() - e;
        long mm = roundBits(negative, m, shift);
        boolean inexact = roundedInexact;
        int eb = Math.max(e, f.emin());
        if (e < f.emin()) {
            // subnormal quantum; mm < 2^(p-1) unless it rounded up into the normal range
            if (tiny && ftz()) { flags |= UE | PE; return sign; }
            if (tiny && inexact) flags |= UE;
            if (inexact) flags |= PE;
            return sign | (((long) (eb + f.bias() - 1) << (p - 1)) + mm);
        }
        if (mm >>> p != 0) { mm >>>= 1; eb++; }
        if (eb > f.emax()) {
            flags |= OE | PE;
            int rc = rc();
            boolean toZero = rc == RZ || (rc == RD && !negative) || (rc == RU && negative);
            return sign | (toZero ? f.maxFinite() : f.inf());
        }
        if (inexact) flags |= PE;
        return sign | (((long) (eb + f.bias() - 1) << (p - 1)) + mm);
    }

    /** Whether the last {@link #roundBits} discarded non-zero bits. */
    private boolean roundedInexact;

    /**
     * m >> shift rounded under RC; sets {@link #roundedInexact}. Written with bit tests on m instead
     * of a quotient/remainder pair of BigIntegers and a {rounded, inexact} array: Temurin 25.0.3's C2
     * (escape analysis) intermittently turned that quotient into null here (an NPE on a value that
     * cannot be null, gone with -XX:-DoEscapeAnalysis or -Xint), seen in busybox awk's divsd.
     */
    private long roundBits(boolean negative, BigInteger m, int shift) {
        roundedInexact = false;
        if (shift <= 0) return m.longValue() << -shift;
        long qq = m.shiftRight(shift).longValue();
        int lowest = m.getLowestSetBit();
        if (lowest >= shift) return qq;
        roundedInexact = true;
        boolean up = switch (rc()) {
            // above half: the half bit and any bit below it; exactly half: ties to even
            case RN -> m.testBit(shift - 1) && (lowest < shift - 1 || (qq & 1) != 0);
            case RD -> negative;
            case RU -> !negative;
            default -> false;
        };
        return up ? qq + 1 : qq;
    }

    // ---- NaN propagation

    /** Result for a two-operand op if either is NaN, else -1 never returned (caller checks). */
    long nan2(long a, long b, Fmt f) {
        if (isSNaN(a, f) || isSNaN(b, f)) flags |= IE;
        return isNaN(a, f) ? quiet(a, f) : quiet(b, f);
    }

    long invalid(Fmt f) { flags |= IE; return f.defaultNaN() & f.mask(); }

    // ---- arithmetic

    public static final int ADD = 0, SUB = 1, MUL = 2, DIV = 3;

    public long arith(int op, long a, long b, Fmt f) {
        a &= f.mask(); b &= f.mask();
        if (isNaN(a, f) || isNaN(b, f)) return nan2(a, b, f);
        if (op == SUB) b ^= f.signBit();
        boolean na = neg(a, f), nb = neg(b, f);
        boolean ia = isInf(a, f), ib = isInf(b, f);
        switch (op) {
            case ADD, SUB -> {
                if (ia && ib) return na == nb ? a : invalid(f);
                denormalCheck(a, f); denormalCheck(b, f);
                if (ia) return a;
                if (ib) return b;
                a = in(a, f); b = in(b, f);
                BigInteger ma = mant(a, f), mb = mant(b, f);
                int ka = exp(a, f), kb = exp(b, f);
                int k = Math.min(ka, kb);
                BigInteger x = ma.shiftLeft(ka - k), y = mb.shiftLeft(kb - k);
                BigInteger s = (na ? x.negate() : x).add(nb ? y.negate() : y);
                if (s.signum() == 0) {
                    boolean negZero = isZero(a, f) && isZero(b, f) && na == nb ? na : rc() == RD;
                    return negZero ? f.signBit() : 0;
                }
                return round(s.signum() < 0, s.abs(), k, f);
            }
            case MUL -> {
                boolean sn = na != nb;
                long sign = sn ? f.signBit() : 0;
                if (ia || ib) {
                    if ((ia && isZero(in(b, f), f)) || (ib && isZero(in(a, f), f))) return invalid(f);
                    denormalCheck(a, f); denormalCheck(b, f);
                    return sign | f.inf();
                }
                denormalCheck(a, f); denormalCheck(b, f);
                a = in(a, f); b = in(b, f);
                if (isZero(a, f) || isZero(b, f)) return sign;
                return round(sn, mant(a, f).multiply(mant(b, f)), exp(a, f) + exp(b, f), f);
            }
            default -> {
                boolean sn = na != nb;
                long sign = sn ? f.signBit() : 0;
                if (ia && ib) return invalid(f);
                // divide-by-zero outranks the denormal-operand exception: denormal / 0 reports only ZE
                boolean byZero = !ia && isZero(in(b, f), f) && !isZero(in(a, f), f);
                if (!byZero) { denormalCheck(a, f); denormalCheck(b, f); }
                if (ia) return sign | f.inf();
                if (ib) return sign;
                a = in(a, f); b = in(b, f);
                boolean za = isZero(a, f), zb = isZero(b, f);
                if (za && zb) return invalid(f);
                if (zb) { flags |= ZE; return sign | f.inf(); }
                if (za) return sign;
                BigInteger ma = mant(a, f), mb = mant(b, f);
                int extra = f.p() + 3 + mb.bitLength();
                BigInteger[] qr = ma.shiftLeft(extra).divideAndRemainder(mb);
                BigInteger q = qr[0].shiftLeft(1).or(qr[1].signum() != 0 ? BigInteger.ONE : BigInteger.ZERO);
                return round(sn, q, exp(a, f) - exp(b, f) - extra - 1, f);
            }
        }
    }

    public long sqrt(long a, Fmt f) {
        a &= f.mask();
        if (isNaN(a, f)) { if (isSNaN(a, f)) flags |= IE; return quiet(a, f); }
        if (neg(a, f) && !isZero(in(a, f), f)) return invalid(f);
        denormalCheck(a, f);
        a = in(a, f);
        if (isZero(a, f)) return a;
        if (isInf(a, f)) return a;
        BigInteger m = mant(a, f);
        int k = exp(a, f);
        int extra = 2 * (f.p() + 3);
        if (((k - extra) & 1) != 0) extra++;
        BigInteger s = m.shiftLeft(extra);
        BigInteger r = s.sqrt();
        boolean exact = r.multiply(r).equals(s);
        BigInteger q = r.shiftLeft(1).or(exact ? BigInteger.ZERO : BigInteger.ONE);
        return round(false, q, (k - extra) / 2 - 1, f);
    }

    /** MIN (max=false) / MAX: the second operand unless the first compares strictly less (greater). */
    public long minMax(boolean max, long a, long b, Fmt f) {
        a &= f.mask(); b &= f.mask();
        if (isNaN(a, f) || isNaN(b, f)) { flags |= IE; return b; }
        denormalCheck(a, f); denormalCheck(b, f);
        long xa = in(a, f), xb = in(b, f);
        int c = cmpOrdered(xa, xb, f);
        boolean pickA = max ? c > 0 : c < 0;
        return pickA ? xa : xb;
    }

    /** Compares two non-NaN values: -1, 0, 1. */
    static int cmpOrdered(long a, long b, Fmt f) {
        double x = toDouble(a, f), y = toDouble(b, f);
        return x < y ? -1 : x > y ? 1 : 0;
    }

    static double toDouble(long b, Fmt f) {
        return f == F64 ? Double.longBitsToDouble(b) : (double) Float.intBitsToFloat((int) b);
    }

    /** CMPccPS predicate 0..7: all ones or zero. */
    public boolean cmp(int pred, long a, long b, Fmt f) {
        a &= f.mask(); b &= f.mask();
        boolean unord = isNaN(a, f) || isNaN(b, f);
        if (unord) {
            if (isSNaN(a, f) || isSNaN(b, f)) flags |= IE;
            else if (pred == 1 || pred == 2 || pred == 5 || pred == 6) flags |= IE;
        } else {
            denormalCheck(a, f); denormalCheck(b, f);
        }
        int c = unord ? 2 : cmpOrdered(in(a, f), in(b, f), f);
        return switch (pred & 7) {
            case 0 -> c == 0;
            case 1 -> c == -1;
            case 2 -> c == -1 || c == 0;
            case 3 -> unord;
            case 4 -> c != 0;
            case 5 -> !(c == -1);
            case 6 -> !(c == -1 || c == 0);
            default -> !unord;
        };
    }

    /** COMIS / UCOMIS: the arithmetic flags (ZF PF CF). */
    public long comi(boolean signalQnan, long a, long b, Fmt f) {
        a &= f.mask(); b &= f.mask();
        if (isNaN(a, f) || isNaN(b, f)) {
            if (signalQnan || isSNaN(a, f) || isSNaN(b, f)) flags |= IE;
            return 0x40 | 0x4 | 0x1;
        }
        denormalCheck(a, f); denormalCheck(b, f);
        int c = cmpOrdered(in(a, f), in(b, f), f);
        return c == 0 ? 0x40 : c < 0 ? 0x1 : 0;
    }

    // ---- conversions

    /** Float to float (CVTSS2SD / CVTSD2SS). */
    public long convert(long a, Fmt from, Fmt to) {
        a &= from.mask();
        boolean n = neg(a, from);
        long sign = n ? to.signBit() : 0;
        if (isNaN(a, from)) {
            if (isSNaN(a, from)) flags |= IE;
            long frac = a & from.fracMask();
            int d = to.p() - from.p();
            frac = d >= 0 ? frac << d : frac >>> -d;
            return sign | to.expMask() | to.quietBit() | frac;
        }
        if (isInf(a, from)) return sign | to.inf();
        denormalCheck(a, from);
        a = in(a, from);
        if (isZero(a, from)) return sign;
        return round(n, mant(a, from), exp(a, from), to);
    }

    /** Signed integer to float. */
    public long fromInt(long v, Fmt to) {
        if (v == 0) return 0;
        BigInteger m = BigInteger.valueOf(v);
        return round(v < 0, m.abs(), 0, to);
    }

    /** Float to signed integer of {@code size} bytes; truncate or round under RC. */
    public long toInt(long a, Fmt f, int size, boolean truncate) {
        a &= f.mask();
        long indefinite = size == 8 ? Long.MIN_VALUE : 0x80000000L;
        if (isNaN(a, f) || isInf(a, f)) { flags |= IE; return indefinite; }
        a = in(a, f);
        if (isZero(a, f)) return 0;
        boolean n = neg(a, f);
        BigInteger m = mant(a, f);
        int k = exp(a, f);
        BigInteger q;
        boolean inexact = false;
        if (k >= 0) q = m.shiftLeft(k);
        else {
            int s = -k;
            q = m.shiftRight(s);
            BigInteger rem = m.subtract(q.shiftLeft(s));
            if (rem.signum() != 0) {
                inexact = true;
                int rc = truncate ? RZ : rc();
                boolean up = switch (rc) {
                    case RN -> {
                        int c = rem.compareTo(BigInteger.ONE.shiftLeft(s - 1));
                        yield c > 0 || (c == 0 && q.testBit(0));
                    }
                    case RD -> n;
                    case RU -> !n;
                    default -> false;
                };
                if (up) q = q.add(BigInteger.ONE);
            }
        }
        if (n) q = q.negate();
        int bits = size * 8;
        if (q.bitLength() > bits - 1) { flags |= IE; return indefinite; }
        if (inexact) flags |= PE;
        long r = q.longValue();
        return size == 8 ? r : r & 0xFFFFFFFFL;
    }
}
