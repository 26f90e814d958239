package emulator.x86.front;

import emulator.core.ir.Helper;
import emulator.x86.decode.Operand;
import emulator.x86.decode.X86Insn;
import emulator.x86.decode.X86Op;

/**
 * LOCK-prefixed instructions (and XCHG with memory, locked without the prefix) read, modify and
 * write guest memory as one step for every thread of the process: their IR runs between these two
 * helpers, which hold the address space's atomic lock (see emulator.core's {@code Vcpu.beginAtomic}).
 * Without them two threads' {@code lock incl} of one counter could lose an increment (glibc counts
 * its threads that way, and a lost one made a process exit as if its last thread had ended).
 */
final class Atomic {
    static final Helper BEGIN = new Helper("x86.lock.begin", (c, a0, a1, a2, a3) -> { c.beginAtomic(); return 0; }, 0, false, 0);
    static final Helper END = new Helper("x86.lock.end", (c, a0, a1, a2, a3) -> { c.endAtomic(); return 0; }, 0, false, 0);

    private Atomic() {}

    /** Whether {@code in} is an atomic read-modify-write of memory. */
    static boolean needed(X86Insn in) {
        if (in.lock()) return true;
        if (in.op() != X86Op.XCHG) return false;
        for (int k = 0; k < in.operandCount(); k++) if (in.operand(k) instanceof Operand.Mem) return true;
        return false;
    }
}
