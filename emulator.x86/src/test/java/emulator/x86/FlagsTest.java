package emulator.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The single-flag shortcuts (carry, zero, sign, overflow, cond) agree with {@link Flags#compute},
 * whose results the differential tests check against the host CPU, for every lazy op and size.
 */
class FlagsTest {
    static final long[] EDGE = {0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFFL,
            Long.MAX_VALUE, Long.MIN_VALUE, -1};

    @Test
    void shortcutsAgreeWithTheFullComputation() {
        Random r = new Random(7);
        int cases = 0;
        for (int kind = Flags.CC_EFLAGS; kind <= Flags.MUL; kind++) {
            for (int size : new int[] {1, 2, 4, 8}) {
                long op = Flags.op(kind, size);
                for (int k = 0; k < 20_000; k++) {
                    long dst = k < 200 ? EDGE[r.nextInt(EDGE.length)] : r.nextLong();
                    long src = k % 3 == 0 ? EDGE[r.nextInt(EDGE.length)] : r.nextLong();
                    long src2 = r.nextLong() & (k % 2 == 0 ? 1 : -1);
                    long full = Flags.compute(op, dst, src, src2);
                    String at = "op " + kind + " size " + size + " dst " + Long.toHexString(dst) + " src " + Long.toHexString(src) + " src2 " + Long.toHexString(src2);
                    assertEquals(full & Flags.CF, Flags.carry(op, dst, src, src2) & 1, "CF " + at);
                    assertEquals((full & Flags.ZF) != 0 ? 1 : 0, Flags.zero(op, dst), "ZF " + at);
                    assertEquals((full & Flags.SF) != 0 ? 1 : 0, Flags.sign(op, dst), "SF " + at);
                    assertEquals((full & Flags.OF) != 0 ? 1 : 0, Flags.overflow(op, dst, src, src2), "OF " + at);
                    for (int cc = 0; cc < 16; cc += 2) assertEquals(expected(cc, full), Flags.cond(cc, op, dst, src, src2), "cc " + cc + " " + at);
                    cases++;
                }
            }
        }
        System.out.println("flag shortcut cases: " + cases);
    }

    /** Intel's condition table over materialised flags. */
    static long expected(int cc, long f) {
        boolean cf = (f & Flags.CF) != 0, zf = (f & Flags.ZF) != 0, sf = (f & Flags.SF) != 0, of = (f & Flags.OF) != 0, pf = (f & Flags.PF) != 0;
        boolean v = switch (cc >> 1) {
            case 0 -> of; case 1 -> cf; case 2 -> zf; case 3 -> cf || zf; case 4 -> sf; case 5 -> pf; case 6 -> sf != of;
            default -> zf || sf != of;
        };
        return (v ^ ((cc & 1) != 0)) ? 1 : 0;
    }
}
