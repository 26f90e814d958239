package emulator.x86.sse;

import emulator.core.ir.Helper;

/**
 * The packed-integer SSE2 operations glibc's string routines spend their time in (strlen, memchr,
 * strcmp: PCMPEQB, PMOVMSKB, PMINUB, …), on one 64-bit half at a time with SWAR tricks: no arrays,
 * no register-file access, so the block keeps its registers in JVM locals and the JIT can inline
 * the helper. {@link SseExec} keeps the general lane-by-lane versions of the rest.
 */
public final class SimdInt {
    private SimdInt() {}

    public static final int PCMPEQB = 0, PCMPEQW = 1, PCMPEQD = 2, PADDB = 3, PSUBB = 4, PMINUB = 5, PMAXUB = 6;

    /** (op, a, b) → op applied to the 64-bit halves a and b. Pure. */
    public static final Helper HALF = Helper.pure("x86.simd.half", 3, (cpu, op, a, b, unused) -> half((int) op, a, b));
    /** (lo, hi) → PMOVMSKB's 16-bit mask of the byte sign bits. Pure. */
    public static final Helper MOVMSKB = Helper.pure("x86.simd.pmovmskb", 2, (cpu, lo, hi, u1, u2) -> movmskb(lo) | movmskb(hi) << 8);
    /** (a32, b32) → the bytes of a and b interleaved, a's first (PUNPCKLBW on one half). Pure. */
    public static final Helper INTERLEAVE_B = Helper.pure("x86.simd.interleaveb", 2,
            (cpu, a, b, u1, u2) -> spreadBytes(a) | spreadBytes(b) << 8);

    private static final long H8 = 0x8080808080808080L, L8 = 0x7F7F7F7F7F7F7F7FL;
    private static final long H16 = 0x8000800080008000L, L16 = 0x7FFF7FFF7FFF7FFFL;

    public static long half(int op, long a, long b) {
        return switch (op) {
            case PCMPEQB -> (eqMask(a ^ b, H8, L8) >>> 7) * 0xFF;
            case PCMPEQW -> (eqMask(a ^ b, H16, L16) >>> 15) * 0xFFFF;
            case PCMPEQD -> ((int) a == (int) b ? 0xFFFFFFFFL : 0) | ((a >>> 32) == (b >>> 32) ? 0xFFFFFFFF00000000L : 0);
            // add the low 7 bits of each byte, then put back the top bit as a carry-less sum
            case PADDB -> ((a & L8) + (b & L8)) ^ ((a ^ b) & H8);
            // borrow-free: set every top bit before subtracting, then fix the top bits up
            case PSUBB -> ((a | H8) - (b & L8)) ^ ((a ^ ~b) & H8);
            case PMINUB -> minMaxU8(a, b, false);
            case PMAXUB -> minMaxU8(a, b, true);
            default -> throw new IllegalArgumentException("simd op " + op);
        };
    }

    /** The lane's top bit set where the lane of x is zero (lane layout given by its top-bit mask h and l = ~h). */
    private static long eqMask(long x, long h, long l) {
        long nonzero = ((x & l) + l) | x; // top bit set iff any bit of the lane is set
        return ~nonzero & h;
    }

    private static long minMaxU8(long a, long b, boolean max) {
        // per byte: a < b (unsigned) from the borrow of a - b computed without crossing lanes
        long diff = (a | H8) - (b & L8);                    // top bit = NOT borrow out of the low 7 bits
        long aLessB = ((~a & b) | ((~(a ^ b)) & ~diff)) & H8; // top bit set where a < b
        long sel = (aLessB >>> 7) * 0xFF;                    // 0xFF where a < b
        return max ? (b & sel) | (a & ~sel) : (a & sel) | (b & ~sel);
    }

    /** PMOVMSKB on one half: the sign bit of each byte, byte 0 in bit 0. */
    public static long movmskb(long x) {
        return (((x & H8) >>> 7) * 0x0102040810204080L) >>> 56;
    }

    /** The 4 low bytes of x to the even bytes of the result (zeros between). */
    static long spreadBytes(long x) {
        x &= 0xFFFFFFFFL;
        x = (x | x << 16) & 0x0000FFFF0000FFFFL;
        return (x | x << 8) & 0x00FF00FF00FF00FFL;
    }
}
