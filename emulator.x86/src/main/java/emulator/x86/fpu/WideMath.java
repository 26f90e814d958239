package emulator.x86.fpu;

/**
 * Elementary functions on {@link Wide} numbers, to a requested precision: each function computed at
 * precision {@code p} returns its value with a relative error below {@code 2^(ERROR_SLACK - p)}
 * (series evaluated with guard bits; every argument reduction used is exact or well-conditioned).
 * The x87 instructions round these values once, to 64 bits, after checking that the error interval
 * does not straddle a rounding boundary ({@link Transcendental}).
 */
final class WideMath {
    private WideMath() {}

    /** Bits of relative error each function may lose against its working precision. */
    static final int ERROR_SLACK = 16;
    /** Guard bits carried inside the series. */
    private static final int GUARD = 12;
    /** The constants are computed once at this precision and truncated for each use. */
    private static final int CONST_BITS = 2200;

    private static final Wide PI = machinPi(CONST_BITS + GUARD);
    private static final Wide LN2 = ln2Series(CONST_BITS + GUARD);

    static Wide pi(int p) { return PI.trunc(p); }

    static Wide ln2(int p) { return LN2.trunc(p); }

    /** Largest precision the constants support. */
    static final int MAX_PRECISION = CONST_BITS - 64;

    /** True once a series term no longer changes the sum at precision q. */
    private static boolean negligible(Wide sum, Wide term, int q) {
        return term.isZero() || (!sum.isZero() && sum.exponent() - term.exponent() > q + 2);
    }

    /** sin r, for |r| ≤ 1 (Taylor series; the terms shrink by at least r²/6 each). */
    static Wide sin(Wide r, int p) {
        int q = p + GUARD;
        Wide r2 = r.mul(r, q), term = r.trunc(q), sum = term;
        for (int k = 1; ; k++) {
            term = term.mul(r2, q).div((long) (2 * k) * (2 * k + 1), q).negate();
            if (negligible(sum, term, q)) return sum;
            sum = sum.add(term, q);
        }
    }

    /** cos r, for |r| ≤ 1. */
    static Wide cos(Wide r, int p) {
        int q = p + GUARD;
        Wide r2 = r.mul(r, q), term = Wide.ONE, sum = term;
        for (int k = 1; ; k++) {
            term = term.mul(r2, q).div((long) (2 * k - 1) * (2 * k), q).negate();
            if (negligible(sum, term, q)) return sum;
            sum = sum.add(term, q);
        }
    }

    /** e^t - 1 for |t| < 1 (Taylor series, which keeps full relative precision for small t). */
    static Wide expm1(Wide t, int p) {
        int q = p + GUARD;
        Wide term = t.trunc(q), sum = term;
        for (int k = 2; ; k++) {
            term = term.mul(t, q).div(k, q);
            if (negligible(sum, term, q)) return sum;
            sum = sum.add(term, q);
        }
    }

    /** atan t for 0 ≤ t ≤ 1: the angle is halved (t / (1 + √(1 + t²))) until t < 1/16, then the series. */
    static Wide atan(Wide t, int p) {
        int q = p + GUARD;
        int halvings = 0;
        t = t.trunc(q);
        while (!t.isZero() && t.exponent() >= -4) {
            Wide root = Wide.ONE.add(t.mul(t, q), q).sqrt(q);
            t = t.div(Wide.ONE.add(root, q), q);
            halvings++;
        }
        return atanSeries(t, q).scale(halvings);
    }

    /** t - t³/3 + t⁵/5 - … for small |t|. */
    private static Wide atanSeries(Wide t, int q) {
        Wide t2 = t.mul(t, q), pow = t, sum = t;
        for (int k = 1; ; k++) {
            pow = pow.mul(t2, q).negate();
            Wide term = pow.div(2 * k + 1, q);
            if (negligible(sum, term, q)) return sum;
            sum = sum.add(term, q);
        }
    }

    /** atanh s = s + s³/3 + s⁵/5 + … for |s| ≤ 0.18. */
    private static Wide atanhSeries(Wide s, int q) {
        Wide s2 = s.mul(s, q), pow = s, sum = s;
        for (int k = 1; ; k++) {
            pow = pow.mul(s2, q);
            Wide term = pow.div(2 * k + 1, q);
            if (negligible(sum, term, q)) return sum;
            sum = sum.add(term, q);
        }
    }

    /** ln z for z near 1 (1/√2 ≤ z ≤ √2): 2·atanh((z-1)/(z+1)); z - 1 is exact, so a z close to 1 keeps its precision. */
    private static Wide lnNearOne(Wide z, int q) {
        Wide num = z.add(Wide.of(-1), Integer.MAX_VALUE / 4), den = z.add(Wide.ONE, q);
        if (num.isZero()) return Wide.ZERO;
        return atanhSeries(num.div(den, q), q).scale(1);
    }

    /** log2 z for z > 0: the binary exponent plus ln(mantissa)/ln 2, the mantissa taken in [1/√2, √2). */
    static Wide log2(Wide z, int p) {
        int q = p + GUARD;
        int ez = z.exponent();
        Wide mant = z.scale(-ez);
        // mant in [1, 2): above √2 (mant² > 2), use mant/2 and one more in the exponent
        if (mant.mul(mant, q).compareMagnitude(Wide.of(2)) > 0) { ez++; mant = mant.scale(-1); }
        Wide frac = lnNearOne(mant, q).div(ln2(q), q);
        return Wide.of(ez).add(frac, q);
    }

    /** log2(1 + x) for x > -1; a small x never forms 1 + x (which would lose its low bits). */
    static Wide log2OnePlus(Wide x, int p) {
        int q = p + GUARD;
        if (x.isZero()) return Wide.ZERO;
        if (x.exponent() < -2) {
            Wide s = x.div(Wide.of(2).add(x, q), q);
            return atanhSeries(s, q).scale(1).div(ln2(q), q);
        }
        return log2(Wide.ONE.add(x, q), p);
    }

    /** π = 16 atan(1/5) - 4 atan(1/239) (Machin). */
    private static Wide machinPi(int q) {
        Wide a = atanSeries(Wide.ONE.div(5, q), q), b = atanSeries(Wide.ONE.div(239, q), q);
        return a.scale(2).sub(b, q).scale(2);
    }

    /** ln 2 = 2 atanh(1/3). */
    private static Wide ln2Series(int q) {
        return atanhSeries(Wide.ONE.div(3, q), q).scale(1);
    }
}
