package emulator.x86.fpu;

import java.math.BigInteger;

/**
 * Exact software arithmetic on x87 80-bit values: values are unpacked to sign * m * 2^e with an
 * arbitrary-precision m, computed exactly, and rounded once ({@link #round}) to the target format,
 * precision and rounding mode, reporting inexact / underflow / overflow and the C1 "rounded up" bit.
 * Tininess is detected after rounding (as x86 does).
 */
public final class F80 {
    public static final int ZERO = 0, FIN = 1, INF = 2, NAN = 3, BAD = 4;
    /** Exception bits of the status word. */
    public static final int IE = 1, DE = 2, ZE = 4, OE = 8, UE = 16, PE = 32, SF = 64;
    /** Rounding target formats. */
    public static final int EXT = 0, DBL = 1, SGL = 2;
    public static final int INDEF_SEXP = 0xFFFF;
    public static final long INDEF_MANT = 0xC000_0000_0000_0000L;

    /** Exceptions raised so far by this computation, and whether the last rounding went up in magnitude. */
    public int exc;
    public boolean up;

    /** An unpacked operand. value = (-1)^neg * m * 2^e for FIN. */
    public static final class V {
        public int cls;
        public boolean neg, snan, denormal;
        public BigInteger m = BigInteger.ZERO;
        public int e;
        /** Raw 80-bit form (for NaN propagation and copies). */
        public int sexp;
        public long mant;
    }

    public static V unpack(int sexp, long mant) {
        V v = new V();
        v.sexp = sexp & 0xFFFF;
        v.mant = mant;
        v.neg = (sexp & 0x8000) != 0;
        int ex = sexp & 0x7FFF;
        if (ex == 0x7FFF) {
            if (mant >= 0) v.cls = BAD;
            else if ((mant << 1) == 0) v.cls = INF;
            else { v.cls = NAN; v.snan = (mant & (1L << 62)) == 0; }
        } else if (ex == 0) {
            if (mant == 0) v.cls = ZERO;
            else { v.cls = FIN; v.denormal = true; v.m = ubig(mant); v.e = -16382 - 63; }
        } else if (mant >= 0) {
            v.cls = BAD;
        } else {
            v.cls = FIN; v.m = ubig(mant); v.e = ex - 16383 - 63;
        }
        return v;
    }

    public static BigInteger ubig(long x) {
        BigInteger b = BigInteger.valueOf(x & Long.MAX_VALUE);
        return x < 0 ? b.setBit(63) : b;
    }

    /** Converts a double's bits exactly to 80 bits; {@code exc} gets DE for a denormal and IE for a signalling NaN (quieted). */
    public long[] fromDouble(long bits, int ebits, int fbits) {
        long sign = bits >>> (ebits + fbits) & 1;
        int ex = (int) (bits >>> fbits) & ((1 << ebits) - 1);
        long frac = bits & ((1L << fbits) - 1);
        int bias = (1 << (ebits - 1)) - 1;
        int s = (int) (sign << 15);
        if (ex == (1 << ebits) - 1) {
            if (frac == 0) return new long[] {s | 0x7FFF, Long.MIN_VALUE};
            long m = Long.MIN_VALUE | (frac << (63 - fbits));
            if ((m & (1L << 62)) == 0) { exc |= IE; m |= 1L << 62; }
            return new long[] {s | 0x7FFF, m};
        }
        if (ex == 0) {
            if (frac == 0) return new long[] {s, 0};
            exc |= DE;
            int sh = Long.numberOfLeadingZeros(frac);
            long m = frac << sh;
            int e2 = (1 - bias) - fbits + (63 - sh); // exponent of the leading bit
            return new long[] {s | (e2 + 16383), m};
        }
        return new long[] {s | (ex - bias + 16383), Long.MIN_VALUE | (frac << (63 - fbits))};
    }

    /** An exact integer as 80 bits. */
    public static long[] fromLong(long x) {
        if (x == 0) return new long[] {0, 0};
        int s = x < 0 ? 0x8000 : 0;
        long a = x < 0 ? -x : x; // MIN_VALUE stays 2^63 as unsigned
        int sh = Long.numberOfLeadingZeros(a);
        return new long[] {s | (16383 + 63 - sh), a << sh};
    }

    private static final BigInteger TWO = BigInteger.TWO;

    /** Rounds m * 2^e to an integer multiple of 2^lsb: returns q with value q * 2^lsb; sets {@link #lastInexact}. */
    private boolean lastInexact, lastUp;

    private BigInteger rnd(boolean neg, BigInteger m, int e, int lsb, int rc) {
        int shift = lsb - e;
        lastInexact = false; lastUp = false;
        if (shift <= 0) return m.shiftLeft(-shift);
        BigInteger q = m.shiftRight(shift);
        BigInteger rem = m.subtract(q.shiftLeft(shift));
        if (rem.signum() == 0) return q;
        lastInexact = true;
        boolean inc;
        switch (rc) {
            case 0 -> {
                int c = rem.compareTo(BigInteger.ONE.shiftLeft(shift - 1));
                inc = c > 0 || (c == 0 && q.testBit(0));
            }
            case 1 -> inc = neg;
            case 2 -> inc = !neg;
            default -> inc = false;
        }
        if (inc) { q = q.add(BigInteger.ONE); lastUp = true; }
        return q;
    }

    /**
     * Rounds the exact value (-1)^neg * m * 2^e (m > 0) to precision p in format fmt; returns
     * {sexp, mant} for EXT or {bits} for DBL/SGL.
     */
    public long[] round(boolean neg, BigInteger m, int e, int p, int rc, int fmt) {
        up = false;
        if (m.signum() == 0) return zero(neg, fmt);
        int emin = fmt == EXT ? -16382 : fmt == DBL ? -1022 : -126;
        int emax = fmt == EXT ? 16383 : fmt == DBL ? 1023 : 127;
        // the register's denormals keep the precision-control width below 2^emin
        int pf = fmt == EXT ? p : fmt == DBL ? 53 : 24;
        int top = e + m.bitLength() - 1;
        BigInteger qu = rnd(neg, m, e, top - p + 1, rc);
        boolean tiny = (top - p + 1) + qu.bitLength() - 1 < emin;
        int lsb = Math.max(top - p + 1, emin - (pf - 1));
        BigInteger q = rnd(neg, m, e, lsb, rc);
        boolean inexact = lastInexact, rup = lastUp;
        if (q.bitLength() > p) { q = q.shiftRight(1); lsb++; }
        if (q.signum() == 0) {
            if (inexact) { exc |= PE | (tiny ? UE : 0); up = false; }
            return zero(neg, fmt);
        }
        int rtop = lsb + q.bitLength() - 1;
        if (rtop > emax) {
            exc |= OE | PE;
            boolean toInf = rc == 0 || (rc == 2 && !neg) || (rc == 1 && neg);
            if (toInf) { up = true; return inf(neg, fmt); }
            up = false;
            q = BigInteger.ONE.shiftLeft(p).subtract(BigInteger.ONE);
            lsb = emax - p + 1;
            rtop = emax;
        } else if (inexact) {
            exc |= PE | (tiny ? UE : 0);
            up = rup;
        }
        long s = neg ? 1 : 0;
        switch (fmt) {
            case EXT -> {
                if (rtop >= emin) return new long[] {(s << 15) | (rtop + 16383), q.shiftLeft(63 - (rtop - lsb)).longValue()};
                return new long[] {s << 15, q.shiftLeft(lsb - (emin - 63)).longValue()};
            }
            case DBL -> {
                long bits;
                if (rtop >= emin) bits = ((long) (rtop + 1023) << 52) | (q.shiftLeft(52 - (rtop - lsb)).longValue() & 0xF_FFFF_FFFF_FFFFL);
                else bits = q.shiftLeft(lsb + 1074).longValue();
                return new long[] {(s << 63) | bits};
            }
            default -> {
                long bits;
                if (rtop >= emin) bits = ((long) (rtop + 127) << 23) | (q.shiftLeft(23 - (rtop - lsb)).longValue() & 0x7F_FFFFL);
                else bits = q.shiftLeft(lsb + 149).longValue();
                return new long[] {(s << 31) | bits};
            }
        }
    }

    public static long[] zero(boolean neg, int fmt) {
        return switch (fmt) {
            case EXT -> new long[] {neg ? 0x8000 : 0, 0};
            case DBL -> new long[] {neg ? Long.MIN_VALUE : 0};
            default -> new long[] {neg ? 0x8000_0000L : 0};
        };
    }

    public static long[] inf(boolean neg, int fmt) {
        return switch (fmt) {
            case EXT -> new long[] {(neg ? 0x8000 : 0) | 0x7FFF, Long.MIN_VALUE};
            case DBL -> new long[] {(neg ? Long.MIN_VALUE : 0) | 0x7FF0_0000_0000_0000L};
            default -> new long[] {(neg ? 0x8000_0000L : 0) | 0x7F80_0000L};
        };
    }

    public static long[] indefinite() { return new long[] {INDEF_SEXP, INDEF_MANT}; }

    /** NaN propagation for two operands (either may be non-NaN), x87 rules; raises IE for a signalling NaN. */
    public long[] propagate(V a, V b) {
        boolean an = a.cls == NAN, bn = b != null && b.cls == NAN;
        if ((an && a.snan) || (bn && b.snan)) exc |= IE;
        V r;
        if (an && bn) {
            if (a.snan != b.snan) r = a.snan ? b : a;
            else {
                long qa = a.mant | (1L << 62), qb = b.mant | (1L << 62);
                int c = Long.compareUnsigned(qa, qb);
                r = c > 0 ? a : c < 0 ? b : (!a.neg ? a : b);
            }
        } else r = an ? a : b;
        return new long[] {r.sexp, r.mant | (1L << 62)};
    }

    /** x87 add/sub/mul/div of unpacked operands (op 0 add, 1 mul, 4 sub, 6 div: a op b), rounded to the register. */
    public long[] arith(int op, V a, V b, int p, int rc) {
        if (a.cls == BAD || b.cls == BAD) { exc |= IE; return indefinite(); }
        if (a.cls == NAN || b.cls == NAN) return propagate(a, b);
        if ((a.denormal || b.denormal) && !(op == 6 && b.cls == ZERO)) exc |= DE;
        switch (op) {
            case 0, 4 -> {
                boolean bneg = op == 4 ? !b.neg : b.neg;
                if (a.cls == INF && b.cls == INF) {
                    if (a.neg != bneg) { exc |= IE; return indefinite(); }
                    return inf(a.neg, EXT);
                }
                if (a.cls == INF) return inf(a.neg, EXT);
                if (b.cls == INF) return inf(bneg, EXT);
                if (a.cls == ZERO && b.cls == ZERO) return zero(a.neg == bneg ? a.neg : rc == 1, EXT);
                BigInteger ma = a.cls == ZERO ? BigInteger.ZERO : a.m, mb = b.cls == ZERO ? BigInteger.ZERO : b.m;
                int ea = a.e, eb = b.e;
                if (a.cls == ZERO) ea = eb;
                if (b.cls == ZERO) eb = ea;
                // a far smaller operand only matters as a sticky bit below the rounding point
                if (ma.signum() != 0 && mb.signum() != 0) {
                    int ta = ea + ma.bitLength(), tb = eb + mb.bitLength();
                    if (ta - tb > 140) { mb = BigInteger.ONE; eb = ta - 140; }
                    else if (tb - ta > 140) { ma = BigInteger.ONE; ea = tb - 140; }
                }
                int e = Math.min(ea, eb);
                BigInteger sa = ma.shiftLeft(ea - e), sb = mb.shiftLeft(eb - e);
                if (a.neg) sa = sa.negate();
                if (bneg) sb = sb.negate();
                BigInteger sum = sa.add(sb);
                if (sum.signum() == 0) return zero(rc == 1, EXT);
                return round(sum.signum() < 0, sum.abs(), e, p, rc, EXT);
            }
            case 1 -> {
                boolean neg = a.neg != b.neg;
                if ((a.cls == INF && b.cls == ZERO) || (a.cls == ZERO && b.cls == INF)) { exc |= IE; return indefinite(); }
                if (a.cls == INF || b.cls == INF) return inf(neg, EXT);
                if (a.cls == ZERO || b.cls == ZERO) return zero(neg, EXT);
                return round(neg, a.m.multiply(b.m), a.e + b.e, p, rc, EXT);
            }
            default -> {
                boolean neg = a.neg != b.neg;
                if ((a.cls == INF && b.cls == INF) || (a.cls == ZERO && b.cls == ZERO)) { exc |= IE; return indefinite(); }
                if (a.cls == INF) return inf(neg, EXT);
                if (b.cls == INF) return zero(neg, EXT);
                if (b.cls == ZERO) { exc |= ZE; return inf(neg, EXT); }
                if (a.cls == ZERO) return zero(neg, EXT);
                int k = Math.max(0, 70 + b.m.bitLength() - a.m.bitLength());
                BigInteger[] qr = a.m.shiftLeft(k).divideAndRemainder(b.m);
                BigInteger q = qr[0].shiftLeft(1);
                if (qr[1].signum() != 0) q = q.setBit(0);
                return round(neg, q, a.e - k - b.e - 1, p, rc, EXT);
            }
        }
    }

    public long[] sqrt(V a, int p, int rc) {
        if (a.cls == BAD) { exc |= IE; return indefinite(); }
        if (a.cls == NAN) return propagate(a, null);
        if (a.cls == ZERO) return zero(a.neg, EXT);
        if (a.neg) { exc |= IE; return indefinite(); }
        if (a.cls == INF) return inf(false, EXT);
        if (a.denormal) exc |= DE;
        BigInteger m = a.m;
        int e = a.e;
        int k = Math.max(0, 140 - m.bitLength());
        if (((e - k) & 1) != 0) k++;
        m = m.shiftLeft(k);
        e -= k;
        BigInteger s = m.sqrt();
        BigInteger q = s.shiftLeft(1);
        if (s.multiply(s).compareTo(m) != 0) q = q.setBit(0);
        return round(false, q, e / 2 - 1, p, rc, EXT);
    }

    /** Three-way compare: -1, 0, 1, or 2 unordered. quiet: only signalling NaNs raise IE. */
    public int compare(V a, V b, boolean quiet) {
        if (a.cls == BAD || b.cls == BAD) { exc |= IE; return 2; }
        if (a.cls == NAN || b.cls == NAN) {
            if (!quiet || (a.cls == NAN && a.snan) || (b != null && b.cls == NAN && b.snan)) exc |= IE;
            return 2;
        }
        if (a.denormal || b.denormal) exc |= DE;
        int sa = sgn(a), sb = sgn(b);
        if (sa != sb) return Integer.compare(sa, sb);
        if (sa == 0) return 0;
        int mag;
        if (a.cls == INF || b.cls == INF) mag = a.cls == b.cls ? 0 : a.cls == INF ? 1 : -1;
        else {
            int ta = a.e + a.m.bitLength(), tb = b.e + b.m.bitLength();
            if (ta != tb) mag = Integer.compare(ta, tb);
            else {
                int e = Math.min(a.e, b.e);
                mag = a.m.shiftLeft(a.e - e).compareTo(b.m.shiftLeft(b.e - e));
            }
        }
        return sa > 0 ? mag : -mag;
    }

    private static int sgn(V v) { return v.cls == ZERO ? 0 : v.neg ? -1 : 1; }

    /**
     * To a signed integer of {@code bits} bits with rounding mode rc; out of range, NaN or infinity
     * raise IE and give the integer indefinite. Sets PE and {@link #up} when inexact.
     */
    public long toInt(V a, int bits, int rc) {
        long indef = bits == 64 ? Long.MIN_VALUE : -(1L << (bits - 1));
        up = false;
        if (a.cls == BAD || a.cls == NAN || a.cls == INF) { exc |= IE; return indef; }
        if (a.cls == ZERO) return 0;
        if (a.e + a.m.bitLength() > bits + 1) { exc |= IE; return indef; }
        BigInteger q = rnd(a.neg, a.m, a.e, 0, rc);
        BigInteger v = a.neg ? q.negate() : q;
        if (v.bitLength() > bits - 1) { exc |= IE; return indef; }
        if (lastInexact) { exc |= PE; up = lastUp; }
        return v.longValue();
    }

    /** |a| (finite) rounded to an integer under rc, for FBSTP: PE and {@link #up} when inexact. */
    public BigInteger roundMagnitude(V a, int rc) {
        up = false;
        BigInteger q = rnd(a.neg, a.m, a.e, 0, rc);
        if (lastInexact) { exc |= PE; up = lastUp; }
        return q;
    }

    /** Rounds to an integral value in 80 bits (FRNDINT). */
    public long[] roundInt(V a, int rc) {
        if (a.cls == BAD) { exc |= IE; return indefinite(); }
        if (a.cls == NAN) return propagate(a, null);
        up = false;
        if (a.cls != FIN) return new long[] {a.sexp, a.mant};
        if (a.denormal) exc |= DE;
        if (a.e >= 0) return new long[] {a.sexp, a.mant};
        BigInteger q = rnd(a.neg, a.m, a.e, 0, rc);
        boolean inexact = lastInexact, u = lastUp;
        long[] r = q.signum() == 0 ? zero(a.neg, EXT) : round(a.neg, q, 0, 64, rc, EXT);
        if (inexact) { exc |= PE; up = u; }
        return r;
    }
}
