package emulator.core.ir;

/** A temp of a block under construction, with its type. */
public record Val(int id, Type type) {
    public boolean is64() { return type == Type.I64; }
}
