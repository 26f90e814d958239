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
 * General-purpose integer instructions against the host CPU: each form with edge and random
 * operands, in both modes, under both backends. Only architecturally undefined flags are masked.
 */
class IntegerDiffTest {
    static NativeCpu n32, n64;

    @BeforeAll static void start() { n32 = new NativeCpu(32); n64 = new NativeCpu(64); }

    @AfterAll static void stop() { n32.close(); n64.close(); }

    static final long[] EDGE = {0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFFL, 0x80000000L,
            0xFFFFFFFFL, 0x7FFFFFFFFFFFFFFFL, 0x8000000000000000L, -1L, 31, 32, 63, 64};

    /** One instruction form: nasm text with operand placeholders, and the flags it leaves undefined. */
    record Form(String asm, long undefinedFlags, boolean only64, boolean only32) {
        Form(String asm, long undefinedFlags, boolean only64) { this(asm, undefinedFlags, only64, false); }

        Form as32() { return new Form(asm, undefinedFlags, false, true); }
    }

    /**
     * BT with a register bit offset addresses memory up to 256 MiB either side of the operand. With a
     * random offset the byte read was usually unmapped on both sides — but once it was in the host
     * runner's (ASLR-placed) heap: the host read it, the emulator faulted. The offsets are therefore
     * folded into the data region ({@link #bitOffsetInData}); faults are FaultDiffTest's subject.
     */
    static final String BT_MEMORY = "bt dword [rdi], ebx";

    /** A signed bit offset from rdi = DATA_BASE + 0x100 whose dword lies inside the data region. */
    static long bitOffsetInData(long b) {
        long below = 0x100 * 8, above = (NativeCpu.DEFAULT_DATA_SIZE - 0x100 - 4) * 8L;
        return (Math.floorMod(b, below + above) - below) & 0xFFFFFFFFL;
    }

    static final long AF = MachineState.AF, OF = MachineState.OF, CF = MachineState.CF, SF = MachineState.SF,
            ZF = MachineState.ZF, PF = MachineState.PF;

    static List<Form> forms() {
        List<Form> f = new ArrayList<>();
        for (String op : new String[] {"add", "adc", "sub", "sbb", "cmp"})
            for (String[] r : new String[][] {{"eax", "ebx"}, {"ax", "bx"}, {"al", "bl"}, {"ah", "bh"}, {"rax", "rbx"}})
                f.add(new Form(op + " " + r[0] + ", " + r[1], 0, r[0].startsWith("r")));
        for (String op : new String[] {"and", "or", "xor", "test"})
            for (String[] r : new String[][] {{"eax", "ebx"}, {"ax", "bx"}, {"al", "bl"}, {"rax", "rbx"}})
                f.add(new Form(op + " " + r[0] + ", " + r[1], AF, r[0].startsWith("r")));
        f.add(new Form("add dword [rdi], ebx", 0, false));
        f.add(new Form("sub ebx, dword [rdi]", 0, false));
        f.add(new Form("add eax, 0x7f", 0, false));
        f.add(new Form("sub rax, -5", 0, true));
        f.add(new Form("adc byte [rdi+1], 0x80", 0, false));
        for (String op : new String[] {"inc", "dec", "neg", "not"})
            for (String r : new String[] {"eax", "ax", "al", "rax", "dword [rdi]"})
                f.add(new Form(op + " " + r, 0, r.startsWith("r")));
        for (String op : new String[] {"shl", "shr", "sar"})
            for (String r : new String[] {"eax", "ax", "al", "rax"})
                for (String cnt : new String[] {"1", "cl", "7"})
                    f.add(new Form(op + " " + r + ", " + cnt, AF | (cnt.equals("1") ? 0 : OF), r.startsWith("r")));
        for (String op : new String[] {"rol", "ror"})
            for (String r : new String[] {"eax", "ax", "al", "rax"})
                for (String cnt : new String[] {"1", "cl"})
                    f.add(new Form(op + " " + r + ", " + cnt, cnt.equals("1") ? 0 : OF, r.startsWith("r")));
        for (String op : new String[] {"rcl", "rcr"})
            for (String r : new String[] {"eax", "al", "rax"})
                f.add(new Form(op + " " + r + ", cl", OF, r.startsWith("r")));
        for (String r : new String[] {"eax, ebx", "rax, rbx"}) {
            f.add(new Form("shld " + r + ", cl", AF | OF, r.startsWith("r")));
            f.add(new Form("shrd " + r + ", cl", AF | OF, r.startsWith("r")));
        }
        // 16-bit double shifts by more than 16 are undefined: fixed counts only.
        for (String cnt : new String[] {"1", "5", "16"}) {
            f.add(new Form("shld ax, bx, " + cnt, AF | (cnt.equals("1") ? 0 : OF), false));
            f.add(new Form("shrd ax, bx, " + cnt, AF | (cnt.equals("1") ? 0 : OF), false));
        }
        for (String r : new String[] {"ebx", "bx", "bl", "rbx"}) {
            f.add(new Form("mul " + r, SF | ZF | AF | PF, r.startsWith("r")));
            f.add(new Form("imul " + r, SF | ZF | AF | PF, r.startsWith("r")));
        }
        f.add(new Form("imul eax, ebx", SF | ZF | AF | PF, false));
        f.add(new Form("imul rax, rbx, -3", SF | ZF | AF | PF, true));
        f.add(new Form("imul ax, bx, 0x1234", SF | ZF | AF | PF, false));
        for (String r : new String[] {"eax, ebx", "rax, rbx", "ax, bx"}) {
            f.add(new Form("bt " + r, OF | SF | AF | PF, r.startsWith("r")));
            f.add(new Form("bts " + r, OF | SF | AF | PF, r.startsWith("r")));
            f.add(new Form("btr " + r, OF | SF | AF | PF, r.startsWith("r")));
            f.add(new Form("btc " + r, OF | SF | AF | PF, r.startsWith("r")));
            f.add(new Form("bsf " + r, CF | OF | SF | AF | PF, r.startsWith("r")));
            f.add(new Form("bsr " + r, CF | OF | SF | AF | PF, r.startsWith("r")));
            f.add(new Form("popcnt " + r, 0, r.startsWith("r")));
            f.add(new Form("tzcnt " + r, OF | SF | AF | PF, r.startsWith("r")));
            f.add(new Form("lzcnt " + r, OF | SF | AF | PF, r.startsWith("r")));
            f.add(new Form("xadd " + r, 0, r.startsWith("r")));
            f.add(new Form("cmpxchg " + r, 0, r.startsWith("r")));
            f.add(new Form("xchg " + r, 0, r.startsWith("r")));
        }
        f.add(new Form(BT_MEMORY, OF | SF | AF | PF, false));
        for (String s : new String[] {"movzx eax, bl", "movsx eax, bl", "movsx eax, bx", "movsx rax, ebx", "movzx ax, bl", "movsx rax, bl", "lea eax, [rbx+rcx*4+0x10]", "lea rax, [rbx+rcx*8-1]",
                "cbw", "cwde", "cdqe", "cwd", "cdq", "cqo", "bswap eax", "bswap rax", "lahf", "sahf", "clc", "stc", "cmc", "mov ah, bl", "mov bh, ah"})
            f.add(new Form(s, 0, s.contains("rax") || s.contains("rbx") || s.equals("cdqe") || s.equals("cqo")));
        for (int cc = 0; cc < 16; cc++) {
            String c = new String[] {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"}[cc];
            f.add(new Form("cmp eax, ebx\nset" + c + " cl", 0, false));
            f.add(new Form("test eax, ebx\ncmov" + c + " ecx, edx", AF, false));
            f.add(new Form("add al, bl\nset" + c + " cl", 0, false));
            f.add(new Form("cmp eax, ebx\nj" + c + " .t\nmov ecx, 1\n.t:", 0, false));
            f.add(new Form("inc eax\nset" + c + " cl", 0, false));
            // OF after a shift by more than 1 is undefined: only conditions that do not read it.
            if (cc >= 2 && cc <= 11) f.add(new Form("shl ebx, cl\nset" + c + " dl", AF | OF, false));
        }
        // A flag producer and a consumer of the whole flags word in one block: the front end computes
        // the flags inline from the producer's operands (E.eflags), and conditions and CF from flags
        // the consumer materialised (E.setEflags), instead of calling the lazy-flags helper.
        String[] producers = {"add eax, ebx", "sub eax, ebx", "cmp eax, ebx", "inc eax", "dec eax", "neg eax", "add al, bl",
                "sub ax, bx", "inc bl", "dec bx", "add rax, rbx", "cmp rax, rbx", "and eax, ebx", "xor al, bl", "shl eax, cl"};
        String[] consumers = {"rol ecx, 1", "ror edx, 1", "rol ecx, 3", "lahf", "cmc\nsetbe dl", "rol ecx, 1\nsetl dl",
                "ror ecx, 1\nsetbe dl", "rol ecx, 1\nsetp dl", "ror ecx, 1\nseto dl", "rol ecx, 1\njle .t\nmov edx, 1\n.t:",
                "bt ecx, 3\nadc edx, 0", "bsf edx, ebx\nsete cl"};
        for (String p : producers) {
            for (String c : consumers) {
                boolean logic = p.startsWith("and") || p.startsWith("xor"), shift = p.startsWith("shl");
                if ((logic || shift) && c.equals("lahf")) continue; // AF (undefined after them) lands in AH
                long undefined = (logic || shift ? AF : 0) | (shift ? OF : 0) | (c.equals("rol ecx, 3") ? OF : 0)
                        | (c.startsWith("bt") ? OF | SF | AF | PF : 0) | (c.startsWith("bsf") ? CF | OF | SF | AF | PF : 0);
                if (shift && c.contains("seto")) continue; // OF after a shift by more than 1 is undefined
                f.add(new Form(p + "\n" + c, undefined, p.contains("rax")));
            }
        }
        // Lazy flags across blocks after CC_SRC2's users (the carry an INC or DEC keeps, ADC's and
        // SBB's carry in, SHR's operand) and a later producer in the same block: each pair ends with
        // the flags read in the next block, from the lazy state the first block left (AH keeps only
        // the defined ones: lahf copies undefined flags too, which the host and the model may set apart)
        for (String keeper : new String[] {"inc eax", "dec eax", "adc eax, ebx", "sbb eax, ebx", "shr eax, 1", "inc al"}) {
            long keeperUndefined = keeper.startsWith("shr") ? AF : 0;
            f.add(new Form("stc\n" + keeper + "\njmp .n\n.n: " + definedFlags(keeperUndefined), 0, false));
            for (String later : new String[] {"cmp eax, ebx", "add eax, ebx", "sub bl, cl", "and eax, ebx", "shl eax, 1", "imul eax, ebx",
                    "rol ecx, 1", "sar eax, 1", keeper}) {
                long undefined = later.startsWith("and") || later.startsWith("sh") || later.startsWith("sar") ? AF
                        : later.startsWith("imul") ? SF | ZF | AF | PF : 0;
                if (later.equals(keeper)) undefined = keeperUndefined;
                if (later.startsWith("rol")) undefined = keeperUndefined; // ROL keeps the others
                f.add(new Form("stc\n" + keeper + "\n" + later + "\njmp .n\n.n: " + definedFlags(undefined), 0, false));
                f.add(new Form("stc\n" + keeper + "\n" + later + "\njmp .n\n.n: adc ecx, 0\ninc edx\nsetb bh", undefined, false));
            }
        }
        f.add(new Form("push rbx\npush rcx\npop rax\npop rdx", 0, true));
        f.add(new Form("push ebx\npop eax", 0, false).as32());
        f.add(new Form("pushfq\npop rax", 0, true));
        f.add(new Form("mov ecx, 5\n.l: add eax, ecx\nloop .l", 0, false));
        f.add(new Form("cld\nmov ecx, 8\nrep stosb", 0, false));
        f.add(new Form("cld\nmov ecx, 4\nlea rsi, [rdi+64]\nrep movsd", 0, false));
        f.add(new Form("std\nmov ecx, 4\nlea rsi, [rdi+64]\nrep movsw\ncld", 0, false));
        f.add(new Form("cld\nmov ecx, 16\nmov al, 0\nrepne scasb", 0, false));
        f.add(new Form("cld\nmov ecx, 16\nlea rsi, [rdi+8]\nrepe cmpsb", 0, false));
        f.add(new Form("call .f\njmp .e\n.f: add eax, 3\nret\n.e:", 0, false));
        // i386 PC thunks (mov reg, [esp]; ret), which the front end translates into the caller's
        // block (PcThunk): every register, a thunk before its caller and called twice in a block, a
        // ret that pops more (not a thunk), and a thunk on another page rewritten between two runs
        // of its caller's block (the block read its bytes, so the write must invalidate it)
        for (String r : new String[] {"eax", "ecx", "edx", "ebx", "ebp", "esi", "edi"})
            f.add(new Form("call .t\nadd eax, 7\njmp .e\n.t: mov " + r + ", [esp]\nret\n.e:", 0, false).as32());
        f.add(new Form("jmp .s\n.t: mov ecx, [esp]\nret\n.s: call .t\nlea eax, [ecx+4]\ncall .t\nsub eax, ecx", 0, false).as32());
        f.add(new Form("call .t\njmp .e\n.t: mov eax, [esp]\nret 4\n.e:", 0, false).as32());
        f.add(new Form("mov esi, 2\njmp .s\n.t: mov ecx, [esp]\nret\ntimes 5000 nop\n.s: call .t\nmov eax, ecx\ndec esi\njz .e\n"
                + "mov byte [.t+1], 0x14\njmp .s\n.e:", 0, false).as32());
        return f;
    }

    static String adapt(String asm, int bits) {
        if (bits == 64) return asm;
        return asm.replace("[rdi", "[edi").replace("rsi", "esi").replace("[rbx", "[ebx").replace("rcx*", "ecx*")
                .replace("push rbx", "push ebx").replace("push rcx", "push ecx").replace("pop rax", "pop eax").replace("pop rdx", "pop edx");
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"INTERPRETED", "COMPILED"})
    void everyFormMatchesTheHostCpu(BackendKind backend) {
        Random rnd = new Random(4242);
        int cases = 0;
        List<String> failures = new ArrayList<>();
        for (int bits : new int[] {32, 64}) {
            NativeCpu nat = bits == 32 ? n32 : n64;
            List<TestCase> tcs = new ArrayList<>();
            List<Long> masks = new ArrayList<>();
            for (Form f : forms()) {
                if (f.only64 && bits == 32) continue;
                if (f.only32 && bits == 64) continue;
                byte[] code = Assembler.assemble(bits, "BITS " + bits + "\n" + adapt(f.asm, bits));
                for (int k = 0; k < 24; k++) {
                    MachineState s = MachineState.initial(bits);
                    long a = k < 8 ? EDGE[rnd.nextInt(EDGE.length)] : rnd.nextLong();
                    long b = k % 3 == 0 ? EDGE[rnd.nextInt(EDGE.length)] : rnd.nextLong();
                    if (bits == 32) { a &= 0xFFFFFFFFL; b &= 0xFFFFFFFFL; }
                    if (f.asm.equals(BT_MEMORY)) b = bitOffsetInData(b);
                    s.set(MachineState.RAX, a).set(MachineState.RBX, b).set(MachineState.RCX, rnd.nextInt(70))
                            .set(MachineState.RDX, rnd.nextLong() & s.mask());
                    s.set(MachineState.RDI, NativeCpu.DATA_BASE + 0x100);
                    s.setFlags(rnd.nextLong() & MachineState.STATUS_FLAGS);
                    for (int m = 0; m < 0x200; m += 8) s.write(NativeCpu.DATA_BASE + 0x100 + m, 8, rnd.nextLong());
                    tcs.add(new TestCase(bits, code, s, f.asm.replace('\n', ';') + " #" + k));
                    masks.add(f.undefinedFlags);
                }
            }
            List<MachineState> ref = nat.runAll(tcs);
            for (int k = 0; k < tcs.size(); k++) {
                MachineState emu = Emulated.run(tcs.get(k), backend);
                List<String> d = StateDiff.standard().ignoreFlags(masks.get(k)).diff(ref.get(k), emu);
                cases++;
                if (!d.isEmpty() && failures.size() < 40) failures.add(bits + "-bit " + tcs.get(k).description() + ": " + d);
                else if (!d.isEmpty()) failures.add("");
            }
        }
        System.out.println("integer differential cases: " + cases + ", mismatches: " + failures.size());
        assertTrue(failures.isEmpty(), failures.size() + " of " + cases + " cases differ from the host CPU:\n"
                + String.join("\n", failures.subList(0, Math.min(40, failures.size()))));
    }

    /** Reads the arithmetic flags into AH (its undefined ones masked off) and OF into DL. */
    private static String definedFlags(long undefined) {
        return "lahf\nseto dl\nand ah, 0x" + Long.toHexString(0xD5 & ~undefined);
    }
}
