package emulator.core.exec;

import emulator.core.mem.AddressSpace;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Translated blocks of one address space, keyed by pc and CPU mode. Bounded: when full it is flushed
 * whole (the simplest eviction that keeps chaining safe). A write to a code page invalidates the
 * blocks made from that page.
 *
 * <p>A block leaves the cache only invalid: vCPUs keep blocks in their own tables and links and run
 * them while they are valid, so a valid block outside the cache would escape every later flush and
 * code write. Changes are therefore made under the cache's lock (lookups are not: they only read),
 * so a flush cannot clear a block put while it marked the others.
 */
public final class CodeCache {
    private final ConcurrentHashMap<Long, TranslatedBlock> blocks = new ConcurrentHashMap<>();
    /** Blocks by the pages they came from; only touched under the cache's lock. */
    private final Map<Long, List<TranslatedBlock>> byPage = new HashMap<>();
    private final int capacity;
    private final AtomicInteger invalidations = new AtomicInteger();

    public CodeCache(int capacity) { this.capacity = capacity; }

    static long key(long pc, int mode) { return pc ^ ((long) mode << 58); }

    public TranslatedBlock get(long pc, int mode) { return blocks.get(key(pc, mode)); }

    public int size() { return blocks.size(); }

    public int invalidations() { return invalidations.get(); }

    /** Adds a block; returns false if the cache is full (the caller flushes and retries). */
    synchronized boolean put(TranslatedBlock b) {
        if (blocks.size() >= capacity) return false;
        blocks.put(key(b.pc, b.mode), b);
        for (long p : b.pages) byPage.computeIfAbsent(p, k -> new ArrayList<>()).add(b);
        return true;
    }

    /** Also drops {@code b} when one of {@code pages} is written (a region's code comes from its members' pages). */
    synchronized void track(TranslatedBlock b, long[] pages) {
        for (long p : pages) byPage.computeIfAbsent(p, k -> new ArrayList<>()).add(b);
    }

    /** Drops every block of the page at {@code pageAddr}; returns whether there were any. */
    public synchronized boolean invalidatePage(long pageAddr) {
        List<TranslatedBlock> l = byPage.remove(AddressSpace.pageOf(pageAddr));
        if (l == null) return false;
        for (TranslatedBlock b : l) {
            b.valid = false;
            blocks.remove(key(b.pc, b.mode), b);
        }
        invalidations.incrementAndGet();
        return true;
    }

    public synchronized void flush() {
        for (TranslatedBlock b : blocks.values()) b.valid = false;
        blocks.clear();
        byPage.clear();
    }

    public Map<Long, TranslatedBlock> view() { return blocks; }
}
