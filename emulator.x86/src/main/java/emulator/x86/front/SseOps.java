package emulator.x86.front;

import emulator.x86.decode.X86Insn;

/** SSE and SSE2 instructions (being written); anything not covered raises #UD through the caller. */
final class SseOps {
    private final E e;

    SseOps(E e) { this.e = e; }

    boolean translate(X86Insn in) { return false; }
}
