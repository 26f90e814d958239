package emulator.x86.front;

import emulator.core.target.CodeFetch;
import emulator.x86.decode.Operand;
import emulator.x86.decode.X86Insn;
import emulator.x86.decode.X86Op;

/**
 * The i386 PC thunk. Position-independent 32-bit code learns its own address by calling a function
 * that copies the return address into a register and returns — {@code mov reg, [esp]; ret}, gcc's
 * {@code __x86.get_pc_thunk.reg} — at the start of nearly every function that touches global data
 * (Debian's i386 busybox has some 4,500 such calls). As blocks of their own, the thunk and the code
 * after each call to it are joined again only in regions and traces, at the cost of a jump to the
 * thunk's member and an indirect jump back (a region's return tail, a trace's compare). The front
 * end instead translates the thunk's two instructions into the caller's block, where they keep their
 * own addresses and instruction descriptions: the call pushes its return address as always, the mov
 * reads it from the stack, and the ret pops it and leaves the block only if it is not the address
 * the call pushed (only another thread writing this one's stack could make it so).
 *
 * <p>The thunk's bytes are read through the block's {@link CodeFetch}, so they are part of what the
 * translation was made from: its page is marked as code (a write to it invalidates the caller's block)
 * and a shared translation is found again only where those bytes are the same.
 */
public final class PcThunk {
    private PcThunk() {}

    /** {@code mov r32, [esp]} is 8B, a ModRM of mod 00 and r/m 100 (a SIB byte follows), and SIB 24 (base esp, no index). */
    private static final int MOV = 0x8B, SIB_ESP = 0x24, RET = 0xC3;

    /**
     * The thunk {@code in} calls, or -1 if {@code in} is not a 32-bit {@code call rel32} to one. The
     * register must not be esp itself ({@code mov esp, [esp]} would return elsewhere).
     */
    public static long calledBy(X86Insn in, CodeFetch code) {
        if (in.op() != X86Op.CALL || in.operandSizeAttr() != 4 || !(in.operand(0) instanceof Operand.Rel rel)) return -1;
        long t = rel.target() & 0xFFFFFFFFL;
        if (code.fetch(t) != MOV) return -1;
        int modrm = code.fetch(t + 1);
        if (modrm < 0 || (modrm & 0xC7) != 0x04 || (modrm >> 3 & 7) == 4) return -1;
        if (code.fetch(t + 2) != SIB_ESP || code.fetch(t + 3) != RET) return -1;
        return t;
    }
}
