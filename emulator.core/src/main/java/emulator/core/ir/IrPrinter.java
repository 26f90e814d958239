package emulator.core.ir;

/** Text form of IR, for errors, logs and tests. */
public final class IrPrinter {
    private IrPrinter() {}

    public static String format(IrBlock b) {
        StringBuilder sb = new StringBuilder("block 0x").append(Long.toHexString(b.pc)).append('\n');
        for (Inst i : b.ops) if (!i.isNop()) sb.append("  ").append(format(i)).append('\n');
        return sb.toString();
    }

    public static String format(Inst i) {
        StringBuilder sb = new StringBuilder();
        if (i.dst >= 0) sb.append('t').append(i.dst).append(':').append(i.type == Type.I32 ? "i32" : "i64").append(" = ");
        sb.append(i.op.name().toLowerCase());
        switch (i.op) {
            case CONST -> sb.append(" 0x").append(Long.toHexString(i.imm));
            case GETR -> sb.append(" r").append(i.imm);
            case SETR -> sb.append(" r").append(i.imm).append(", t").append(i.a);
            case LABEL, BR -> sb.append(" L").append(i.imm);
            case BRC -> sb.append(" t").append(i.a).append(", L").append(i.imm);
            case INSN -> sb.append(" #").append(i.imm);
            case EXIT -> sb.append(" 0x").append(Long.toHexString(i.imm)).append(i.aux != null ? " " + i.aux : "");
            case TRAP, CB_BLOCK, CB_INSN, COUNT -> sb.append(' ').append(i.aux);
            case CALL -> {
                sb.append(' ').append(((Helper) i.aux).name()).append('(');
                for (int k = 0; k < i.args.length; k++) sb.append(k > 0 ? ", t" : "t").append(i.args[k]);
                sb.append(')');
            }
            default -> {
                int[] u = i.uses();
                for (int k = 0; k < u.length; k++) sb.append(k > 0 ? ", t" : " t").append(u[k]);
                if (i.op == Op.SETC) sb.append(' ').append(i.aux);
                if (i.op == Op.EXTU || i.op == Op.EXTS || i.op == Op.LOAD || i.op == Op.STORE || i.op == Op.CB_MEM) sb.append(" #").append(i.imm);
            }
        }
        return sb.toString();
    }
}
