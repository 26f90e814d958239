package emulator.core.backend;

import emulator.core.exec.CompiledBlock;
import emulator.core.exec.MachineConfig;
import emulator.core.exec.MachineConfig.BackendKind;
import emulator.core.exec.TranslatedBlock;
import emulator.core.exec.Vcpu;
import emulator.core.ir.Helper;
import emulator.core.ir.IrBlock;
import emulator.core.ir.IrVerifier;
import emulator.core.ir.TraceIr;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Runs blocks: the IR interpreter, the JVM-bytecode compiler, and the tiering policy between them
 * (interpret a block until it has run {@code compileThreshold} times, then compile it).
 */
public final class Backend {
    private static final Logger LOG = Logger.getLogger(Backend.class.getName());

    private final BackendKind kind;
    private final int threshold;
    private final BytecodeCompiler compiler = new BytecodeCompiler(true); // its code runs in the execution loop
    private final AtomicLong compiled = new AtomicLong(), compileFailures = new AtomicLong();
    private final AtomicLong regions = new AtomicLong(), regionMembers = new AtomicLong(), shared = new AtomicLong(), traces = new AtomicLong();

    private Backend(BackendKind kind, int threshold) {
        this.kind = kind;
        this.threshold = threshold;
    }

    public static Backend create(MachineConfig c) { return new Backend(c.backend(), c.compileThreshold()); }

    public BackendKind kind() { return kind; }

    public long blocksCompiled() { return compiled.get(); }

    /** Blocks and regions that got code compiled earlier for equal IR (see {@link SharedCode}). */
    public long sharedCodeHits() { return shared.get(); }

    /** Regions installed (see {@code emulator.core.exec.Regions}). */
    public long regionsCompiled() { return regions.get(); }

    /** Region entry guards compiled in this JVM so far (see {@code PageGuards.atRegionEntry}), for tests. */
    public static long entryGuardsEmitted() { return PageGuards.ENTRY_GUARDS.get(); }

    /** Blocks in all regions installed. */
    public long regionMembers() { return regionMembers.get(); }

    /** Counts a region that was installed. */
    public void regionCompiled(int members) {
        regions.incrementAndGet();
        regionMembers.addAndGet(members);
    }

    /**
     * Compiles blocks into one region method (see {@link BytecodeCompiler#compile(java.util.List, long[][])});
     * throws {@link BytecodeCompiler.TooLargeException} when they do not fit.
     */
    public CompiledBlock compileRegion(List<IrBlock> blocks, long[][] indirect) {
        Object key = SharedCode.ENABLED ? SharedCode.key(blocks, indirect) : null;
        CompiledBlock c = key == null ? null : SharedCode.get(key);
        if (c == TOO_LARGE) throw new BytecodeCompiler.TooLargeException("region too large (known from an earlier try)");
        if (c != null) { shared.incrementAndGet(); return c; }
        try {
            c = compiler.compile(blocks, indirect);
        } catch (BytecodeCompiler.TooLargeException e) {
            // Region formation retries with fewer blocks; a re-run of the program would generate
            // the same too-large code again first (all of ASM's work, thrown away) if not remembered.
            if (key != null) SharedCode.put(key, TOO_LARGE);
            throw e;
        }
        if (key != null) {
            SharedCode.put(key, c);
            long[] pcs = blocks.stream().mapToLong(b -> b.pc).toArray();
            SharedCode.rememberPlan(blocks.get(0), new RegionPlan(pcs, indirect, false));
        }
        return c;
    }

    /**
     * Compiles a trace: blocks that run one after another, joined into one ({@link TraceIr#join});
     * {@code mustLeave} is the helper its joins ask before going on after a block that may write
     * memory. Throws {@link BytecodeCompiler.TooLargeException} when they do not fit.
     */
    public CompiledBlock compileTrace(List<IrBlock> path, Helper mustLeave) {
        Object key = SharedCode.ENABLED ? SharedCode.traceKey(path) : null;
        CompiledBlock c = key == null ? null : SharedCode.get(key);
        if (c == TOO_LARGE) throw new BytecodeCompiler.TooLargeException("trace too large (known from an earlier try)");
        if (c != null) { shared.incrementAndGet(); return c; }
        IrBlock joined = TraceIr.join(path, mustLeave);
        IrVerifier.verify(joined);
        try {
            c = compiler.compileTrace(joined);
        } catch (BytecodeCompiler.TooLargeException e) {
            if (key != null) SharedCode.put(key, TOO_LARGE);
            throw e;
        }
        if (key != null) {
            SharedCode.put(key, c);
            SharedCode.rememberPlan(path.get(0), new RegionPlan(path.stream().mapToLong(b -> b.pc).toArray(), new long[path.size()][], true));
        }
        return c;
    }

    /** Traces installed (see {@link #compileTrace}). */
    public long tracesCompiled() { return traces.get(); }

    /** Counts a trace that was installed. */
    public void traceInstalled() { traces.incrementAndGet(); }

    /**
     * Which blocks a region was made of: the pcs of its members (the entry first) and the candidates
     * of their register-indirect exits, as passed to {@link #compileRegion}; or, when {@code trace},
     * the blocks of a trace in path order ({@link #compileTrace}).
     */
    public record RegionPlan(long[] members, long[][] indirect, boolean trace) {
        /** The decision that nothing starts at this entry (nothing loops back to it or no loop fits, and no trace either). */
        public static final RegionPlan NONE = new RegionPlan(new long[0], new long[0][], false);
    }

    /** The plan of the region last compiled from an entry with this IR (in this or another run), or null. */
    public RegionPlan regionPlan(IrBlock entry) { return SharedCode.ENABLED ? SharedCode.plan(entry) : null; }

    /** Remembers that region formation at an entry with this IR found nothing worth compiling. */
    public void rememberNoRegion(IrBlock entry) { if (SharedCode.ENABLED) SharedCode.rememberPlan(entry, RegionPlan.NONE); }

    /** In {@link SharedCode}: the region or trace with this key did not fit in one method. */
    private static final CompiledBlock TOO_LARGE = new CompiledBlock() {
        @Override public long exec(Vcpu cpu) { throw new IllegalStateException("not code: a marker"); }
    };

    /** Compilations that failed for size (each is split, or stays interpreted if it is one instruction). */
    public long compileFailures() { return compileFailures.get(); }

    /** Code for a block's first run: compiled for the COMPILED backend, otherwise null (interpret). */
    public CompiledBlock initial(IrBlock b) {
        if (kind == BackendKind.COMPILED) return compile(b);
        if (kind == BackendKind.TIERED && SharedCode.ENABLED) {
            Object key = SharedCode.key(b);
            CompiledBlock c = key == null ? null : SharedCode.get(key); // compiled before: no need to warm up again
            if (c != null) shared.incrementAndGet();
            return c;
        }
        return null;
    }

    /** Called on each interpreted run; returns the code to use from now on, or null to keep interpreting. */
    public CompiledBlock prepare(TranslatedBlock b, int runs) {
        // runs counts this run too: the first `threshold` runs are interpreted. A block that loops
        // inside itself is compiled at once (decided on its first run, the only one that asks): one
        // run of it (a REP STOS clearing a table) can be thousands of guest instructions, ~50 times
        // slower interpreted.
        if (kind == BackendKind.TIERED && (runs > threshold || runs == 1 && b.ir.loopsInside())) return compile(b.ir);
        return null;
    }

    public long interpret(IrBlock b, Vcpu cpu) { return Interpreter.run(b, cpu); }

    public boolean isCompiled(CompiledBlock c) { return !(c instanceof Interpreted) && !(c instanceof TooLarge); }

    private CompiledBlock compile(IrBlock b) {
        try {
            Object key = SharedCode.ENABLED ? SharedCode.key(b) : null;
            CompiledBlock c = key == null ? null : SharedCode.get(key);
            if (c != null) { shared.incrementAndGet(); return c; }
            c = compiler.compile(b);
            compiled.incrementAndGet();
            if (key != null) SharedCode.put(key, c);
            return c;
        } catch (BytecodeCompiler.TooLargeException e) {
            // Too big for one JVM method: the translator splits it (re-translates it with half the
            // instructions); a single instruction that is still too big stays interpreted.
            compileFailures.incrementAndGet();
            LOG.fine(() -> "block 0x" + Long.toHexString(b.pc) + " too large for one JVM method");
            return b.insnCount() > 1 ? new TooLarge(b) : new Interpreted(b);
        }
    }

    /** Whether {@code c} says its block must be split before it can be compiled. */
    public static boolean mustSplit(CompiledBlock c) { return c instanceof TooLarge; }

    /** Marks a block too large to compile; runs interpreted until the split version replaces it. */
    private static final class TooLarge extends CompiledBlock {
        private final IrBlock b;
        TooLarge(IrBlock b) { this.b = b; }
        @Override public long exec(Vcpu cpu) { return Interpreter.run(b, cpu); }
    }

    /** A block that stays interpreted. */
    private static final class Interpreted extends CompiledBlock {
        private final IrBlock b;
        Interpreted(IrBlock b) { this.b = b; }
        @Override public long exec(Vcpu cpu) { return Interpreter.run(b, cpu); }
    }
}
