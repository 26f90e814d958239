package emulator.core.ir;

import java.util.ArrayList;
import java.util.List;

/**
 * A translated guest block in IR form: the ops, the type of each temp, and the guest instructions
 * it covers (their pcs, by the index an {@link Op#INSN} marker carries).
 */
public final class IrBlock {
    public final long pc;
    public final List<Inst> ops = new ArrayList<>();
    public final List<Type> temps = new ArrayList<>();
    public long[] insnPcs = new long[0];
    /** Descriptions of the instructions for plugins (may be empty for hand-built IR). */
    public List<emulator.api.instrument.InsnInfo> insns = List.of();
    public int labels;
    /** Number of state slots of the target (slot numbers are below this). */
    public final int slots;
    /**
     * Whether this block's guest addresses are expected below 4 GiB: the backend then reaches memory
     * through the TLB's untagged entries for those pages (see {@link emulator.core.mem.Tlb}). Set by
     * the front end when it masks every address to 32 bits (a 32-bit guest), and by the
     * {@link emulator.core.exec.Translator} while the block's address space has nothing mapped above
     * 4 GiB. Only a hint for speed: an address above 4 GiB is still served, by the tagged entries.
     */
    public boolean lowAddresses;
    /**
     * Whether the block's instrumentation, if any, is only counts of its instructions (each added as
     * the instruction starts, {@code BlockEditor.countInsn}). Such a count may wait until the
     * instruction has done something, so the backend still leaves an instruction whose access missed
     * the TLB to a restart (which would otherwise count it twice). Callbacks, block-entry counts and
     * counts at exits rule restarts out.
     */
    public boolean countsOnlyInsns;

    public IrBlock(long pc, int slots) { this.pc = pc; this.slots = slots; }

    public int insnCount() { return insnPcs.length; }

    private int[] labelPos;

    /** Op index of each label (computed once the block is final). */
    public int[] labelPositions() {
        int[] lp = labelPos;
        if (lp == null) {
            lp = new int[labels];
            for (int k = 0; k < ops.size(); k++) if (ops.get(k).op == Op.LABEL) lp[(int) ops.get(k).imm] = k;
            labelPos = lp;
        }
        return lp;
    }

    public Type type(int temp) { return temps.get(temp); }

    /**
     * Whether a branch goes back to an earlier label: the block loops inside itself (an x86 REP
     * string instruction), so one run of it may execute any number of guest instructions.
     */
    public boolean loopsInside() {
        int[] lp = labelPositions();
        for (int k = 0; k < ops.size(); k++) {
            Inst i = ops.get(k);
            if ((i.op == Op.BR || i.op == Op.BRC) && lp[(int) i.imm] < k) return true;
        }
        return false;
    }

    /**
     * The values of its CONST ops, read as guest addresses (a 32-bit constant unsigned): where a
     * block writes code addresses, as the return address a call pushes or puts in a link register.
     */
    public long[] constantAddresses() {
        // a plain loop: region formation asks this of every member it tries, on the guest's thread,
        // in code the JIT policy keeps out of C2 (a stream pipeline there cost 25 ms of a first gzip run)
        long[] out = new long[8];
        int n = 0;
        next:
        for (Inst i : ops) {
            if (i.op != Op.CONST) continue;
            long v = i.type == Type.I32 ? i.imm & 0xFFFFFFFFL : i.imm;
            for (int k = 0; k < n; k++) if (out[k] == v) continue next;
            if (n == out.length) out = java.util.Arrays.copyOf(out, 2 * n);
            out[n++] = v;
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** Whether the block has plugin callbacks or inline counters in it. */
    public boolean instrumented() {
        for (Inst i : ops) {
            switch (i.op) {
                case CB_BLOCK, CB_INSN, CB_MEM, COUNT -> { return true; }
                default -> { }
            }
        }
        return false;
    }

    /** Whether the backend may leave this block's instructions to restarts: it has no instrumentation, or only {@link #countsOnlyInsns}. */
    public boolean restartable() { return countsOnlyInsns || !instrumented(); }

    /** Whether the block stores to guest memory, or calls out (a helper or a plugin may write it). */
    public boolean mayWrite() {
        for (Inst i : ops) {
            switch (i.op) {
                case STORE, CB_BLOCK, CB_INSN, CB_MEM -> { return true; }
                case CALL -> { if (!((Helper) i.aux).isPure()) return true; }
                default -> { }
            }
        }
        return false;
    }

    @Override public String toString() { return IrPrinter.format(this); }
}
