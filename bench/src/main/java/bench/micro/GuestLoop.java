package bench.micro;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The x86-64 guest code every micro-benchmark runs: {@code mov rcx, N}, then N times a six-instruction
 * body of register-only integer work (add, xor, imul, add, sub, jnz: no guest memory access, so the
 * loop measures dispatch and generated code, not the TLB), then {@code hlt}, which ends the vCPU.
 */
final class GuestLoop {
    /** Where the loop is mapped and where every vCPU starts. */
    static final long CODE = 0x400000;
    /** Instructions per iteration. */
    static final int BODY_INSNS = 6;
    /**
     * The instructions around the body that the vCPU's icount includes: the {@code mov} before it.
     * The {@code hlt} raises a guest exception instead of completing, so it is not counted.
     */
    static final int OUTSIDE_BODY_INSNS = 1;
    /**
     * Instructions that instrumentation sees beyond the icount: the {@code hlt}, whose counter
     * increment and callback run before it raises its exception.
     */
    static final int HOOKED_NOT_COMPLETED = 1;

    private GuestLoop() {}

    /**
     * Guest instructions one run to the {@code hlt} completes (the vCPU's icount). The benchmarks'
     * {@code @OperationsPerInvocation} needs a constant expression, so they spell out the same sum.
     */
    static long insns(long iterations) {
        return OUTSIDE_BODY_INSNS + BODY_INSNS * iterations;
    }

    static String source(long iterations) {
        return """
                BITS 64
                mov rcx, %d
                l: add eax, ecx
                xor ebx, eax
                imul edx, ebx, 3
                add esi, edx
                sub rcx, 1
                jnz l
                hlt
                """.formatted(iterations);
    }

    /** The loop's machine code, assembled by nasm (a tool the benchmarks already need). */
    static byte[] assemble(long iterations) {
        try {
            Path dir = Files.createTempDirectory("guest-loop");
            Path src = dir.resolve("loop.asm"), bin = dir.resolve("loop.bin");
            try {
                Files.writeString(src, source(iterations));
                Process p = new ProcessBuilder("nasm", "-f", "bin", "-o", bin.toString(), src.toString())
                        .inheritIO().start();
                if (p.waitFor() != 0) throw new IllegalStateException("nasm failed on the guest loop");
                return Files.readAllBytes(bin);
            } finally {
                Files.deleteIfExists(src);
                Files.deleteIfExists(bin);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot assemble the guest loop (is nasm installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
