package emulator.core.mem;

/** One 4 KiB guest page: its bytes, its permissions, and whether translated code was made from it. */
public final class Page {
    public final byte[] data;
    public volatile int prot;
    /** Set when a block was translated from this page; a write then invalidates those blocks. */
    public volatile boolean code;

    Page(byte[] data, int prot) { this.data = data; this.prot = prot; }
}
