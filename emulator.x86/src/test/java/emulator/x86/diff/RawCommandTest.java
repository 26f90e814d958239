package emulator.x86.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emulator.x86.raw.RawCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code raw} command line end to end, on random instruction sequences it was not tuned on:
 * files written to a temp folder, {@link RawCommand#run} with --arch, --load FILE@ADDR, --map,
 * --reg, --until hlt|ADDR and --max-insns N, its JSON parsed with {@link MachineState#fromJson}
 * and compared with the host CPU running the same bytes (for --max-insns N: exactly the first N
 * instructions). Only instructions whose flags are all defined are drawn, so nothing is masked.
 */
class RawCommandTest {
    static NativeCpu n32, n64;

    @BeforeAll static void start() { n32 = new NativeCpu(32); n64 = new NativeCpu(64); }

    @AfterAll static void stop() { n32.close(); n64.close(); }

    @TempDir Path dir;

    /**
     * rbp points into the data region and is never written, rsi/rdi only move by string steps, so
     * every memory operand stays inside it.
     */
    static final String[] POOL = {
        "add eax, ebx", "sub ecx, edx", "adc ebx, eax", "sbb edx, ecx", "cmp eax, esi", "inc edx", "dec ebx",
        "neg ecx", "not ecx", "mov eax, [rbp+8]", "mov [rbp+16], ecx", "add [rbp+24], edx", "sub dword [rbp+32], 77",
        "lea edx, [rax+rbx*4+7]", "xchg eax, edx", "bswap ebx", "movzx ecx, byte [rbp+5]", "movsx edx, word [rbp+6]",
        "cmovl eax, ecx", "setb bl", "push rax", "pop rdx", "add al, 0x80", "sub bx, 0x7fff", "xadd [rbp+40], eax",
        "paddd xmm0, xmm1", "pxor xmm1, xmm2", "movdqu xmm2, [rbp+48]", "movdqu [rbp+64], xmm0", "pcmpeqb xmm0, xmm2",
        "punpcklbw xmm1, xmm0", "pshufd xmm2, xmm1, 0x1b", "psubb xmm0, xmm2",
        "fld qword [rbp+80]", "fadd st0, st0", "fstp qword [rbp+96]", "cvtsi2sd xmm3, eax", "addsd xmm3, xmm3",
        "rol edx, 1", "cdq", "movsb", "stosd", "lodsb",
    };
    static final String[] POOL64 = {"add rax, rbx", "sub r8, rcx", "lea r9, [r8+rdx*2]", "mov r10, [rbp+8]", "neg r11",
            "cmovg r12, rax", "cqo", "movsxd r13, eax", "bswap r14"};

    /** A random program: its instructions as separately assembled byte arrays. */
    private static List<byte[]> program(Random rnd, int bits, int n) {
        List<String> src = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean x64 = bits == 64 && rnd.nextInt(4) == 0;
            String s = x64 ? POOL64[rnd.nextInt(POOL64.length)] : POOL[rnd.nextInt(POOL.length)];
            if (bits == 32) s = s.replace("rbp", "ebp").replace("rax", "eax").replace("rbx", "ebx").replace("rsi", "esi").replace("rdx", "edx");
            src.add(s);
        }
        List<String> full = new ArrayList<>();
        for (String s : src) full.add("BITS " + bits + "\n" + s);
        return Assembler.assembleAll(bits, full);
    }

    private static byte[] concat(List<byte[]> parts, int count, byte... tail) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) b.writeBytes(parts.get(i));
        b.writeBytes(tail);
        return b.toByteArray();
    }

    enum Stop { HLT, ADDR, MAX_INSNS }

    @Test
    void jsonMatchesTheHostCpu() throws Exception {
        Random rnd = new Random(20251120);
        int cases = 0;
        List<String> failures = new ArrayList<>();
        for (int bits : new int[] {32, 64}) {
            for (int k = 0; k < 36; k++) {
                Stop stop = Stop.values()[k % 3];
                boolean zeroData = k % 4 == 0; // --map instead of --load for the data region
                List<byte[]> insns = program(rnd, bits, 8 + rnd.nextInt(24));
                int runCount = stop == Stop.MAX_INSNS ? 1 + rnd.nextInt(insns.size()) : insns.size();

                MachineState init = MachineState.initial(bits);
                byte[] data = new byte[NativeCpu.DEFAULT_DATA_SIZE];
                if (!zeroData) rnd.nextBytes(data);
                init.setData(NativeCpu.DATA_BASE, data);
                List<String> args = new ArrayList<>(List.of("--arch", bits == 64 ? "x86_64" : "i386"));
                for (int r = 0; r < init.gprCount(); r++) {
                    if (r == MachineState.RSP) continue;
                    long v = r == MachineState.RBP ? NativeCpu.DATA_BASE + 0x400
                            : r == MachineState.RSI || r == MachineState.RDI ? NativeCpu.DATA_BASE + 0x800 + rnd.nextInt(0x100)
                            : rnd.nextLong() & init.mask();
                    init.set(r, v);
                    args.addAll(List.of("--reg", init.gprName(r) + "=" + (rnd.nextBoolean() ? "0x" + Long.toHexString(v) : Long.toString(v))));
                }
                args.addAll(List.of("--reg", init.gprName(MachineState.RSP) + "=0x" + Long.toHexString(init.get(MachineState.RSP))));
                init.setFlags(rnd.nextLong() & MachineState.STATUS_FLAGS);
                args.addAll(List.of("--reg", init.flagsName() + "=0x" + Long.toHexString(init.rflags)));
                for (int x = 0; x < 4; x++) {
                    init.setXmm(x, rnd.nextLong(), rnd.nextLong());
                    args.addAll(List.of("--reg", "xmm" + x + ".lo=0x" + Long.toHexString(init.xmm[x][0]),
                            "--reg", "xmm" + x + ".hi=0x" + Long.toHexString(init.xmm[x][1])));
                }

                // the native reference runs exactly the instructions that should run
                MachineState nat = (bits == 32 ? n32 : n64).run(new TestCase(bits, concat(insns, runCount), init, "raw #" + k));
                byte[] rawCode = switch (stop) {
                    case HLT -> concat(insns, insns.size(), (byte) 0xF4);
                    case ADDR -> concat(insns, insns.size(), (byte) 0x0F, (byte) 0x0B); // ud2 after the stop address
                    case MAX_INSNS -> concat(insns, insns.size(), (byte) 0xF4);
                };
                Path code = Files.write(dir.resolve("code" + bits + "_" + k + ".bin"), rawCode);
                args.addAll(List.of("--load", code + "@0x" + Long.toHexString(NativeCpu.CODE_BASE)));
                if (zeroData) {
                    args.addAll(List.of("--map", "0x" + Long.toHexString(NativeCpu.DATA_BASE) + ":" + data.length));
                } else {
                    Path d = Files.write(dir.resolve("data" + bits + "_" + k + ".bin"), data);
                    args.addAll(List.of("--load", d + "@" + NativeCpu.DATA_BASE));
                }
                long end = NativeCpu.CODE_BASE + concat(insns, insns.size()).length;
                switch (stop) {
                    case HLT -> args.addAll(List.of("--until", "hlt"));
                    case ADDR -> args.addAll(List.of("--until", "0x" + Long.toHexString(end)));
                    case MAX_INSNS -> args.addAll(List.of("--max-insns", Integer.toString(runCount)));
                }

                ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
                int rc = new RawCommand().run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
                cases++;
                String where = bits + "-bit #" + k + " (" + stop + ", " + runCount + "/" + insns.size() + " insns): ";
                if (rc != 0 || nat.fault != null) {
                    failures.add(where + "exit " + rc + ", native fault " + nat.fault + ", stderr " + err);
                    continue;
                }
                MachineState emu = MachineState.fromJson(out.toString(StandardCharsets.UTF_8));
                byte[] mem = data.clone();
                for (MachineState.Region ch : emu.memory) {
                    int off = (int) (ch.addr() - NativeCpu.DATA_BASE);
                    assertTrue(off >= 0 && off + ch.bytes().length <= mem.length, "change outside the data region: " + ch);
                    System.arraycopy(ch.bytes(), 0, mem, off, ch.bytes().length);
                }
                emu.setData(NativeCpu.DATA_BASE, mem);
                if (stop == Stop.HLT) nat.rip += 1; // raw reports the state after hlt
                List<String> d = StateDiff.standard().diff(nat, emu);
                if (!d.isEmpty()) failures.add(where + d);
            }
        }
        System.out.println("raw command cases: " + cases + ", mismatches: " + failures.size());
        assertEquals(List.of(), failures);
    }

    @Test
    void usageErrorsAreOneClearMessage() throws Exception {
        Path code = Files.write(dir.resolve("c.bin"), new byte[] {(byte) 0xF4});
        for (List<String> bad : List.of(List.of("--arch", "mips", "--load", code + "@0x1000"),
                List.of("--load", code + "@0x1000"), List.of("--arch", "i386", "--load", dir.resolve("missing") + "@0x1000"),
                List.of("--arch", "i386", "--load", code.toString()), List.of("--arch", "i386", "--load", code + "@0x1000", "--reg", "eax"),
                List.of("--arch", "i386", "--load", code + "@zz"), List.of("--arch", "i386", "--load", code + "@0x1000", "--bogus"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            int rc = new RawCommand().run(bad, new PrintStream(out, true), new PrintStream(err, true));
            assertEquals(2, rc, bad.toString());
            assertEquals("", out.toString(), bad.toString());
            assertTrue(err.toString().startsWith("abiscope raw: "), err.toString());
        }
    }
}
