package emulator.x86.fpu;

import java.math.BigInteger;

/**
 * A binary floating-point number {@code m·2^e} with an arbitrary-precision signed significand: the
 * working format of the x87 transcendental functions ({@link WideMath}). Every inexact operation
 * takes the precision {@code p} it must keep and truncates its exact result to {@code p}
 * significant bits, so each one adds a relative error below {@code 2^(1-p)}; the callers bound the
 * total error of a function from that.
 */
record Wide(BigInteger m, int e) {
    static final Wide ZERO = new Wide(BigInteger.ZERO, 0);
    static final Wide ONE = new Wide(BigInteger.ONE, 0);

    static Wide of(long v) { return new Wide(BigInteger.valueOf(v), 0); }

    /** The exact value of a finite or zero operand. */
    static Wide of(F80.V v) {
        if (v.cls != F80.FIN) return ZERO;
        return new Wide(v.neg ? v.m.negate() : v.m, v.e);
    }

    int signum() { return m.signum(); }

    boolean isZero() { return m.signum() == 0; }

    Wide negate() { return new Wide(m.negate(), e); }

    Wide abs() { return m.signum() < 0 ? negate() : this; }

    /** Exact multiplication by 2^k. */
    Wide scale(int k) { return new Wide(m, e + k); }

    /** floor(log2 |this|); meaningless for zero. */
    int exponent() { return e + bits() - 1; }

    /** Significant bits of |m| (BigInteger.bitLength of a negative power of two is one short). */
    private int bits() { return m.signum() < 0 ? m.negate().bitLength() : m.bitLength(); }

    /** Keeps the top p significant bits (truncation toward zero). */
    Wide trunc(int p) {
        int extra = bits() - p;
        if (extra <= 0) return this;
        BigInteger t = m.abs().shiftRight(extra);
        return new Wide(m.signum() < 0 ? t.negate() : t, e + extra);
    }

    Wide add(Wide b, int p) {
        if (b.isZero()) return trunc(p);
        if (isZero()) return b.trunc(p);
        // an operand far below the other's precision changes the sum by less than 2^-p relative
        int ta = exponent(), tb = b.exponent();
        if (ta - tb > p + 4) return trunc(p);
        if (tb - ta > p + 4) return b.trunc(p);
        int k = Math.min(e, b.e);
        BigInteger s = m.shiftLeft(e - k).add(b.m.shiftLeft(b.e - k));
        return new Wide(s, k).trunc(p);
    }

    Wide sub(Wide b, int p) { return add(b.negate(), p); }

    Wide mul(Wide b, int p) { return new Wide(m.multiply(b.m), e + b.e).trunc(p); }

    /** Exact product (no truncation): for small exact factors. */
    Wide mulExact(Wide b) { return new Wide(m.multiply(b.m), e + b.e); }

    Wide div(Wide b, int p) {
        if (isZero()) return ZERO;
        // numerator shifted so the integer quotient has at least p + 1 bits
        int k = Math.max(0, p + 1 + b.bits() - bits());
        BigInteger q = m.shiftLeft(k).divide(b.m);
        return new Wide(q, e - k - b.e).trunc(p);
    }

    Wide div(long small, int p) { return div(of(small), p); }

    /** Square root of a positive value. */
    Wide sqrt(int p) {
        BigInteger a = m;
        int ex = e;
        int k = Math.max(0, 2 * p + 2 - a.bitLength());
        if (((ex - k) & 1) != 0) k++;
        return new Wide(a.shiftLeft(k).sqrt(), (ex - k) / 2).trunc(p);
    }

    /** Exact comparison of magnitudes. */
    int compareMagnitude(Wide b) {
        if (isZero() || b.isZero()) return Integer.compare(m.signum() == 0 ? 0 : 1, b.m.signum() == 0 ? 0 : 1);
        int ta = exponent(), tb = b.exponent();
        if (ta != tb) return Integer.compare(ta, tb);
        int k = Math.min(e, b.e);
        return m.abs().shiftLeft(e - k).compareTo(b.m.abs().shiftLeft(b.e - k));
    }

    @Override
    public String toString() { return m.toString(16) + "p" + e; }
}
