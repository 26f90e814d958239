package emulator.x86.front;

import emulator.x86.decode.X86Insn;

/** x87 FPU instructions (being written); anything not covered raises #UD through the caller. */
final class X87Ops {
    private final E e;

    X87Ops(E e) { this.e = e; }

    boolean translate(X86Insn in) { return false; }
}
