package emulator.core.mem;

import emulator.core.exec.Vcpu;

/**
 * Guest loads and stores as generated code and the interpreter perform them: a small fast path (TLB
 * hit, access within one page) that the JIT inlines into the block, and an out-of-line slow path that
 * fills the TLB, checks permissions, raises page faults, splits page-crossing accesses and
 * invalidates code on self-modifying writes. Values are little-endian. The fast paths prove each
 * index in range themselves and read the arrays through {@link PageAccess}, which then skips the
 * JVM's own bounds checks where it may.
 */
public final class MemOps {
    private MemOps() {}

    private static final long PAGE = ~AddressSpace.PAGE_MASK;

    // ---- fast paths

    public static int ld8(Vcpu c, long a) {
        Tlb t = c.tlb;
        int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
        if (t.rtag[i] == (a & PAGE)) return PageAccess.getByte(PageAccess.page(t.rpage, i), (int) a & 0xFFF) & 0xFF;
        return (int) slowLoad(c, a, 1);
    }

    public static int ld16(Vcpu c, long a) {
        Tlb t = c.tlb;
        int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
        int off = (int) a & 0xFFF;
        if (t.rtag[i] == (a & PAGE) && off <= 4094) return PageAccess.getShort(PageAccess.page(t.rpage, i), off) & 0xFFFF;
        return (int) slowLoad(c, a, 2);
    }

    public static int ld32(Vcpu c, long a) {
        Tlb t = c.tlb;
        int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
        int off = (int) a & 0xFFF;
        if (t.rtag[i] == (a & PAGE) && off <= 4092) return PageAccess.getInt(PageAccess.page(t.rpage, i), off);
        return (int) slowLoad(c, a, 4);
    }

    public static long ld64(Vcpu c, long a) {
        Tlb t = c.tlb;
        int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
        int off = (int) a & 0xFFF;
        if (t.rtag[i] == (a & PAGE) && off <= 4088) return PageAccess.getLong(PageAccess.page(t.rpage, i), off);
        return slowLoad(c, a, 8);
    }

    public static void st8(Vcpu c, long a, int v) {
        Tlb t = c.tlb;
        int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
        if (t.wtag[i] == (a & PAGE)) { PageAccess.putByte(PageAccess.page(t.wpage, i), (int) a & 0xFFF, (byte) v); return; }
        slowStore(c, a, v, 1);
    }

    public static void st16(Vcpu c, long a, int v) {
        Tlb t = c.tlb;
        int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
        int off = (int) a & 0xFFF;
        if (t.wtag[i] == (a & PAGE) && off <= 4094) { PageAccess.putShort(PageAccess.page(t.wpage, i), off, (short) v); return; }
        slowStore(c, a, v, 2);
    }

    public static void st32(Vcpu c, long a, int v) {
        Tlb t = c.tlb;
        int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
        int off = (int) a & 0xFFF;
        if (t.wtag[i] == (a & PAGE) && off <= 4092) { PageAccess.putInt(PageAccess.page(t.wpage, i), off, v); return; }
        slowStore(c, a, v, 4);
    }

    public static void st64(Vcpu c, long a, long v) {
        Tlb t = c.tlb;
        int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
        int off = (int) a & 0xFFF;
        if (t.wtag[i] == (a & PAGE) && off <= 4088) { PageAccess.putLong(PageAccess.page(t.wpage, i), off, v); return; }
        slowStore(c, a, v, 8);
    }

    // ---- fast paths for code whose addresses are expected below 4 GiB ({@link emulator.core.ir.IrBlock#lowAddresses}):
    // the untagged entries. 32-bit code masks its addresses, so the isLow test always passes; in
    // 64-bit code it passes while the address space has nothing mapped above 4 GiB, and C2's profile
    // then shows the fallback unused. An address above 4 GiB is still served, by the tagged path.
    // (Code that reaches both halves must keep the methods above: with both paths compiled into every
    // access, C2's register allocation on our large regions took seconds.)
    // The page table comes as an argument: generated code reads it once per call into a local
    // ({@link #pages}), so a hit is no longer three dependent loads (the vCPU, its TLB, the table)
    // before the page's own. Its identity never changes once made. Loads use the page's read entry
    // (2n), stores its write entry (2n + 1), see {@link Tlb}.
    // The Low accessors index the table by page number without a bounds check (PageAccess): it
    // must be that table, whose length covers both entries of every page below 4 GiB. The page number is
    // tested and used as a long: one unsigned compare is both the below-4-GiB test and the index's
    // bound, and the index needs no narrowing to int and widening back (two host instructions per
    // access of 64-bit code, where the JIT cannot tell the address is below 4 GiB).

    /** The vCPU's untagged table, made if it is not yet (generated code keeps it in a local). */
    public static byte[][] pages(Vcpu c) {
        c.tlb.useLow();
        return c.tlb.low;
    }

    public static int ld8Low(Vcpu c, byte[][] t, long a) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (n >= Tlb.LOW_PAGES) return ld8(c, a);
        byte[] p = PageAccess.lowPage(t, Tlb.readEntry(n));
        if (p != null) return PageAccess.getByte(p, (int) a & 0xFFF) & 0xFF;
        return (int) slowLoad(c, a, 1);
    }

    public static int ld16Low(Vcpu c, byte[][] t, long a) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (n >= Tlb.LOW_PAGES) return ld16(c, a);
        byte[] p = PageAccess.lowPage(t, Tlb.readEntry(n));
        int off = (int) a & 0xFFF;
        if (p != null && off <= 4094) return PageAccess.getShort(p, off) & 0xFFFF;
        return (int) slowLoad(c, a, 2);
    }

    public static int ld32Low(Vcpu c, byte[][] t, long a) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (n >= Tlb.LOW_PAGES) return ld32(c, a);
        byte[] p = PageAccess.lowPage(t, Tlb.readEntry(n));
        int off = (int) a & 0xFFF;
        if (p != null && off <= 4092) return PageAccess.getInt(p, off);
        return (int) slowLoad(c, a, 4);
    }

    public static long ld64Low(Vcpu c, byte[][] t, long a) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (n >= Tlb.LOW_PAGES) return ld64(c, a);
        byte[] p = PageAccess.lowPage(t, Tlb.readEntry(n));
        int off = (int) a & 0xFFF;
        if (p != null && off <= 4088) return PageAccess.getLong(p, off);
        return slowLoad(c, a, 8);
    }

    public static void st8Low(Vcpu c, byte[][] t, long a, int v) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (n >= Tlb.LOW_PAGES) { st8(c, a, v); return; }
        byte[] p = PageAccess.lowPage(t, Tlb.writeEntry(n));
        if (p != null) PageAccess.putByte(p, (int) a & 0xFFF, (byte) v);
        else slowStore(c, a, v, 1);
    }

    public static void st16Low(Vcpu c, byte[][] t, long a, int v) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (n >= Tlb.LOW_PAGES) { st16(c, a, v); return; }
        byte[] p = PageAccess.lowPage(t, Tlb.writeEntry(n));
        int off = (int) a & 0xFFF;
        if (p != null && off <= 4094) PageAccess.putShort(p, off, (short) v);
        else slowStore(c, a, v, 2);
    }

    public static void st32Low(Vcpu c, byte[][] t, long a, int v) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (n >= Tlb.LOW_PAGES) { st32(c, a, v); return; }
        byte[] p = PageAccess.lowPage(t, Tlb.writeEntry(n));
        int off = (int) a & 0xFFF;
        if (p != null && off <= 4092) PageAccess.putInt(p, off, v);
        else slowStore(c, a, v, 4);
    }

    public static void st64Low(Vcpu c, byte[][] t, long a, long v) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (n >= Tlb.LOW_PAGES) { st64(c, a, v); return; }
        byte[] p = PageAccess.lowPage(t, Tlb.writeEntry(n));
        int off = (int) a & 0xFFF;
        if (p != null && off <= 4088) PageAccess.putLong(p, off, v);
        else slowStore(c, a, v, 8);
    }

    // ---- restartable fast paths: as the Low ones, but a miss in the untagged part (no page cached, an
    // access across pages) throws {@link GuestException#RESTART} instead of calling the slow path. (An
    // address above 4 GiB still takes the tagged path: the JIT leaves that branch out, with its call,
    // until it is taken.)
    // Generated code uses them where nothing of the instruction has happened yet, so its fault handler
    // can write the state back as of the instruction's start; the loop then caches the page and runs
    // on from that instruction, or runs it alone on the slow path (Vcpu.restartInsn). With no call in
    // them, the JIT need not keep the block's values in stack slots across a call on every access.

    public static int ld8R(Vcpu c, byte[][] t, long a) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (n >= Tlb.LOW_PAGES) return ld8(c, a);
        byte[] p = PageAccess.lowPage(t, Tlb.readEntry(n));
        if (p != null) return PageAccess.getByte(p, (int) a & 0xFFF) & 0xFF;
        throw c.restart(a, 1, false);
    }

    public static int ld16R(Vcpu c, byte[][] t, long a) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (n >= Tlb.LOW_PAGES) return ld16(c, a);
        byte[] p = PageAccess.lowPage(t, Tlb.readEntry(n));
        int off = (int) a & 0xFFF;
        if (p != null && off <= 4094) return PageAccess.getShort(p, off) & 0xFFFF;
        throw c.restart(a, 2, false);
    }

    public static int ld32R(Vcpu c, byte[][] t, long a) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (n >= Tlb.LOW_PAGES) return ld32(c, a);
        byte[] p = PageAccess.lowPage(t, Tlb.readEntry(n));
        int off = (int) a & 0xFFF;
        if (p != null && off <= 4092) return PageAccess.getInt(p, off);
        throw c.restart(a, 4, false);
    }

    public static long ld64R(Vcpu c, byte[][] t, long a) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (n >= Tlb.LOW_PAGES) return ld64(c, a);
        byte[] p = PageAccess.lowPage(t, Tlb.readEntry(n));
        int off = (int) a & 0xFFF;
        if (p != null && off <= 4088) return PageAccess.getLong(p, off);
        throw c.restart(a, 8, false);
    }

    public static void st8R(Vcpu c, byte[][] t, long a, int v) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (n >= Tlb.LOW_PAGES) { st8(c, a, v); return; }
        byte[] p = PageAccess.lowPage(t, Tlb.writeEntry(n));
        if (p != null) PageAccess.putByte(p, (int) a & 0xFFF, (byte) v);
        else throw c.restart(a, 1, true);
    }

    public static void st16R(Vcpu c, byte[][] t, long a, int v) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (n >= Tlb.LOW_PAGES) { st16(c, a, v); return; }
        byte[] p = PageAccess.lowPage(t, Tlb.writeEntry(n));
        int off = (int) a & 0xFFF;
        if (p != null && off <= 4094) PageAccess.putShort(p, off, (short) v);
        else throw c.restart(a, 2, true);
    }

    public static void st32R(Vcpu c, byte[][] t, long a, int v) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (n >= Tlb.LOW_PAGES) { st32(c, a, v); return; }
        byte[] p = PageAccess.lowPage(t, Tlb.writeEntry(n));
        int off = (int) a & 0xFFF;
        if (p != null && off <= 4092) PageAccess.putInt(p, off, v);
        else throw c.restart(a, 4, true);
    }

    public static void st64R(Vcpu c, byte[][] t, long a, long v) {
        long n = a >>> AddressSpace.PAGE_BITS;
        if (n >= Tlb.LOW_PAGES) { st64(c, a, v); return; }
        byte[] p = PageAccess.lowPage(t, Tlb.writeEntry(n));
        int off = (int) a & 0xFFF;
        if (p != null && off <= 4088) PageAccess.putLong(p, off, v);
        else throw c.restart(a, 8, true);
    }

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
            c.tlb.fill(a, p.data, true, false);
            long v = 0;
            int off = (int) (a & AddressSpace.PAGE_MASK);
            for (int k = size - 1; k >= 0; k--) v = (v << 8) | (p.data[off + k] & 0xFF);
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
            for (int k = 0; k < size; k++) p.data[off + k] = (byte) (v >>> (8 * k));
            c.tlb.fill(a, p.data, (p.prot & Prot.READ) != 0, true); // a write-only page must still fault on reads
            return;
        }
        Page first = as.writablePage(a), second = as.writablePage(AddressSpace.pageOf(a + size - 1));
        for (int k = 0; k < size; k++) {
            long b = a + k;
            Page p = AddressSpace.pageOf(b) == AddressSpace.pageOf(a) ? first : second;
            p.data[(int) (b & AddressSpace.PAGE_MASK)] = (byte) (v >>> (8 * k));
        }
    }
}
