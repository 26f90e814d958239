package emulator.x86.decode;

/** Register files addressed by {@link Operand.Reg}. */
public enum RegClass {
    /** General purpose register, num 0..15 (rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15); size 1 means the low byte (al..r15b, spl..dil). */
    GPR,
    /** ah, ch, dh, bh: num 0..3 is the GPR (rax..rbx) whose bits 8..15 are meant; size 1. */
    GPR8_HIGH,
    /** Segment register, num ES=0 CS=1 SS=2 DS=3 FS=4 GS=5. */
    SEG,
    /** xmm0..xmm15, size 16. */
    XMM,
    /** mm0..mm7, size 8. */
    MMX,
    /** st(i), num = i relative to the stack top, size 10. */
    X87,
    /** Control register crN. */
    CR,
    /** Debug register drN. */
    DR
}
