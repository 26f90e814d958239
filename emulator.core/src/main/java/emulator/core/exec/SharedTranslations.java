package emulator.core.exec;

import emulator.core.ir.IrBlock;
import emulator.core.target.CodeFetch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Translations (optimized IR) shared by every machine in this JVM, looked up by the guest bytes the
 * front end read. A program run again, or run by another process (a shell script calling the same
 * binary, fork and exec), skips decoding and optimizing its blocks: a front end's translation is a
 * function of the pc, the CPU mode, the instruction limit, the bytes it fetched and whether it may
 * expect addresses below 4 GiB (part of the target key), and nothing else.
 * Only uninstrumented translations made without breakpoints are shared (instrumentation is chosen per
 * machine and per address space).
 *
 * <p>{@code -Dabiscope.shareTranslations=false} turns it off.
 */
final class SharedTranslations {
    static final boolean ENABLED = !"false".equals(System.getProperty("abiscope.shareTranslations"));
    /**
     * Pcs kept (least recently used first out). A translation takes ~5.5 KB of heap with its
     * instruction descriptions (gzip: 1,477 blocks, 8 MB), so at most ~45 MB here.
     */
    private static final int CAPACITY = Integer.getInteger("abiscope.sharedTranslationsCapacity", 4096);
    /** Different code at one pc (other programs) kept at most. */
    private static final int VARIANTS = 2;

    /** {@code target} is the target's class and arch (see {@link emulator.core.target.Target#translate}). */
    private record Key(String target, long pc, int mode, int limit) {}

    /** One translation and what it was made from: the bytes fetched, in the order the front end read them. */
    private record Translation(long[] addrs, int[] values, IrBlock block) {
        boolean matches(CodeFetch fetch) {
            for (int k = 0; k < addrs.length; k++) if (fetch.fetch(addrs[k]) != values[k]) return false;
            return true;
        }
    }

    private static final Map<Key, List<Translation>> TABLE = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override protected boolean removeEldestEntry(Map.Entry<Key, List<Translation>> e) { return size() > CAPACITY; }
    };

    private SharedTranslations() {}

    /**
     * The IR translated earlier from the bytes {@code fetch} reads now, or null. {@code fetch} is
     * called on every byte the earlier translation read, so it sees the same addresses as a new
     * translation would (the translator marks their pages as code).
     */
    static IrBlock find(String target, long pc, int mode, int limit, CodeFetch fetch) {
        List<Translation> entries;
        synchronized (TABLE) {
            List<Translation> l = TABLE.get(new Key(target, pc, mode, limit));
            if (l == null) return null;
            entries = List.copyOf(l);
        }
        for (Translation e : entries) if (e.matches(fetch)) return e.block;
        return null;
    }

    static void put(String target, long pc, int mode, int limit, Recorder fetched, IrBlock block) {
        Translation e = new Translation(fetched.addrs(), fetched.values(), block);
        synchronized (TABLE) {
            List<Translation> l = TABLE.computeIfAbsent(new Key(target, pc, mode, limit), k -> new ArrayList<>(1));
            if (l.size() >= VARIANTS) l.remove(0);
            l.add(e);
        }
    }

    /** A {@link CodeFetch} that remembers what it returned. */
    static final class Recorder implements CodeFetch {
        private final CodeFetch fetch;
        private long[] addrs = new long[32];
        private int[] values = new int[32];
        private int n;

        Recorder(CodeFetch fetch) { this.fetch = fetch; }

        @Override public int fetch(long addr) {
            int v = fetch.fetch(addr);
            if (n == addrs.length) {
                addrs = java.util.Arrays.copyOf(addrs, 2 * n);
                values = java.util.Arrays.copyOf(values, 2 * n);
            }
            addrs[n] = addr;
            values[n++] = v;
            return v;
        }

        long[] addrs() { return java.util.Arrays.copyOf(addrs, n); }

        int[] values() { return java.util.Arrays.copyOf(values, n); }
    }
}
