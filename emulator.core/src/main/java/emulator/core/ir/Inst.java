package emulator.core.ir;

/** One IR operation. Mutable so that passes can rewrite in place; see {@link Op} for fields. */
public final class Inst {
    public Op op;
    public Type type;   // type of dst (or of the operands for SETR/STORE/BRC-less ops)
    public int dst = -1, a = -1, b = -1, c = -1;
    public long imm;
    public Object aux;
    public int[] args;  // CALL arguments

    public Inst(Op op, Type type) { this.op = op; this.type = type; }

    /** Temps this op reads, in order. */
    public int[] uses() {
        return switch (op) {
            case CALL -> args;
            case SELECT -> new int[] {a, b, c};
            case CONST, GETR, LABEL, BR, INSN, EXIT, TRAP, CB_BLOCK, CB_INSN, COUNT -> new int[0];
            case MOV, SETR, NEG, NOT, CLZ, CTZ, POPCNT, BSWAP, EXTU, EXTS, LOAD, BRC, EXITR -> new int[] {a};
            default -> new int[] {a, b};
        };
    }

    /** Turns this op into {@code dst = CONST v}. */
    public void makeConst(long v) {
        op = Op.CONST; imm = type.canon(v); a = b = c = -1; aux = null; args = null;
    }

    public void makeNop() {
        op = Op.MOV; dst = -1; a = -1; b = -1; c = -1; aux = null; args = null; imm = 0;
    }

    /** A nop left by a pass (MOV with no dst); backends skip it. */
    public boolean isNop() { return op == Op.MOV && dst < 0; }

    @Override public String toString() { return IrPrinter.format(this); }
}
