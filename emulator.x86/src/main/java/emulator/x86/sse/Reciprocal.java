package emulator.x86.sse;

import java.math.BigInteger;

/**
 * RCPSS/RCPPS and RSQRTSS/RSQRTPS on single-precision bit patterns. The SDM only bounds their
 * relative error (at most 1.5·2^-12) and each processor family answers from its own table, so no
 * value is "the" result: this one returns 1/x and 1/√x correctly rounded to single precision (the
 * best answer inside the bound). What the SDM and the host agree on is reproduced exactly: a
 * denormal operand counts as zero whatever DAZ says, ±0 gives ±∞, ±∞ gives ±0, a NaN is returned
 * quieted, RSQRT of a negative number is the default NaN, a reciprocal below the normal range is
 * flushed to zero (RCP of |x| ≥ 2^126), and MXCSR is neither read nor written.
 */
public final class Reciprocal {
    private Reciprocal() {}

    private static final int SIGN = 0x8000_0000, INF = 0x7F80_0000, QUIET = 0x0040_0000, DEFAULT_NAN = 0xFFC0_0000;

    private static boolean isNaN(int x) { return (x & 0x7FFF_FFFF) > INF; }

    /** Exponent field zero: zero or denormal, which these instructions treat as zero. */
    private static boolean zeroLike(int x) { return (x & INF) == 0; }

    public static int rcp(int x) {
        int sign = x & SIGN;
        if (isNaN(x)) return x | QUIET;
        if (zeroLike(x)) return sign | INF;
        int ex = (x >>> 23) & 0xFF;
        if (ex == 0xFF) return sign;
        if (ex >= 127 + 126) return sign; // 1/x ≤ 2^-126: below the normal range, flushed
        long m = (x & 0x7F_FFFF) | 0x80_0000; // x = m · 2^(ex - 150)
        // 1/x = 2^(150 - ex) / m; q = floor(2^50 / m) has 27 or 28 bits
        long num = 1L << 50;
        long q = num / m;
        boolean sticky = q * m != num;
        return sign | pack(q, sticky, 150 - ex - 50);
    }

    public static int rsqrt(int x) {
        int sign = x & SIGN;
        if (isNaN(x)) return x | QUIET;
        if (zeroLike(x)) return sign | INF;
        if (sign != 0) return DEFAULT_NAN;
        int ex = (x >>> 23) & 0xFF;
        if (ex == 0xFF) return 0;
        long m = (x & 0x7F_FFFF) | 0x80_0000;
        int e = ex - 150; // x = m · 2^e; make e even so √x = √m · 2^(e/2)
        if ((e & 1) != 0) { m <<= 1; e--; }
        // 1/√x = 2^(-e/2) / √m; q = floor(2^T / √m) = floor(√(2^2T / m))
        int t = 40;
        BigInteger n = BigInteger.ONE.shiftLeft(2 * t);
        BigInteger bm = BigInteger.valueOf(m);
        BigInteger q = n.divide(bm).sqrt();
        boolean sticky = q.multiply(q).multiply(bm).compareTo(n) != 0;
        return pack(q.longValueExact(), sticky, -e / 2 - t);
    }

    /** Rounds q·2^k (plus a sticky fraction) to nearest-even single precision; the value is in the normal range. */
    private static int pack(long q, boolean sticky, int k) {
        int bits = 64 - Long.numberOfLeadingZeros(q);
        int drop = bits - 24;
        long kept = q >>> drop;
        long rem = q & ((1L << drop) - 1), half = 1L << (drop - 1);
        if (rem > half || (rem == half && (sticky || (kept & 1) != 0))) kept++;
        int exp = k + drop + 23; // value = kept · 2^(k + drop), kept in [2^23, 2^24]
        if (kept == 1L << 24) { kept >>>= 1; exp++; }
        return ((exp + 127) << 23) | (int) (kept & 0x7F_FFFF);
    }
}
