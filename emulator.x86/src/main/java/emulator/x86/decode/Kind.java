package emulator.x86.decode;

/** Control-flow class of an instruction, so the engine can end blocks and plugins can classify. */
public enum Kind {
    NORMAL,
    /** Unconditional jump (near/far, direct/indirect). */
    JUMP,
    /** Conditional jump: Jcc, LOOP/LOOPE/LOOPNE, JCXZ/JECXZ/JRCXZ. */
    COND_JUMP,
    /** Near or far call, direct or indirect. */
    CALL,
    /** RET, RETF, IRET*. */
    RET,
    /** System-call instruction: INT 0x80, SYSCALL, SYSENTER. */
    SYSCALL,
    /** Return from a system call: SYSRET, SYSEXIT. */
    SYSRET,
    /** Software interrupt / trap: INT n (n != 0x80), INT3, INT1, INTO. */
    INTERRUPT,
    /** HLT. */
    HALT,
    /** Architecturally defined undefined instruction (UD0, UD1, UD2): decodes fine, raises #UD. */
    UNDEFINED,
    /** Not a valid instruction (see {@link X86Insn#error()}): the front end raises #UD (or #PF / #GP per error). */
    INVALID;

    /** True if this instruction ends a translation block. */
    public boolean endsBlock() { return this != NORMAL; }
}
