package emulator.core.ir;

/** The two value types of the IR. Guest state slots are always 64 bits wide. */
public enum Type {
    I32(32), I64(64);

    public final int bits;

    Type(int bits) { this.bits = bits; }

    /** Keeps the bits of {@code v} this type holds, in the interpreter's canonical form (I32 sign-extended). */
    public long canon(long v) { return this == I32 ? (long) (int) v : v; }
}
