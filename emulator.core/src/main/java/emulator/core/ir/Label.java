package emulator.core.ir;

/** A branch target inside a block. */
public record Label(int id) {}
