package emulator.x86;

/**
 * The x86 vCPU state as 64-bit slots of {@link emulator.core.exec.Vcpu#regs}. The arithmetic
 * flags are lazy: the last flag-setting operation and its operands are kept in CC_OP, CC_DST,
 * CC_SRC and CC_SRC2, and a flag is computed only where something reads it ({@link Flags}).
 */
public final class Slots {
    private Slots() {}

    /** rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8 … r15: slots 0–15 in encoding order. */
    public static final int RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;
    /** Lazy-flags operation ({@link Flags} CC_* constant). */
    public static final int CC_OP = 16;
    /** Result of the last flag-setting operation. */
    public static final int CC_DST = 17;
    /** Its second operand (or what the op's flags need). */
    public static final int CC_SRC = 18;
    /** Its first operand or carry-in, where needed. */
    public static final int CC_SRC2 = 19;
    /** The non-arithmetic part of rflags (DF, IF, ID, AC, bit 1 …). */
    public static final int FLAGS = 20;
    public static final int FS_BASE = 21, GS_BASE = 22;
    /** xmm{n}: low quadword at XMM + 2n, high at XMM + 2n + 1. */
    public static final int XMM = 23;
    public static final int MXCSR = XMM + 32;
    /** Guest thread area descriptors and other rarely used state stay in the extra state object. */
    public static final int COUNT = MXCSR + 1;

    public static int xmmLo(int n) { return XMM + 2 * n; }

    public static int xmmHi(int n) { return XMM + 2 * n + 1; }
}
