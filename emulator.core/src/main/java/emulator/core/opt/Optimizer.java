package emulator.core.opt;

import emulator.core.backend.Interpreter;
import emulator.core.ir.Inst;
import emulator.core.ir.IrBlock;
import emulator.core.ir.Op;
import emulator.core.ir.Type;
import java.util.BitSet;
import java.util.List;

/**
 * The IR passes run on every block: constant folding and propagation, dead-code elimination, and
 * dead state-store elimination — which is what makes lazy flags cheap: a flag-state slot written by
 * one instruction and overwritten by the next, with nothing between that can read it or fault, is
 * never stored.
 */
public final class Optimizer {
    private Optimizer() {}

    public static void run(IrBlock b) {
        foldConstants(b);
        deadStateStores(b);
        deadCode(b);
        mergeCounts(b);
    }

    /**
     * Inline counters: the per-instruction adds of a straight-line stretch become one add, placed
     * before the next op that could observe the counter or leave the stretch (a memory access that
     * may fault, a helper, a callback, a branch, a label, an exit, a trap). Counts stay exact
     * wherever anything can look at them.
     */
    static void mergeCounts(IrBlock b) {
        java.util.List<Inst> out = new java.util.ArrayList<>(b.ops.size());
        java.util.LinkedHashMap<Object, Long> pending = new java.util.LinkedHashMap<>();
        for (Inst i : b.ops) {
            if (i.op == Op.COUNT) {
                pending.merge(i.aux, i.imm, Long::sum);
                continue;
            }
            boolean quiet = switch (i.op) {
                case CONST, MOV, GETR, SETR, ADD, SUB, MUL, AND, OR, XOR, SHL, SHR, SAR, ROL, ROR, MULHU, MULHS,
                     NEG, NOT, CLZ, CTZ, POPCNT, BSWAP, EXTU, EXTS, SETC, SELECT, INSN -> true;
                default -> false;
            };
            if (!quiet && !pending.isEmpty()) {
                for (var e : pending.entrySet()) {
                    Inst c = new Inst(Op.COUNT, Type.I64);
                    c.aux = e.getKey();
                    c.imm = e.getValue();
                    out.add(c);
                }
                pending.clear();
            }
            out.add(i);
        }
        if (!pending.isEmpty()) throw new IllegalStateException("counter adds after the block's last exit");
        b.ops.clear();
        b.ops.addAll(out);
    }

    /** Folds pure ops whose operands are constants (temps defined once, by a CONST). */
    static void foldConstants(IrBlock b) {
        int nt = b.temps.size();
        int[] defs = new int[nt];
        for (Inst i : b.ops) if (i.dst >= 0) defs[i.dst]++;
        boolean[] isConst = new boolean[nt];
        long[] val = new long[nt];
        for (Inst i : b.ops) {
            if (i.isNop()) continue;
            if (i.op == Op.MOV && i.dst >= 0 && isConst[i.a] && defs[i.dst] == 1) i.makeConst(val[i.a]);
            else if (foldable(i.op) && i.dst >= 0 && defs[i.dst] == 1 && allConst(i, isConst) && !traps(i, val)) {
                i.makeConst(Interpreter.compute(i.op, i.type, i, val));
            } else if (i.op == Op.BRC && isConst[i.a] && val[i.a] == 0) {
                // A never-taken branch goes. An always-taken one stays a BRC: turning it into a BR
                // would leave the ops up to the next label unreachable, which the verifier rejects.
                i.makeNop();
            }
            if (i.op == Op.CONST && i.dst >= 0 && defs[i.dst] == 1) {
                isConst[i.dst] = true;
                val[i.dst] = i.imm;
            }
        }
    }

    private static boolean foldable(Op op) {
        return switch (op) {
            case ADD, SUB, MUL, AND, OR, XOR, SHL, SHR, SAR, ROL, ROR, MULHU, MULHS, DIVU, DIVS, REMU, REMS,
                 NEG, NOT, CLZ, CTZ, POPCNT, BSWAP, EXTU, EXTS, SETC, SELECT -> true;
            default -> false;
        };
    }

    private static boolean allConst(Inst i, boolean[] isConst) {
        for (int u : i.uses()) if (!isConst[u]) return false;
        return true;
    }

    private static boolean traps(Inst i, long[] val) {
        return (i.op == Op.DIVU || i.op == Op.DIVS || i.op == Op.REMU || i.op == Op.REMS) && val[i.b] == 0;
    }

    /**
     * Removes stores to state slots that are overwritten later in the same straight-line stretch with
     * no read of the slot and nothing that could observe state (memory access, helper, callback, trap,
     * exit, branch) between.
     */
    static void deadStateStores(IrBlock b) {
        List<Inst> ops = b.ops;
        BitSet overwritten = new BitSet(b.slots);
        for (int k = ops.size() - 1; k >= 0; k--) {
            Inst i = ops.get(k);
            if (i.isNop()) continue;
            switch (i.op) {
                case SETR -> {
                    if (overwritten.get((int) i.imm)) i.makeNop();
                    else overwritten.set((int) i.imm);
                }
                case GETR -> overwritten.clear((int) i.imm);
                case CONST, MOV, ADD, SUB, MUL, AND, OR, XOR, SHL, SHR, SAR, ROL, ROR, MULHU, MULHS, NEG, NOT,
                     CLZ, CTZ, POPCNT, BSWAP, EXTU, EXTS, SETC, SELECT, INSN, COUNT -> { }
                default -> overwritten.clear();
            }
        }
    }

    /** Removes pure ops whose result is never used, to a fixpoint. */
    static void deadCode(IrBlock b) {
        boolean changed = true;
        while (changed) {
            changed = false;
            int[] uses = new int[b.temps.size()];
            for (Inst i : b.ops) if (!i.isNop()) for (int u : i.uses()) uses[u]++;
            for (Inst i : b.ops) {
                if (i.isNop() || i.op.effect || i.dst < 0) continue;
                if (uses[i.dst] == 0) { i.makeNop(); changed = true; }
            }
        }
        b.ops.removeIf(Inst::isNop);
    }

    /** For tests: the number of ops of a given kind. */
    public static long count(IrBlock b, Op op) { return b.ops.stream().filter(i -> i.op == op).count(); }

}
