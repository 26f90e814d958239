package emulator.core.spi;

import emulator.api.instrument.BlockInfo;
import emulator.api.instrument.InlineCounter;
import emulator.api.instrument.InsnInfo;
import emulator.api.instrument.MemAccessKind;
import emulator.core.ir.CallbackRef;
import emulator.core.ir.Inst;
import emulator.core.ir.IrBlock;
import emulator.core.ir.Op;
import emulator.core.ir.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * A block being instrumented: what a hook sees ({@link BlockInfo}) plus the insertion points. The
 * insertions are applied to the IR after the hooks ran, before optimisation.
 */
public final class BlockEditor implements BlockInfo {
    private final IrBlock ir;
    private final long asid;
    private final String arch;
    private final List<CallbackRef> blockCbs = new ArrayList<>();
    private final List<List<CallbackRef>> before, after;
    private final List<List<Object[]>> mem;       // {CallbackRef, MemAccessKind}
    private final List<InlineCounter> blockCounters = new ArrayList<>();
    private final List<InlineCounter> entryCounters = new ArrayList<>();
    private final List<List<InlineCounter>> insnCounters;

    public BlockEditor(IrBlock ir, long asid, String arch) {
        this.ir = ir; this.asid = asid; this.arch = arch;
        int n = ir.insnCount();
        before = lists(n); after = lists(n); mem = lists(n); insnCounters = lists(n);
    }

    private static <T> List<List<T>> lists(int n) {
        List<List<T>> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) l.add(new ArrayList<>(0));
        return l;
    }

    @Override public long pc() { return ir.pc; }
    @Override public long asid() { return asid; }
    @Override public String arch() { return arch; }
    @Override public List<InsnInfo> insns() { return ir.insns; }

    public void beforeBlock(CallbackRef cb) { blockCbs.add(cb); }
    public void beforeInsn(int insn, CallbackRef cb) { before.get(insn).add(cb); }
    public void afterInsn(int insn, CallbackRef cb) { after.get(insn).add(cb); }
    public void onMemory(int insn, CallbackRef cb, MemAccessKind kinds) { mem.get(insn).add(new Object[] {cb, kinds}); }
    public void countBlock(InlineCounter c) { blockCounters.add(c); }
    /** Adds 1 to {@code c} each time the block starts. */
    public void countBlockEntry(InlineCounter c) { entryCounters.add(c); }
    public void countInsn(int insn, InlineCounter c) { insnCounters.get(insn).add(c); }

    /** Whether any hook asked for anything. */
    public boolean isEmpty() {
        if (!blockCbs.isEmpty() || !blockCounters.isEmpty() || !entryCounters.isEmpty()) return false;
        for (int i = 0; i < ir.insnCount(); i++)
            if (!before.get(i).isEmpty() || !after.get(i).isEmpty() || !mem.get(i).isEmpty() || !insnCounters.get(i).isEmpty()) return false;
        return true;
    }

    /** Rewrites the IR with the requested callback and counter ops. */
    public void apply() {
        if (isEmpty()) return;
        List<Inst> out = new ArrayList<>(ir.ops.size() + 16);
        int cur = -1;
        boolean first = true;
        for (Inst i : ir.ops) {
            if (i.op == Op.INSN) {
                if (cur >= 0) emitAfter(out, cur);
                cur = (int) i.imm;
                out.add(i);
                if (first) {
                    first = false;
                    for (InlineCounter c : entryCounters) out.add(count(c, 1));
                    for (CallbackRef cb : blockCbs) out.add(cb(Op.CB_BLOCK, cb, ir.pc));
                }
                long pc = ir.insnPcs[cur];
                for (InlineCounter c : insnCounters.get(cur)) out.add(count(c, 1));
                for (CallbackRef cb : before.get(cur)) out.add(cb(Op.CB_INSN, cb, pc));
                continue;
            }
            if ((i.op == Op.EXIT || i.op == Op.EXITR) && cur >= 0) {
                emitAfter(out, cur);
                for (InlineCounter c : blockCounters) out.add(count(c, cur + 1));
            }
            out.add(i);
            if ((i.op == Op.LOAD || i.op == Op.STORE) && cur >= 0) {
                boolean write = i.op == Op.STORE;
                for (Object[] m : mem.get(cur)) {
                    if (!((MemAccessKind) m[1]).includes(write)) continue;
                    Inst c = new Inst(Op.CB_MEM, write ? i.type : i.type);
                    c.a = i.a;
                    c.b = write ? i.b : i.dst;
                    c.imm = (i.imm & 0xF) | (write ? Op.WRITE : 0);
                    c.aux = m[0];
                    out.add(c);
                }
            }
        }
        ir.ops.clear();
        ir.ops.addAll(out);
        ir.countsOnlyInsns = onlyInsnCounts();
    }

    /** Whether nothing but {@link #countInsn} was asked for (see {@link IrBlock#countsOnlyInsns}). */
    private boolean onlyInsnCounts() {
        if (!blockCbs.isEmpty() || !blockCounters.isEmpty() || !entryCounters.isEmpty()) return false;
        for (int i = 0; i < ir.insnCount(); i++)
            if (!before.get(i).isEmpty() || !after.get(i).isEmpty() || !mem.get(i).isEmpty()) return false;
        return true;
    }

    private void emitAfter(List<Inst> out, int insn) {
        long pc = ir.insnPcs[insn];
        for (CallbackRef cb : after.get(insn)) out.add(cb(Op.CB_INSN, cb, pc));
    }

    private static Inst cb(Op op, CallbackRef ref, long pc) {
        Inst c = new Inst(op, Type.I64);
        c.aux = ref; c.imm = pc;
        return c;
    }

    private static Inst count(InlineCounter c, long n) {
        Inst i = new Inst(Op.COUNT, Type.I64);
        i.aux = c; i.imm = n;
        return i;
    }
}
