package emulator.x86.diff;

import static org.junit.jupiter.api.Assertions.assertTrue;

import emulator.core.exec.MachineConfig.BackendKind;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * FBLD and FBSTP (18-digit packed BCD) against the host CPU, both modes, both backends: valid and
 * invalid digits (nibbles A–F), signs and -0, values around 10^18 (the range limit, where FBSTP
 * stores the BCD indefinite and raises IE), halves and other fractions under all four rounding
 * controls, zeros, denormals, infinities, NaNs, unsupported encodings, an empty stack and a full
 * one. The whole x87 state and the stored bytes must equal the host's.
 */
class X87BcdDiffTest {
    static NativeCpu n32, n64;

    @BeforeAll static void start() { n32 = new NativeCpu(32); n64 = new NativeCpu(64); }

    @AfterAll static void stop() { n32.close(); n64.close(); }

    static final int[] CWS = {0x037F, 0x077F, 0x0B7F, 0x0F7F, 0x007F, 0x027F};
    static final BigDecimal E18 = BigDecimal.TEN.pow(18);
    static final int CASES = 400;

    /** A value for FBSTP: mostly near integers that fit, around 10^18, or odd encodings. */
    static Float80 storeOperand(Random r) {
        int k = r.nextInt(10);
        if (k == 0) return X87TranscendentalDiffTest.edge(r);
        BigDecimal v;
        if (k <= 2) v = E18.subtract(BigDecimal.valueOf(r.nextInt(5))).add(fraction(r)); // the range limit
        else if (k == 3) v = BigDecimal.valueOf(r.nextInt(8)).add(fraction(r)); // small values and halves
        else if (k == 4) return X87TranscendentalDiffTest.random80(r, -16445, 70, true);
        else v = new BigDecimal(new BigInteger(60, r)).add(fraction(r));
        if (r.nextBoolean()) v = v.negate();
        if (v.signum() == 0) return new Float80(r.nextBoolean() ? 0x8000 : 0, 0);
        // the nearest 80-bit value (exact for the small ones; ties like 10^18 - 1/2 are exact too)
        return X87Model.round(v, 0).value();
    }

    static BigDecimal fraction(Random r) {
        return switch (r.nextInt(5)) {
            case 0 -> BigDecimal.ZERO;
            case 1 -> new BigDecimal("0.5");
            case 2 -> new BigDecimal("0.25");
            case 3 -> new BigDecimal("0.75");
            default -> BigDecimal.valueOf(r.nextDouble());
        };
    }

    /** Ten bytes of packed BCD: valid digits, or any bytes (invalid nibbles). */
    static long[] bcd(Random r) {
        long lo = 0;
        int hi = 0;
        boolean valid = r.nextInt(3) != 0;
        int digits = r.nextInt(19);
        for (int i = 0; i < 18; i++) {
            int d = i >= digits ? 0 : valid ? r.nextInt(10) : r.nextInt(16);
            if (r.nextInt(20) == 0) d = 9;
            if (i < 16) lo |= (long) d << (4 * i); else hi |= d << (4 * (i - 16));
        }
        if (r.nextBoolean()) hi |= 0x8000;
        if (r.nextInt(8) == 0) hi |= r.nextInt(0x80) << 8; // the ignored bits of the sign byte
        return new long[] {lo, hi};
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"INTERPRETED", "COMPILED"})
    void packedBcdMatchesTheHostCpu(BackendKind backend) {
        List<String> failures = new ArrayList<>();
        int cases = 0, stores = 0, indefinite = 0;
        for (int bits : new int[] {32, 64}) {
            NativeCpu nat = bits == 32 ? n32 : n64;
            Random rnd = new Random(0xBCD0 + bits);
            String r = bits == 64 ? "rdi" : "edi";
            String[] programs = {
                    "fldcw [R+32]\nfld tword [R]\nfbstp [R+48]",
                    "fldcw [R+32]\nfld tword [R]\nfbstp [R+48]\nfbld [R+48]",
                    "fldcw [R+32]\nfbld [R+16]",
                    "fldcw [R+32]\nfbld [R+16]\nfbstp [R+48]",
                    "fldcw [R+32]\nfbld [R+16]\nfld tword [R]\nfmulp\nfbstp [R+48]",
                    "fninit\nfbstp [R+48]",
                    "fninit\n" + "fld1\n".repeat(8) + "fbld [R+16]",
                    "fninit\n" + "fld1\n".repeat(7) + "fbld [R+16]\nfbstp [R+48]"};
            List<TestCase> tcs = new ArrayList<>();
            for (String p : programs) {
                byte[] code = Assembler.assemble(bits, "BITS " + bits + "\n" + p.replace("R", r));
                for (int k = 0; k < (p.contains("fninit") ? 20 : CASES); k++) {
                    MachineState s = MachineState.initial(bits);
                    long d = NativeCpu.DATA_BASE + 0x100;
                    s.set(MachineState.RDI, d);
                    for (int m = 0; m < 0x60; m += 8) s.write(d + m, 8, rnd.nextLong());
                    Float80 v = storeOperand(rnd);
                    s.write(d, 8, v.mantissa()).write(d + 8, 2, v.signExp());
                    long[] b = bcd(rnd);
                    s.write(d + 16, 8, b[0]).write(d + 24, 2, b[1]);
                    s.write(d + 32, 2, CWS[rnd.nextInt(CWS.length)]);
                    tcs.add(new TestCase(bits, code, s, p.replace('\n', ';') + " st=" + v.toHex()
                            + String.format(" bcd=%04x%016x #%d", b[1], b[0], k)));
                }
            }
            List<MachineState> ref = nat.runAll(tcs);
            for (int i = 0; i < tcs.size(); i++) {
                MachineState host = ref.get(i);
                cases++;
                if (tcs.get(i).description().contains("fbstp")) {
                    stores++;
                    if (host.read(NativeCpu.DATA_BASE + 0x100 + 48 + 8, 2) == 0xFFFF) indefinite++;
                }
                List<String> diff = StateDiff.standard().diff(host, Emulated.run(tcs.get(i), backend));
                if (!diff.isEmpty()) failures.add(bits + "-bit " + tcs.get(i).description() + ": " + diff);
            }
        }
        System.out.println("packed BCD differential (" + backend + "): " + cases + " cases (" + stores + " with FBSTP, "
                + indefinite + " of them storing the indefinite), mismatches: " + failures.size());
        assertTrue(failures.isEmpty(), failures.size() + " cases differ from the host CPU:\n"
                + String.join("\n", failures.stream().limit(40).toList()));
    }
}
