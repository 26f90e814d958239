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
 * SSE and SSE2 against the host CPU: every implemented form with edge and random xmm, general
 * register and memory operands (zeros, denormals, infinities, NaNs with payloads, saturation byte
 * patterns), all four rounding modes and occasionally FTZ/DAZ, in both modes and under both
 * backends. Compares xmm, MXCSR (with its sticky exception flags), rflags, registers and memory.
 */
class SseDiffTest {
    static NativeCpu n32, n64;

    @BeforeAll static void start() { n32 = new NativeCpu(32); n64 = new NativeCpu(64); }

    @AfterAll static void stop() { n32.close(); n64.close(); }

    enum Data { INT, F32, F64, COUNT }

    record Form(String asm, Data data, boolean only64) {}

    static final int[] F32_EDGE = {0, 0x80000000, 1, 0x80000001, 0x007FFFFF, 0x00800000, 0x80800000, 0x7F7FFFFF,
            0xFF7FFFFF, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000, 0x7FA00001, 0xFF812345, 0x7FC12345,
            0x3F800000, 0xBF800000, 0x4B000000, 0x4F000000, 0xCF000000, 0x5F000000, 0xDF000000, 0x3F000000,
            0x3FC00000, 0x40200000, 0xBFC00000, 0x4EFFFFFF, 0x00400000};
    static final long[] F64_EDGE = {0, 0x8000000000000000L, 1, 0x8000000000000001L, 0x000FFFFFFFFFFFFFL,
            0x0010000000000000L, 0x7FEFFFFFFFFFFFFFL, 0xFFEFFFFFFFFFFFFFL, 0x7FF0000000000000L, 0xFFF0000000000000L,
            0x7FF8000000000000L, 0xFFF8000000000000L, 0x7FF4000000000001L, 0xFFF0000000012345L, 0x7FF8000012345678L,
            0x3FF0000000000000L, 0xBFF0000000000000L, 0x41E0000000000000L, 0xC1E0000000000000L, 0x41DFFFFFFFC00000L,
            0x43E0000000000000L, 0xC3E0000000000000L, 0x3FE0000000000000L, 0x3FF8000000000000L, 0x4004000000000000L,
            0x47EFFFFFE0000000L, 0x47EFFFFFF0000000L, 0x36A0000000000000L, 0x3810000000000000L, 0x380FFFFFF0000000L};

    static long f32(Random r) {
        int k = r.nextInt(10);
        if (k < 3) return F32_EDGE[r.nextInt(F32_EDGE.length)] & 0xFFFFFFFFL;
        if (k < 5) return r.nextInt() & 0xFFFFFFFFL;
        if (k < 6) return (r.nextInt(0x00FFFFFF) | (r.nextBoolean() ? 0x80000000 : 0)) & 0xFFFFFFFFL; // tiny
        float f = (float) (r.nextGaussian() * Math.pow(2, r.nextInt(40) - 20));
        if (r.nextInt(4) == 0) f = Math.round(f);
        return Float.floatToRawIntBits(f) & 0xFFFFFFFFL;
    }

    static long f64(Random r) {
        int k = r.nextInt(10);
        if (k < 3) return F64_EDGE[r.nextInt(F64_EDGE.length)];
        if (k < 5) return r.nextLong();
        if (k < 6) { // near float range limits, for conversions to single
            int e = r.nextBoolean() ? 1023 + 127 + r.nextInt(3) - 1 : 1023 - 126 - r.nextInt(26);
            return ((long) e << 52) | (r.nextLong() & 0xFFFFFFFFFFFFFL) | (r.nextBoolean() ? Long.MIN_VALUE : 0);
        }
        double d = r.nextGaussian() * Math.pow(2, r.nextInt(80) - 40);
        if (r.nextInt(4) == 0) d = Math.rint(d);
        return Double.doubleToRawLongBits(d);
    }

    static long ints(Random r) {
        int k = r.nextInt(6);
        if (k < 3) return r.nextLong();
        long v = 0;
        long[] bytes = {0, 0x7F, 0x80, 0xFF, 0x01, 0xFE, 0x81};
        for (int i = 0; i < 8; i++) v |= (k == 5 ? r.nextInt(256) : bytes[r.nextInt(bytes.length)]) << (8 * i);
        return k == 4 ? v ^ (r.nextLong() & 0x0101010101010101L) : v;
    }

    static long quad(Data d, Random r) {
        return switch (d) {
            case F32 -> f32(r) | f32(r) << 32;
            case F64 -> f64(r);
            case COUNT -> r.nextInt(4) == 0 ? r.nextLong() : r.nextInt(70);
            default -> ints(r);
        };
    }

    static List<Form> forms() {
        List<Form> f = new ArrayList<>();
        // moves
        for (String s : new String[] {"movd xmm1, eax", "movd eax, xmm1", "movd xmm1, [rdi]", "movd [rdi], xmm1",
                "movq xmm1, [rdi]", "movq [rdi], xmm1", "movq xmm1, xmm2", "movdqa xmm1, xmm2", "movdqa xmm1, [rdi]",
                "movdqa [rdi+16], xmm1", "movdqa xmm1, [rdi+8]", "movdqa [rdi+4], xmm2", "movdqu xmm1, [rdi+1]",
                "movdqu [rdi+3], xmm1", "movaps xmm1, [rdi]", "movaps xmm3, [rdi+8]", "movaps [rdi], xmm2",
                "movups xmm1, [rdi+5]", "movups [rdi+7], xmm1", "movapd xmm1, [rdi+32]", "movapd [rdi+2], xmm1",
                "movupd xmm1, [rdi+9]", "movupd [rdi+9], xmm1", "movaps xmm1, xmm2", "movntdq [rdi], xmm1",
                "movntps [rdi+16], xmm2", "movntpd [rdi], xmm1", "movntdq [rdi+8], xmm1", "movnti [rdi], eax",
                "movss xmm1, xmm2", "movss xmm1, [rdi]", "movss [rdi+4], xmm1", "movsd xmm1, xmm2",
                "movsd xmm1, [rdi]", "movsd [rdi+4], xmm1", "movlps xmm1, [rdi]", "movlps [rdi], xmm1",
                "movhps xmm1, [rdi+8]", "movhps [rdi], xmm1", "movlpd xmm1, [rdi]", "movlpd [rdi+1], xmm1",
                "movhpd xmm1, [rdi]", "movhpd [rdi], xmm1", "movhlps xmm1, xmm2", "movlhps xmm1, xmm2",
                "pmovmskb eax, xmm1", "movmskps eax, xmm1", "movmskpd eax, xmm1", "pextrw eax, xmm1, 5",
                "pinsrw xmm1, eax, 3", "pinsrw xmm1, [rdi], 6", "stmxcsr [rdi]", "maskmovdqu xmm1, xmm2"})
            f.add(new Form(s, s.contains("mskp") ? Data.F32 : Data.INT, false));
        for (String s : new String[] {"movq xmm1, rax", "movq rax, xmm1", "movq xmm1, [rdi]", "movnti [rdi], rax"})
            f.add(new Form(s, Data.INT, true));
        // integer binary ops
        for (String op : new String[] {"pxor", "por", "pand", "pandn", "xorps", "orps", "andps", "andnps", "xorpd",
                "orpd", "andpd", "andnpd", "pcmpeqb", "pcmpeqw", "pcmpeqd", "pcmpgtb", "pcmpgtw", "pcmpgtd", "pminub",
                "pmaxub", "pminsw", "pmaxsw", "psubb", "psubw", "psubd", "psubq", "paddb", "paddw", "paddd", "paddq",
                "paddsb", "paddsw", "paddusb", "paddusw", "psubsb", "psubsw", "psubusb", "psubusw", "punpcklbw",
                "punpcklwd", "punpckldq", "punpcklqdq", "punpckhbw", "punpckhwd", "punpckhdq", "punpckhqdq",
                "packsswb", "packuswb", "packssdw", "unpcklps", "unpckhps", "unpcklpd", "unpckhpd", "pmullw", "pmulhw",
                "pmulhuw", "pmuludq", "pmaddwd", "psadbw", "pavgb", "pavgw"}) {
            f.add(new Form(op + " xmm1, xmm2", Data.INT, false));
            f.add(new Form(op + " xmm1, [rdi]", Data.INT, false));
        }
        f.add(new Form("pxor xmm1, xmm1", Data.INT, false));
        f.add(new Form("pand xmm1, [rdi+8]", Data.INT, false));
        for (String op : new String[] {"psllw", "pslld", "psllq", "psrlw", "psrld", "psrlq", "psraw", "psrad"}) {
            f.add(new Form(op + " xmm1, xmm2", Data.COUNT, false));
            for (int c : new int[] {0, 1, 7, 15, 16, 31, 32, 63, 64, 200})
                f.add(new Form(op + " xmm1, " + c, Data.INT, false));
        }
        for (int c : new int[] {0, 1, 5, 8, 15, 16, 255}) {
            f.add(new Form("pslldq xmm1, " + c, Data.INT, false));
            f.add(new Form("psrldq xmm1, " + c, Data.INT, false));
        }
        for (int imm : new int[] {0, 0x1B, 0xE4, 0x4E, 0xFF, 0x93}) {
            for (String op : new String[] {"pshufd", "pshuflw", "pshufhw", "shufps"})
                f.add(new Form(op + " xmm1, xmm2, " + imm, Data.INT, false));
            f.add(new Form("pshufd xmm1, [rdi], " + imm, Data.INT, false));
        }
        for (int imm = 0; imm < 4; imm++) f.add(new Form("shufpd xmm1, xmm2, " + imm, Data.INT, false));
        // floating point
        for (String op : new String[] {"add", "sub", "mul", "div", "min", "max", "sqrt"}) {
            f.add(new Form(op + "ps xmm1, xmm2", Data.F32, false));
            f.add(new Form(op + "ps xmm1, [rdi]", Data.F32, false));
            f.add(new Form(op + "ss xmm1, xmm2", Data.F32, false));
            f.add(new Form(op + "ss xmm1, [rdi]", Data.F32, false));
            f.add(new Form(op + "pd xmm1, xmm2", Data.F64, false));
            f.add(new Form(op + "pd xmm1, [rdi]", Data.F64, false));
            f.add(new Form(op + "sd xmm1, xmm2", Data.F64, false));
            f.add(new Form(op + "sd xmm1, [rdi]", Data.F64, false));
        }
        for (int p = 0; p < 8; p++) {
            f.add(new Form("cmpps xmm1, xmm2, " + p, Data.F32, false));
            f.add(new Form("cmpss xmm1, xmm2, " + p, Data.F32, false));
            f.add(new Form("cmppd xmm1, xmm2, " + p, Data.F64, false));
            f.add(new Form("cmpsd xmm1, xmm2, " + p, Data.F64, false));
        }
        f.add(new Form("cmpps xmm1, [rdi], 1", Data.F32, false));
        f.add(new Form("cmpsd xmm1, [rdi], 2", Data.F64, false));
        for (String op : new String[] {"comiss", "ucomiss"}) {
            f.add(new Form(op + " xmm1, xmm2", Data.F32, false));
            f.add(new Form(op + " xmm1, [rdi]", Data.F32, false));
        }
        for (String op : new String[] {"comisd", "ucomisd"}) {
            f.add(new Form(op + " xmm1, xmm2", Data.F64, false));
            f.add(new Form(op + " xmm1, [rdi]", Data.F64, false));
        }
        f.add(new Form("ucomisd xmm1, xmm2\nsetb cl\nseta dl\nsetp bl", Data.F64, false));
        // conversions
        for (String s : new String[] {"cvtsi2ss xmm1, eax", "cvtsi2sd xmm1, eax", "cvtsi2ss xmm1, dword [rdi]",
                "cvtsi2sd xmm1, dword [rdi]", "cvtdq2ps xmm1, xmm2", "cvtdq2pd xmm1, xmm2", "cvtdq2pd xmm1, [rdi]"})
            f.add(new Form(s, Data.INT, false));
        for (String s : new String[] {"cvtsi2ss xmm1, rax", "cvtsi2sd xmm1, rax", "cvtsi2ss xmm1, qword [rdi]"})
            f.add(new Form(s, Data.INT, true));
        for (String s : new String[] {"cvtss2si eax, xmm1", "cvttss2si eax, xmm1", "cvtss2si eax, [rdi]",
                "cvtss2sd xmm1, xmm2", "cvtss2sd xmm1, [rdi]", "cvtps2dq xmm1, xmm2", "cvttps2dq xmm1, xmm2",
                "cvtps2pd xmm1, xmm2", "cvtps2pd xmm1, [rdi]"})
            f.add(new Form(s, Data.F32, false));
        for (String s : new String[] {"cvtss2si rax, xmm1", "cvttss2si rax, xmm1"}) f.add(new Form(s, Data.F32, true));
        for (String s : new String[] {"cvtsd2si eax, xmm1", "cvttsd2si eax, xmm1", "cvtsd2si eax, [rdi]",
                "cvtsd2ss xmm1, xmm2", "cvtsd2ss xmm1, [rdi]", "cvtpd2dq xmm1, xmm2", "cvttpd2dq xmm1, xmm2",
                "cvtpd2ps xmm1, xmm2", "cvtpd2ps xmm1, [rdi]"})
            f.add(new Form(s, Data.F64, false));
        for (String s : new String[] {"cvtsd2si rax, xmm1", "cvttsd2si rax, xmm1"}) f.add(new Form(s, Data.F64, true));
        // a small float kernel, as gcc emits it
        f.add(new Form("movsd xmm0, [rdi]\nmulsd xmm0, xmm1\naddsd xmm0, xmm2\ncvttsd2si eax, xmm0\nucomisd xmm0, xmm1\nsetae cl",
                Data.F64, false));
        return f;
    }

    static String adapt(String asm, int bits) {
        return bits == 64 ? asm : asm.replace("[rdi", "[edi");
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"INTERPRETED", "COMPILED"})
    void everyFormMatchesTheHostCpu(BackendKind backend) {
        Random rnd = new Random(2525);
        int cases = 0;
        List<String> failures = new ArrayList<>();
        for (int bits : new int[] {64, 32}) {
            NativeCpu nat = bits == 32 ? n32 : n64;
            List<Form> forms = new ArrayList<>();
            for (Form f : forms()) if (!(f.only64 && bits == 32)) forms.add(f);
            List<String> sources = new ArrayList<>();
            for (Form f : forms) sources.add("BITS " + bits + "\n" + adapt(f.asm, bits));
            List<byte[]> codes = Assembler.assembleAll(bits, sources);
            List<TestCase> tcs = new ArrayList<>();
            for (int fi = 0; fi < forms.size(); fi++) {
                Form f = forms.get(fi);
                int n = f.data == Data.INT || f.data == Data.COUNT ? 12 : 40;
                for (int k = 0; k < n; k++) {
                    MachineState s = MachineState.initial(bits);
                    Data d = f.data == Data.COUNT ? Data.INT : f.data;
                    for (int x = 0; x < 4; x++) s.setXmm(x, quad(d, rnd), quad(d, rnd));
                    if (f.data == Data.COUNT) s.setXmm(2, quad(Data.COUNT, rnd), rnd.nextLong());
                    if (d == Data.F32 && rnd.nextInt(3) == 0) { // same-scale operands: cancellation, ties
                        s.setXmm(2, s.xmm[1][0] ^ (rnd.nextLong() & 0x0000FFFF0000FFFFL), s.xmm[1][1] ^ (rnd.nextLong() & 0xFF00FF));
                    }
                    if (d == Data.F64 && rnd.nextInt(3) == 0)
                        s.setXmm(2, s.xmm[1][0] ^ (rnd.nextLong() & 0x00000000FFFFFFFFL), s.xmm[1][1] ^ (rnd.nextLong() & 0xFFFFFF));
                    long a = d == Data.F32 ? f32(rnd) : d == Data.F64 ? f64(rnd) : ints(rnd);
                    if (bits == 32) a &= 0xFFFFFFFFL;
                    s.set(MachineState.RAX, a).set(MachineState.RBX, rnd.nextLong() & s.mask())
                            .set(MachineState.RCX, rnd.nextLong() & s.mask()).set(MachineState.RDX, rnd.nextLong() & s.mask());
                    s.set(MachineState.RDI, NativeCpu.DATA_BASE + 0x100);
                    s.setFlags(rnd.nextLong() & MachineState.STATUS_FLAGS);
                    for (int m = 0; m < 0x100; m += 8) s.write(NativeCpu.DATA_BASE + 0x100 + m, 8, quad(d, rnd));
                    int mx = 0x1F80 | (rnd.nextInt(4) << 13);
                    if (rnd.nextInt(8) == 0) mx |= rnd.nextInt(0x40); // sticky flags already set
                    if (rnd.nextInt(10) == 0) mx |= 0x8000; // FTZ
                    if (rnd.nextInt(10) == 0) mx |= 0x40; // DAZ
                    s.mxcsr = mx;
                    tcs.add(new TestCase(bits, codes.get(fi), s, f.asm.replace('\n', ';') + " #" + k));
                }
            }
            // LDMXCSR with a valid value (memory holds it)
            byte[] ld = Assembler.assemble(bits, "BITS " + bits + "\n" + adapt("ldmxcsr [rdi]\nstmxcsr [rdi+4]", bits));
            for (int k = 0; k < 16; k++) {
                MachineState s = MachineState.initial(bits);
                s.set(MachineState.RDI, NativeCpu.DATA_BASE + 0x100);
                s.write(NativeCpu.DATA_BASE + 0x100, 4, 0x1F80 | (rnd.nextInt(4) << 13) | rnd.nextInt(0x40) | (k % 2) * 0x8000);
                tcs.add(new TestCase(bits, ld, s, "ldmxcsr #" + k));
            }
            List<MachineState> ref = nat.runAll(tcs);
            for (int k = 0; k < tcs.size(); k++) {
                MachineState emu = Emulated.run(tcs.get(k), backend);
                List<String> d = StateDiff.standard().diff(ref.get(k), emu);
                cases++;
                if (!d.isEmpty()) failures.add(bits + "-bit " + tcs.get(k).description() + ": " + d);
            }
        }
        System.out.println("sse differential cases (" + backend + "): " + cases + ", mismatches: " + failures.size());
        assertTrue(failures.isEmpty(), failures.size() + " of " + cases + " cases differ from the host CPU:\n"
                + String.join("\n", failures.subList(0, Math.min(60, failures.size()))));
    }
}
