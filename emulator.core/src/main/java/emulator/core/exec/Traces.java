package emulator.core.exec;

import emulator.core.ir.Helper;
import emulator.core.ir.TraceIr;
import java.util.ArrayList;
import java.util.List;

/**
 * Trace formation: where no region fits (nothing loops back to the entry, or the loop is too large
 * for one method, as gzip's deflate loop with its calls), the path the entry's runs took on from it
 * is joined into one block ({@link TraceIr}) and compiled as the entry's code. The blocks of the path
 * then cost one dispatch of the execution loop instead of one each; an exit off the path returns to
 * the loop as before. The path follows each block's successor as the loop saw it: the only one, or,
 * where a branch went both ways, the one that ran at least twice as often (a block's heat); it stops
 * at a branch without such a favourite, at a region's entry (the loop enters the region there), at
 * a block it already holds (a loop: a region's job), and at {@link #MAX_BLOCKS} or {@link #MAX_OPS};
 * a path too large for {@code BytecodeCompiler.MAX_TRACE_CODE} is halved until it fits. Formed at
 * {@link #THRESHOLD} runs of the entry, later than a region: fewer, hotter traces for the JIT.
 *
 * <p>{@code -Dabiscope.traces=false} turns traces off.
 */
final class Traces {
    static final boolean ENABLED = !"false".equals(System.getProperty("abiscope.traces"));
    static final int MAX_BLOCKS = 16;
    /** Heat (runs of the entry from the loop) at which a trace is formed where no region was. */
    static final int THRESHOLD = Integer.getInteger("abiscope.traceThreshold", 5 * Regions.THRESHOLD);
    /** IR ops at most, a cheap bound before the bytecode size is known. */
    private static final int MAX_OPS = 1_500;

    /** What a trace asks before going on after a block that may write memory: leave if the vCPU must come to a safe point. */
    static final Helper MUST_LEAVE = new Helper("traceMustLeave", (cpu, a, b, c, d) -> cpu.exitRequest ? 1 : 0, 0, true, 0);

    private Traces() {}

    /**
     * The path from {@code entry}, at least two blocks, or null. Nothing is formed while the machine
     * watches for breakpoints or an instruction limit: the loop checks those before each block, and a
     * trace would run past them (setting either flushes the code).
     */
    static List<TranslatedBlock> path(TranslatedBlock entry, Machine machine) {
        if (!ENABLED || machine.watchesStops()) return null;
        List<TranslatedBlock> path = new ArrayList<>(List.of(entry));
        int ops = entry.ir.ops.size();
        for (TranslatedBlock t = entry; path.size() < MAX_BLOCKS; ) {
            TranslatedBlock n = favourite(t);
            if (n == null || !n.valid || n.mode != entry.mode || !n.isCompiled() || n.regionEntry || path.contains(n)
                    || ops + n.ir.ops.size() > MAX_OPS || !joins(entry, t, n)) break;
            ops += n.ir.ops.size();
            path.add(n);
            t = n;
        }
        return path.size() > 1 ? path : null;
    }

    /**
     * Whether {@code n} can follow {@code t} in a trace from {@code entry}: {@code t} goes on to it
     * ({@link TraceIr#continuation}), and both are instrumented or neither is. A callback or counter
     * in one member makes the whole method take every memory access's slow path in place (no
     * restarts): a system call's block, with the syscall tracer's callback, must not slow the path
     * into it. Asked for a path found now and for one remembered from before (whose blocks' code may
     * have changed since).
     */
    static boolean joins(TranslatedBlock entry, TranslatedBlock t, TranslatedBlock n) {
        return n.ir.instrumented() == entry.ir.instrumented() && TraceIr.continuation(t.ir, n.pc) >= 0;
    }

    /** The successor the loop saw {@code t} go to: the only one, or one that ran at least twice as often as the other. */
    private static TranslatedBlock favourite(TranslatedBlock t) {
        TranslatedBlock a = t.next0, b = t.next1;
        if (a == null) return b;
        if (b == null) return a;
        if (a.hotness() >= 2 * b.hotness()) return a;
        return b.hotness() >= 2 * a.hotness() ? b : null;
    }
}
