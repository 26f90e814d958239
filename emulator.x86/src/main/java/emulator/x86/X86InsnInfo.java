package emulator.x86;

import emulator.api.instrument.InsnInfo;
import emulator.api.instrument.InsnKind;
import emulator.x86.decode.Disassembler;
import emulator.x86.decode.Operand;
import emulator.x86.decode.X86Insn;

/** An x86 instruction as plugins see it; disassembled only when asked. */
record X86InsnInfo(int index, X86Insn insn) implements InsnInfo {
    public long pc() { return insn.pc(); }
    public int length() { return insn.length(); }
    public byte[] bytes() { return insn.bytes().clone(); }
    public String disassembly() { return Disassembler.format(insn); }

    public InsnKind kind() {
        boolean direct = insn.operandCount() > 0 && insn.operand(0) instanceof Operand.Rel;
        return switch (insn.kind()) {
            case NORMAL -> InsnKind.NORMAL;
            case JUMP -> direct ? InsnKind.JUMP : InsnKind.INDIRECT_JUMP;
            case COND_JUMP -> InsnKind.COND_JUMP;
            case CALL -> direct ? InsnKind.CALL : InsnKind.INDIRECT_CALL;
            case RET, SYSRET -> InsnKind.RETURN;
            case SYSCALL -> InsnKind.SYSCALL;
            case INTERRUPT -> InsnKind.INTERRUPT;
            case HALT -> InsnKind.HALT;
            case UNDEFINED, INVALID -> InsnKind.INVALID;
        };
    }
}
