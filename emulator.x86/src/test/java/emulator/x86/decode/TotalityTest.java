package emulator.x86.decode;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** The decoder is total: any bytes, truncated anywhere, yield an instruction or an INVALID result; never a throw. */
class TotalityTest {

    static void check(byte[] code, int avail, X86Mode mode) {
        long base = 0x7fff_fff0L;
        ByteSource src = a -> {
            long i = a - base;
            return i >= 0 && i < avail ? code[(int) i] & 0xFF : -1;
        };
        X86Insn in = X86Decoder.decode(src, base, mode);
        assertNotNull(in);
        assertNotEquals(DecodeError.INTERNAL, in.error(), () -> "internal error for " + ObjdumpDifferentialTest.hex(code));
        assertTrue(in.length() <= 15);
        if (in.isValid()) {
            assertTrue(in.length() >= 1 && in.length() <= avail);
            assertNotNull(in.toString());
        } else {
            assertNotNull(in.error());
            if (in.error() == DecodeError.FETCH_FAULT) assertEquals(base + avail, in.faultAddr());
            assertEquals("(bad)", in.toString());
        }
    }

    @Test
    void randomBytesTruncatedAtEveryLength() {
        Random r = new Random(42);
        for (X86Mode mode : X86Mode.values()) {
            for (int n = 0; n < 30000; n++) {
                byte[] b = new byte[16];
                r.nextBytes(b);
                if (n % 3 == 0) b[0] = 0x0F;
                if (n % 5 == 0) { b[0] = 0x66; b[1] = 0x0F; b[2] = (byte) (r.nextBoolean() ? 0x38 : 0x3A); }
                for (int avail = 0; avail <= 16; avail++) check(b, avail, mode);
            }
        }
    }

    @Test
    void longPrefixRunsAreTooLong() {
        byte[] b = new byte[20];
        java.util.Arrays.fill(b, (byte) 0x66);
        X86Insn in = X86Decoder.decode(b, 0, 0, X86Mode.BITS64);
        assertEquals(DecodeError.TOO_LONG, in.error());
        X86Insn f = X86Decoder.decode(new byte[] {0x0F}, 0, 0x1000, X86Mode.BITS32);
        assertEquals(DecodeError.FETCH_FAULT, f.error());
        assertEquals(0x1001, f.faultAddr());
    }

    @Test
    void allTwoByteCombinationsAndTruncations() {
        for (X86Mode mode : X86Mode.values())
            for (int a = 0; a < 256; a++) for (int b = 0; b < 256; b++) {
                byte[] code = {(byte) a, (byte) b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
                check(code, 16, mode);
                check(code, 2, mode);
            }
    }
}
