package emulator.core.exec;

import emulator.core.backend.Backend;
import emulator.core.ir.IrBlock;

/**
 * A block in the cache: its IR, how to run it (interpreted until hot, then compiled), the guest
 * pages it came from, and links to the successors it last branched to, so that the execution loop
 * finds them without a hash lookup.
 */
public final class TranslatedBlock {
    public final long pc;
    public final int mode;
    public final IrBlock ir;
    public final long[] pages;
    private final Backend backend;
    private volatile CompiledBlock code;
    private int runs;
    /** Runs of the compiled code, counted until a region is formed from here (see {@link Regions}). */
    private int hot;
    /** The heat at which region formation is tried next (see {@link Regions#firstTry}). */
    int regionTry = Regions.THRESHOLD;
    /** A region's entry, or a block a region was tried from: no further attempts. */
    boolean regionDone;
    /** A member of some region or trace (see {@link Regions}). */
    boolean inRegion;
    /** No region starts here: the next try (at {@link Traces#THRESHOLD}) is for a trace. */
    boolean traceNext;
    /** Runs a region's or a trace's code (its own no more): a trace stops before it. */
    boolean regionEntry;
    volatile boolean valid = true;

    // Successor cache (block chaining): the last two distinct targets.
    TranslatedBlock next0, next1;

    TranslatedBlock(long pc, int mode, IrBlock ir, long[] pages, Backend backend, CompiledBlock initial) {
        this.pc = pc; this.mode = mode; this.ir = ir; this.pages = pages; this.backend = backend;
        this.code = initial;
        if (initial != null) regionTry = Regions.firstTry(this);
    }

    public int insnCount() { return ir.insnCount(); }

    public boolean isCompiled() { return code != null && backend.isCompiled(code); }

    public boolean isValid() { return valid; }

    /** Runs of the compiled code so far (a measure of heat for region formation). */
    int hotness() { return hot; }

    /** The block's code once it has it (after tier-up), else null. */
    CompiledBlock code() { return code; }

    Backend backend() { return backend; }

    /** Replaces the block's code by a region's that starts with it. */
    void setCode(CompiledBlock c) { code = c; }

    long exec(Vcpu cpu) {
        CompiledBlock c = code;
        if (c == null) {
            c = backend.prepare(this, ++runs);
            if (c == null) return backend.interpret(ir, cpu);
            if (Backend.mustSplit(c)) {
                valid = false;                      // the next lookup translates a shorter block
                cpu.machine.translator().split(this, cpu);
            }
            code = c;
            regionTry = Regions.firstTry(this);
        } else if (!regionDone && ++hot >= regionTry) {
            CompiledBlock r = Regions.form(this, cpu);
            if (r != null) c = r;
        }
        return c.exec(cpu);
    }

    /**
     * The cached successor at {@code nextPc}, or null. A hit writes nothing: a branch that goes
     * both ways in turn used to swap the two entries on every other run, and each reference store
     * costs a GC write barrier on the execution loop's hottest path.
     */
    TranslatedBlock successor(long nextPc, int m) {
        TranslatedBlock n = next0;
        if (n != null && n.pc == nextPc && n.mode == m && n.valid) return n;
        n = next1;
        if (n != null && n.pc == nextPc && n.mode == m && n.valid) return n;
        return null;
    }

    /** Records {@code n} after a miss: it becomes next0, the older entry next1. */
    void link(TranslatedBlock n) {
        if (next0 != n) { next1 = next0; next0 = n; }
    }
}
