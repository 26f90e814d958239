package emulator.x86.diff;

import static org.junit.jupiter.api.Assertions.assertTrue;

import emulator.core.exec.MachineConfig.BackendKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * RCPPS, RCPSS, RSQRTPS, RSQRTSS against the host CPU, register and memory forms, both modes, both
 * backends, under random MXCSR (rounding, DAZ, FTZ — which these instructions must ignore).
 *
 * <p>Bit-exactness is not asserted for ordinary operands: the SDM defines these results only to a
 * relative error of 1.5·2^-12, and every processor family has its own approximation table (the
 * emulator returns the correctly rounded value instead). For every finite, normal, in-range lane
 * the test asserts that the host's and the emulator's results are both within 1.5·2^-12 of the
 * exact 1/x or 1/√x, and that they are within 2^-11 of each other. Everything else must be bit for
 * bit the host's: zeros and denormal operands (which count as zero), infinities, NaNs, negative
 * operands of RSQRT, reciprocals below the normal range, the untouched lanes, MXCSR and all other
 * state.
 */
class SseReciprocalDiffTest {
    static NativeCpu n32, n64;

    @BeforeAll static void start() { n32 = new NativeCpu(32); n64 = new NativeCpu(64); }

    @AfterAll static void stop() { n32.close(); n64.close(); }

    static final String[] FORMS = {"rcpps xmm1, xmm2", "rcpps xmm1, [rdi]", "rcpss xmm1, xmm2", "rcpss xmm1, [rdi+4]",
            "rsqrtps xmm1, xmm2", "rsqrtps xmm1, [rdi+16]", "rsqrtss xmm1, xmm2", "rsqrtss xmm1, [rdi+8]"};
    static final double BOUND = 1.5 * Math.pow(2, -12), AGREE = Math.pow(2, -11);
    static final int CASES = 300;
    static final int[] BOUNDARY = {0x7E7FFFFF, 0x7E800000, 0x7E800001, 0xFE800000, 0x00800000, 0x00800001, 0x7F7FFFFF};

    static long lane(Random r) {
        int k = r.nextInt(8);
        if (k == 0) return BOUNDARY[r.nextInt(BOUNDARY.length)] & 0xFFFFFFFFL;
        if (k == 1) return r.nextInt() & 0xFFFFFFFFL; // anything: NaNs, denormals, huge, tiny
        if (k == 2) return Float.floatToRawIntBits((float) Math.abs(r.nextGaussian() * 100)) & 0xFFFFFFFFL;
        return SseDiffTest.f32(r);
    }

    static long quad(Random r) { return lane(r) | lane(r) << 32; }

    static boolean special(int x, boolean rsqrt) {
        int ex = (x >>> 23) & 0xFF;
        return ex == 0 || ex == 0xFF || (rsqrt && x < 0) || (!rsqrt && ex >= 127 + 126);
    }

    static final class Tally {
        int lanes, special, approximate, identical;
        double hostErr, ourErr, apart;
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"INTERPRETED", "COMPILED"})
    void reciprocalsMatchTheHostCpu(BackendKind backend) {
        Tally t = new Tally();
        List<String> failures = new ArrayList<>();
        int cases = 0;
        for (int bits : new int[] {32, 64}) {
            NativeCpu nat = bits == 32 ? n32 : n64;
            Random rnd = new Random(0x5EC1 + bits);
            List<TestCase> tcs = new ArrayList<>();
            List<String> forms = new ArrayList<>();
            for (String form : FORMS) {
                String asm = bits == 64 ? form : form.replace("[rdi", "[edi");
                byte[] code = Assembler.assemble(bits, "BITS " + bits + "\n" + asm);
                for (int k = 0; k < CASES; k++) {
                    MachineState s = MachineState.initial(bits);
                    long d = NativeCpu.DATA_BASE + 0x100;
                    s.set(MachineState.RDI, d);
                    for (int m = 0; m < 0x40; m += 8) s.write(d + m, 8, quad(rnd));
                    for (int x = 0; x < 8; x++) s.setXmm(x, quad(rnd), quad(rnd));
                    s.mxcsr = 0x1F80 | (rnd.nextInt(4) << 13) | (rnd.nextInt(3) == 0 ? 0x8040 : 0);
                    tcs.add(new TestCase(bits, code, s, form + " #" + k));
                    forms.add(form);
                }
            }
            List<MachineState> ref = nat.runAll(tcs);
            for (int i = 0; i < tcs.size(); i++) {
                cases++;
                String why = judge(forms.get(i), tcs.get(i), ref.get(i), Emulated.run(tcs.get(i), backend), t);
                if (why != null) failures.add(bits + "-bit " + tcs.get(i).description() + ": " + why);
            }
        }
        System.out.printf("RCP/RSQRT differential (%s): %d cases, %d result lanes: %d special (identical required), "
                        + "%d approximate (%d bit-identical); largest relative error host %.3g, emulator %.3g (bound %.3g); "
                        + "largest host/emulator difference %.3g (bound %.3g); failures %d%n", backend, cases, t.lanes,
                t.special, t.approximate, t.identical, t.hostErr, t.ourErr, BOUND, t.apart, AGREE, failures.size());
        assertTrue(failures.isEmpty(), failures.size() + " cases differ:\n" + String.join("\n", failures.stream().limit(40).toList()));
    }

    /** Null if the case passes. */
    static String judge(String form, TestCase tc, MachineState host, MachineState emu, Tally t) {
        boolean rsqrt = form.startsWith("rsqrt"), packed = form.contains("ps ");
        MachineState in = tc.initial();
        long[] src = new long[2];
        if (form.endsWith("xmm2")) { src[0] = in.xmm[2][0]; src[1] = in.xmm[2][1]; }
        else {
            int off = Integer.parseInt(form.replaceAll(".*\\[rdi\\+?(\\d*)\\].*", "0$1"));
            long a = in.gpr[MachineState.RDI] + off;
            src[0] = in.read(a, packed ? 8 : 4);
            src[1] = packed ? in.read(a + 8, 8) : 0;
        }
        MachineState patched = emu.copy();
        for (int lane = 0; lane < (packed ? 4 : 1); lane++) {
            int x = (int) (src[lane / 2] >>> (32 * (lane & 1)));
            int h = (int) (host.xmm[1][lane / 2] >>> (32 * (lane & 1))), o = (int) (emu.xmm[1][lane / 2] >>> (32 * (lane & 1)));
            t.lanes++;
            if (special(x, rsqrt)) { t.special++; continue; } // must be identical: left to the state comparison
            t.approximate++;
            if (h == o) t.identical++;
            double xv = Float.intBitsToFloat(x), exact = rsqrt ? 1 / Math.sqrt(xv) : 1 / xv;
            double hv = Float.intBitsToFloat(h), ov = Float.intBitsToFloat(o);
            double he = Math.abs(hv - exact) / Math.abs(exact), oe = Math.abs(ov - exact) / Math.abs(exact);
            double apart = Math.abs(ov - hv) / Math.abs(hv);
            t.hostErr = Math.max(t.hostErr, he);
            t.ourErr = Math.max(t.ourErr, oe);
            t.apart = Math.max(t.apart, apart);
            if (!(he <= BOUND) || !(oe <= BOUND) || !(apart <= AGREE))
                return String.format("lane %d of %08x: host %08x (error %.3g), emulator %08x (error %.3g), apart %.3g", lane, x, h, he, o, oe, apart);
            int shift = 32 * (lane & 1);
            long mask = 0xFFFFFFFFL << shift;
            patched.xmm[1][lane / 2] = (patched.xmm[1][lane / 2] & ~mask) | ((h & 0xFFFFFFFFL) << shift);
        }
        List<String> d = StateDiff.standard().diff(host, patched);
        return d.isEmpty() ? null : String.join("; ", d);
    }
}
