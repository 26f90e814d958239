package emulator.core.mem;

import emulator.core.exec.GuestException;
import emulator.core.exec.Vcpu;

/**
 * Guest loads and stores as generated code and the interpreter perform them: a small fast path that
 * the JIT inlines into the block, and an out-of-line slow path that checks permissions, raises page
 * faults, splits page-crossing accesses, invalidates code on self-modifying writes and fills the
 * TLB. Values are little-endian.
 *
 * <p>Below 4 GiB, in an address space with {@link FlatMemory}, the fast path reads the page's rights
 * byte and the value from the one flat mapping (the {@code Flat} methods); elsewhere it looks the
 * page up in the vCPU's tagged {@link Tlb}. The fast paths prove each index in range themselves and
 * access memory through {@link PageAccess}, which then skips the JVM's own bounds checks where it may.
 */
public final class MemOps {
    private MemOps() {}

    private static final long PAGE = ~AddressSpace.PAGE_MASK;
    /** Whether code may use the flat paths ({@link FlatMemory#AVAILABLE}), a constant the JIT folds. */
    public static final boolean FLAT = FlatMemory.AVAILABLE;

    // ---- fast paths for any address: flat memory below 4 GiB, else the tagged TLB

    public static int ld8(Vcpu c, long a) {
        if (FLAT && isLow(a)) return ld8Low(c, c.flatBase, a);
        Tlb t = c.tlb;
        int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
        if (t.rtag[i] == (a & PAGE)) return PageAccess.getByte(PageAccess.page(t.rpage, i), (int) a & 0xFFF) & 0xFF;
        return (int) slowLoad(c, a, 1);
    }

    public static int ld16(Vcpu c, long a) {
        if (FLAT && isLow(a)) return ld16Low(c, c.flatBase, a);
        Tlb t = c.tlb;
        int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
        int off = (int) a & 0xFFF;
        if (t.rtag[i] == (a & PAGE) && off <= 4094) return PageAccess.getShort(PageAccess.page(t.rpage, i), off) & 0xFFFF;
        return (int) slowLoad(c, a, 2);
    }

    public static int ld32(Vcpu c, long a) {
        if (FLAT && isLow(a)) return ld32Low(c, c.flatBase, a);
        Tlb t = c.tlb;
        int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
        int off = (int) a & 0xFFF;
        if (t.rtag[i] == (a & PAGE) && off <= 4092) return PageAccess.getInt(PageAccess.page(t.rpage, i), off);
        return (int) slowLoad(c, a, 4);
    }

    public static long ld64(Vcpu c, long a) {
        if (FLAT && isLow(a)) return ld64Low(c, c.flatBase, a);
        Tlb t = c.tlb;
        int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
        int off = (int) a & 0xFFF;
        if (t.rtag[i] == (a & PAGE) && off <= 4088) return PageAccess.getLong(PageAccess.page(t.rpage, i), off);
        return slowLoad(c, a, 8);
    }

    public static void st8(Vcpu c, long a, int v) {
        if (FLAT && isLow(a)) { st8Low(c, c.flatBase, a, v); return; }
        Tlb t = c.tlb;
        int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
        if (t.wtag[i] == (a & PAGE)) { PageAccess.putByte(PageAccess.page(t.wpage, i), (int) a & 0xFFF, (byte) v); return; }
        slowStore(c, a, v, 1);
    }

    public static void st16(Vcpu c, long a, int v) {
        if (FLAT && isLow(a)) { st16Low(c, c.flatBase, a, v); return; }
        Tlb t = c.tlb;
        int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
        int off = (int) a & 0xFFF;
        if (t.wtag[i] == (a & PAGE) && off <= 4094) { PageAccess.putShort(PageAccess.page(t.wpage, i), off, (short) v); return; }
        slowStore(c, a, v, 2);
    }

    public static void st32(Vcpu c, long a, int v) {
        if (FLAT && isLow(a)) { st32Low(c, c.flatBase, a, v); return; }
        Tlb t = c.tlb;
        int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
        int off = (int) a & 0xFFF;
        if (t.wtag[i] == (a & PAGE) && off <= 4092) { PageAccess.putInt(PageAccess.page(t.wpage, i), off, v); return; }
        slowStore(c, a, v, 4);
    }

    public static void st64(Vcpu c, long a, long v) {
        if (FLAT && isLow(a)) { st64Low(c, c.flatBase, a, v); return; }
        Tlb t = c.tlb;
        int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
        int off = (int) a & 0xFFF;
        if (t.wtag[i] == (a & PAGE) && off <= 4088) { PageAccess.putLong(PageAccess.page(t.wpage, i), off, v); return; }
        slowStore(c, a, v, 8);
    }

    private static boolean isLow(long a) { return (a >>> 32) == 0; }

    // ---- flat fast paths, for code whose addresses are expected below 4 GiB
    // ({@link emulator.core.ir.IrBlock#lowAddresses}; only when FLAT). Generated code reads the base
    // once per call into a local ({@link #base}) and passes it to every access. 32-bit code masks its
    // addresses, so the below-4-GiB test always passes; in 64-bit code it passes while the address
    // space has nothing mapped above 4 GiB, and C2's profile then shows the fallback unused. An address
    // above 4 GiB is still served, by the tagged path, as is every address where FLAT is false (a
    // constant: the test costs nothing). Page number and rights index are used as longs: one unsigned
    // compare is both the below-4-GiB test and the bound of the rights table.
    // A miss (no right, an access across pages) takes the slow path.

    /** The vCPU's flat base, {@link AddressSpace#flatBase()} (generated code keeps it in a local). */
    public static long base(Vcpu c) { return c.flatBase; }

    private static boolean canRead(long base, long n) {
        return (PageAccess.getByteAt(base - FlatMemory.PERM_SIZE + n) & FlatMemory.READ_OK) != 0;
    }

    private static boolean canWrite(long base, long n) {
        return (PageAccess.getByteAt(base - FlatMemory.PERM_SIZE + n) & FlatMemory.WRITE_OK) != 0;
    }

    public static int ld8Low(Vcpu c, long base, long a) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (!FLAT || n >= FlatMemory.PAGES) return ld8(c, a);
        if (canRead(base, n)) return PageAccess.getByteAt(base + a) & 0xFF;
        return (int) slowLoad(c, a, 1);
    }

    public static int ld16Low(Vcpu c, long base, long a) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (!FLAT || n >= FlatMemory.PAGES) return ld16(c, a);
        if (canRead(base, n) && ((int) a & 0xFFF) <= 4094) return PageAccess.getShortAt(base + a) & 0xFFFF;
        return (int) slowLoad(c, a, 2);
    }

    public static int ld32Low(Vcpu c, long base, long a) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (!FLAT || n >= FlatMemory.PAGES) return ld32(c, a);
        if (canRead(base, n) && ((int) a & 0xFFF) <= 4092) return PageAccess.getIntAt(base + a);
        return (int) slowLoad(c, a, 4);
    }

    public static long ld64Low(Vcpu c, long base, long a) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (!FLAT || n >= FlatMemory.PAGES) return ld64(c, a);
        if (canRead(base, n) && ((int) a & 0xFFF) <= 4088) return PageAccess.getLongAt(base + a);
        return slowLoad(c, a, 8);
    }

    public static void st8Low(Vcpu c, long base, long a, int v) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (!FLAT || n >= FlatMemory.PAGES) { st8(c, a, v); return; }
        if (canWrite(base, n)) PageAccess.putByteAt(base + a, (byte) v);
        else slowStore(c, a, v, 1);
    }

    public static void st16Low(Vcpu c, long base, long a, int v) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (!FLAT || n >= FlatMemory.PAGES) { st16(c, a, v); return; }
        if (canWrite(base, n) && ((int) a & 0xFFF) <= 4094) PageAccess.putShortAt(base + a, (short) v);
        else slowStore(c, a, v, 2);
    }

    public static void st32Low(Vcpu c, long base, long a, int v) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (!FLAT || n >= FlatMemory.PAGES) { st32(c, a, v); return; }
        if (canWrite(base, n) && ((int) a & 0xFFF) <= 4092) PageAccess.putIntAt(base + a, v);
        else slowStore(c, a, v, 4);
    }

    public static void st64Low(Vcpu c, long base, long a, long v) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (!FLAT || n >= FlatMemory.PAGES) { st64(c, a, v); return; }
        if (canWrite(base, n) && ((int) a & 0xFFF) <= 4088) PageAccess.putLongAt(base + a, v);
        else slowStore(c, a, v, 8);
    }

    // ---- restartable flat fast paths: as the Low ones, but a miss throws {@link GuestException#RESTART}
    // instead of calling the slow path. (An address above 4 GiB still takes the tagged path: the JIT
    // leaves that branch out, with its call, until it is taken.)
    // Generated code uses them where nothing of the instruction has happened yet, so its fault handler
    // can write the state back as of the instruction's start; the loop then runs that instruction
    // alone on the slow path (Vcpu.restartInsn). With no call in them, the JIT need not keep the
    // block's values in stack slots across a call on every access.

    public static int ld8R(Vcpu c, long base, long a) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (!FLAT || n >= FlatMemory.PAGES) return ld8(c, a);
        if (canRead(base, n)) return PageAccess.getByteAt(base + a) & 0xFF;
        throw GuestException.RESTART;
    }

    public static int ld16R(Vcpu c, long base, long a) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (!FLAT || n >= FlatMemory.PAGES) return ld16(c, a);
        if (canRead(base, n) && ((int) a & 0xFFF) <= 4094) return PageAccess.getShortAt(base + a) & 0xFFFF;
        throw GuestException.RESTART;
    }

    public static int ld32R(Vcpu c, long base, long a) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (!FLAT || n >= FlatMemory.PAGES) return ld32(c, a);
        if (canRead(base, n) && ((int) a & 0xFFF) <= 4092) return PageAccess.getIntAt(base + a);
        throw GuestException.RESTART;
    }

    public static long ld64R(Vcpu c, long base, long a) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (!FLAT || n >= FlatMemory.PAGES) return ld64(c, a);
        if (canRead(base, n) && ((int) a & 0xFFF) <= 4088) return PageAccess.getLongAt(base + a);
        throw GuestException.RESTART;
    }

    public static void st8R(Vcpu c, long base, long a, int v) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (!FLAT || n >= FlatMemory.PAGES) { st8(c, a, v); return; }
        if (canWrite(base, n)) PageAccess.putByteAt(base + a, (byte) v);
        else throw GuestException.RESTART;
    }

    public static void st16R(Vcpu c, long base, long a, int v) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (!FLAT || n >= FlatMemory.PAGES) { st16(c, a, v); return; }
        if (canWrite(base, n) && ((int) a & 0xFFF) <= 4094) PageAccess.putShortAt(base + a, (short) v);
        else throw GuestException.RESTART;
    }

    public static void st32R(Vcpu c, long base, long a, int v) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (!FLAT || n >= FlatMemory.PAGES) { st32(c, a, v); return; }
        if (canWrite(base, n) && ((int) a & 0xFFF) <= 4092) PageAccess.putIntAt(base + a, v);
        else throw GuestException.RESTART;
    }

    public static void st64R(Vcpu c, long base, long a, long v) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (!FLAT || n >= FlatMemory.PAGES) { st64(c, a, v); return; }
        if (canWrite(base, n) && ((int) a & 0xFFF) <= 4088) PageAccess.putLongAt(base + a, v);
        else throw GuestException.RESTART;
    }

    // ---- page guards (emulator.core.backend.PageGuards): one test for a group of accesses whose
    // range [lo, hi] generated code has computed. The test gives the host address of lo where it
    // passed, else 0; each member, given that and its constant distance from lo, reads or writes
    // there without tests of its own, or takes its usual path (restartable or not) where it got 0.
    // A member's host address is thus lo's plus less than a page, whatever its own address: were the
    // planning wrong, a guest access would still stay inside its address space's reservation (which
    // has two spare pages at its end), where using the member's own address would need a mask (one
    // instruction more, and no displacement in the load: x86-64 md5sum 5-9 % slower, measured).

    /** base + lo if [lo, hi] lies in one page below 4 GiB that generated code may read, else 0. */
    public static long guardRead(long base, long lo, long hi) {
        long n = lo >>> AddressSpace.PAGE_BITS;
        return FLAT && n == hi >>> AddressSpace.PAGE_BITS && n < FlatMemory.PAGES && canRead(base, n) ? base + lo : 0;
    }

    /** base + lo if [lo, hi] lies in one page below 4 GiB that generated code may write, else 0. */
    public static long guardWrite(long base, long lo, long hi) {
        long n = lo >>> AddressSpace.PAGE_BITS;
        return FLAT && n == hi >>> AddressSpace.PAGE_BITS && n < FlatMemory.PAGES && canWrite(base, n) ? base + lo : 0;
    }

    /** base + lo if [lo, hi] lies in one page below 4 GiB that generated code may read and write, else 0. */
    public static long guardReadWrite(long base, long lo, long hi) {
        long n = lo >>> AddressSpace.PAGE_BITS;
        return FLAT && n == hi >>> AddressSpace.PAGE_BITS && n < FlatMemory.PAGES && canRead(base, n) && canWrite(base, n) ? base + lo : 0;
    }

    public static int ld8GR(Vcpu c, long base, long a, long lo, int d) { return lo != 0 ? PageAccess.getByteAt(lo + d) & 0xFF : ld8R(c, base, a); }
    public static int ld16GR(Vcpu c, long base, long a, long lo, int d) { return lo != 0 ? PageAccess.getShortAt(lo + d) & 0xFFFF : ld16R(c, base, a); }
    public static int ld32GR(Vcpu c, long base, long a, long lo, int d) { return lo != 0 ? PageAccess.getIntAt(lo + d) : ld32R(c, base, a); }
    public static long ld64GR(Vcpu c, long base, long a, long lo, int d) { return lo != 0 ? PageAccess.getLongAt(lo + d) : ld64R(c, base, a); }

    public static int ld8GLow(Vcpu c, long base, long a, long lo, int d) { return lo != 0 ? PageAccess.getByteAt(lo + d) & 0xFF : ld8Low(c, base, a); }
    public static int ld16GLow(Vcpu c, long base, long a, long lo, int d) { return lo != 0 ? PageAccess.getShortAt(lo + d) & 0xFFFF : ld16Low(c, base, a); }
    public static int ld32GLow(Vcpu c, long base, long a, long lo, int d) { return lo != 0 ? PageAccess.getIntAt(lo + d) : ld32Low(c, base, a); }
    public static long ld64GLow(Vcpu c, long base, long a, long lo, int d) { return lo != 0 ? PageAccess.getLongAt(lo + d) : ld64Low(c, base, a); }

    public static void st8GR(Vcpu c, long base, long a, int v, long lo, int d) { if (lo != 0) PageAccess.putByteAt(lo + d, (byte) v); else st8R(c, base, a, v); }
    public static void st16GR(Vcpu c, long base, long a, int v, long lo, int d) { if (lo != 0) PageAccess.putShortAt(lo + d, (short) v); else st16R(c, base, a, v); }
    public static void st32GR(Vcpu c, long base, long a, int v, long lo, int d) { if (lo != 0) PageAccess.putIntAt(lo + d, v); else st32R(c, base, a, v); }
    public static void st64GR(Vcpu c, long base, long a, long v, long lo, int d) { if (lo != 0) PageAccess.putLongAt(lo + d, v); else st64R(c, base, a, v); }

    public static void st8GLow(Vcpu c, long base, long a, int v, long lo, int d) { if (lo != 0) PageAccess.putByteAt(lo + d, (byte) v); else st8Low(c, base, a, v); }
    public static void st16GLow(Vcpu c, long base, long a, int v, long lo, int d) { if (lo != 0) PageAccess.putShortAt(lo + d, (short) v); else st16Low(c, base, a, v); }
    public static void st32GLow(Vcpu c, long base, long a, int v, long lo, int d) { if (lo != 0) PageAccess.putIntAt(lo + d, v); else st32Low(c, base, a, v); }
    public static void st64GLow(Vcpu c, long base, long a, long v, long lo, int d) { if (lo != 0) PageAccess.putLongAt(lo + d, v); else st64Low(c, base, a, v); }

    /** Generic load used by the interpreter: zero-extended. */
    public static long load(Vcpu c, long a, int size) {
        return switch (size) {
            case 1 -> ld8(c, a);
            case 2 -> ld16(c, a);
            case 4 -> ld32(c, a) & 0xFFFFFFFFL;
            default -> ld64(c, a);
        };
    }

    public static void store(Vcpu c, long a, long v, int size) {
        switch (size) {
            case 1 -> st8(c, a, (int) v);
            case 2 -> st16(c, a, (int) v);
            case 4 -> st32(c, a, (int) v);
            default -> st64(c, a, v);
        }
    }

    // ---- slow paths

    /** Zero-extended value of {@code size} bytes at {@code a}, filling the TLB; raises page faults. */
    public static long slowLoad(Vcpu c, long a, int size) {
        AddressSpace as = c.space;
        if (((a & AddressSpace.PAGE_MASK) + size) <= AddressSpace.PAGE_SIZE) {
            Page p = as.page(a);
            if (p == null || (p.prot & Prot.READ) == 0) throw emulator.core.exec.GuestException.pageFault(a, 0);
            if (p.data != null) c.tlb.fill(a, p.data, true, false); // flat pages need no TLB entry
            long v = 0;
            int off = (int) (a & AddressSpace.PAGE_MASK);
            for (int k = size - 1; k >= 0; k--) v = (v << 8) | p.get(off + k);
            return v;
        }
        // Crosses a page: check both pages before reading anything; the fault address is the first
        // byte that cannot be read (the start of the second page when only that one is bad).
        as.readByte(a, false);
        as.readByte(AddressSpace.pageOf(a + size - 1), false);
        long v = 0;
        for (int k = size - 1; k >= 0; k--) v = (v << 8) | as.readByte(a + k, false);
        return v;
    }

    public static void slowStore(Vcpu c, long a, long v, int size) {
        AddressSpace as = c.space;
        if (((a & AddressSpace.PAGE_MASK) + size) <= AddressSpace.PAGE_SIZE) {
            Page p = as.writablePage(a); // faults, and invalidates code on the page
            int off = (int) (a & AddressSpace.PAGE_MASK);
            for (int k = 0; k < size; k++) p.put(off + k, (byte) (v >>> (8 * k)));
            if (p.data != null) c.tlb.fill(a, p.data, (p.prot & Prot.READ) != 0, true); // a write-only page must still fault on reads
            return;
        }
        Page first = as.writablePage(a), second = as.writablePage(AddressSpace.pageOf(a + size - 1));
        for (int k = 0; k < size; k++) {
            long b = a + k;
            Page p = AddressSpace.pageOf(b) == AddressSpace.pageOf(a) ? first : second;
            p.put((int) (b & AddressSpace.PAGE_MASK), (byte) (v >>> (8 * k)));
        }
    }
}
