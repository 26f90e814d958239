package emulator.core.ir;

/** Why a block exits other than to continue: the execution loop acts on it before the next block. */
public enum ExitReason {
    /** A system-call instruction completed; the pc is the instruction after it. */
    SYSCALL,
    /** The guest asked to stop at this point (e.g. a breakpoint or instruction limit). */
    STOP
}
