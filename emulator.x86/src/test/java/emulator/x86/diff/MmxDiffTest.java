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
 * MMX against the host CPU, in both modes and under both backends: every implemented form (the
 * MMX integer set, the SSE additions on mm registers, EMMS, the mm/xmm conversions and moves) with
 * random and edge operands, and mixed x87/MMX sequences. The mm registers are compared as what
 * they are, the significands of the x87 registers: the 80-bit registers (also empty ones), TOP in
 * the status word, the abridged tag word, plus xmm, MXCSR, general registers and memory.
 *
 * <p>Data at rdi: +0x00 the eight initial mm values (most forms load mm0–mm7 from there first),
 * +0x40 memory operands, +0x100 results, +0x200 an FXSAVE area.
 */
class MmxDiffTest {
    static NativeCpu n32, n64;

    @BeforeAll static void start() { n32 = new NativeCpu(32); n64 = new NativeCpu(64); }

    @AfterAll static void stop() { n32.close(); n64.close(); }

    enum Data { INT, COUNT, F32, F64 }

    /** {@code load}: the case first loads mm0–mm7 from [rdi]. */
    record Form(String asm, Data data, boolean only64, boolean load) {}

    static final String LOAD_MM;
    static {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 8; i++) b.append("movq mm").append(i).append(", [rdi+").append(8 * i).append("]\n");
        LOAD_MM = b.toString();
    }

    /** FNSTENV/FXSAVE store the last instruction and operand pointers, which the emulator does not track: cleared. */
    static final String CLEAR_ENV_POINTERS = "\nmov dword [rdi+0x10c], 0\nmov dword [rdi+0x110], 0\nmov dword [rdi+0x114], 0";
    static final String CLEAR_FXSAVE_POINTERS = "\nmov dword [rdi+0x206], 0\nmov dword [rdi+0x20a], 0\nmov dword [rdi+0x20e], 0"
            + "\nmov dword [rdi+0x212], 0\nmov word [rdi+0x216], 0";

    static List<Form> forms() {
        List<Form> f = new ArrayList<>();
        for (String s : new String[] {"movd mm1, eax", "movd eax, mm1", "movd mm1, [rdi+0x40]", "movd [rdi+0x100], mm1",
                "movq mm1, mm2", "movq mm1, [rdi+0x40]", "movq [rdi+0x100], mm1", "movq mm3, mm3", "movntq [rdi+0x100], mm2",
                "pmovmskb eax, mm1", "maskmovq mm1, mm2", "emms"})
            f.add(new Form(s, Data.INT, false, true));
        for (String s : new String[] {"movq mm1, rax", "movq rax, mm1", "movd mm5, eax\nmovq rbx, mm5"})
            f.add(new Form(s, Data.INT, true, true));
        // without the initial loads: the first MMX instruction's transition from an FNINIT state
        for (String s : new String[] {"movd mm1, eax", "movd eax, mm1", "movq [rdi+0x100], mm6", "emms", "paddb mm2, mm3",
                "pmovmskb eax, mm0", "pextrw eax, mm7, 2"})
            f.add(new Form(s, Data.INT, false, false));
        for (int k : new int[] {0, 1, 2, 3, 5, 7}) {
            f.add(new Form("pextrw eax, mm1, " + k, Data.INT, false, true));
            f.add(new Form("pinsrw mm1, eax, " + k, Data.INT, false, true));
            f.add(new Form("pinsrw mm1, [rdi+0x40], " + k, Data.INT, false, true));
        }
        for (String op : new String[] {"paddb", "paddw", "paddd", "paddq", "psubb", "psubw", "psubd", "psubq",
                "paddsb", "paddsw", "paddusb", "paddusw", "psubsb", "psubsw", "psubusb", "psubusw",
                "pcmpeqb", "pcmpeqw", "pcmpeqd", "pcmpgtb", "pcmpgtw", "pcmpgtd", "pminub", "pmaxub", "pminsw", "pmaxsw",
                "pavgb", "pavgw", "pmullw", "pmulhw", "pmulhuw", "pmuludq", "pmaddwd", "psadbw",
                "pand", "pandn", "por", "pxor", "punpcklbw", "punpcklwd", "punpckldq", "punpckhbw", "punpckhwd",
                "punpckhdq", "packsswb", "packuswb", "packssdw"}) {
            f.add(new Form(op + " mm1, mm2", Data.INT, false, true));
            f.add(new Form(op + " mm1, [rdi+0x40]", Data.INT, false, true));
        }
        f.add(new Form("pxor mm1, mm1", Data.INT, false, true));
        f.add(new Form("pcmpeqb mm4, mm4", Data.INT, false, true));
        for (String op : new String[] {"psllw", "pslld", "psllq", "psrlw", "psrld", "psrlq", "psraw", "psrad"}) {
            f.add(new Form(op + " mm1, mm2", Data.COUNT, false, true));
            f.add(new Form(op + " mm1, [rdi+0x40]", Data.COUNT, false, true));
            for (int c : new int[] {0, 1, 7, 15, 16, 31, 32, 63, 64, 200})
                f.add(new Form(op + " mm1, " + c, Data.INT, false, true));
        }
        for (int imm : new int[] {0, 0x1B, 0xE4, 0x4E, 0xFF, 0x93}) {
            f.add(new Form("pshufw mm1, mm2, " + imm, Data.INT, false, true));
            f.add(new Form("pshufw mm1, [rdi+0x40], " + imm, Data.INT, false, true));
        }
        // conversions and moves between mm and xmm
        for (String s : new String[] {"cvtpi2ps xmm1, mm2", "cvtpi2ps xmm1, [rdi+0x40]", "cvtpi2pd xmm1, mm2",
                "cvtpi2pd xmm1, [rdi+0x40]", "movq2dq xmm1, mm2", "movdq2q mm1, xmm2"})
            f.add(new Form(s, Data.INT, false, true));
        for (String s : new String[] {"cvtps2pi mm1, xmm2", "cvtps2pi mm1, [rdi+0x40]", "cvttps2pi mm1, xmm2",
                "cvttps2pi mm1, [rdi+0x40]"})
            f.add(new Form(s, Data.F32, false, true));
        for (String s : new String[] {"cvtpd2pi mm1, xmm2", "cvtpd2pi mm1, [rdi+0x40]", "cvttpd2pi mm1, xmm2",
                "cvttpd2pi mm1, [rdi+0x40]"})
            f.add(new Form(s, Data.F64, false, true));
        // the conversions that need no mm register, from an x87 state: no MMX transition for a memory source
        for (String s : new String[] {"cvtpi2ps xmm1, [rdi+0x40]", "cvtpi2pd xmm1, [rdi+0x40]", "cvtpi2ps xmm1, mm2"})
            f.add(new Form("fld qword [rdi+0x48]\nfld1\n" + s, Data.INT, false, false));
        // mixed x87 / MMX: the aliasing as the CPU has it
        String[] mixed = {
            "fld qword [rdi+0x40]\nfld qword [rdi+0x48]\npaddb mm1, mm2",           // MMX after x87: TOP 0, all valid
            "fld qword [rdi+0x40]\nfld1\nmovq mm0, [rdi+0x50]\nfld1",                // x87 after MMX without EMMS: stack overflow
            "paddw mm1, mm2\nfld1",
            "paddw mm1, mm2\nemms\nfld1\nfld qword [rdi+0x40]",                       // EMMS then x87
            "paddw mm1, mm2\nemms\nfld qword [rdi+0x40]\nfstp qword [rdi+0x100]",
            "fld1\nfld qword [rdi+0x40]\nmovq mm3, mm7\nmovq [rdi+0x100], mm6\nmovq [rdi+0x108], mm7",
            "fld qword [rdi+0x40]\nfstp st0\nfld qword [rdi+0x48]\nmovd eax, mm7",  // reads mm7 = the loaded double's significand
            "psubb mm1, mm2\nfstp qword [rdi+0x100]\nfstp qword [rdi+0x108]",         // x87 reads of MMX-written registers
            "pand mm1, mm2\nfld st1\nfstp tword [rdi+0x100]",
            "paddd mm1, mm2\nfnstenv [rdi+0x100]" + CLEAR_ENV_POINTERS,              // full tag word: MMX values are special
            "emms\nfnstenv [rdi+0x100]" + CLEAR_ENV_POINTERS,
            "fld1\nfldz\nmovd mm2, eax\nfnstenv [rdi+0x100]" + CLEAR_ENV_POINTERS,
            "paddd mm1, mm2\nfxsave [rdi+0x200]" + CLEAR_FXSAVE_POINTERS,
            "emms\nfxsave [rdi+0x200]" + CLEAR_FXSAVE_POINTERS,
            "fld1\nfld1\nfincstp\npaddb mm1, mm2\nfnstsw ax",
            "fninit\npor mm5, mm6\nfninit\nfld qword [rdi+0x40]",                  // FNINIT keeps the register contents
            "por mm5, mm6\nfnsave [rdi+0x100]" + CLEAR_ENV_POINTERS + "\nfld1",       // and so does FNSAVE's reinitialisation
        };
        for (String s : mixed) f.add(new Form(s, Data.INT, false, !s.startsWith("fld") && !s.startsWith("fninit")));
        // a small MMX kernel, as old hand-written code has it
        f.add(new Form("pxor mm0, mm0\nmovq mm1, [rdi+0x40]\nmovq mm2, mm1\npunpcklbw mm1, mm0\npunpckhbw mm2, mm0\n"
                + "paddw mm1, mm2\npmaddwd mm1, mm1\nmovq mm3, mm1\npsrlq mm3, 32\npaddd mm1, mm3\nmovd eax, mm1\nemms",
                Data.INT, false, false));
        return f;
    }

    static String adapt(String asm, int bits) {
        return bits == 64 ? asm : asm.replace("[rdi", "[edi");
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"INTERPRETED", "COMPILED"})
    void everyFormMatchesTheHostCpu(BackendKind backend) {
        Random rnd = new Random(0x4D4D58);
        int cases = 0;
        List<String> failures = new ArrayList<>();
        for (int bits : new int[] {64, 32}) {
            NativeCpu nat = bits == 32 ? n32 : n64;
            List<Form> forms = new ArrayList<>();
            for (Form f : forms()) if (!(f.only64 && bits == 32)) forms.add(f);
            List<String> sources = new ArrayList<>();
            for (Form f : forms) sources.add("BITS " + bits + "\n" + adapt((f.load ? LOAD_MM : "") + f.asm, bits));
            List<byte[]> codes = Assembler.assembleAll(bits, sources);
            List<TestCase> tcs = new ArrayList<>();
            for (int fi = 0; fi < forms.size(); fi++) {
                Form f = forms.get(fi);
                int n = f.data == Data.F32 || f.data == Data.F64 ? 30 : 12;
                for (int k = 0; k < n; k++) tcs.add(new TestCase(bits, codes.get(fi), initial(bits, f.data, rnd),
                        f.asm.replace('\n', ';') + " #" + k));
            }
            List<MachineState> ref = nat.runAll(tcs);
            for (int k = 0; k < tcs.size(); k++) {
                MachineState emu = Emulated.run(tcs.get(k), backend);
                List<String> d = StateDiff.standard().withX87EmptySlots().diff(ref.get(k), emu);
                cases++;
                if (!d.isEmpty()) failures.add(bits + "-bit " + tcs.get(k).description() + ": " + d);
            }
        }
        System.out.println("mmx differential cases (" + backend + "): " + cases + ", mismatches: " + failures.size());
        assertTrue(failures.isEmpty(), failures.size() + " of " + cases + " cases differ from the host CPU:\n"
                + String.join("\n", failures.subList(0, Math.min(60, failures.size()))));
    }

    private static MachineState initial(int bits, Data data, Random rnd) {
        MachineState s = MachineState.initial(bits);
        long d = NativeCpu.DATA_BASE + 0x100;
        s.set(MachineState.RDI, d);
        for (int m = 0; m < 0x40; m += 8) s.write(d + m, 8, SseDiffTest.ints(rnd));
        SseDiffTest.Data mem = switch (data) {
            case F32 -> SseDiffTest.Data.F32;
            case F64 -> SseDiffTest.Data.F64;
            case COUNT -> SseDiffTest.Data.COUNT;
            default -> SseDiffTest.Data.INT;
        };
        // shift counts come from mm2 (initial value at +0x10) or memory at +0x40
        if (data == Data.COUNT) s.write(d + 0x10, 8, SseDiffTest.quad(SseDiffTest.Data.COUNT, rnd));
        for (int m = 0x40; m < 0x100; m += 8) s.write(d + m, 8, SseDiffTest.quad(mem, rnd));
        SseDiffTest.Data x = data == Data.F32 || data == Data.F64 ? mem : SseDiffTest.Data.INT;
        for (int i = 0; i < 4; i++) s.setXmm(i, SseDiffTest.quad(x, rnd), SseDiffTest.quad(x, rnd));
        long a = SseDiffTest.ints(rnd);
        if (bits == 32) a &= 0xFFFFFFFFL;
        s.set(MachineState.RAX, a).set(MachineState.RBX, rnd.nextLong() & s.mask());
        s.setFlags(rnd.nextLong() & MachineState.STATUS_FLAGS);
        int mx = 0x1F80 | (rnd.nextInt(4) << 13);
        if (rnd.nextInt(8) == 0) mx |= rnd.nextInt(0x40);
        s.mxcsr = mx;
        return s;
    }
}
