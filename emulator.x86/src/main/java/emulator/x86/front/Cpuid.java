package emulator.x86.front;

import emulator.core.exec.Vcpu;
import emulator.core.ir.Helper;
import emulator.x86.Slots;

/**
 * CPUID, reporting exactly the features this front end implements (glibc chooses its string
 * routines from these bits, so claiming more would run unimplemented instructions).
 */
public final class Cpuid {
    private Cpuid() {}

    /** Leaf 1 EDX: FPU, TSC, CX8, CMOV, CLFSH, FXSR, SSE, SSE2. */
    public static final int LEAF1_EDX = 1 | 1 << 4 | 1 << 8 | 1 << 15 | 1 << 19 | 1 << 24 | 1 << 25 | 1 << 26;
    /** Leaf 1 ECX: CX16, MOVBE, POPCNT. */
    public static final int LEAF1_ECX = 1 << 13 | 1 << 22 | 1 << 23;
    /** 0x80000001 ECX: LAHF/SAHF in 64-bit mode, LZCNT. */
    public static final int EXT_ECX = 1 | 1 << 5;

    static final Helper HELPER = new Helper("x86.cpuid", Cpuid::cpuid, 1, false, Helper.READS_REGS | Helper.WRITES_REGS);

    private static long cpuid(Vcpu c, long x64, long u1, long u2, long u3) {
        int leaf = (int) c.regs[Slots.RAX];
        int a = 0, b = 0, cc = 0, d = 0;
        switch (leaf) {
            case 0 -> {
                a = 7;
                b = word("Abis"); d = word("cope"); cc = word("VCPU");
            }
            case 1 -> {
                a = 0x000506E3;             // family 6, model 0x5E, stepping 3: an ordinary x86-64 part
                b = 8 << 8 | 1 << 16;       // clflush line 64 bytes, one logical processor
                cc = LEAF1_ECX;
                d = LEAF1_EDX;
            }
            case 0x80000000 -> a = 0x80000004;
            case 0x80000001 -> {
                cc = EXT_ECX;
                d = x64 != 0 ? (1 << 11 | 1 << 20 | 1 << 29) : 1 << 20; // SYSCALL, NX, LM
            }
            case 0x80000002, 0x80000003, 0x80000004 -> {
                String brand = String.format("%-48s", "abiscope virtual CPU");
                int off = (leaf - 0x80000002) * 16;
                a = word(brand.substring(off, off + 4)); b = word(brand.substring(off + 4, off + 8));
                cc = word(brand.substring(off + 8, off + 12)); d = word(brand.substring(off + 12, off + 16));
                if (leaf == 0x80000004) d &= 0x00FFFFFF; // NUL-terminate
            }
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
