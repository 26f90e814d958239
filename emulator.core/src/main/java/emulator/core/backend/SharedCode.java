package emulator.core.backend;

import emulator.core.exec.CompiledBlock;
import emulator.core.ir.Inst;
import emulator.core.ir.IrBlock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Compiled code shared by equal IR, across address spaces and machines of this JVM. Generated code is
 * a function of its IR alone (the ops, the instruction pcs, and the helpers, callbacks and counters
 * they name), so when a process forks or execs the same program again, or a program is run again in
 * the same runtime, its blocks get the code compiled the first time — code the JIT has already
 * optimised — instead of new classes to interpret, compile and JIT-compile again.
 *
 * <p>Keys compare IR op by op; the objects ops name (helpers, callbacks, trap descriptions) compare
 * with {@code equals}, which for the records and identity-compared objects used there means "behaves
 * the same". Bounded (least recently used entries go first); {@code -Dabiscope.shareCode=false} turns
 * it off. Instrumented code (with plugin callbacks or counters, {@link IrBlock#instrumented}) is
 * never shared: it would keep a removed plugin's objects reachable (and its bundle's classes loaded)
 * for as long as it stayed in the table.
 */
final class SharedCode {
    static final boolean ENABLED = !"false".equals(System.getProperty("abiscope.shareCode"));
    private static final int CAPACITY = Integer.getInteger("abiscope.sharedCodeCapacity", 8192);

    private static final Map<Object, CompiledBlock> CODE = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<Object, CompiledBlock> e) { return size() > CAPACITY; }
    };

    private SharedCode() {}

    static synchronized CompiledBlock get(Object key) { return CODE.get(key); }

    static synchronized void put(Object key, CompiledBlock code) { CODE.put(key, code); }

    /**
     * The members chosen for the last region compiled from an entry with this IR. A later run of the
     * same program forms the same region again from it (and so finds its code here) instead of from
     * the profile at that moment, which differs from run to run: blocks that start with shared code
     * get hot in another order than blocks that were interpreted first.
     */
    private static final Map<BlockKey, Backend.RegionPlan> PLANS = new LinkedHashMap<>(256, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<BlockKey, Backend.RegionPlan> e) { return size() > CAPACITY; }
    };

    static synchronized Backend.RegionPlan plan(IrBlock entry) {
        return entry.instrumented() ? null : PLANS.get(new BlockKey(entry));
    }

    static synchronized void rememberPlan(IrBlock entry, Backend.RegionPlan plan) {
        if (!entry.instrumented()) PLANS.put(new BlockKey(entry), plan);
    }



    /** Key of one block's code, or null if it must not be shared. */
    static Object key(IrBlock b) { return b.instrumented() ? null : new BlockKey(b); }

    /** Key of a region's code (its members in order and the candidates of their indirect exits), or null. */
    static Object key(List<IrBlock> blocks, long[][] indirect) {
        for (IrBlock b : blocks) if (b.instrumented()) return null;
        return new RegionKey(blocks.stream().map(BlockKey::new).toList(),
                Arrays.stream(indirect).map(a -> a == null ? List.<Long>of() : Arrays.stream(a).boxed().toList()).toList());
    }

    /** Key of a trace's code (its blocks in path order), or null if one is instrumented. */
    static Object traceKey(List<IrBlock> path) {
        for (IrBlock b : path) if (b.instrumented()) return null;
        return new TraceKey(path.stream().map(BlockKey::new).toList());
    }

    private record RegionKey(List<BlockKey> blocks, List<List<Long>> indirect) {}

    private record TraceKey(List<BlockKey> blocks) {}

    private static final class BlockKey {
        final IrBlock b;
        final int hash;

        BlockKey(IrBlock b) {
            this.b = b;
            int h = Long.hashCode(b.pc) * 31 + Arrays.hashCode(b.insnPcs);
            for (Inst i : b.ops) {
                h = h * 31 + i.op.ordinal();
                h = h * 31 + (int) i.imm;
                h = h * 31 + i.dst * 7 + i.a * 11 + i.b * 13;
            }
            this.hash = h;
        }

        @Override public int hashCode() { return hash; }

        @Override public boolean equals(Object o) {
            if (!(o instanceof BlockKey k) || k.hash != hash) return false;
            IrBlock x = k.b;
            if (x == b) return true;
            if (x.pc != b.pc || x.slots != b.slots || x.lowAddresses != b.lowAddresses || x.labels != b.labels || !Arrays.equals(x.insnPcs, b.insnPcs)
                    || !x.temps.equals(b.temps) || x.ops.size() != b.ops.size()) return false;
            for (int n = 0; n < b.ops.size(); n++) if (!same(x.ops.get(n), b.ops.get(n))) return false;
            return true;
        }

        private static boolean same(Inst p, Inst q) {
            return p.op == q.op && p.type == q.type && p.dst == q.dst && p.a == q.a && p.b == q.b && p.c == q.c
                    && p.imm == q.imm && Objects.equals(p.aux, q.aux) && Arrays.equals(p.args, q.args);
        }
    }
}
