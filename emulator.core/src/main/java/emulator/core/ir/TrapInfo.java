package emulator.core.ir;

/**
 * A guest exception raised by a {@link Op#TRAP}: {@code vector} in the target's numbering;
 * {@code afterInsn} true for trap-type exceptions whose reported pc is the next instruction
 * (int3, into), false for faults that report the instruction itself (#UD, #DE, #GP).
 */
public record TrapInfo(int vector, int errorCode, boolean afterInsn, String detail) {}
