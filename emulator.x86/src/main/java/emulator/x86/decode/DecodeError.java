package emulator.x86.decode;

/** Why an instruction is {@link Kind#INVALID}. */
public enum DecodeError {
    /** Undefined opcode / operand combination (including unsupported VEX/EVEX/XOP/3DNow! encodings): #UD. */
    UNDEFINED_OPCODE,
    /** LOCK prefix on an instruction that is not lockable or has a register destination: #UD. */
    BAD_LOCK,
    /** Instruction longer than 15 bytes: #GP(0). */
    TOO_LONG,
    /** A byte of the instruction could not be fetched; {@link X86Insn#faultAddr()} tells which: #PF. */
    FETCH_FAULT,
    /** Internal decoder bug caught by the safety net (should never happen; tests assert it). Treat as #UD. */
    INTERNAL
}
