package emulator.linuxuser.kernel;

import emulator.core.exec.GuestException;
import emulator.core.mem.AddressSpace;
import emulator.linuxuser.abi.Errno;
import emulator.linuxuser.abi.ErrnoException;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Guest memory as system calls see it: permission-checked copies that turn a guest page fault
 * into {@code EFAULT}, little-endian words of the ABI's size, C strings.
 */
public final class GuestMem {
    private final int wordSize;
    private AddressSpace space;

    public GuestMem(AddressSpace space, int wordSize) {
        this.space = space;
        this.wordSize = wordSize;
    }

    public AddressSpace space() { return space; }
    public void setSpace(AddressSpace s) { this.space = s; }
    public int wordSize() { return wordSize; }

    /** Truncates a guest pointer or unsigned word to the ABI's width. */
    public long word(long v) { return wordSize == 4 ? v & 0xFFFF_FFFFL : v; }

    public byte[] read(long addr, int len) throws ErrnoException {
        byte[] b = new byte[len];
        read(addr, b, 0, len);
        return b;
    }

    public void read(long addr, byte[] dst, int off, int len) throws ErrnoException {
        if (len == 0) return;
        try {
            space.read(word(addr), dst, off, len);
        } catch (GuestException e) {
            throw new ErrnoException(Errno.EFAULT);
        }
    }

    public void write(long addr, byte[] src, int off, int len) throws ErrnoException {
        if (len == 0) return;
        try {
            space.write(word(addr), src, off, len);
        } catch (GuestException e) {
            throw new ErrnoException(Errno.EFAULT);
        }
    }

    public void write(long addr, byte[] src) throws ErrnoException { write(addr, src, 0, src.length); }

    public void write(long addr, ByteBuffer b) throws ErrnoException {
        write(addr, b.array(), 0, b.position());
    }

    public long readU32(long addr) throws ErrnoException {
        return ByteBuffer.wrap(read(addr, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFF_FFFFL;
    }

    public long readU64(long addr) throws ErrnoException {
        return ByteBuffer.wrap(read(addr, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** A word of the ABI's size, zero-extended. */
    public long readWord(long addr) throws ErrnoException { return wordSize == 4 ? readU32(addr) : readU64(addr); }

    /** A signed "long" of the ABI's size. */
    public long readLong(long addr) throws ErrnoException { return wordSize == 4 ? (int) readU32(addr) : readU64(addr); }

    public void writeU32(long addr, long v) throws ErrnoException {
        write(addr, buffer(4).putInt((int) v));
    }

    public void writeU64(long addr, long v) throws ErrnoException {
        write(addr, buffer(8).putLong(v));
    }

    public void writeWord(long addr, long v) throws ErrnoException {
        if (wordSize == 4) writeU32(addr, v); else writeU64(addr, v);
    }

    /** A NUL-terminated string of at most {@code max} bytes (ENAMETOOLONG beyond), decoded as UTF-8. */
    public String readCString(long addr, int max) throws ErrnoException {
        if (word(addr) == 0) throw new ErrnoException(Errno.EFAULT);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[1];
        for (int i = 0; i < max; i++) {
            read(addr + i, chunk, 0, 1);
            if (chunk[0] == 0) return out.toString(StandardCharsets.UTF_8);
            out.write(chunk[0]);
        }
        throw new ErrnoException(Errno.ENAMETOOLONG);
    }

    /** A little-endian buffer for building a guest struct; write it with {@link #write(long, ByteBuffer)}. */
    public static ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Appends an ABI word (4 or 8 bytes). */
    public ByteBuffer putWord(ByteBuffer b, long v) {
        return wordSize == 4 ? b.putInt((int) v) : b.putLong(v);
    }
}
