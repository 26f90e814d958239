package emulator.core.backend;

import emulator.core.ir.Inst;
import emulator.core.ir.IrBlock;
import emulator.core.ir.Op;
import emulator.core.ir.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Page guards: one rights test for several flat-memory accesses of a block. Accesses whose addresses
 * are one value plus different constants ({@code [esp+0x10]}, {@code [esp+0x1c]}, a store to
 * {@code [esp+8]}) nearly always fall in one page. The first of them (the leader) tests, once,
 * that the whole range they span lies in one page below 4 GiB with the rights they need, which gives
 * the host address of the range's first byte (else 0); where it does, each of them reads or writes
 * at that address plus its constant distance into the range, without a test of its own (the
 * {@code G} methods of {@link emulator.core.mem.MemOps}); where it does not, each takes its usual
 * path, with its usual faults and restarts. A rights test is a load, a mask and a branch, an offset
 * test three more instructions: in i386 gzip, leaving out every test made the warm run a fifth
 * faster. A member's host address is the tested one plus less than a page, never its own guest
 * address unchecked: were a group planned wrong, its accesses would still stay inside the guest's
 * reservation.
 *
 * <p>An access joins a group only where the leader's test certainly covers it:
 * <ul>
 * <li>its address is, as the IR computes it, the same root plus a constant: a register read
 * ({@code GETR}, the same register with no {@code SETR} of it in between) or any other temp, then
 * {@code ADD}/{@code SUB} of constants, with the same wrap (the whole sum at 64 bits, or {@code EXTU
 * #32} of it); the leader's address plus the difference of the constants is then the member's;
 * <li>it comes after the leader in straight-line code: a label (where another path may come in
 * without passing the leader), a helper call or a callback (which may change mappings) ends every
 * group;
 * <li>the range of the group, from its least constant to its greatest plus that access's size, is
 * less than a page, so that the leader's two ends in one page put every member in that page.
 * </ul>
 * Rights change only at system calls (which end a block) or from other threads, between a test and
 * its access as before, now over a few instructions more.
 */
final class PageGuards {
    private PageGuards() {}

    /** {@code -Dabiscope.pageGuards=false} turns them off (every access tests its own page). */
    static final boolean ENABLED = !"false".equals(System.getProperty("abiscope.pageGuards"));
    /** Entry guards emitted so far in this JVM ({@link Backend#entryGuardsEmitted}: tests see that theirs formed). */
    static final java.util.concurrent.atomic.AtomicLong ENTRY_GUARDS = new java.util.concurrent.atomic.AtomicLong();
    /** Least accesses a group needs: the leader's test costs about what one access's own tests do. */
    static final int MIN_GROUP = Integer.getInteger("abiscope.pageGuardMin", 2);
    private static final long PAGE = 4096, FAR = 1L << 40;

    /**
     * One group: its leader, the offsets of its range from the leader's address (first byte, last
     * byte), whether the addresses wrap at 32 bits, the rights it needs, and its guard's JVM local.
     */
    static final class Group {
        final Inst leader;
        final long leaderOffset;
        final boolean wrap32;
        long lowest, highestEnd; // offsets from the root: first byte, last byte
        boolean reads, writes;
        /** The guard's JVM local (a long: the host address of the range's first byte, or 0). */
        int local = -1;
        /**
         * For a region's entry guard ({@link #atRegionEntry}): the register whose value, the same
         * all through the region, the offsets are from; the guard is made before the first member,
         * and {@link #leader} is null. Else −1.
         */
        int entryRegister = -1;
        private final Map<Inst, Long> offsets = new IdentityHashMap<>();

        Group(Inst leader, long leaderOffset, boolean wrap32) {
            this.leader = leader; this.leaderOffset = leaderOffset; this.wrap32 = wrap32;
        }

        /** The range's first byte, as an offset from the leader's address. */
        long loFromLeader() { return lowest - leaderOffset; }

        /** The range's last byte, as an offset from the leader's address. */
        long hiFromLeader() { return highestEnd - leaderOffset; }

        /** Where member {@code access} starts in the range: 0 to a page less its size. */
        int distance(Inst access) { return (int) (offsets.get(access) - lowest); }
    }

    /** An address as the IR computes it: root + offset, wrapping at 32 or 64 bits. */
    private record Sym(long root, long offset, boolean wrap32) {}

    /**
     * The groups of {@code b}'s accesses (each access of a group of at least {@link #MIN_GROUP} maps
     * to it; others are absent). Every group's {@link Group#local} is set from {@code firstLocal} up.
     */
    static Map<Inst, Group> plan(IrBlock b, Long[] constOf, int firstLocal) {
        return plan(b, constOf, firstLocal, Map.of());
    }

    /** {@link #plan(IrBlock, Long[], int)}, leaving out the accesses {@code taken} has (a region's entry guards). */
    static Map<Inst, Group> plan(IrBlock b, Long[] constOf, int firstLocal, Map<Inst, Group> taken) {
        Map<Inst, Group> out = new IdentityHashMap<>();
        if (!ENABLED) return out;
        List<Inst> ops = b.ops;
        int nt = b.temps.size();
        int[] defs = new int[nt];
        for (Inst i : ops) if (!i.isNop() && i.dst >= 0) defs[i.dst]++;
        Sym[] sym = new Sym[nt];
        Map<Integer, Integer> version = new HashMap<>(); // register → SETRs of it so far
        Map<Long, List<Candidate>> open = new HashMap<>(); // group key → accesses so far in this segment
        List<List<Candidate>> closed = new ArrayList<>();
        int segment = 0;
        long[] segmentRoots = {0}; // segment << 32: a register read's root is its segment, register and version
        java.util.function.LongUnaryOperator registerRoot = reg -> segmentRoots[0] | (reg << 20) | version.getOrDefault((int) reg, 0);
        for (Inst i : ops) {
            if (i.isNop()) continue;
            switch (i.op) {
                case LABEL, CALL, CB_BLOCK, CB_INSN, CB_MEM -> {
                    closed.addAll(open.values());
                    open.clear();
                    segment++;
                    segmentRoots[0] = (long) segment << 32;
                }
                case SETR -> version.merge((int) i.imm, 1, Integer::sum);
                case LOAD, STORE -> {
                    Sym s = i.a >= 0 && i.a < nt && !taken.containsKey(i) ? sym[i.a] : null;
                    if (s != null) {
                        long key = s.root * 2 + (s.wrap32 ? 1 : 0);
                        open.computeIfAbsent(key, k -> new ArrayList<>()).add(new Candidate(i, s.offset, size(i), s.wrap32));
                    }
                }
                default -> { }
            }
            if (i.dst >= 0 && defs[i.dst] == 1) sym[i.dst] = symOf(i, sym, constOf, registerRoot, ((long) segment << 32) | (1L << 31));
        }
        closed.addAll(open.values());
        int local = firstLocal;
        for (List<Candidate> accesses : closed) local = group(accesses, out, local, false);
        return out;
    }

    /**
     * Entry guards of a region (its members, all in flat memory): where no member writes a register
     * and nothing in the region may change mappings (no helper call but pure ones, no callback), the
     * register holds one value all through a run of the region, and its accesses at that register
     * plus constants, in any member, form groups whose guard is made once, before the first member
     * (the region's own loop jumps back past it). In i386 code the stack pointer of a loop without
     * calls: its locals at {@code [esp+k]}, read and written in every member. A run of the region
     * ends at a system call, a fault, a restart or a safe point, so mappings this vCPU changes are
     * seen at its next run; another thread's change is seen there too, as it is by a paged TLB at the
     * vCPU's next safe point. Locals from {@code firstLocal} up; empty when none forms.
     */
    static Map<Inst, Group> atRegionEntry(List<IrBlock> members, int firstLocal) {
        Map<Inst, Group> out = new IdentityHashMap<>();
        if (!ENABLED) return out;
        java.util.BitSet written = new java.util.BitSet();
        for (IrBlock b : members) {
            for (Inst i : b.ops) {
                if (i.isNop()) continue;
                switch (i.op) {
                    case SETR -> written.set((int) i.imm);
                    case CB_BLOCK, CB_INSN, CB_MEM -> { return out; }
                    case CALL -> { if (!((emulator.core.ir.Helper) i.aux).isPure()) return out; }
                    default -> { }
                }
            }
        }
        // Roots: a register no member writes is its own number; any other value roots itself, past
        // every register number, and forms no entry group.
        long selfRoots = 1L << 40;
        Map<Long, List<Candidate>> byRoot = new java.util.TreeMap<>();
        for (IrBlock b : members) {
            int nt = b.temps.size();
            Sym[] sym = new Sym[nt];
            // a temp written more than once (a loop or branches inside the block) has no one value
            int[] defs = new int[nt];
            for (Inst i : b.ops) if (!i.isNop() && i.dst >= 0 && i.dst < nt) defs[i.dst]++;
            Long[] constant = new Long[nt]; // the block's CONST temps alone: TempFacts is made per member later
            for (Inst i : b.ops) if (i.op == Op.CONST && i.dst >= 0 && i.dst < nt && defs[i.dst] == 1) constant[i.dst] = i.imm;
            for (Inst i : b.ops) {
                if (i.isNop()) continue;
                if ((i.op == Op.LOAD || i.op == Op.STORE) && i.a >= 0 && i.a < nt && sym[i.a] != null && sym[i.a].root < selfRoots) {
                    Sym a = sym[i.a];
                    byRoot.computeIfAbsent(a.root * 2 + (a.wrap32 ? 1 : 0), x -> new ArrayList<>()).add(new Candidate(i, a.offset, size(i), a.wrap32));
                }
                if (i.dst >= 0 && i.dst < nt && defs[i.dst] == 1)
                    sym[i.dst] = symOf(i, sym, constant, reg -> written.get((int) reg) ? -1 : reg, selfRoots);
            }
        }
        int local = firstLocal;
        for (Map.Entry<Long, List<Candidate>> e : byRoot.entrySet()) {
            Map<Inst, Group> made = new IdentityHashMap<>();
            local = group(e.getValue(), made, local, true);
            for (Group g : made.values()) g.entryRegister = (int) (e.getKey() >> 1);
            out.putAll(made);
        }
        return out;
    }

    private record Candidate(Inst access, long offset, int size, boolean wrap32) {}

    /**
     * Makes groups of {@code accesses} (one root, in op order) with spans under a page; returns the
     * next free local. At a region's entry ({@code atEntry}) a group has no leader: its offsets are
     * from the root's value itself.
     */
    private static int group(List<Candidate> accesses, Map<Inst, Group> out, int local, boolean atEntry) {
        int k = 0;
        while (k < accesses.size()) {
            // greedy: from access k, take the following accesses while the span stays under a page
            Candidate first = accesses.get(k);
            long lo = first.offset, hi = first.offset + first.size - 1;
            int end = k + 1;
            // offsets are small constants (a displacement); far ones stay alone, so no sum below overflows
            boolean near = Math.abs(first.offset) < FAR;
            while (near && end < accesses.size()) {
                Candidate c = accesses.get(end);
                if (Math.abs(c.offset) >= FAR) break;
                long nlo = Math.min(lo, c.offset), nhi = Math.max(hi, c.offset + c.size - 1);
                if (nhi - nlo >= PAGE) break;
                lo = nlo; hi = nhi;
                end++;
            }
            if (end - k >= MIN_GROUP) {
                Group made = atEntry ? new Group(null, 0, first.wrap32) : new Group(first.access, first.offset, first.wrap32);
                made.lowest = lo; made.highestEnd = hi;
                for (int m = k; m < end; m++) {
                    Inst a = accesses.get(m).access;
                    made.offsets.put(a, accesses.get(m).offset);
                    if (a.op == Op.LOAD) made.reads = true; else made.writes = true;
                    out.put(a, made);
                }
                made.local = local;
                local += 2;
            }
            k = end;
        }
        return local;
    }

    private static int size(Inst i) { return (int) (i.imm & 0xF); }

    /**
     * The symbol of {@code i}'s result, or null (then the temp roots itself only if it is an I64).
     * {@code registerRoot} gives a register read's root, or −1 for none (the read then roots itself,
     * as any other value does, at {@code selfRoots} plus its temp).
     */
    private static Sym symOf(Inst i, Sym[] sym, Long[] constOf, java.util.function.LongUnaryOperator registerRoot, long selfRoots) {
        if (i.type != Type.I64) return null;
        long self = selfRoots | i.dst; // a temp as its own root
        switch (i.op) {
            case GETR -> {
                long root = registerRoot.applyAsLong(i.imm);
                return new Sym(root < 0 ? self : root, 0, false);
            }
            case MOV -> { return i.a >= 0 && sym[i.a] != null ? sym[i.a] : new Sym(self, 0, false); }
            case ADD, SUB -> {
                Long ka = constOf[i.a], kb = constOf[i.b];
                Sym base = null;
                long k = 0;
                if (kb != null && sym[i.a] != null) { base = sym[i.a]; k = i.op == Op.ADD ? kb : -kb; }
                else if (ka != null && i.op == Op.ADD && sym[i.b] != null) { base = sym[i.b]; k = ka; }
                if (base == null || base.wrap32) return new Sym(self, 0, false);
                return new Sym(base.root, base.offset + k, false);
            }
            case EXTU -> {
                if (i.imm == 32 && sym[i.a] != null) return new Sym(sym[i.a].root, sym[i.a].offset, true);
                return new Sym(self, 0, false);
            }
            default -> { return new Sym(self, 0, false); }
        }
    }
}
