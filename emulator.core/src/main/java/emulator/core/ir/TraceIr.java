package emulator.core.ir;

import java.util.ArrayList;
import java.util.List;

/**
 * Joins the IR of blocks that run one after another (a trace: each block's exit to the next one's
 * pc) into one block, so that the backend compiles the path as one method: the execution loop is
 * entered once for the whole path instead of once per block, and the registers a block leaves in
 * JVM locals are there for the next. Every other exit stays an exit, so a run that leaves the path
 * returns to the loop as it did before.
 *
 * <p>Layout of member k (not the last): its ops, with the exit that continues replaced by a branch
 * to the label that starts member k + 1, right after member k's last op. Instruction markers stay in
 * order, and each exit stays among its own block's ops, so the instruction count and fault pc the
 * backend derives from the marker before an op are the same as in the block alone (numbered on
 * from the members before it, all of whose instructions ran).
 *
 * <p>Continuing after a member that may write guest memory first asks {@code mustLeave} (a helper
 * returning non-zero when the vCPU must return to the loop): a write to code invalidates the blocks
 * on that page and asks for a safe point, and the next member may be the code it changed.
 */
public final class TraceIr {
    private TraceIr() {}

    /**
     * The index of the op of {@code from} that continues to {@code nextPc}: an exit to that constant
     * pc, else the last register-indirect exit (the trace then compares its target with
     * {@code nextPc}; an earlier one belongs to an instruction inside the block, such as the return of
     * a PC thunk the x86 front end translated into it); -1 if there is none, or if it lies before
     * {@code from}'s last instruction (blocks end at their branch, so it never does for a front end's
     * block; the join relies on it).
     */
    public static int continuation(IrBlock from, long nextPc) {
        int found = -1, indirect = -1;
        for (int k = 0; k < from.ops.size(); k++) {
            Inst i = from.ops.get(k);
            if (i.aux != null) continue; // an exit with a reason (a system call) goes to the loop
            if (i.op == Op.EXIT && i.imm == nextPc) { found = k; break; }
            if (i.op == Op.EXITR) indirect = k;
        }
        if (found < 0) found = indirect;
        if (found < 0) return -1;
        for (int k = found + 1; k < from.ops.size(); k++) if (from.ops.get(k).op == Op.INSN) return -1;
        return found;
    }

    /**
     * The blocks of {@code path} joined into one, entered at the first one's pc. Each member must
     * have a {@link #continuation} to the next one's pc; the members are not changed.
     */
    public static IrBlock join(List<IrBlock> path, Helper mustLeave) {
        IrBlock first = path.get(0);
        IrBlock out = new IrBlock(first.pc, first.slots);
        out.lowAddresses = path.stream().allMatch(b -> b.lowAddresses);
        out.countsOnlyInsns = path.stream().allMatch(IrBlock::restartable);
        List<Long> pcs = new ArrayList<>();
        List<emulator.api.instrument.InsnInfo> insns = new ArrayList<>();
        for (int m = 0; m < path.size(); m++) {
            IrBlock b = path.get(m);
            int tempBase = out.temps.size(), labelBase = out.labels, insnBase = pcs.size();
            out.temps.addAll(b.temps);
            out.labels += b.labels;
            for (long p : b.insnPcs) pcs.add(p);
            insns.addAll(b.insns);
            boolean last = m == path.size() - 1;
            int cont = last ? -1 : continuation(b, path.get(m + 1).pc);
            if (!last && cont < 0) throw new IllegalArgumentException("block 0x" + Long.toHexString(b.pc) + " does not go on to 0x" + Long.toHexString(path.get(m + 1).pc));
            int next = last ? -1 : out.labels++;
            boolean guard = !last && b.mayWrite();
            for (int k = 0; k < b.ops.size(); k++) {
                Inst i = copy(b.ops.get(k), tempBase, labelBase, insnBase);
                if (k != cont) { out.ops.add(i); continue; }
                int go = guard ? stayFlag(out, mustLeave) : -1;
                if (i.op == Op.EXIT) {
                    if (go < 0) out.ops.add(branch(Op.BR, -1, next));
                    else { out.ops.add(branch(Op.BRC, go, next)); out.ops.add(i); }
                } else {
                    int target = temp(out, Type.I64);
                    Inst c = new Inst(Op.CONST, Type.I64);
                    c.dst = target;
                    c.imm = path.get(m + 1).pc;
                    out.ops.add(c);
                    int same = temp(out, Type.I32);
                    Inst eq = new Inst(Op.SETC, Type.I32);
                    eq.dst = same; eq.a = i.a; eq.b = target; eq.aux = Cond.EQ; eq.imm = 1;
                    out.ops.add(eq);
                    if (go >= 0) {
                        int both = temp(out, Type.I32);
                        Inst and = new Inst(Op.AND, Type.I32);
                        and.dst = both; and.a = same; and.b = go;
                        out.ops.add(and);
                        same = both;
                    }
                    out.ops.add(branch(Op.BRC, same, next));
                    out.ops.add(i);
                }
            }
            if (!last) {
                Inst l = new Inst(Op.LABEL, Type.I64);
                l.imm = next;
                out.ops.add(l);
            }
        }
        out.insnPcs = pcs.stream().mapToLong(Long::longValue).toArray();
        out.insns = List.copyOf(insns);
        return out;
    }

    /** Emits {@code go = mustLeave() == 0} and returns the temp. */
    private static int stayFlag(IrBlock out, Helper mustLeave) {
        int t = temp(out, Type.I64), zero = temp(out, Type.I64), go = temp(out, Type.I32);
        Inst call = new Inst(Op.CALL, Type.I64);
        call.dst = t; call.aux = mustLeave; call.args = new int[0];
        Inst z = new Inst(Op.CONST, Type.I64);
        z.dst = zero;
        Inst eq = new Inst(Op.SETC, Type.I32);
        eq.dst = go; eq.a = t; eq.b = zero; eq.aux = Cond.EQ; eq.imm = 1;
        out.ops.add(call);
        out.ops.add(z);
        out.ops.add(eq);
        return go;
    }

    private static int temp(IrBlock out, Type t) {
        out.temps.add(t);
        return out.temps.size() - 1;
    }

    private static Inst branch(Op op, int cond, int label) {
        Inst i = new Inst(op, op == Op.BRC ? Type.I32 : Type.I64);
        i.a = cond;
        i.imm = label;
        return i;
    }

    /** A copy of {@code i} with its temps, label and instruction number moved by the member's bases. */
    private static Inst copy(Inst i, int tempBase, int labelBase, int insnBase) {
        Inst c = new Inst(i.op, i.type);
        c.dst = i.dst < 0 ? -1 : i.dst + tempBase;
        c.a = i.a < 0 ? -1 : i.a + tempBase;
        c.b = i.b < 0 ? -1 : i.b + tempBase;
        c.c = i.c < 0 ? -1 : i.c + tempBase;
        c.aux = i.aux;
        c.imm = switch (i.op) {
            case LABEL, BR, BRC -> i.imm + labelBase;
            case INSN -> i.imm + insnBase;
            default -> i.imm;
        };
        if (i.args != null) {
            c.args = i.args.clone();
            for (int k = 0; k < c.args.length; k++) c.args[k] += tempBase;
        }
        return c;
    }
}
