package emulator.core.mem;

import java.lang.ref.Reference;

/**
 * One 4 KiB guest page: its bytes, its permissions, and whether translated code was made from it.
 * The bytes are either an array of their own or, below 4 GiB where the address space has
 * {@link FlatMemory}, a page of that mapping; the accessors here hide which.
 */
public final class Page {
    /** The page's own bytes; null when they live in flat memory at {@link #address}. */
    final byte[] data;
    /** Host address of the page's bytes in flat memory (when {@link #data} is null). */
    final long address;
    /** The flat memory holding the page, kept alive by it; null with {@link #data}. */
    private final FlatMemory flat;
    public volatile int prot;
    /** Set when a block was translated from this page; a write then invalidates those blocks. */
    public volatile boolean code;

    Page(byte[] data, int prot) { this.data = data; this.address = 0; this.flat = null; this.prot = prot; }

    /** The page of {@code flat} at guest address {@code guestAddr}. */
    Page(FlatMemory flat, long guestAddr, int prot) { this.data = null; this.address = flat.at(guestAddr); this.flat = flat; this.prot = prot; }

    /** The byte at offset {@code off} (0-4095), zero-extended. */
    public int get(int off) {
        checkOffset(off, 1);
        if (data != null) return data[off] & 0xFF;
        int v = PageAccess.getByteAt(address + off) & 0xFF;
        Reference.reachabilityFence(flat); // the memory stays mapped until the read is done
        return v;
    }

    void put(int off, byte v) {
        checkOffset(off, 1);
        if (data != null) data[off] = v;
        else PageAccess.putByteAt(address + off, v);
        Reference.reachabilityFence(flat);
    }

    /** Copies {@code len} bytes from offset {@code off} into {@code dst}. */
    void copyOut(int off, byte[] dst, int dstOff, int len) {
        checkOffset(off, len);
        java.util.Objects.checkFromIndexSize(dstOff, len, dst.length);
        if (data != null) System.arraycopy(data, off, dst, dstOff, len);
        else PageAccess.copyOut(address + off, dst, dstOff, len);
        Reference.reachabilityFence(flat);
    }

    /** Copies {@code len} bytes of {@code src} to offset {@code off}. */
    void copyIn(byte[] src, int srcOff, int off, int len) {
        checkOffset(off, len);
        java.util.Objects.checkFromIndexSize(srcOff, len, src.length);
        if (data != null) System.arraycopy(src, srcOff, data, off, len);
        else PageAccess.copyIn(src, srcOff, address + off, len);
        Reference.reachabilityFence(flat);
    }

    /** Copies this page's bytes into {@code to}, a fresh (zero-filled) page. */
    void copyTo(Page to) {
        if (data != null && to.data != null) System.arraycopy(data, 0, to.data, 0, AddressSpace.PAGE_SIZE);
        else if (data != null) to.copyIn(data, 0, 0, AddressSpace.PAGE_SIZE);
        else if (to.data != null) copyOut(0, to.data, 0, AddressSpace.PAGE_SIZE);
        // A page of zeros is left alone: the copy's page is zero already, and writing it would make the
        // host commit memory for a page the guest may never touch (a fork copies every mapped page).
        else if (!PageAccess.isZero(address, AddressSpace.PAGE_SIZE)) PageAccess.copy(address, to.address, AddressSpace.PAGE_SIZE);
        Reference.reachabilityFence(flat);
        Reference.reachabilityFence(to.flat);
    }

    // Flat memory is reached without the JVM's bounds checks: every offset is checked here.
    private static void checkOffset(int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, AddressSpace.PAGE_SIZE);
    }
}
