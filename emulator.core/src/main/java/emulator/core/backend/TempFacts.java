package emulator.core.backend;

import emulator.core.ir.Inst;
import emulator.core.ir.IrBlock;
import emulator.core.ir.Op;
import java.util.BitSet;

/**
 * What the bytecode compiler needs to know about a block's temps to emit less code: which are
 * constants (pushed where used instead of stored in a local), and which some path reads before
 * defining (only their locals must be zeroed first, for the JVM verifier).
 */
final class TempFacts {
    private TempFacts() {}

    /** For each temp defined exactly once, by a CONST: its value; null for every other temp. */
    static Long[] constants(IrBlock b) {
        int n = b.temps.size();
        int[] defs = new int[n];
        for (Inst i : b.ops) if (!i.isNop() && i.dst >= 0) defs[i.dst]++;
        Long[] out = new Long[n];
        for (Inst i : b.ops) if (!i.isNop() && i.op == Op.CONST && i.dst >= 0 && defs[i.dst] == 1) out[i.dst] = i.imm;
        return out;
    }

    /**
     * Temps read at a point some path reaches without defining them. The IR verifier checks uses
     * against definitions in op order only, so a temp defined on one side of a branch and read after
     * the join is legal IR; the JVM verifier rejects reading such a local unless it was assigned
     * on every path. A must-analysis (definitely defined) over the block's labels, to a fixpoint
     * because of backward branches.
     */
    static BitSet readBeforeDefined(IrBlock b) {
        BitSet[] branchIn = new BitSet[b.labels]; // intersection over the branches seen; null: none yet
        BitSet out = new BitSet();
        boolean changed = true;
        while (changed) {
            changed = false;
            out.clear();
            BitSet cur = new BitSet();
            boolean reachable = true;
            for (Inst i : b.ops) {
                if (i.isNop()) continue;
                if (i.op == Op.LABEL) {
                    // paths meet: what the fall-through (if any) and every branch here defined
                    BitSet in = branchIn[(int) i.imm];
                    if (!reachable) cur = in == null ? null : (BitSet) in.clone();
                    else if (in != null) cur.and(in);
                    reachable = cur != null; // else nothing seen so far reaches it
                    continue;
                }
                if (!reachable) continue;
                for (int u : i.uses()) if (!cur.get(u)) out.set(u);
                if (i.dst >= 0) cur.set(i.dst);
                if (i.op == Op.BR || i.op == Op.BRC) {
                    int l = (int) i.imm;
                    BitSet in = branchIn[l];
                    if (in == null) { branchIn[l] = (BitSet) cur.clone(); changed = true; }
                    else {
                        BitSet meet = (BitSet) in.clone();
                        meet.and(cur);
                        if (!meet.equals(in)) { branchIn[l] = meet; changed = true; }
                    }
                }
                if (i.op.terminates()) reachable = false;
            }
        }
        return out;
    }
}
