package emulator.core.backend;

import emulator.core.ir.Cond;
import emulator.core.ir.Op;
import java.math.BigInteger;

/** Independent reference semantics of the IR ops, in BigInteger over w-bit patterns. */
final class Ref {
    private Ref() {}

    static BigInteger u(long v, int w) {
        BigInteger b = new BigInteger(Long.toUnsignedString(v));
        return b.and(BigInteger.ONE.shiftLeft(w).subtract(BigInteger.ONE));
    }

    static BigInteger s(long v, int w) {
        BigInteger x = u(v, w);
        return x.testBit(w - 1) ? x.subtract(BigInteger.ONE.shiftLeft(w)) : x;
    }

    /** The w-bit pattern of x, zero-extended to 64 bits (how an I32 lands in a state slot). */
    static long wrap(BigInteger x, int w) { return x.and(BigInteger.ONE.shiftLeft(w).subtract(BigInteger.ONE)).longValue(); }

    /** null means divide error. */
    static Long binary(Op op, int w, long a, long b) {
        BigInteger ua = u(a, w), ub = u(b, w), sa = s(a, w), sb = s(b, w);
        int cnt = ub.mod(BigInteger.valueOf(w)).intValue();
        BigInteger r = switch (op) {
            case ADD -> ua.add(ub);
            case SUB -> ua.subtract(ub);
            case MUL -> ua.multiply(ub);
            case AND -> ua.and(ub);
            case OR -> ua.or(ub);
            case XOR -> ua.xor(ub);
            case SHL -> ua.shiftLeft(cnt);
            case SHR -> ua.shiftRight(cnt);
            case SAR -> sa.shiftRight(cnt);
            case ROL -> ua.shiftLeft(cnt).or(ua.shiftRight((w - cnt) % w == 0 ? w : w - cnt));
            case ROR -> ua.shiftRight(cnt).or(ua.shiftLeft((w - cnt) % w));
            case MULHU -> ua.multiply(ub).shiftRight(w);
            case MULHS -> sa.multiply(sb).shiftRight(w);
            case DIVU -> ub.signum() == 0 ? null : ua.divide(ub);
            case DIVS -> sb.signum() == 0 ? null : sa.divide(sb);
            case REMU -> ub.signum() == 0 ? null : ua.remainder(ub);
            case REMS -> sb.signum() == 0 ? null : sa.remainder(sb);
            default -> throw new IllegalArgumentException(op.toString());
        };
        return r == null ? null : wrap(r, w);
    }

    static long unary(Op op, int w, long a) {
        BigInteger ua = u(a, w);
        BigInteger r = switch (op) {
            case NEG -> ua.negate();
            case NOT -> ua.not();
            case CLZ -> BigInteger.valueOf(w - ua.bitLength());
            case CTZ -> BigInteger.valueOf(ua.signum() == 0 ? w : ua.getLowestSetBit());
            case POPCNT -> BigInteger.valueOf(ua.bitCount());
            case BSWAP -> {
                BigInteger x = BigInteger.ZERO;
                for (int k = 0; k < w / 8; k++) x = x.shiftLeft(8).or(ua.shiftRight(8 * k).and(BigInteger.valueOf(0xFF)));
                yield x;
            }
            default -> throw new IllegalArgumentException(op.toString());
        };
        return wrap(r, w);
    }

    /** Zero- or sign-extension of the low {@code bits} of a (a srcW-bit value) into dstW bits. */
    static long ext(boolean signed, int srcW, int dstW, int bits, long a) {
        BigInteger low = u(a, srcW).and(BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE));
        if (signed && low.testBit(bits - 1)) low = low.subtract(BigInteger.ONE.shiftLeft(bits));
        return wrap(low, dstW);
    }

    static boolean cmp(Cond c, int w, long a, long b) {
        int sc = s(a, w).compareTo(s(b, w)), uc = u(a, w).compareTo(u(b, w));
        return switch (c) {
            case EQ -> uc == 0; case NE -> uc != 0;
            case LT -> sc < 0; case LE -> sc <= 0; case GT -> sc > 0; case GE -> sc >= 0;
            case LTU -> uc < 0; case LEU -> uc <= 0; case GTU -> uc > 0; case GEU -> uc >= 0;
        };
    }
}
