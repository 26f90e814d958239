package emulator.x86.decode;

/** Decoded operand, in Intel order (destination first). */
public sealed interface Operand {

    /** Operand size in bytes (0 when not meaningful, e.g. LEA's address or FXSAVE's area). */
    int size();

    /** A register. */
    record Reg(RegClass cls, int num, int size) implements Operand {}

    /**
     * A memory operand. {@code seg} is the effective segment (ES=0 CS=1 SS=2 DS=3 FS=4 GS=5) after
     * overrides and defaults (in 64-bit mode only FS/GS overrides take effect); {@code base}/{@code index}
     * are GPRs or null; {@code disp} is sign-extended to 64 bits (zero-extended for moffs / 16-bit addressing
     * is the address-size wrap the front end applies). If {@code ripRelative}, the effective address is
     * next-pc + disp, precomputed (and wrapped to the address size) in {@code ripTarget}. {@code addrSize} is
     * the address size in bytes (2, 4, 8): the front end wraps the effective address to it. {@code dispSize} is
     * the number of displacement bytes encoded (0, 1, 2, 4, 8), {@code sib}/{@code sibScaleBits} describe the
     * encoding (for disassembly only).
     */
    record Mem(int seg, Reg base, Reg index, int scale, long disp, int size, boolean ripRelative,
               long ripTarget, int addrSize, int dispSize, boolean sib, int sibScaleBits) implements Operand {
        /** Absolute address only: no base, no index, not RIP-relative. */
        public boolean isAbsolute() { return base == null && index == null && !ripRelative; }
    }

    /** Immediate: {@code value} is sign-extended to 64 bits exactly as x86 extends it to {@code size} (zero-extended for unsigned forms such as Ib of shifts, INT n, ENTER, RET n, IN/OUT ports, SSE imm8). */
    record Imm(long value, int size) implements Operand {
        /** The value truncated to {@code size} bytes, as an unsigned number. */
        public long unsigned() { return size >= 8 ? value : value & ((1L << (size * 8)) - 1); }
    }

    /** Direct branch target, absolute, already wrapped to the operand / mode width. */
    record Rel(long target, int size) implements Operand {}

    /** Direct far pointer (JMPF/CALLF ptr16:16/32). */
    record Far(int selector, long offset, int size) implements Operand {}
}
