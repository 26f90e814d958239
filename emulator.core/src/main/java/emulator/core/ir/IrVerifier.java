package emulator.core.ir;

import java.util.BitSet;

/**
 * Checks a block before a backend sees it, so that a front-end or pass bug becomes one clear error
 * naming the guest pc instead of a JVM VerifyError or a wrong result far away.
 */
public final class IrVerifier {
    private IrVerifier() {}

    public static void verify(IrBlock b) {
        BitSet defined = new BitSet(), labels = new BitSet();
        long pc = b.pc;
        int lastInsn = -1;
        for (Inst i : b.ops) if (i.op == Op.LABEL) {
            if (labels.get((int) i.imm)) fail(b, pc, i, "label defined twice");
            labels.set((int) i.imm);
        }
        boolean reachable = true;
        for (Inst i : b.ops) {
            if (i.isNop()) continue;
            if (i.op == Op.INSN) {
                if (i.imm != lastInsn + 1 || i.imm >= b.insnPcs.length) fail(b, pc, i, "instruction markers out of order");
                lastInsn = (int) i.imm;
                pc = b.insnPcs[lastInsn];
            }
            if (i.op == Op.LABEL) reachable = true;
            else if (!reachable) fail(b, pc, i, "unreachable op after a terminator");
            for (int u : i.uses()) {
                if (u < 0 || u >= b.temps.size()) fail(b, pc, i, "operand is not a temp");
                if (!defined.get(u)) fail(b, pc, i, "t" + u + " used before it is defined");
            }
            checkTypes(b, pc, i);
            if ((i.op == Op.BR || i.op == Op.BRC) && !labels.get((int) i.imm)) fail(b, pc, i, "branch to undefined label");
            if (i.op == Op.GETR || i.op == Op.SETR) if (i.imm < 0 || i.imm >= b.slots) fail(b, pc, i, "no such state slot");
            if (i.dst >= 0) {
                if (i.dst >= b.temps.size()) fail(b, pc, i, "dst is not a temp");
                if (b.type(i.dst) != i.type) fail(b, pc, i, "dst type differs from op type");
                defined.set(i.dst);
            }
            if (i.op.terminates()) reachable = false;
        }
        if (reachable) fail(b, pc, null, "block does not end with an exit, trap or branch");
    }

    private static void checkTypes(IrBlock b, long pc, Inst i) {
        switch (i.op) {
            case ADD, SUB, MUL, AND, OR, XOR, SHL, SHR, SAR, ROL, ROR, MULHU, MULHS, DIVU, DIVS, REMU, REMS -> {
                same(b, pc, i, i.a, i.type); same(b, pc, i, i.b, i.type);
            }
            case MOV, NEG, NOT, CLZ, CTZ, POPCNT, BSWAP -> { if (i.dst >= 0) same(b, pc, i, i.a, i.type); }
            case SETC -> {
                if (i.type != Type.I32 || b.type(i.a) != b.type(i.b) || !(i.aux instanceof Cond)
                        || i.imm != (b.type(i.a) == Type.I64 ? 1 : 0)) fail(b, pc, i, "bad setc");
            }
            case SELECT -> { same(b, pc, i, i.a, Type.I32); same(b, pc, i, i.b, i.type); same(b, pc, i, i.c, i.type); }
            case LOAD, STORE -> {
                same(b, pc, i, i.a, Type.I64);
                int size = (int) (i.imm & 0xF);
                if (size != 1 && size != 2 && size != 4 && size != 8) fail(b, pc, i, "bad access size");
                if (i.op == Op.STORE) same(b, pc, i, i.b, i.type);
            }
            case BRC -> same(b, pc, i, i.a, Type.I32);
            case EXITR -> same(b, pc, i, i.a, Type.I64);
            case SETR -> same(b, pc, i, i.a, i.type);
            case CALL -> { if (!(i.aux instanceof Helper)) fail(b, pc, i, "call without a helper"); }
            case TRAP -> { if (!(i.aux instanceof TrapInfo)) fail(b, pc, i, "trap without TrapInfo"); }
            case EXTU, EXTS -> { if (i.imm <= 0 || i.imm > Math.min(i.type.bits, b.type(i.a).bits)) fail(b, pc, i, "bad extension width"); }
            default -> { }
        }
    }

    private static void same(IrBlock b, long pc, Inst i, int t, Type want) {
        if (t < 0 || b.type(t) != want) fail(b, pc, i, "operand t" + t + " should be " + want);
    }

    private static void fail(IrBlock b, long pc, Inst i, String what) {
        throw new IrException("malformed IR at guest pc 0x" + Long.toHexString(pc) + ": " + what
                + (i != null ? " in `" + IrPrinter.format(i) + "`" : "") + "\n" + IrPrinter.format(b));
    }
}
