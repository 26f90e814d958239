package emulator.core.opt;

import emulator.core.backend.Interpreter;
import emulator.core.ir.Helper;
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
        unusedLabels(b);
        localValues(b);
        deadStateStores(b);
        deadCode(b);
        mergeCounts(b);
    }

    /**
     * Inline counters: the per-instruction adds of a straight-line stretch become one add, placed
     * before the next op that could observe the counter or leave the stretch (a memory access that
     * may fault, a helper, a callback, a branch, a label, an exit, a trap). Counts stay exact
     * wherever anything can look at them.
     *
     * <p>In a block that counts only its instructions ({@link IrBlock#countsOnlyInsns}) the backend
     * lets an instruction's own count wait past its restartable accesses, and a restart there must
     * find the instructions before it counted. So before a memory access the stretch's add is split:
     * the earlier instructions' counts go before the access's instruction starts, and only its own
     * stay with the access.
     */
    static void mergeCounts(IrBlock b) {
        java.util.List<Inst> out = new java.util.ArrayList<>(b.ops.size());
        // counts of the current instruction, and of the earlier ones of the stretch (countsOnlyInsns only)
        java.util.LinkedHashMap<Object, Long> own = new java.util.LinkedHashMap<>(), earlier = new java.util.LinkedHashMap<>();
        int insnAt = -1; // where the current instruction's INSN op is in out
        for (Inst i : b.ops) {
            if (i.op == Op.COUNT) {
                own.merge(i.aux, i.imm, Long::sum);
                continue;
            }
            boolean quiet = switch (i.op) {
                case CONST, MOV, GETR, SETR, ADD, SUB, MUL, AND, OR, XOR, SHL, SHR, SAR, ROL, ROR, MULHU, MULHS,
                     NEG, NOT, CLZ, CTZ, POPCNT, BSWAP, EXTU, EXTS, SETC, SELECT, INSN -> true;
                default -> false;
            };
            if (i.op == Op.INSN && b.countsOnlyInsns) {
                own.forEach((c, n) -> earlier.merge(c, n, Long::sum));
                own.clear();
                insnAt = out.size();
            }
            if (!quiet) {
                if (b.countsOnlyInsns && (i.op == Op.LOAD || i.op == Op.STORE) && insnAt >= 0 && !earlier.isEmpty()) {
                    out.addAll(insnAt, counts(earlier));
                    earlier.clear();
                }
                earlier.forEach((c, n) -> own.merge(c, n, Long::sum));
                earlier.clear();
                out.addAll(counts(own));
                own.clear();
            }
            out.add(i);
        }
        if (!own.isEmpty() || !earlier.isEmpty()) throw new IllegalStateException("counter adds after the block's last exit");
        b.ops.clear();
        b.ops.addAll(out);
    }

    private static java.util.List<Inst> counts(java.util.Map<Object, Long> amounts) {
        java.util.List<Inst> l = new java.util.ArrayList<>(amounts.size());
        for (var e : amounts.entrySet()) {
            Inst c = new Inst(Op.COUNT, Type.I64);
            c.aux = e.getKey();
            c.imm = e.getValue();
            l.add(c);
        }
        return l;
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

    /**
     * Local value numbering on each straight-line stretch (up to the next label): an op that
     * recomputes a value already in a temp, an identity ({@code x + 0}, {@code x & -1}, …), a
     * zero-extension that cannot change its operand, or a read of a state slot written earlier on
     * the stretch becomes a copy (or a narrowing), and the ops after it read the original temp.
     * Front ends for 32-bit guests in 64-bit state slots produce chains such as
     * {@code t9 = extu t8 #32; t10:i32 = extu t9 #32; t11:i64 = extu t10 #32} (t10 and t11 are t9),
     * and x86 reads back the register an instruction before wrote. The JIT would remove all of it,
     * but only after it was bytecode, and bytecode is what bounds a region's size and the JIT's time.
     *
     * <p>Only temps defined once are tracked, and a rename reaches only the stretch of the copy,
     * where the original cannot have been redefined; beyond it the copy stays. Slot values are
     * forgotten at helpers and callbacks (which may write registers).
     */
    static void localValues(IrBlock b) {
        int n = b.temps.size();
        int[] defs = new int[n];
        Inst[] def = new Inst[n];
        for (Inst i : b.ops) if (!i.isNop() && i.dst >= 0) { defs[i.dst]++; def[i.dst] = i; }
        int[] bits = new int[n];
        int[] alias = new int[n];
        for (int t = 0; t < n; t++) { bits[t] = b.type(t).bits; alias[t] = t; }
        int[] slotValue = new int[b.slots]; // the temp last stored to each slot on this stretch, or -1
        java.util.Arrays.fill(slotValue, -1);
        java.util.Map<ValueKey, Integer> known = new java.util.HashMap<>();
        for (Inst i : b.ops) {
            if (i.isNop()) continue;
            switch (i.op) {
                case LABEL -> {
                    for (int t = 0; t < n; t++) alias[t] = t;
                    java.util.Arrays.fill(slotValue, -1);
                    known.clear();
                    continue;
                }
                case CALL, CB_BLOCK, CB_INSN, CB_MEM -> { if (!pureCall(i)) java.util.Arrays.fill(slotValue, -1); }
                default -> { }
            }
            rename(i, alias);
            if (i.op == Op.SETR) {
                slotValue[(int) i.imm] = defs[i.a] == 1 ? i.a : -1;
                if (defs[i.a] == 1 && i.type == Type.I32) slotValue[(int) i.imm] = -2 - i.a; // holds zext(t)
                continue;
            }
            if (i.dst < 0 || defs[i.dst] != 1) continue;
            if (i.op == Op.GETR) forwardSlot(b, i, slotValue[(int) i.imm]);
            simplify(b, i, def, defs, bits);
            bits[i.dst] = Math.min(i.type.bits, significantBits(i, bits));
            if (i.op == Op.MOV) { alias[i.dst] = i.a; continue; }
            if (!pure(i.op) && !pureCall(i)) continue;
            ValueKey k = ValueKey.of(i, defs);
            if (k == null) continue;
            Integer earlier = known.putIfAbsent(k, i.dst);
            if (earlier != null) {
                i.op = Op.MOV; i.a = earlier; i.b = i.c = -1; i.imm = 0; i.aux = null; i.args = null;
                alias[i.dst] = earlier;
            }
        }
    }

    /**
     * A GETR of a slot written earlier on the stretch (with the temp in {@code v}; {@code -2 - t}
     * for an i32 temp t, which the slot holds zero-extended) becomes a copy or a conversion of it.
     */
    private static void forwardSlot(IrBlock b, Inst i, int v) {
        if (v == -1) return;
        boolean zext32 = v < -1;
        int t = zext32 ? -2 - v : v;
        Type from = b.type(t);
        if (from == i.type) { i.op = Op.MOV; i.a = t; i.imm = 0; return; }
        // i64 read of an i32 write: the zero-extension the slot holds; i32 read of an i64 write:
        // its low half
        i.op = Op.EXTU; i.a = t; i.imm = 32;
    }

    /** Rewrites {@code i} as a copy (MOV) when it cannot change its operand. */
    private static void simplify(IrBlock b, Inst i, Inst[] def, int[] defs, int[] bits) {
        int same = switch (i.op) {
            case EXTU -> sameValue(b, i, def, defs, bits);
            case ADD, OR, XOR -> isConst(i.b, def, defs, 0) ? i.a : isConst(i.a, def, defs, 0) ? i.b : -1;
            case SUB, SHL, SHR, SAR, ROL, ROR -> isConst(i.b, def, defs, 0) ? i.a : -1;
            case AND -> isConst(i.b, def, defs, -1) ? i.a : isConst(i.a, def, defs, -1) ? i.b : -1;
            case MUL -> isConst(i.b, def, defs, 1) ? i.a : isConst(i.a, def, defs, 1) ? i.b : -1;
            default -> -1;
        };
        if (same >= 0) { i.op = Op.MOV; i.a = same; i.b = i.c = -1; i.imm = 0; i.aux = null; }
    }

    /** Whether temp t is defined once, by a CONST of value v (in t's type). */
    private static boolean isConst(int t, Inst[] def, int[] defs, long v) {
        if (t < 0 || defs[t] != 1 || def[t].op != Op.CONST) return false;
        return def[t].type.canon(def[t].imm) == def[t].type.canon(v);
    }

    /** An op whose result is a function of its operands alone (no effect, not a read of state). */
    private static boolean pure(Op op) { return !op.effect && op != Op.MOV && op != Op.GETR; }

    /** A call of a {@link Helper#PURE} helper: removable when unused, and it observes no state. */
    static boolean pureCall(Inst i) { return i.op == Op.CALL && i.aux instanceof Helper h && h.isPure(); }

    /** What makes two pure ops compute the same value: op, type, operands (temps defined once) and immediates. */
    private record ValueKey(Op op, Type type, java.util.List<Integer> operands, long imm, Object aux) {
        static ValueKey of(Inst i, int[] defs) {
            int[] u = i.uses();
            java.util.List<Integer> ops = new java.util.ArrayList<>(u.length);
            for (int t : u) {
                if (defs[t] != 1) return null;
                ops.add(t);
            }
            return new ValueKey(i.op, i.type, ops, i.imm, i.aux);
        }
    }

    /** At most how many low bits of the single-definition result of {@code i} can be non-zero. */
    private static int significantBits(Inst i, int[] bits) {
        return switch (i.op) {
            case CONST -> 64 - Long.numberOfLeadingZeros(i.type == Type.I32 ? i.imm & 0xFFFFFFFFL : i.imm);
            case LOAD -> (i.imm & Op.SIGNED) == 0 ? 8 * (int) (i.imm & 0xF) : 64;
            case EXTU -> Math.min((int) i.imm, bits[i.a]);
            case AND -> Math.min(bits[i.a], bits[i.b]);
            case OR, XOR -> Math.max(bits[i.a], bits[i.b]);
            case MOV -> bits[i.a];
            case SETC -> 1;
            default -> 64;
        };
    }

    /**
     * A temp holding the same value as the extension {@code x}, or -1: its operand itself when it has
     * no bits to clear; through a narrowing and widening pair, the value before both.
     */
    private static int sameValue(IrBlock b, Inst x, Inst[] def, int[] defs, int[] bits) {
        int w = (int) x.imm;
        Type from = b.type(x.a);
        if (from == x.type) return bits[x.a] <= w ? x.a : -1;
        // x converts between i32 and i64; if its operand is itself an extension of a value y of
        // x's type that no width involved can cut, x is y.
        Inst d = defs[x.a] == 1 ? def[x.a] : null;
        if (d == null || d.op != Op.EXTU || b.type(d.a) != x.type || defs[d.a] != 1) return -1;
        return bits[d.a] <= Math.min(w, (int) d.imm) ? d.a : -1;
    }

    /** Renames the temps {@code i} reads (the operands {@link Inst#uses()} lists). */
    private static void rename(Inst i, int[] alias) {
        if (i.op == Op.CALL) {
            for (int k = 0; k < i.args.length; k++) i.args[k] = alias[i.args[k]];
            return;
        }
        int used = i.uses().length;
        if (used > 0) i.a = alias[i.a];
        if (used > 1) i.b = alias[i.b];
        if (used > 2) i.c = alias[i.c];
    }

    /**
     * Removes labels no branch goes to any more (their branches folded away, like the x86 front
     * end's "count is zero" test of a rotate by a constant), where code falls into them: a label
     * ends the straight-line stretch the other passes work on, so one left standing kept a dead
     * flags computation alive in every rotate of SHA-256.
     */
    static void unusedLabels(IrBlock b) {
        java.util.BitSet targeted = new java.util.BitSet();
        for (Inst i : b.ops) if (!i.isNop() && (i.op == Op.BR || i.op == Op.BRC)) targeted.set((int) i.imm);
        Inst prev = null;
        for (Inst i : b.ops) {
            if (i.isNop()) continue;
            if (i.op == Op.LABEL && !targeted.get((int) i.imm) && (prev == null || !prev.op.terminates())) {
                i.makeNop();
                continue;
            }
            prev = i;
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
                default -> { if (!pureCall(i)) overwritten.clear(); }
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
                if (i.isNop() || (i.op.effect && !pureCall(i)) || i.dst < 0) continue;
                if (uses[i.dst] == 0) { i.makeNop(); changed = true; }
            }
        }
        b.ops.removeIf(Inst::isNop);
    }

    /** For tests: the number of ops of a given kind. */
    public static long count(IrBlock b, Op op) { return b.ops.stream().filter(i -> i.op == op).count(); }

}
