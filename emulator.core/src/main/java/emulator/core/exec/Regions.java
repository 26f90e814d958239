package emulator.core.exec;

import emulator.core.backend.Backend;
import emulator.core.backend.BytecodeCompiler;
import emulator.core.ir.Inst;
import emulator.core.ir.IrBlock;
import emulator.core.ir.Op;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * Region formation: once a compiled block has run {@link #THRESHOLD} times from the execution loop,
 * it and the warm blocks reachable from it (through constant exits, and through the targets its
 * register-indirect exits last went to) are compiled into one JVM method that starts with it. Inside
 * the method a jump between members costs a compare or two instead of a return to the loop, a
 * successor lookup and a megamorphic call; and the guest registers stay in JVM locals, so a guest
 * loop becomes one JVM loop for the JIT. The entry block's code is replaced by the region's; the
 * other members stay in the cache as they were (a region is entered only at its entry).
 *
 * <p>Where no region fits, the entry may become the head of a trace instead ({@link Traces}), later.
 *
 * <p>{@code -Dabiscope.regions=false} turns regions off (and traces with them);
 * {@code -Dabiscope.regionThreshold=N} sets the heat.
 */
final class Regions {
    private static final Logger LOG = Logger.getLogger(Regions.class.getName());
    static final boolean ENABLED = !"false".equals(System.getProperty("abiscope.regions"));
    static final int THRESHOLD = Integer.getInteger("abiscope.regionThreshold", 200);
    /** Heat at which a block that is already a member of a region becomes the entry of one. */
    static final int MEMBER_THRESHOLD = 10 * THRESHOLD;
    /** Members at most (a region too large for the JIT is retried with fewer). */
    private static final int MAX_BLOCKS = 64;
    /** IR ops at most, a cheap first bound before the bytecode size is known. */
    private static final int MAX_OPS = 4_000;

    /** The first try of a block whose code formed a region before (see {@link #firstTry}). */
    private static final int EARLY_TRY = 2;

    private Regions() {}

    /**
     * The heat at which to try a region from a block that just got its code: {@link #THRESHOLD}, or
     * {@link #EARLY_TRY} when a region was formed from the same code before (an earlier run of the
     * program, another process running it). That region's code is compiled already, and waiting
     * for the heat ran its entry on its own code meanwhile, code the JIT had never compiled (the
     * region ran instead): in the bench's second run of gzip, C1 compiled dozens of such blocks.
     * The early try installs the region once every member has run here, and tries again at twice
     * the heat until {@link #THRESHOLD} otherwise.
     */
    static int firstTry(TranslatedBlock b) {
        if (!ENABLED) return THRESHOLD;
        Backend.RegionPlan plan = b.backend().regionPlan(b.ir);
        return plan != null && plan != Backend.RegionPlan.NONE ? EARLY_TRY : THRESHOLD;
    }

    /**
     * Compiles and installs a region entered at {@code entry}; returns its code, or null if none was
     * made. Called on each run from the loop once the block is hot; sets {@code entry.regionDone}
     * when the decision is final.
     */
    static CompiledBlock form(TranslatedBlock entry, Vcpu cpu) {
        // A member of a region runs inside it when the loop is entered at the region's head; a
        // member that is still entered from the execution loop this often is the head of a loop of
        // its own (or entered from outside): then it gets a region too.
        if (entry.inRegion && entry.hotness() < MEMBER_THRESHOLD) return null;
        CodeCache cache = cpu.cache;
        Machine machine = cpu.machine;
        long epoch = machine.epoch();
        // Decided before for this code (in an earlier run of the program, or by another process
        // running it): decide the same, without collecting and compiling again.
        Backend.RegionPlan plan = ENABLED && entry.isCompiled() ? entry.backend().regionPlan(entry.ir) : null;
        List<TranslatedBlock> fromPlan = plan == null || plan == Backend.RegionPlan.NONE ? null : planned(entry, plan, cpu);
        // An early try (firstTry) makes only the plan's region, once all its members have run here:
        // else it tries again at twice the heat, or, the plan gone, waits for the heat as new code does.
        boolean early = entry.hotness() < THRESHOLD;
        if (early && fromPlan == null) {
            entry.regionTry = plan == null || plan == Backend.RegionPlan.NONE ? THRESHOLD : Math.min(THRESHOLD, 2 * entry.hotness());
            return null;
        }
        entry.regionDone = true;
        if (!ENABLED || !entry.isCompiled() || plan == Backend.RegionPlan.NONE) return null;
        if (fromPlan != null) {
            CompiledBlock code = null;
            try {
                code = plan.trace() ? compileTrace(fromPlan, machine) : compile(fromPlan, plan.indirect());
            } catch (BytecodeCompiler.TooLargeException e) {
                // members' code changed since and grew
            }
            if (code != null) return install(entry, fromPlan, code, cache, machine, epoch, plan.trace());
            // The plan cannot be followed now: choose afresh below, or (early) at the usual heat.
            if (early) {
                entry.regionDone = false;
                entry.regionTry = THRESHOLD;
                return null;
            }
        }
        if (entry.traceNext) return trace(entry, cache, machine, epoch);
        List<TranslatedBlock> reachable = collect(entry, cache);
        for (int n = reachable.size(); n > 0; n /= 2) {
            // The first n in breadth-first order, then only what loops back to the entry within them.
            // (Regions of the first n alone where no loop fits — deflate's main loop with its calls —
            // halved gzip's dispatches but cost more JIT time than they saved within a bench run. So
            // did, on 2026-11-21, regions of a too-large loop's first blocks: one dispatch per 36
            // guest instructions instead of 12.7, but amd64 gzip's later runs 706/769 -> 647/689 MIPS.)
            List<TranslatedBlock> part = loops(entry, reachable.subList(0, n));
            if (part.size() == 1 && !exitsTo(entry, entry.pc)) break; // nothing to jump to
            CompiledBlock code;
            try {
                code = compile(part, indirectCandidates(part));
            } catch (BytecodeCompiler.TooLargeException e) {
                LOG.fine(() -> "region at 0x" + Long.toHexString(entry.pc) + " of " + part.size() + " blocks too large: " + e.getMessage());
                continue;
            }
            return install(entry, part, code, cache, machine, epoch, false);
        }
        if (Traces.ENABLED && entry.hotness() < Traces.THRESHOLD) {
            // no region: try a trace once the entry is as hot as a trace must be
            entry.regionDone = false;
            entry.traceNext = true;
            entry.regionTry = Traces.THRESHOLD;
            return null;
        }
        return trace(entry, cache, machine, epoch);
    }

    /** Compiles and installs a trace from {@code entry} (see {@link Traces}), or decides that none starts there. */
    private static CompiledBlock trace(TranslatedBlock entry, CodeCache cache, Machine machine, long epoch) {
        entry.regionDone = true;
        List<TranslatedBlock> path = Traces.path(entry, machine);
        for (int n = path == null ? 0 : path.size(); n > 1; n /= 2) {
            List<TranslatedBlock> part = path.subList(0, n);
            CompiledBlock code;
            try {
                code = compileTrace(part, machine);
            } catch (BytecodeCompiler.TooLargeException e) {
                continue;
            }
            if (code != null) return install(entry, part, code, cache, machine, epoch, true);
        }
        entry.backend().rememberNoRegion(entry.ir);
        return null;
    }

    /**
     * A trace's code, or null while traces are off or the machine watches for stops (see
     * {@link Traces#path}), or when the blocks no longer join (a remembered plan, code changed since).
     */
    private static CompiledBlock compileTrace(List<TranslatedBlock> path, Machine machine) {
        if (!Traces.ENABLED || machine.watchesStops()) return null;
        for (int k = 0; k + 1 < path.size(); k++) if (!Traces.joins(path.get(0), path.get(k), path.get(k + 1))) return null;
        List<IrBlock> irs = new ArrayList<>(path.size());
        for (TranslatedBlock t : path) irs.add(t.ir);
        return path.get(0).backend().compileTrace(irs, Traces.MUST_LEAVE);
    }

    /** Makes {@code code} the entry's, unless something it was made from changed meanwhile (a code write, a flush). */
    private static CompiledBlock install(TranslatedBlock entry, List<TranslatedBlock> part, CompiledBlock code,
                                         CodeCache cache, Machine machine, long epoch, boolean trace) {
        TreeSet<Long> pages = new TreeSet<>();
        for (TranslatedBlock t : part) for (long p : t.pages) pages.add(p);
        cache.track(entry, pages.stream().mapToLong(Long::longValue).toArray());
        for (TranslatedBlock t : part) if (!t.valid) return null;
        if (machine.epoch() != epoch || !entry.valid) return null;
        if (trace) entry.backend().traceInstalled();
        else entry.backend().regionCompiled(part.size());
        for (TranslatedBlock t : part) t.inRegion = true;
        entry.regionEntry = true;
        entry.setCode(code);
        return code;
    }

    /**
     * The blocks of a region formed from this entry before (see {@link Backend#regionPlan}), or null
     * if one of them has not run here yet (nothing is translated ahead: the code at a planned pc may
     * be another program's). Blocks whose IR differs from then still make a correct region (its code
     * is compiled anew), only one the profile did not choose.
     */
    private static List<TranslatedBlock> planned(TranslatedBlock entry, Backend.RegionPlan plan, Vcpu cpu) {
        List<TranslatedBlock> part = new ArrayList<>(plan.members().length);
        part.add(entry);
        for (int k = 1; k < plan.members().length; k++) {
            TranslatedBlock t = cpu.cache.get(plan.members()[k], entry.mode);
            if (t == null || !t.valid) return null;
            part.add(t);
        }
        return part;
    }

    private static CompiledBlock compile(List<TranslatedBlock> part, long[][] indirect) {
        List<IrBlock> irs = new ArrayList<>(part.size());
        for (TranslatedBlock t : part) irs.add(t.ir);
        return part.get(0).backend().compileRegion(irs, indirect);
    }

    /** For each member with a register-indirect exit, the targets it last went to (else null). */
    private static long[][] indirectCandidates(List<TranslatedBlock> part) {
        long[][] indirect = new long[part.size()][];
        for (int k = 0; k < part.size(); k++)
            if (hasIndirectExit(part.get(k).ir)) indirect[k] = dynamicSuccessors(part.get(k));
        return indirect;
    }

    /** Breadth first from the entry over warm successors of the same mode, within the size bounds. */
    private static List<TranslatedBlock> collect(TranslatedBlock entry, CodeCache cache) {
        Map<Long, TranslatedBlock> members = new LinkedHashMap<>();
        members.put(entry.pc, entry);
        List<TranslatedBlock> queue = new ArrayList<>(List.of(entry));
        int ops = entry.ir.ops.size();
        for (int q = 0; q < queue.size() && members.size() < MAX_BLOCKS; q++) {
            TranslatedBlock t = queue.get(q);
            List<Long> next = successors(t);
            // Blocks at pcs t writes as constants: return addresses of its calls (a return in the
            // region may go there; the code generator makes each such member a return target).
            for (long v : t.ir.constantAddresses()) if (!next.contains(v) && cache.get(v, entry.mode) != null) next.add(v);
            for (long s : next) {
                if (members.containsKey(s) || members.size() >= MAX_BLOCKS) continue;
                TranslatedBlock m = cache.get(s, entry.mode);
                if (m == null || !m.valid || !warm(m) || ops + m.ir.ops.size() > MAX_OPS) continue;
                ops += m.ir.ops.size();
                members.put(s, m);
                queue.add(m);
            }
        }
        return new ArrayList<>(members.values());
    }

    /**
     * The blocks of {@code candidates} from which the entry can be reached again inside them (with
     * the entry first, in the same order): the loops through the entry. Paths that leave (a loop's
     * exit, an error branch) are left to the loop; they would make the method bigger, and the JIT's
     * work with it, for code that runs once per loop.
     */
    private static List<TranslatedBlock> loops(TranslatedBlock entry, List<TranslatedBlock> candidates) {
        // Backwards from the entry over the candidates' edges: each block's successors are read
        // once (a fixpoint over all candidates read them again every round, for every halving of a
        // region too large: 27 ms of a first gzip run, on the guest's thread).
        Map<Long, List<TranslatedBlock>> predecessors = new java.util.HashMap<>();
        for (TranslatedBlock t : candidates)
            for (long s : successors(t)) predecessors.computeIfAbsent(s, x -> new ArrayList<>()).add(t);
        java.util.Set<Long> in = new java.util.HashSet<>(List.of(entry.pc));
        java.util.ArrayDeque<Long> work = new java.util.ArrayDeque<>(List.of(entry.pc));
        while (!work.isEmpty()) {
            for (TranslatedBlock p : predecessors.getOrDefault(work.poll(), List.of()))
                if (in.add(p.pc)) work.add(p.pc);
        }
        List<TranslatedBlock> out = new ArrayList<>();
        for (TranslatedBlock t : candidates) if (in.contains(t.pc)) out.add(t);
        return out;
    }

    /** Compiled, and run at least once since (under the tiered backend: run more than the compile threshold). */
    private static boolean warm(TranslatedBlock t) {
        return t.isCompiled() && (t.hotness() > 0 || t.regionDone);
    }

    private static List<Long> successors(TranslatedBlock t) {
        List<Long> out = new ArrayList<>();
        for (Inst i : t.ir.ops) if (i.op == Op.EXIT && i.aux == null && !out.contains(i.imm)) out.add(i.imm);
        for (long d : dynamicSuccessors(t)) if (!out.contains(d)) out.add(d);
        return out;
    }

    private static long[] dynamicSuccessors(TranslatedBlock t) {
        TranslatedBlock a = t.next0, b = t.next1;
        if (a != null && b != null) return new long[] {a.pc, b.pc};
        if (a != null) return new long[] {a.pc};
        return b != null ? new long[] {b.pc} : new long[0];
    }

    private static boolean hasIndirectExit(IrBlock b) {
        for (Inst i : b.ops) if (i.op == Op.EXITR && i.aux == null) return true;
        return false;
    }

    private static boolean exitsTo(TranslatedBlock t, long pc) { return successors(t).contains(pc); }
}
