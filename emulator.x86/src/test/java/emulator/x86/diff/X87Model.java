package emulator.x86.diff;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exact values (70 significant digits) of what the x87 transcendental instructions compute before
 * their final rounding, following what Intel documents (SDM vol. 1 §8.3.10: reduction by a 66-bit
 * π) and what measuring the host showed (67-bit truncated intermediates: FYL2X forms y times log2 x
 * truncated to 67 bits, F2XM1 forms e^t - 1 of t = x·ln2 truncated, FPTAN divides the truncated sine
 * by the truncated cosine, FPATAN takes atan of the truncated quotient and combines it with π
 * truncated). Written with BigDecimal series, independently of the emulator's emulator.x86.fpu code:
 * the differential test checks the emulator's results against these values and uses them to say
 * how far from a rounding boundary a case lies where the host and the emulator differ.
 *
 * <p>{@link #exact} covers finite operands in each instruction's computing domain; zeros,
 * infinities, NaNs, out-of-range and shortcut operands are not modelled here (those cases must
 * match the host exactly).
 */
final class X87Model {
    private X87Model() {}

    static final MathContext MC = new MathContext(70);
    /** Relative size below which a series term is dropped. */
    private static final BigDecimal TINY = new BigDecimal("1e-76");
    private static final Map<Integer, BigDecimal> POW2 = new ConcurrentHashMap<>();

    static final BigDecimal PI = machinPi();
    static final BigDecimal LN2 = atanh(BigDecimal.ONE.divide(BigDecimal.valueOf(3), MC)).multiply(BigDecimal.valueOf(2));
    /** The x87 reduction constant: π to 66 bits (0x3243F6A8885A308D3 · 2^-64). */
    static final BigDecimal HALF_PI66 = new BigDecimal(new BigInteger("3243f6a8885a308d3", 16)).multiply(pow2(-65));
    static final BigDecimal PI67 = trunc(PI, 67), LN2_67 = trunc(LN2, 67);

    // ---- exact binary numbers

    /** 2^e exactly. */
    static BigDecimal pow2(int e) {
        return POW2.computeIfAbsent(e, k -> k >= 0 ? new BigDecimal(BigInteger.ONE.shiftLeft(k))
                : new BigDecimal(BigInteger.valueOf(5).pow(-k), -k));
    }

    /** The exact value of a finite 80-bit number (unnormals and pseudo-denormals by their bits). */
    static BigDecimal value(Float80 f) {
        int ex = f.signExp() & 0x7FFF;
        BigDecimal m = new BigDecimal(new BigInteger(Long.toUnsignedString(f.mantissa())));
        BigDecimal v = m.multiply(pow2((ex == 0 ? 1 : ex) - 16383 - 63));
        return (f.signExp() & 0x8000) != 0 ? v.negate() : v;
    }

    static boolean finite(Float80 f) { return (f.signExp() & 0x7FFF) != 0x7FFF; }

    static boolean isZero(Float80 f) { return f.mantissa() == 0; }

    /** floor(log2 |v|) for v ≠ 0. */
    static int binade(BigDecimal v) {
        BigDecimal a = v.abs();
        int e = (int) Math.floor(a.unscaledValue().bitLength() - 1 - a.scale() * 3.321928094887362);
        while (a.compareTo(pow2(e)) < 0) e--;
        while (a.compareTo(pow2(e + 1)) >= 0) e++;
        return e;
    }

    /** v truncated toward zero to {@code bits} significant bits. */
    static BigDecimal trunc(BigDecimal v, int bits) {
        int e = binade(v);
        BigInteger q = v.abs().multiply(pow2(bits - 1 - e)).toBigInteger();
        BigDecimal t = new BigDecimal(q).multiply(pow2(e - bits + 1));
        return v.signum() < 0 ? t.negate() : t;
    }

    /** A value rounded to 64 bits: the 80-bit result, whether it went up in magnitude, and where the exact value lay (fraction of an ulp above the truncated value). */
    record Rounded(Float80 value, boolean up, BigDecimal fraction, int binade) {}

    /** Rounds a nonzero value in the normal range to 64 bits under rounding control rc; null outside the normal range. */
    static Rounded round(BigDecimal v, int rc) {
        int e = binade(v);
        if (e < -16382 || e > 16383) return null;
        BigDecimal s = v.abs().multiply(pow2(63 - e));
        BigInteger q = s.toBigInteger();
        BigDecimal frac = s.subtract(new BigDecimal(q));
        boolean neg = v.signum() < 0;
        boolean inc = frac.signum() != 0 && switch (rc) {
            case 0 -> frac.compareTo(HALF) > 0 || (frac.compareTo(HALF) == 0 && q.testBit(0));
            case 1 -> neg;
            case 2 -> !neg;
            default -> false;
        };
        int re = e;
        if (inc) q = q.add(BigInteger.ONE);
        if (q.bitLength() > 64) { q = q.shiftRight(1); re++; }
        if (re > 16383) return null;
        return new Rounded(new Float80((neg ? 0x8000 : 0) | (re + 16383), q.longValue()), inc, frac, e);
    }

    private static final BigDecimal HALF = new BigDecimal("0.5");

    // ---- series

    private static boolean negligible(BigDecimal term, BigDecimal sum) {
        return term.signum() == 0 || term.abs().compareTo(sum.abs().multiply(TINY)) < 0;
    }

    /** sin r, |r| ≤ 1. */
    static BigDecimal sin(BigDecimal r) {
        BigDecimal r2 = r.multiply(r, MC), term = r, sum = r;
        for (int k = 1; ; k++) {
            term = term.multiply(r2, MC).divide(BigDecimal.valueOf((long) (2 * k) * (2 * k + 1)), MC).negate();
            if (negligible(term, sum)) return sum;
            sum = sum.add(term, MC);
        }
    }

    /** cos r, |r| ≤ 1. */
    static BigDecimal cos(BigDecimal r) {
        BigDecimal r2 = r.multiply(r, MC), term = BigDecimal.ONE, sum = term;
        for (int k = 1; ; k++) {
            term = term.multiply(r2, MC).divide(BigDecimal.valueOf((long) (2 * k - 1) * (2 * k)), MC).negate();
            if (negligible(term, sum)) return sum;
            sum = sum.add(term, MC);
        }
    }

    /** e^t - 1, |t| &lt; 1. */
    static BigDecimal expm1(BigDecimal t) {
        BigDecimal term = t, sum = t;
        for (int k = 2; ; k++) {
            term = term.multiply(t, MC).divide(BigDecimal.valueOf(k), MC);
            if (negligible(term, sum)) return sum;
            sum = sum.add(term, MC);
        }
    }

    /** atanh s = s + s³/3 + …, |s| ≤ 1/3. */
    static BigDecimal atanh(BigDecimal s) {
        BigDecimal s2 = s.multiply(s, MC), pow = s, sum = s;
        for (int k = 1; ; k++) {
            pow = pow.multiply(s2, MC);
            BigDecimal term = pow.divide(BigDecimal.valueOf(2L * k + 1), MC);
            if (negligible(term, sum)) return sum;
            sum = sum.add(term, MC);
        }
    }

    /** atan t for 0 &lt; t ≤ 1: halve the angle (t / (1 + √(1 + t²))) until t &lt; 0.1, then the series. */
    static BigDecimal atan(BigDecimal t) {
        int halvings = 0;
        while (t.compareTo(new BigDecimal("0.1")) >= 0) {
            t = t.divide(BigDecimal.ONE.add(BigDecimal.ONE.add(t.multiply(t, MC)).sqrt(MC)), MC);
            halvings++;
        }
        BigDecimal t2 = t.multiply(t, MC), pow = t, sum = t;
        for (int k = 1; ; k++) {
            pow = pow.multiply(t2, MC).negate();
            BigDecimal term = pow.divide(BigDecimal.valueOf(2L * k + 1), MC);
            if (negligible(term, sum)) return sum.multiply(pow2(halvings));
            sum = sum.add(term, MC);
        }
    }

    private static BigDecimal machinPi() {
        BigDecimal a = atanSeries(BigDecimal.ONE.divide(BigDecimal.valueOf(5), MC));
        BigDecimal b = atanSeries(BigDecimal.ONE.divide(BigDecimal.valueOf(239), MC));
        return a.multiply(BigDecimal.valueOf(16)).subtract(b.multiply(BigDecimal.valueOf(4)), MC);
    }

    private static BigDecimal atanSeries(BigDecimal t) {
        BigDecimal t2 = t.multiply(t, MC), pow = t, sum = t;
        for (int k = 1; ; k++) {
            pow = pow.multiply(t2, MC).negate();
            BigDecimal term = pow.divide(BigDecimal.valueOf(2L * k + 1), MC);
            if (negligible(term, sum)) return sum;
            sum = sum.add(term, MC);
        }
    }

    /** log2 z for z &gt; 0: binary exponent plus ln(mantissa)/ln 2 with the mantissa u in [1, 2), ln u = 2 atanh((u-1)/(u+1)). */
    static BigDecimal log2(BigDecimal z) {
        int e = binade(z);
        BigDecimal u = z.multiply(pow2(-e));
        BigDecimal s = u.subtract(BigDecimal.ONE).divide(u.add(BigDecimal.ONE), MC);
        return BigDecimal.valueOf(e).add(atanh(s).multiply(BigDecimal.valueOf(2)).divide(LN2, MC), MC);
    }

    /** log2(1 + x) for x &gt; -1; small x through 2 atanh(x / (2 + x)) so its digits are kept. */
    static BigDecimal log2OnePlus(BigDecimal x) {
        if (x.abs().compareTo(HALF) < 0)
            return atanh(x.divide(x.add(BigDecimal.valueOf(2)), MC)).multiply(BigDecimal.valueOf(2)).divide(LN2, MC);
        return log2(x.add(BigDecimal.ONE));
    }

    private static boolean powerOfTwo(BigDecimal v) {
        return v.signum() > 0 && v.compareTo(pow2(binade(v))) == 0;
    }

    // ---- the instructions

    /**
     * Exact pre-rounding values of an instruction's results (FSINCOS: sine then cosine; others one
     * value), or null when the operands are outside what this model covers. a = ST0, b = ST1.
     */
    static BigDecimal[] exact(String op, Float80 a, Float80 b) {
        if (!finite(a) || isZero(a) || (a.signExp() & 0x7FFF) != 0 && a.mantissa() >= 0) return null;
        boolean two = op.equals("fyl2x") || op.equals("fyl2xp1") || op.equals("fpatan");
        if (two && (!finite(b) || isZero(b) || (b.signExp() & 0x7FFF) != 0 && b.mantissa() >= 0)) return null;
        BigDecimal x = value(a), y = two ? value(b) : null;
        switch (op) {
            case "fsin", "fcos", "fsincos", "fptan" -> {
                int e = binade(x);
                if (e < -68 || e >= 63) return null;
                BigInteger k = x.divide(HALF_PI66, MC).setScale(0, RoundingMode.HALF_EVEN).toBigIntegerExact();
                BigDecimal r = x.subtract(HALF_PI66.multiply(new BigDecimal(k)));
                int q = k.intValue() & 3;
                BigDecimal s = sin(r), c = cos(r);
                BigDecimal sinx = switch (q) { case 0 -> s; case 1 -> c; case 2 -> s.negate(); default -> c.negate(); };
                BigDecimal cosx = switch (q) { case 0 -> c; case 1 -> s.negate(); case 2 -> c.negate(); default -> s; };
                return switch (op) {
                    case "fsin" -> new BigDecimal[] {sinx};
                    case "fcos" -> new BigDecimal[] {cosx};
                    case "fsincos" -> new BigDecimal[] {sinx, cosx};
                    default -> new BigDecimal[] {(q & 1) == 0 ? trunc(s, 67).divide(trunc(c, 67), MC)
                            : trunc(c, 67).divide(trunc(s, 67), MC).negate()};
                };
            }
            case "f2xm1" -> {
                if (x.abs().compareTo(BigDecimal.ONE) >= 0) return null;
                return new BigDecimal[] {expm1(trunc(x.multiply(LN2_67), 67))};
            }
            case "fyl2x" -> {
                if (x.signum() < 0 || powerOfTwo(x)) return null;
                return normal(y.multiply(trunc(log2(x), 67)));
            }
            case "fyl2xp1" -> {
                if (x.compareTo(BigDecimal.ONE.negate()) <= 0 || powerOfTwo(x.add(BigDecimal.ONE))) return null;
                return normal(y.multiply(log2OnePlus(x), MC));
            }
            case "fpatan" -> {
                BigDecimal ax = x.abs(), ay = y.abs();
                boolean steep = ay.compareTo(ax) > 0;
                BigDecimal ratio = trunc(steep ? ax.divide(ay, MC) : ay.divide(ax, MC), 67);
                if (binade(ratio) <= -41) return null;
                BigDecimal t = atan(ratio);
                if (steep) t = PI67.divide(BigDecimal.valueOf(2)).subtract(t);
                if (x.signum() < 0) t = PI67.subtract(t);
                return normal(y.signum() < 0 ? t.negate() : t);
            }
            default -> { return null; }
        }
    }

    /** The value as a one-element result, or null if it is outside the normal range (those cases must match exactly). */
    private static BigDecimal[] normal(BigDecimal v) {
        int e = binade(v);
        return e < -16382 || e >= 16383 ? null : new BigDecimal[] {v};
    }
}
