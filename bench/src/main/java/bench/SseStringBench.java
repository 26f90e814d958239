package bench;

import emulator.api.raw.RawRequest;
import emulator.api.raw.RawResult;
import emulator.core.exec.MachineConfig;
import emulator.x86.raw.RawX86;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The inner loops of glibc's SSE2 string routines on x86-64, in raw mode: a strlen (MOVDQA,
 * PCMPEQB, PMOVMSKB, BSF), a strcmp (MOVDQU, PCMPEQB, PMINUB, PMOVMSKB, TZCNT) and a byte loop
 * with PUNPCKLBW, PADDB, PSUBB, PMAXUB, PSHUFD and PXOR, over a 64 KiB buffer, repeated. Prints
 * guest instructions per second (MIPS) per backend; numbers only.
 *
 * <p>Usage: {@code SseStringBench [--quick]}.
 */
public final class SseStringBench {
    /*
     * nasm source of CODE (BITS 64; rdi = buffer, rdx = its copy differing near the end, rbx = 16-byte
     * blocks, ecx = rounds, r8 accumulates so no work is dead):
     * outer: pxor xmm0,xmm0 / mov rsi,rdi
     * s1: movdqa xmm1,[rsi] / pcmpeqb xmm1,xmm0 / pmovmskb eax,xmm1 / add rsi,16 / test eax,eax / jz s1
     *     bsf eax,eax / lea rax,[rsi+rax-16] / sub rax,rdi / add r8,rax / xor r9,r9
     * s2: movdqa xmm1,[rdi+r9] / movdqu xmm2,[rdx+r9] / pcmpeqb xmm2,xmm1 / pminub xmm2,xmm1
     *     pcmpeqb xmm2,xmm0 / pmovmskb eax,xmm2 / add r9,16 / test eax,eax / jz s2
     *     tzcnt eax,eax / add r8,rax / mov rsi,rdi / mov r10,rbx / pxor xmm3,xmm3 / pxor xmm4,xmm4
     * s3: movdqa xmm1,[rsi] / movdqa xmm2,xmm1 / punpcklbw xmm2,xmm0 / paddb xmm3,xmm1 / psubb xmm4,xmm2
     *     pmaxub xmm4,xmm1 / pshufd xmm3,xmm3,0x39 / pxor xmm4,xmm1 / add rsi,16 / dec r10 / jnz s3
     *     movq rax,xmm3 / add r8,rax / dec ecx / jnz outer / hlt
     */
    static final String CODE = "660fefc04889fe660f6f0e660f74c8660fd7c14883c61085c074ec0fbcc0488d4406f04829f84901c04d31c9"
            + "66420f6f0c0ff3420f6f140a660f74d1660fdad1660f74d0660fd7c24983c11085c074dcf30fbcc04901c04889fe4989da"
            + "660fefdb660fefe4660f6f0e660f6fd1660f60d0660ffcd9660ff8e2660fdee1660f70db39660fefe14883c61049ffca"
            + "75d666480f7ed84901c0ffc90f8561fffffff4";

    static final long CODE_AT = 0x400000, BUF = 0x1000000, COPY = 0x2000000;
    static final int SIZE = 64 * 1024;

    public static void main(String[] args) {
        boolean quick = args.length > 0 && args[0].equals("--quick");
        int rounds = quick ? 2 : 400;
        byte[] buf = new byte[SIZE];
        for (int i = 0; i < SIZE - 1; i++) buf[i] = (byte) (1 + (i * 131 + (i >>> 7)) % 255); // no NUL before the end
        byte[] copy = buf.clone();
        copy[SIZE - 3] ^= 0x20; // strcmp scans almost all of it
        byte[] code = HexFormat.of().parseHex(CODE);
        System.out.printf("SSE2 string loops, %d KiB buffer, %d rounds%n", SIZE / 1024, rounds);
        for (MachineConfig.BackendKind backend : new MachineConfig.BackendKind[] {
                MachineConfig.BackendKind.COMPILED, MachineConfig.BackendKind.INTERPRETED}) {
            if (quick && backend == MachineConfig.BackendKind.INTERPRETED) continue;
            int reps = quick ? 1 : 4;
            double best = 0;
            long icount = 0, checksum = 0;
            for (int rep = 0; rep < reps; rep++) { // the first repetitions warm up the JIT
                Map<String, Long> regs = new LinkedHashMap<>();
                regs.put("rdi", BUF);
                regs.put("rdx", COPY);
                regs.put("rbx", (long) SIZE / 16);
                regs.put("rcx", (long) (backend == MachineConfig.BackendKind.INTERPRETED ? Math.max(1, rounds / 8) : rounds));
                RawRequest req = new RawRequest(List.of(new RawRequest.Region(CODE_AT, code.length, code),
                        new RawRequest.Region(BUF, SIZE, buf), new RawRequest.Region(COPY, SIZE, copy)),
                        regs, CODE_AT, -1, 0);
                long t0 = System.nanoTime();
                RawResult r = new RawX86(true, backend).run(req);
                double s = (System.nanoTime() - t0) / 1e9;
                // every round ran (builds before the hlt fix in raw mode reported the final hlt as a fault)
                if (r.registers().get("rcx") != 0) throw new IllegalStateException("stopped early: " + r.json());
                icount = r.icount();
                checksum = r.registers().get("r8");
                best = Math.max(best, icount / s / 1e6);
            }
            System.out.printf("  %-11s %,d guest instructions, best %.1f MIPS (r8 %016x)%n", backend, icount, best, checksum);
        }
    }
}
