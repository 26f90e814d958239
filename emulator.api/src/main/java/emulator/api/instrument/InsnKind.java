package emulator.api.instrument;

/** The control-flow class of an instruction, as plugins need it. */
public enum InsnKind {
    /** Falls through to the next instruction. */
    NORMAL,
    /** Unconditional direct jump. */
    JUMP,
    /** Conditional direct jump (includes loops and jecxz). */
    COND_JUMP,
    /** Jump through a register or memory. */
    INDIRECT_JUMP,
    /** Direct call. */
    CALL,
    /** Call through a register or memory. */
    INDIRECT_CALL,
    /** Return from a call. */
    RETURN,
    /** System-call instruction: {@code int 0x80}, {@code syscall}, {@code sysenter}, {@code svc}. */
    SYSCALL,
    /** Software interrupt or breakpoint other than a system call ({@code int n}, {@code int3}). */
    INTERRUPT,
    /** Stops the CPU ({@code hlt}). */
    HALT,
    /** Undefined or unimplemented: raises an invalid-opcode exception. */
    INVALID
}
