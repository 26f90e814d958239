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
 * x87 instructions against the host CPU, in both modes, under both backends: the 80-bit stack,
 * status/control/tag words, EFLAGS from FCOMI and stored memory must match exactly. The data region
 * at rdi holds the operands: +0 double a, +8 double b, +16 float a, +20 float b, +24 int32,
 * +32 int64, +40 int16, +48 80-bit value, +58 control word; results go to +64.., save areas to +0x200.
 * The transcendental instructions have their own test, {@link X87TranscendentalDiffTest}.
 */
class X87DiffTest {
    static NativeCpu n32, n64;

    @BeforeAll static void start() { n32 = new NativeCpu(32); n64 = new NativeCpu(64); }

    @AfterAll static void stop() { n32.close(); n64.close(); }

    record Form(String asm) {}

    static final String[] OPS = {"fadd", "fsub", "fsubr", "fmul", "fdiv", "fdivr"};
    static final String LD = "fld qword [rdi]\nfld tword [rdi+48]\n";

    static List<Form> forms() {
        List<Form> f = new ArrayList<>();
        String cw = "fldcw [rdi+58]\n";
        for (String op : OPS) {
            for (String pre : new String[] {"", cw}) {
                f.add(new Form(pre + "fld tword [rdi+48]\n" + op + " qword [rdi+8]"));
                f.add(new Form(pre + "fld qword [rdi]\n" + op + " dword [rdi+20]"));
                f.add(new Form(pre + LD + op + " st0, st1"));
                f.add(new Form(pre + LD + op + " st1, st0"));
                f.add(new Form(pre + LD + op + "p st1, st0\nfst qword [rdi+64]"));
                f.add(new Form(pre + "fld qword [rdi]\nfld qword [rdi+8]\n" + op + "p st1, st0\nfstp qword [rdi+64]"));
                f.add(new Form(pre + "fld tword [rdi+48]\nfi" + op.substring(1) + " dword [rdi+24]"));
                f.add(new Form(pre + "fld qword [rdi]\nfi" + op.substring(1) + " word [rdi+40]"));
            }
        }
        for (String pre : new String[] {"", cw}) {
            f.add(new Form(pre + "fld tword [rdi+48]\nfstp qword [rdi+64]"));
            f.add(new Form(pre + "fld tword [rdi+48]\nfst dword [rdi+64]"));
            f.add(new Form(pre + "fld qword [rdi]\nfst dword [rdi+64]\nfstp tword [rdi+72]"));
            f.add(new Form(pre + "fld dword [rdi+16]\nfld qword [rdi+8]\nfstp st1"));
            for (String sz : new String[] {"word", "dword", "qword"}) {
                if (!sz.equals("qword")) f.add(new Form(pre + "fld tword [rdi+48]\nfist " + sz + " [rdi+64]"));
                f.add(new Form(pre + "fld qword [rdi]\nfistp " + sz + " [rdi+64]"));
                f.add(new Form(pre + "fld tword [rdi+48]\nfisttp " + sz + " [rdi+64]"));
            }
            f.add(new Form(pre + "fild word [rdi+40]\nfild dword [rdi+24]\nfild qword [rdi+32]"));
            f.add(new Form(pre + "fild qword [rdi+32]\nfstp qword [rdi+64]"));
            for (String u : new String[] {"fsqrt", "fchs", "fabs", "frndint", "fxtract", "ftst\nfnstsw ax", "fxam\nfnstsw ax"}) {
                f.add(new Form(pre + "fld tword [rdi+48]\n" + u));
                f.add(new Form(pre + "fld qword [rdi]\n" + u + "\nfstp qword [rdi+64]"));
            }
            for (String b : new String[] {"fscale", "fprem", "fprem1"}) {
                f.add(new Form(pre + "fld qword [rdi+8]\nfld qword [rdi]\n" + b));
                f.add(new Form(pre + "fild word [rdi+40]\nfld tword [rdi+48]\n" + b + "\nfnstsw ax"));
            }
            for (String c : new String[] {"fld1", "fldz", "fldpi", "fldl2e", "fldl2t", "fldlg2", "fldln2"})
                f.add(new Form(pre + c));
        }
        for (String c : new String[] {"fcom", "fcomp", "fucom", "fucomp"}) {
            f.add(new Form(LD + c + " st1\nfnstsw ax"));
            if (c.startsWith("fucom")) continue;
            f.add(new Form("fld tword [rdi+48]\n" + c + " qword [rdi+8]\nfnstsw ax"));
            f.add(new Form("fld tword [rdi+48]\n" + c + " dword [rdi+20]\nfnstsw ax"));
        }
        f.add(new Form(LD + "fcompp\nfnstsw ax"));
        f.add(new Form(LD + "fucompp\nfnstsw ax"));
        f.add(new Form("fld qword [rdi]\nficom dword [rdi+24]\nfnstsw ax"));
        f.add(new Form("fld qword [rdi]\nficomp word [rdi+40]\nfnstsw ax"));
        String[] cc = {"b", "e", "be", "u", "nb", "ne", "nbe", "nu"};
        for (String c : new String[] {"fcomi", "fucomi", "fcomip", "fucomip"}) {
            f.add(new Form(LD + c + " st0, st1\nsetb al\nsete bl\nsetp cl\npushf\npop rdx"));
        }
        for (String c : cc) f.add(new Form(LD + "fucomi st0, st1\nfcmov" + c + " st0, st1"));
        f.add(new Form(LD + "fxch st1\nfstp qword [rdi+64]"));
        f.add(new Form(LD + "fxch st3"));
        f.add(new Form(LD + "ffree st1\nfincstp\nfdecstp\nfdecstp"));
        f.add(new Form("fld qword [rdi]\n".repeat(9)));
        f.add(new Form("fld qword [rdi]\nfadd st0, st2\nfstp qword [rdi+64]\nfstp qword [rdi+72]"));
        f.add(new Form("fst qword [rdi+64]\nfist dword [rdi+72]\nfld st2"));
        f.add(new Form(LD + "fnstenv [rdi+0x100]\nmov dword [rdi+0x10c], 0\nmov dword [rdi+0x110], 0\nmov dword [rdi+0x114], 0\nfld1"));
        f.add(new Form(LD + "fnstenv [rdi+0x100]\nfldenv [rdi+0x100]\nfld1\nmov dword [rdi+0x10c], 0\nmov dword [rdi+0x110], 0\nmov dword [rdi+0x114], 0"));
        f.add(new Form(LD + "fnsave [rdi+0x100]\nfld1\nfrstor [rdi+0x100]\nmov dword [rdi+0x10c], 0\nmov dword [rdi+0x110], 0\nmov dword [rdi+0x114], 0"));
        f.add(new Form(LD + "fxsave [rdi+0x200]\nmov dword [rdi+0x206], 0\nmov dword [rdi+0x20a], 0\nmov dword [rdi+0x20e], 0\nmov dword [rdi+0x212], 0\nmov word [rdi+0x216], 0\nfninit\nfxrstor [rdi+0x200]"));
        f.add(new Form(cw + LD + "fnclex\nfninit\nfld1"));
        return f;
    }

    static String adapt(String asm, int bits) {
        if (bits == 64) return asm;
        return asm.replace("[rdi", "[edi").replace("pop rdx", "pop edx");
    }

    static final double[] EDGE = {0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 3.0, 10.0, 0.1, 1e308, -1e308, 1e-308, 4.9e-324,
            -2.2250738585072014E-308, Double.MIN_NORMAL, Double.MAX_VALUE, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, Double.NaN, Double.longBitsToDouble(0x7FF4000000000001L), -Double.NaN,
            Math.PI, 1e10, 2.5, -2.5, 3.5, 1e19, -9.3e18, 65535.5, 32767.5, -32768.5, 2147483647.5};
    static final int[] CWS = {0x37F, 0x27F, 0x07F, 0x77F, 0xB7F, 0xF7F, 0x67F, 0x2F7F, 0x47F};

    static double randomDouble(Random r, int k) {
        return switch (k % 5) {
            case 0 -> EDGE[r.nextInt(EDGE.length)];
            case 1 -> Double.longBitsToDouble(r.nextLong());
            case 2 -> (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(40) - 20);
            case 3 -> r.nextInt(2000) - 1000 + (r.nextBoolean() ? 0.5 : 0);
            default -> Double.longBitsToDouble(r.nextLong() & 0x800FFFFFFFFFFFFFL | ((long) (1023 + r.nextInt(130) - 65) << 52));
        };
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"INTERPRETED", "COMPILED"})
    void x87MatchesTheHostCpu(BackendKind backend) {
        Random rnd = new Random(8787);
        int cases = 0;
        List<String> failures = new ArrayList<>();
        for (int bits : new int[] {32, 64}) {
            NativeCpu nat = bits == 32 ? n32 : n64;
            List<TestCase> tcs = new ArrayList<>();
            for (Form f : forms()) {
                byte[] code = Assembler.assemble(bits, "BITS " + bits + "\n" + adapt(f.asm, bits));
                for (int k = 0; k < 24; k++) {
                    MachineState s = MachineState.initial(bits);
                    long d = NativeCpu.DATA_BASE + 0x100;
                    s.set(MachineState.RDI, d);
                    for (int m = 0; m < 0x200; m += 8) s.write(d + m, 8, rnd.nextLong());
                    double a = randomDouble(rnd, k), b = randomDouble(rnd, k / 5 + k);
                    s.write(d, 8, Double.doubleToRawLongBits(a));
                    s.write(d + 8, 8, Double.doubleToRawLongBits(b));
                    s.write(d + 16, 4, Float.floatToRawIntBits((float) randomDouble(rnd, k + 1)));
                    s.write(d + 20, 4, k % 4 == 0 ? Float.floatToRawIntBits((float) b) : rnd.nextInt());
                    int iv = switch (k % 4) { case 0 -> 0; case 1 -> rnd.nextInt(200) - 100; case 2 -> Integer.MIN_VALUE; default -> rnd.nextInt(); };
                    s.write(d + 24, 4, iv);
                    s.write(d + 32, 8, k % 3 == 0 ? rnd.nextLong() : rnd.nextInt(100000) - 50000);
                    s.write(d + 40, 2, k % 3 == 0 ? rnd.nextInt(64) - 32 : rnd.nextInt());
                    Float80 x;
                    if (k % 3 == 0) x = Float80.fromDouble(randomDouble(rnd, k + 2));
                    else {
                        int ex = k % 7 == 1 ? rnd.nextInt(0x8000) : 16383 + rnd.nextInt(140) - 70;
                        if (k % 11 == 5) ex = 0; // denormal / zero
                        long mant = rnd.nextLong() | (ex == 0 ? 0 : Long.MIN_VALUE);
                        x = new Float80((rnd.nextBoolean() ? 0x8000 : 0) | ex, mant);
                    }
                    s.write(d + 48, 8, x.mantissa());
                    s.write(d + 56, 2, x.signExp());
                    s.write(d + 58, 2, CWS[rnd.nextInt(CWS.length)]);
                    tcs.add(new TestCase(bits, code, s, f.asm.replace('\n', ';') + " #" + k));
                }
            }
            List<MachineState> ref = nat.runAll(tcs);
            for (int k = 0; k < tcs.size(); k++) {
                MachineState emu = Emulated.run(tcs.get(k), backend);
                List<String> d = StateDiff.standard().diff(ref.get(k), emu);
                cases++;
                if (!d.isEmpty()) failures.add(failures.size() < 40 || (bits == 64 && failures.size() < 80) ? bits + "-bit " + tcs.get(k).description() + ": " + d : "");
            }
        }
        System.out.println("x87 differential cases (" + backend + "): " + cases + ", mismatches: " + failures.size());
        assertTrue(failures.isEmpty(), failures.size() + " of " + cases + " cases differ from the host CPU:\n"
                + String.join("\n", failures.stream().filter(x -> !x.isEmpty()).limit(80).toList()));
    }
}
