package emulator.x86.fpu;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.function.IntFunction;

import static emulator.x86.fpu.F80.BAD;
import static emulator.x86.fpu.F80.EXT;
import static emulator.x86.fpu.F80.FIN;
import static emulator.x86.fpu.F80.INF;
import static emulator.x86.fpu.F80.NAN;
import static emulator.x86.fpu.F80.ZERO;

/**
 * Values of the x87 transcendental instructions (FSIN, FCOS, FSINCOS, FPTAN, F2XM1, FYL2X, FYL2XP1,
 * FPATAN) in 80-bit extended precision. Exceptions go to {@code x.exc}, the C1 "rounded up" bit to
 * {@code x.up}; {@link #outOfRange} is the C2 answer of the trigonometric ones.
 *
 * <p>The model followed — documented by Intel (SDM vol. 1 §8.1.5, §8.3.10) or measured on the host
 * CPU, and checked against it by X87TranscendentalDiffTest:
 * <ul>
 * <li>sin, cos and tan reduce the operand modulo π/2 with the unit's 66-bit approximation of π
 * (documented), so they are functions of period 2·π66, not 2π; the reduction is exact here (the
 * operand and π66 are short dyadic numbers) and picks the nearest multiple.
 * <li>The unit keeps 67-bit intermediates, truncated toward zero where that was measurable: FYL2X
 * is y times log2 x truncated to 67 bits, F2XM1 is e^t - 1 of t = x·ln2 with ln2 and the product
 * truncated to 67 bits, FPTAN divides the 67-bit sine by the 67-bit cosine, FPATAN takes atan of the
 * 67-bit quotient of the smaller magnitude by the larger and adds it to multiples of π truncated to
 * 67 bits. Everything else is the exact mathematical value.
 * <li>That value is rounded once to 64 bits under the rounding control; the precision control does
 * not apply to these instructions (documented). C1 is set when the rounding went up in magnitude
 * (FSINCOS: of the cosine).
 * <li>PE is set for every computed result, also an exact one (FYL2X of 8 gives 3 with PE); UE with it
 * when the result is tiny.
 * <li>The unit's shortcuts are followed: sin x = tan x = x and cos x = 1 for |x| &lt; 2^-68 (C1 = 0),
 * atan t = t for a quotient below 2^-40, F2XM1 returns its operand for |x| &gt; 1 (undefined by the
 * SDM), FYL2XP1 returns x for x ≤ -1, and the logarithm of a power of two below 1 is one 67-bit unit
 * smaller in magnitude.
 * </ul>
 * Computation is exact to the final rounding: each value is evaluated at increasing precision
 * ({@link WideMath}) until its error interval lies within one rounding interval. The unit itself
 * evaluates polynomials with a small error (below 1 ulp by the SDM; measured up to 0.45 ulp for
 * FYL2XP1 and 0.2 ulp for the others), so where the exact value lies that close to a rounding
 * boundary its result can differ by one ulp, or in C1 only. Reproducing those cases would need the
 * unit's microcode; the differential test lists each one.
 */
final class Transcendental {
    private final F80 x;
    /** Set by the trigonometric functions for |operand| ≥ 2^63: the stack is left as it was and C2 set. */
    boolean outOfRange;

    Transcendental(F80 x) { this.x = x; }

    private static final int FIRST_PRECISION = 128;
    /** The reduction constant of FSIN/FCOS/FSINCOS/FPTAN: π rounded to 66 bits, as an integer times 2^-64. */
    private static final BigInteger PI66 = new BigInteger("3243f6a8885a308d3", 16);
    private static final long[] ONE = {0x3FFF, Long.MIN_VALUE};

    // ---- trigonometric

    /** FSIN: {sin a}, or null when out of range. */
    long[] sin(F80.V a, int rc) {
        long[] special = trigSpecial(a);
        if (special != null) return a.cls == ZERO ? new long[] {a.sexp, 0} : special;
        if (trigPrecheck(a)) return null;
        if (tinyAngle(a)) return shortcut(a, rc);
        return rounded(p -> trig(a, false, p), rc);
    }

    /** FCOS: {cos a}, or null when out of range. */
    long[] cos(F80.V a, int rc) {
        long[] special = trigSpecial(a);
        if (special != null) return a.cls == ZERO ? ONE.clone() : special;
        if (trigPrecheck(a)) return null;
        if (tinyAngle(a)) { x.exc |= F80.PE; x.up = false; return ONE.clone(); }
        return rounded(p -> trig(a, true, p), rc);
    }

    /** FSINCOS: {sin a, cos a}, or null when out of range. C1 comes from the cosine's rounding (as on the unit). */
    long[][] sinCos(F80.V a, int rc) {
        long[] special = trigSpecial(a);
        if (special != null) return a.cls == ZERO ? new long[][] {{a.sexp, 0}, ONE.clone()} : new long[][] {special, special};
        if (trigPrecheck(a)) return null;
        if (tinyAngle(a)) return new long[][] {shortcut(a, rc), ONE.clone()};
        long[] s = rounded(p -> trig(a, false, p), rc);
        long[] c = rounded(p -> trig(a, true, p), rc);
        return new long[][] {s, c};
    }

    /** FPTAN: {tan a, 1.0 pushed after it}, or null when out of range. */
    long[][] tan(F80.V a, int rc) {
        long[] special = trigSpecial(a);
        if (special != null) return a.cls == ZERO ? new long[][] {{a.sexp, 0}, ONE.clone()} : new long[][] {special, special};
        if (trigPrecheck(a)) return null;
        if (tinyAngle(a)) return new long[][] {shortcut(a, rc), ONE.clone()};
        // the unit divides its sine by its cosine, each truncated to 67 bits (measured), rounding once
        Wide s = truncated(p -> trig(a, false, p), LOG_BITS), c = truncated(p -> trig(a, true, p), LOG_BITS);
        return new long[][] {rounded(p -> s.div(c, p + 8), rc), ONE.clone()};
    }

    /** Non-finite and zero operands: the result for all but zero, whose result the caller picks; null for finite. */
    private long[] trigSpecial(F80.V a) {
        switch (a.cls) {
            case BAD, INF -> { x.exc |= F80.IE; return F80.indefinite(); }
            case NAN -> { return x.propagate(a, null); }
            case ZERO -> { return F80.zero(a.neg, EXT); }
            default -> { return null; }
        }
    }

    /** Flags a denormal; true when |a| ≥ 2^63 (out of range: no result). */
    private boolean trigPrecheck(F80.V a) {
        if (a.e + a.m.bitLength() - 1 >= 63) { outOfRange = true; return true; }
        if (a.denormal) x.exc |= F80.DE;
        return false;
    }

    private static boolean tinyAngle(F80.V a) { return a.e + a.m.bitLength() - 1 < -68; }

    /** sin a (cosine false) or cos a, reduced by the nearest multiple of π66/2 to |r| ≤ π66/4. */
    private static Wide trig(F80.V a, boolean cosine, int p) {
        // a = m·2^e and π66/2 = PI66·2^-65: the multiple k and r = a - k·π66/2 are exact
        int lo = Math.min(a.e, -65);
        BigInteger am = a.m.shiftLeft(a.e - lo);
        BigInteger half = PI66.shiftLeft(-65 - lo);
        BigInteger k = am.shiftLeft(1).add(half).divide(half.shiftLeft(1));
        Wide r = new Wide(am.subtract(k.multiply(half)), lo);
        if (a.neg) { r = r.negate(); k = k.negate(); }
        // sin(r + kπ/2) and cos(r + kπ/2) by quadrant
        int quadrant = (k.intValue() + (cosine ? 1 : 0)) & 3;
        return switch (quadrant) {
            case 0 -> WideMath.sin(r, p);
            case 1 -> WideMath.cos(r, p);
            case 2 -> WideMath.sin(r, p).negate();
            default -> WideMath.cos(r, p).negate();
        };
    }

    /** The operand itself as the result (the unit's small-argument shortcut): PE, C1 = 0. */
    private long[] shortcut(F80.V a, int rc) {
        long[] r = x.round(a.neg, a.m, a.e, 64, rc, EXT);
        inexact(r);
        x.up = false;
        return r;
    }

    // ---- F2XM1

    long[] f2xm1(F80.V a, int rc) {
        switch (a.cls) {
            case BAD -> { x.exc |= F80.IE; return F80.indefinite(); }
            case NAN -> { return x.propagate(a, null); }
            case INF -> { return a.neg ? new long[] {0xBFFF, Long.MIN_VALUE} : F80.inf(false, EXT); }
            case ZERO -> { return F80.zero(a.neg, EXT); }
            default -> { }
        }
        if (a.denormal) x.exc |= F80.DE;
        int top = a.e + a.m.bitLength() - 1;
        boolean one = a.m.bitCount() == 1 && top == 0;
        if (top >= 0 && !one) { x.exc |= F80.PE; return new long[] {a.sexp, a.mant}; } // |x| > 1: undefined, the unit returns x
        if (one) return exact(a.neg, BigInteger.ONE, a.neg ? -1 : 0, rc); // 2^±1 - 1 = 1 or -1/2
        // the unit forms t = x·ln2 as x times ln2 truncated to 67 bits, truncated again, then e^t - 1 (measured)
        Wide t = Wide.of(a).mulExact(LN2_67).trunc(LOG_BITS);
        return rounded(p -> WideMath.expm1(t, p), rc);
    }

    // ---- FYL2X: y · log2 x (x = ST0, y = ST1)

    long[] fyl2x(F80.V xv, F80.V y, int rc) {
        if (xv.cls == BAD || y.cls == BAD) { x.exc |= F80.IE; return F80.indefinite(); }
        if (xv.cls == NAN || y.cls == NAN) return x.propagate(xv, y);
        if (xv.neg && xv.cls != ZERO) { x.exc |= F80.IE; return F80.indefinite(); }
        if (xv.cls == ZERO) {
            if (y.cls == ZERO) { x.exc |= F80.IE; return F80.indefinite(); }
            if (y.cls == FIN) x.exc |= F80.ZE;
            return F80.inf(!y.neg, EXT);
        }
        if (y.denormal) x.exc |= F80.DE;
        if (xv.cls == INF) {
            if (y.cls == ZERO) { x.exc |= F80.IE; return F80.indefinite(); }
            return F80.inf(y.neg, EXT);
        }
        if (xv.denormal) x.exc |= F80.DE;
        int top = xv.e + xv.m.bitLength() - 1;
        boolean power = xv.m.bitCount() == 1;
        if (power && top == 0) { // log2 1 = +0
            if (y.cls == INF) { x.exc |= F80.IE; return F80.indefinite(); }
            return F80.zero(y.neg, EXT);
        }
        boolean below1 = top < 0;
        if (y.cls == ZERO) return F80.zero(y.neg != below1, EXT);
        if (y.cls == INF) return F80.inf(y.neg != below1, EXT);
        // the unit forms log2 x truncated to 67 bits, then rounds y times that once
        Wide log = power ? powerLog(top) : truncated(p -> WideMath.log2(Wide.of(xv), p), LOG_BITS);
        Wide product = Wide.of(y).mulExact(log);
        return exact(product.signum() < 0, product.m().abs(), product.e(), rc);
    }

    /** Significant bits of the unit's internal values where they were measured (log2 x of FYL2X, x·ln2 of F2XM1, FPTAN's sine and cosine): truncated toward zero to this. */
    private static final int LOG_BITS = 67;
    private static final Wide LN2_67 = WideMath.ln2(256).trunc(LOG_BITS);

    /**
     * The unit's logarithm of 2^k: k, but for k &lt; 0 one unit of the 67-bit internal format smaller
     * in magnitude (measured: an exact product y·k below 1 still sets C1 and rounds toward zero).
     */
    private static Wide powerLog(int k) {
        Wide v = Wide.of(k);
        if (k >= 0) return v;
        int unitExp = (31 - Integer.numberOfLeadingZeros(-k)) - (LOG_BITS - 1);
        return v.add(new Wide(BigInteger.ONE, unitExp), Integer.MAX_VALUE / 4);
    }

    // ---- FYL2XP1: y · log2(1 + x) (x = ST0, y = ST1)

    long[] fyl2xp1(F80.V xv, F80.V y, int rc) {
        if (xv.cls == BAD || y.cls == BAD) { x.exc |= F80.IE; return F80.indefinite(); }
        if (xv.cls == NAN || y.cls == NAN) return x.propagate(xv, y);
        if (xv.cls == INF && xv.neg) { x.exc |= F80.IE; return F80.indefinite(); }
        if (xv.cls == ZERO) {
            if (y.cls == INF) { x.exc |= F80.IE; return F80.indefinite(); }
            if (y.denormal) x.exc |= F80.DE;
            return F80.zero(xv.neg != y.neg, EXT);
        }
        if (xv.cls == INF) {
            if (y.cls == ZERO) { x.exc |= F80.IE; return F80.indefinite(); }
            if (y.denormal) x.exc |= F80.DE;
            return F80.inf(y.neg, EXT);
        }
        if (xv.denormal) x.exc |= F80.DE;
        if (y.cls == ZERO) return F80.zero(xv.neg != y.neg, EXT);
        if (y.cls == INF) return F80.inf(xv.neg != y.neg, EXT);
        if (y.denormal) x.exc |= F80.DE;
        Wide xw = Wide.of(xv), yw = Wide.of(y);
        if (xv.neg && xw.compareMagnitude(Wide.ONE) >= 0) { x.exc |= F80.PE; return new long[] {xv.sexp, xv.mant}; } // x ≤ -1: the unit returns x
        // 1 + x exactly a power of two: log2 is the integer k
        Wide sum = xw.add(Wide.ONE, Integer.MAX_VALUE / 4);
        if (sum.m().bitCount() == 1) {
            Wide product = Wide.of(y).mulExact(powerLog(sum.exponent()));
            return exact(product.signum() < 0, product.m().abs(), product.e(), rc);
        }
        return rounded(p -> yw.mul(WideMath.log2OnePlus(xw, p + 4), p + 4), rc);
    }

    // ---- FPATAN: atan(y / x) in the quadrant of (x, y) (x = ST0, y = ST1)

    long[] fpatan(F80.V xv, F80.V y, int rc) {
        if (xv.cls == BAD || y.cls == BAD) { x.exc |= F80.IE; return F80.indefinite(); }
        if (xv.cls == NAN || y.cls == NAN) return x.propagate(xv, y);
        if (xv.denormal || y.denormal) x.exc |= F80.DE;
        boolean left = xv.neg; // x < 0 or x = -0: the angle is near ±π
        if (y.cls == ZERO) {
            if (!left) return F80.zero(y.neg, EXT);
            return angle(y.neg, 4, rc); // ±π
        }
        if (xv.cls == ZERO) return angle(y.neg, 2, rc); // ±π/2
        if (y.cls == INF) {
            if (xv.cls == INF) return angle(y.neg, left ? 3 : 1, rc); // ±3π/4, ±π/4
            return angle(y.neg, 2, rc);
        }
        if (xv.cls == INF) {
            if (!left) return F80.zero(y.neg, EXT);
            return angle(y.neg, 4, rc);
        }
        // the unit divides the smaller magnitude by the larger, truncating the quotient to 67 bits, and
        // combines atan of it with π truncated to 67 bits (measured); the sum is rounded once
        Wide xw = Wide.of(xv).abs(), yw = Wide.of(y).abs();
        boolean steep = yw.compareMagnitude(xw) > 0;
        Wide ratio = steep ? xw.div(yw, LOG_BITS) : yw.div(xw, LOG_BITS);
        if (ratio.exponent() <= -41) {
            // atan t = t to the unit's precision: the combination is exact, rounded once
            Wide t = ratio;
            if (steep) t = PI_67.scale(-1).add(t.negate(), Integer.MAX_VALUE / 4);
            if (left) t = PI_67.add(t.negate(), Integer.MAX_VALUE / 4);
            return exact(y.neg, t.m().abs(), t.e(), rc);
        }
        return rounded(p -> {
            int q = p + 4;
            Wide t = WideMath.atan(ratio, q);
            if (steep) t = PI_67.scale(-1).sub(t, q);
            if (left) t = PI_67.sub(t, q);
            return y.neg ? t.negate() : t;
        }, rc);
    }

    /** π truncated to the unit's 67 internal bits: the angles of FPATAN are multiples of it. */
    private static final Wide PI_67 = WideMath.pi(256).trunc(LOG_BITS);

    /** ±(quarters · π67/4), e.g. quarters 2 = π/2, rounded. */
    private long[] angle(boolean neg, int quarters, int rc) {
        Wide v = PI_67.mulExact(Wide.of(quarters)).scale(-2);
        return exact(neg, v.m(), v.e(), rc);
    }

    // ---- rounding

    /**
     * Rounds a function value computed at increasing precision until its error interval lies inside
     * one rounding interval (so value, C1 and flags are those of the exact value); PE is then set.
     */
    private long[] rounded(IntFunction<Wide> f, int rc) {
        Wide v = null;
        for (int p = FIRST_PRECISION; p <= WideMath.MAX_PRECISION; p *= 2) {
            v = f.apply(p);
            long[] r = roundIfUnambiguous(v, p, rc);
            if (r != null) { inexact(r); return r; }
        }
        // only an exactly representable value stays ambiguous; each such case is handled before
        long[] r = x.round(v.signum() < 0, v.m().abs(), v.e(), 64, rc, EXT);
        inexact(r);
        return r;
    }

    private long[] roundIfUnambiguous(Wide v, int p, int rc) {
        boolean neg = v.signum() < 0;
        BigInteger m = v.m().abs();
        int e = v.e();
        int widen = Math.max(0, p + 8 - m.bitLength());
        m = m.shiftLeft(widen);
        e -= widen;
        BigInteger err = m.shiftRight(p - WideMath.ERROR_SLACK).add(BigInteger.ONE);
        F80 lo = new F80(), hi = new F80();
        long[] a = lo.round(neg, m.subtract(err), e, 64, rc, EXT);
        long[] b = hi.round(neg, m.add(err), e, 64, rc, EXT);
        if (!Arrays.equals(a, b) || lo.up != hi.up || lo.exc != hi.exc) return null;
        x.exc |= lo.exc;
        x.up = lo.up;
        return a;
    }

    /** An exact value (-1)^neg · m · 2^e rounded; PE is set either way. */
    private long[] exact(boolean neg, BigInteger m, int e, int rc) {
        long[] r = x.round(neg, m, e, 64, rc, EXT);
        inexact(r);
        return r;
    }

    /**
     * A function value truncated toward zero to {@code bits} significant bits, computed at increasing
     * precision until the truncation is certain (the value is never exactly on a boundary: callers
     * handle the exact cases).
     */
    private static Wide truncated(IntFunction<Wide> f, int bits) {
        Wide v = null;
        for (int p = FIRST_PRECISION; p <= WideMath.MAX_PRECISION; p *= 2) {
            v = f.apply(p);
            BigInteger m = v.m().abs();
            int widen = Math.max(0, p + 8 - m.bitLength());
            m = m.shiftLeft(widen);
            int e = v.e() - widen;
            BigInteger err = m.shiftRight(p - WideMath.ERROR_SLACK).add(BigInteger.ONE);
            Wide lo = new Wide(m.subtract(err), e).trunc(bits), hi = new Wide(m.add(err), e).trunc(bits);
            if (lo.equals(hi)) return v.signum() < 0 ? lo.negate() : lo;
        }
        return v.trunc(bits);
    }

    /** Every computed result sets PE, and UE when it is tiny (the unit never reports these exact). */
    private void inexact(long[] r) {
        x.exc |= F80.PE;
        if ((r[0] & 0x7FFF) == 0) x.exc |= F80.UE;
    }
}
