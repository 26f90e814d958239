package plugin.syscalls.linux.decode;

import emulator.api.GuestMemory;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The guest memory one system call's decoding needs, copied on the vCPU thread at the instant it is
 * true (a buffer written at the entry, a buffer read at the return) so that the text can be made
 * later, on the trace writer's thread, while the guest runs on and changes that memory.
 *
 * <p>Each region remembers why it ends: at an unreadable byte (a read there gets the short count the
 * live memory gave), after a string's NUL (string readers stop there), or at the length the capture
 * asked for. A read the capture did not cover is a <em>miss</em>: a capture plan that disagrees with
 * its decoder ({@link Capture}). It reads as unreadable memory (the decoder prints the address) and is
 * counted, so that the tracer reports it and the tests fail on it.
 */
public final class MemorySnapshot implements GuestMemory {
    /** A region's end: the next byte could not be read / a string ended / the capture stopped there. */
    private static final byte UNREADABLE = 0, STRING_END = 1, LIMIT = 2;
    private static final int STRING_CHUNK = 256;

    private final long asid;
    private long[] start = new long[4];
    private int[] offset = new int[4], length = new int[4];
    private byte[] end = new byte[4];
    private int regions;
    private byte[] data = new byte[64];
    private int used;
    private int misses;
    private String firstMiss;

    /** Set for {@link #unavailable}: everything reads as unreadable, and that is no miss. */
    private boolean lost;

    public MemorySnapshot(long asid) {
        this.asid = asid;
    }

    /** Memory that could not be copied (the capture failed and was reported): all of it reads as unreadable. */
    public static MemorySnapshot unavailable(long asid) {
        MemorySnapshot s = new MemorySnapshot(asid);
        s.lost = true;
        return s;
    }

    // ---- capture (vCPU thread)

    /** Copies {@code len} bytes at {@code addr}, or as many as are readable. */
    public void bytes(GuestMemory mem, long addr, long len) {
        if (len <= 0) return;
        int n = (int) Math.min(len, Integer.MAX_VALUE - 16);
        int r = region(addr);
        ensure(n);
        int got = mem.read(addr, data, used, n);
        close(r, got, got < n ? UNREADABLE : LIMIT);
    }

    /** Copies a NUL-terminated string of at most {@code max} bytes (the NUL included when it comes sooner). */
    public void cString(GuestMemory mem, long addr, int max) {
        int r = region(addr), got = 0;
        byte endKind = LIMIT;
        while (got < max) {
            int want = Math.min(STRING_CHUNK, max - got);
            ensure(got + want);
            int n = mem.read(addr + got, data, used + got, want);
            for (int i = 0; i < n; i++) {
                if (data[used + got + i] == 0) { close(r, got + i + 1, STRING_END); return; }
            }
            got += n;
            if (n < want) { endKind = UNREADABLE; break; }
        }
        close(r, got, endKind);
    }

    /** Copies a NULL-terminated array of words (argv, envp) of at most {@code max} entries, the NULL included. */
    public void pointerArray(GuestMemory mem, long addr, int wordSize, int max) {
        int r = region(addr), got = 0;
        for (int i = 0; i <= max; i++) {
            ensure(got + wordSize);
            int n = mem.read(addr + (long) i * wordSize, data, used + got, wordSize);
            got += n;
            if (n < wordSize) { close(r, got, UNREADABLE); return; }
            if (word(used + got - wordSize, wordSize) == 0) { close(r, got, STRING_END); return; }
        }
        close(r, got, LIMIT);
    }

    /** The word at {@code addr} if this snapshot holds it (capture plans follow pointers they copied). */
    public OptionalLong capturedWord(long addr, int size) {
        int r = find(addr, size);
        if (r < 0 || addr + size > start[r] + length[r]) return OptionalLong.empty();
        return OptionalLong.of(word(offset[r] + (int) (addr - start[r]), size));
    }

    private int region(long addr) {
        if (regions == start.length) {
            int n = regions * 2;
            start = Arrays.copyOf(start, n);
            offset = Arrays.copyOf(offset, n);
            length = Arrays.copyOf(length, n);
            end = Arrays.copyOf(end, n);
        }
        start[regions] = addr;
        offset[regions] = used;
        return regions++;
    }

    private void close(int r, int len, byte kind) {
        length[r] = len;
        end[r] = kind;
        used += len;
    }

    private void ensure(int more) {
        if (used + more > data.length) data = Arrays.copyOf(data, Math.max(data.length * 2, used + more));
    }

    private long word(int at, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) v = (v << 8) | (data[at + i] & 0xFF);
        return v;
    }

    /** Drops the unused tail of the buffer once the capture is complete (the snapshot may wait in a queue). */
    public MemorySnapshot trim() {
        if (data.length - used > 256) data = Arrays.copyOf(data, used);
        return this;
    }

    // ---- GuestMemory (the writer thread)

    /** The region holding {@code addr}, preferring one that holds all {@code len} bytes; -1 when none does. */
    private int find(long addr, int len) {
        int best = -1;
        long bestAvail = -1;
        for (int r = 0; r < regions; r++) {
            long rel = addr - start[r];
            if (rel < 0 || rel > length[r] || rel == length[r] && end[r] == LIMIT && length[r] > 0) continue;
            long avail = length[r] - rel;
            if (avail >= len) return r;
            if (avail > bestAvail) { best = r; bestAvail = avail; }
        }
        return best;
    }

    @Override public long asid() { return asid; }

    @Override
    public boolean isReadable(long addr) {
        byte[] one = new byte[1];
        return read(addr, one, 0, 1) == 1;
    }

    @Override
    public int read(long addr, byte[] dst, int off, int len) {
        if (len <= 0) return 0;
        int r = find(addr, len);
        if (r < 0) { miss(addr, len); return 0; }
        int rel = (int) (addr - start[r]);
        int n = Math.min(len, length[r] - rel);
        System.arraycopy(data, offset[r] + rel, dst, off, n);
        if (n < len && end[r] == LIMIT) miss(addr + n, len - n);
        return n;
    }

    @Override
    public int write(long addr, byte[] src, int off, int len) {
        throw new UnsupportedOperationException("a memory snapshot is read-only");
    }

    @Override
    public OptionalLong readInt(long addr, int size) {
        int r = find(addr, size);
        if (r >= 0 && addr + size <= start[r] + length[r]) return OptionalLong.of(word(offset[r] + (int) (addr - start[r]), size));
        byte[] b = new byte[size];
        if (read(addr, b, 0, size) != size) return OptionalLong.empty();
        long v = 0;
        for (int i = size - 1; i >= 0; i--) v = (v << 8) | (b[i] & 0xFF);
        return OptionalLong.of(v);
    }

    @Override
    public Optional<String> readCString(long addr, int max) {
        int r = find(addr, 1);
        if (r < 0) { miss(addr, 1); return Optional.empty(); }
        int rel = (int) (addr - start[r]), avail = length[r] - rel, n = 0;
        while (n < max && n < avail && data[offset[r] + rel + n] != 0) n++;
        if (n == avail && n < max) {
            if (end[r] == LIMIT) miss(addr + n, 1);
            if (n == 0) return Optional.empty();
        }
        return Optional.of(new String(data, offset[r] + rel, n, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    private void miss(long addr, int len) {
        if (lost) return;
        if (misses++ == 0) firstMiss = len + " bytes at 0x" + Long.toHexString(addr);
    }

    /** Reads the decoder made that the capture did not cover (a capture-plan bug); 0 when it agreed. */
    public int misses() { return misses; }

    /** The first such read, for the report. */
    public String firstMiss() { return firstMiss; }

    /** Bytes held (the cost of the capture, for the tests). */
    public int size() { return used; }
}
