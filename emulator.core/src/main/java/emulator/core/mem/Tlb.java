package emulator.core.mem;

import java.util.Arrays;

/**
 * A vCPU's software TLB for pages that are arrays of their own (those at or above 4 GiB, and all pages
 * of an address space without {@link FlatMemory}): direct-mapped, {@link #SIZE} entries, tagged by
 * page address, separate read and write entries each caching a page's byte array. A write entry
 * exists only for writable pages without translated code, so writes to code always take the slow
 * path (which invalidates the blocks). Whole-system mode fills the same structure from the guest
 * page tables.
 */
public final class Tlb {
    public static final int BITS = 10, SIZE = 1 << BITS, MASK = SIZE - 1;

    public final long[] rtag = new long[SIZE], wtag = new long[SIZE];
    public final byte[][] rpage = new byte[SIZE][], wpage = new byte[SIZE][];
    int generation;

    public Tlb() { flush(); }

    public void flush() {
        Arrays.fill(rtag, -1L);
        Arrays.fill(wtag, -1L);
        Arrays.fill(rpage, null);
        Arrays.fill(wpage, null);
    }

    public void invalidatePage(long addr) {
        int i = (int) (addr >>> AddressSpace.PAGE_BITS) & MASK;
        rtag[i] = -1; wtag[i] = -1; rpage[i] = null; wpage[i] = null;
    }

    /** Caches {@code data} as the page at {@code addr} for reads, and for writes when {@code writable}. */
    void fill(long addr, byte[] data, boolean readable, boolean writable) {
        int i = (int) (addr >>> AddressSpace.PAGE_BITS) & MASK;
        long tag = AddressSpace.pageOf(addr);
        if (readable) { rtag[i] = tag; rpage[i] = data; }
        if (writable) { wtag[i] = tag; wpage[i] = data; }
    }

    /** Flushes if the address space changed mappings since the last check; called at safe points. */
    public void sync(AddressSpace as) {
        int g = as.generation();
        if (g != generation) {
            flush();
            generation = g;
        }
    }
}
