package emulator.core.exec;

/**
 * Block chaining: one per exit of a compiled block to a constant guest pc. Generated code asks it for
 * the successor's code and calls that directly, so a hot path runs from block to block without
 * returning to the execution loop (and each exit's call has its own, usually monomorphic, call site
 * that the JIT and the branch predictor learn). It remembers the successor; the successor's
 * {@code valid} flag, the CPU mode and every per-block check of {@link Vcpu}'s loop (a safe point
 * asked for, breakpoints, the instruction limit) are tested before each chained call, and at most
 * {@link #MAX_CHAIN} blocks run before control goes back to the loop.
 */
public final class ExitLink {
    /** Blocks chained in a row before the loop runs again (bounds the JVM stack depth too). */
    public static final int MAX_CHAIN = 32;
    /**
     * Off unless {@code -Dabiscope.chain=true}: it moves the dispatch cost into the blocks (each
     * chained call a nested JVM call) and measured slower, warm code shared in both cases (SpeedProbe,
     * i386, warm runs: gzip 673 vs 654, bzip2 996 vs 729, md5sum 861 vs 678 MIPS without and with);
     * kept as the base of superblock work.
     */
    public static final boolean ENABLED = Boolean.getBoolean("abiscope.chain");

    private final long pc;
    /**
     * The successor last found, with the code cache (address space) it was found in: one object, so
     * that a link read by two vCPUs at once is never half of one space's answer and half of
     * another's. Compiled code is shared between address spaces and machines ({@code SharedCode}),
     * and with it this link: a vCPU of another space finds its own successor and re-links.
     */
    private Resolved resolved;

    private record Resolved(CodeCache cache, TranslatedBlock target) {}

    public ExitLink(long pc) { this.pc = pc; }

    /** The code to run next at this exit's pc, or null to return to the loop. */
    public CompiledBlock next(Vcpu cpu) {
        if (cpu.exitRequest || cpu.chained >= MAX_CHAIN) return null;
        Machine m = cpu.machine;
        if (m.anyBreakpoints || cpu.icount >= m.insnLimit) return null;
        CodeCache cache = cpu.cache;
        Resolved r = resolved;
        TranslatedBlock t;
        if (r != null && r.cache == cache && r.target.valid && r.target.mode == cpu.mode) {
            t = r.target;
        } else {
            t = cache == null ? null : cache.get(pc, cpu.mode);
            if (t == null || !t.valid) return null;
            resolved = new Resolved(cache, t);
        }
        CompiledBlock c = t.code();
        if (c != null) cpu.chained++;
        return c;
    }
}
