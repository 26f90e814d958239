package emulator.x86.front;

import emulator.core.exec.Vcpu;
import emulator.core.ir.Helper;
import emulator.x86.Slots;

/**
 * CPUID, reporting exactly the features this front end implements (glibc chooses its string
 * routines from these bits, so claiming more would run unimplemented instructions).
 *
 * <p>The vendor is "GenuineIntel" because glibc reads the feature leaves only for vendors it knows:
 * with an unknown one its x86-64 ISA level stays 0 and the dynamic loader refuses Debian's libc.
 * The brand string (0x80000002–4) says what this really is. For that vendor glibc also reads leaf 2
 * and then leaf 4 (cache parameters, to size its copy thresholds) and leaf 7; the caches described
 * are a plausible hierarchy (they only tune glibc, nothing here models a cache), and leaf 7 reports
 * no extended feature because none is implemented.
 */
public final class Cpuid {
    private Cpuid() {}

    /** Leaf 1 EDX: FPU, TSC, CX8, CMOV, CLFSH, MMX, FXSR, SSE, SSE2. */
    public static final int LEAF1_EDX = 1 | 1 << 4 | 1 << 8 | 1 << 15 | 1 << 19 | 1 << 23 | 1 << 24 | 1 << 25 | 1 << 26;
    /** Leaf 1 ECX: CX16, MOVBE, POPCNT. */
    public static final int LEAF1_ECX = 1 << 13 | 1 << 22 | 1 << 23;
    /** 0x80000001 ECX: LAHF/SAHF in 64-bit mode, LZCNT. */
    public static final int EXT_ECX = 1 | 1 << 5;
    /** 0x80000001 EDX in 64-bit mode: SYSCALL, NX, LM; in 32-bit mode only NX. */
    public static final int EXT_EDX_64 = 1 << 11 | 1 << 20 | 1 << 29, EXT_EDX_32 = 1 << 20;

    static final Helper HELPER = new Helper("x86.cpuid", Cpuid::cpuid, 1, false, Helper.READS_REGS | Helper.WRITES_REGS);

    /**
     * Leaf 4's caches: {type (1 data, 2 instruction, 3 unified), level, ways, sets}; 64-byte lines,
     * one partition, one logical processor sharing each. 32 KiB L1d and L1i, 256 KiB L2, 8 MiB L3.
     */
    private static final int[][] CACHES = {{1, 1, 8, 64}, {2, 1, 8, 64}, {3, 2, 4, 1024}, {3, 3, 16, 8192}};

    private static long cpuid(Vcpu c, long x64, long u1, long u2, long u3) {
        int leaf = (int) c.regs[Slots.RAX];
        int sub = (int) c.regs[Slots.RCX];
        int a = 0, b = 0, cc = 0, d = 0;
        switch (leaf) {
            case 0 -> {
                a = 7;
                b = word("Genu"); d = word("ineI"); cc = word("ntel");
            }
            case 1 -> {
                a = 0x000506E3;             // family 6, model 0x5E, stepping 3: an ordinary x86-64 part
                b = 8 << 8 | 1 << 16;       // clflush line 64 bytes, one logical processor
                cc = LEAF1_ECX;
                d = LEAF1_EDX;
            }
            // one round (AL = 1); descriptor 0xFF: "the cache parameters are in leaf 4"
            case 2 -> a = 0xFF01;
            case 4 -> {
                if (sub >= 0 && sub < CACHES.length) {
                    int[] k = CACHES[sub];
                    a = k[0] | k[1] << 5 | 1 << 8;                 // type, level, self-initialising
                    b = (k[2] - 1) << 22 | (64 - 1);               // ways - 1, partitions - 1 = 0, line - 1
                    cc = k[3] - 1;                                  // sets - 1
                    d = k[1] == 3 ? 2 : 0;                          // the L3 includes the lower levels
                }
            }
            case 0x80000000 -> a = 0x80000006;
            case 0x80000001 -> {
                cc = EXT_ECX;
                d = x64 != 0 ? EXT_EDX_64 : EXT_EDX_32;
            }
            case 0x80000002, 0x80000003, 0x80000004 -> {
                String brand = String.format("%-48s", "abiscope virtual CPU");
                int off = (leaf - 0x80000002) * 16;
                a = word(brand.substring(off, off + 4)); b = word(brand.substring(off + 4, off + 8));
                cc = word(brand.substring(off + 8, off + 12)); d = word(brand.substring(off + 12, off + 16));
                if (leaf == 0x80000004) d &= 0x00FFFFFF; // NUL-terminate
            }
            // Intel's L2 summary, the same cache as leaf 4 subleaf 2: 64-byte lines, 4-way (code 4), 256 KiB
            case 0x80000006 -> cc = 64 | 4 << 12 | 256 << 16;
            // leaves 3, 5, 6, 7 (every subleaf): nothing to report
            default -> { }
        }
        c.regs[Slots.RAX] = a & 0xFFFFFFFFL;
        c.regs[Slots.RBX] = b & 0xFFFFFFFFL;
        c.regs[Slots.RCX] = cc & 0xFFFFFFFFL;
        c.regs[Slots.RDX] = d & 0xFFFFFFFFL;
        return 0;
    }

    private static int word(String s) {
        return s.charAt(0) | s.charAt(1) << 8 | s.charAt(2) << 16 | s.charAt(3) << 24;
    }
}
