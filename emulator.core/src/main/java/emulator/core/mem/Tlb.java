package emulator.core.mem;

import java.util.Arrays;

/**
 * A vCPU's software TLB, separate read and write entries, each caching a page's byte array. A write
 * entry exists only for writable pages without translated code, so writes to code always take the
 * slow path (which invalidates the blocks). Whole-system mode fills the same structure from the guest
 * page tables.
 *
 * <p>Two parts, because a guest access is a handful of host instructions and most of them are the
 * lookup:
 * <ul>
 * <li><b>Tagged</b>: direct-mapped, {@link #SIZE} entries, tagged by page address; every page is
 * cached here, and code whose addresses may lie anywhere looks pages up here ({@link MemOps#ld32}
 * and the like).
 * <li><b>Below 4 GiB</b>: two entries per page number in one table, {@link #low}: the page's array
 * for reads at {@code 2n}, for writes at {@code 2n + 1}, filled beside the tagged entry. Code whose
 * addresses are expected below 4 GiB ({@link emulator.core.ir.IrBlock#lowAddresses}: 32-bit guests,
 * and 64-bit ones whose address space has nothing mapped higher) looks pages up here
 * ({@link MemOps#ld32Low} and the like): a hit is one array load and a null test, with no tag to
 * compare. One table rather than a read table and a write table, because generated code keeps the
 * table in a local for the whole region: with two, a guest loop that loads and stores held two of
 * the host's registers for them, in code that has too few (the guest's registers, its lazy flags and
 * the instruction count are held too); and a page read and written has both entries in one cache
 * line. The table (8 MiB) is made when such code first runs on the vCPU ({@link MemOps#pages});
 * until then it is a shared, always-empty one. Fills are logged, so a flush clears only what was filled.
 * </ul>
 */
public final class Tlb {
    public static final int BITS = 10, SIZE = 1 << BITS, MASK = SIZE - 1;
    /** Page numbers the untagged part covers: every page below 4 GiB. */
    public static final int LOW_PAGES = 1 << 20;
    /** Length of the untagged table: a read and a write entry per page. */
    public static final int LOW_ENTRIES = 2 * LOW_PAGES;
    private static final byte[][] NO_LOW_PAGES = new byte[LOW_ENTRIES][];
    /** Fills logged between flushes before a flush clears the whole untagged part instead. */
    private static final int FILL_LOG = 4096;

    public final long[] rtag = new long[SIZE], wtag = new long[SIZE];
    public final byte[][] rpage = new byte[SIZE][], wpage = new byte[SIZE][];
    /**
     * Page arrays of pages below 4 GiB: of page {@code n} readable at {@code 2n}, writable at
     * {@code 2n + 1}; null where not cached.
     */
    public byte[][] low = NO_LOW_PAGES;
    private final int[] lowFills = new int[FILL_LOG];
    private int lowFillCount;
    int generation;

    public Tlb() { flush(); }

    /** Index in {@link #low} of page {@code n}'s entry for reads. */
    public static long readEntry(long n) { return 2 * n; }

    /** Index in {@link #low} of page {@code n}'s entry for writes. */
    public static long writeEntry(long n) { return 2 * n + 1; }

    /** Whether {@code addr} is in the untagged part. */
    public static boolean isLow(long addr) { return (addr >>> 32) == 0; }

    public void flush() {
        Arrays.fill(rtag, -1L);
        Arrays.fill(wtag, -1L);
        Arrays.fill(rpage, null);
        Arrays.fill(wpage, null);
        if (low != NO_LOW_PAGES) {
            if (lowFillCount > FILL_LOG) Arrays.fill(low, null);
            else for (int k = 0; k < lowFillCount; k++) low[(int) readEntry(lowFills[k])] = low[(int) writeEntry(lowFills[k])] = null;
        }
        lowFillCount = 0;
    }

    public void invalidatePage(long addr) {
        if (isLow(addr) && low != NO_LOW_PAGES) {
            int n = (int) (addr >>> AddressSpace.PAGE_BITS);
            low[(int) readEntry(n)] = low[(int) writeEntry(n)] = null;
        }
        int i = (int) (addr >>> AddressSpace.PAGE_BITS) & MASK;
        rtag[i] = -1; wtag[i] = -1; rpage[i] = null; wpage[i] = null;
    }

    /** Makes the untagged part (when code that uses it first runs: other code never pays its 8 MiB). */
    void useLow() {
        if (low == NO_LOW_PAGES) low = new byte[LOW_ENTRIES][];
    }

    /** Caches {@code data} as the page at {@code addr} for reads, and for writes when {@code writable}. */
    void fill(long addr, byte[] data, boolean readable, boolean writable) {
        if (isLow(addr) && low != NO_LOW_PAGES) {
            int n = (int) (addr >>> AddressSpace.PAGE_BITS);
            if (lowFillCount < FILL_LOG) lowFills[lowFillCount] = n;
            if (lowFillCount <= FILL_LOG) lowFillCount++;
            if (readable) low[(int) readEntry(n)] = data;
            if (writable) low[(int) writeEntry(n)] = data;
        }
        int i = (int) (addr >>> AddressSpace.PAGE_BITS) & MASK;
        long tag = AddressSpace.pageOf(addr);
        if (readable) { rtag[i] = tag; rpage[i] = data; }
        if (writable) { wtag[i] = tag; wpage[i] = data; }
    }

    /**
     * Caches the page of an access of {@code size} bytes at {@code addr} in the untagged part, if the
     * access lies in one page below 4 GiB that allows it (a write: a writable page without translated
     * code); returns whether it did.
     */
    public boolean fillFor(AddressSpace as, long addr, int size, boolean write) {
        if (!isLow(addr) || low == NO_LOW_PAGES || (addr & AddressSpace.PAGE_MASK) + size > AddressSpace.PAGE_SIZE) return false;
        Page p = as.page(addr);
        if (p == null) return false;
        boolean readable = (p.prot & Prot.READ) != 0, writable = (p.prot & Prot.WRITE) != 0 && !p.code;
        if (write ? !writable : !readable) return false;
        fill(addr, p.data, readable, writable);
        return true;
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
