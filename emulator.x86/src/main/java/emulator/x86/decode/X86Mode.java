package emulator.x86.decode;

/** Processor mode the decoder interprets bytes in. Default operand and address sizes follow the mode. */
public enum X86Mode {
    /** IA-32 protected mode with 32-bit code segment (flat). */
    BITS32(4, 4),
    /** Long mode, 64-bit code segment. */
    BITS64(4, 8);

    /** Default operand size in bytes (without prefixes / REX.W). */
    public final int defaultOperandSize;
    /** Default address size in bytes. */
    public final int defaultAddressSize;

    X86Mode(int os, int as) { defaultOperandSize = os; defaultAddressSize = as; }

    public boolean is64() { return this == BITS64; }
}
