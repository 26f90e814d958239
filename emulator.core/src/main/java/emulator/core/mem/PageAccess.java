package emulator.core.mem;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.nio.ByteOrder;

/**
 * The last step of {@link MemOps}'s fast paths: a page's array from a TLB table, and a value from a
 * page or from {@link FlatMemory}, once the caller has proven the index in range — an entry below
 * {@link Tlb#SIZE}, an offset that leaves the value inside the page's 4 KiB, a flat address inside
 * the mapping. The JVM cannot see those proofs (it does not know the arrays' lengths), so a plain
 * array access would test the bounds a second time: two more compares and branches on every guest
 * load and store, measured at 10-15 % of an i386 gzip's steady speed. Flat memory has no checked
 * form: it is used only where these accesses are unchecked ({@link FlatMemory#AVAILABLE}).
 *
 * <p>So when the JVM was started with {@code --sun-misc-unsafe-memory-access=allow} (as
 * {@code ./abiscope}, {@code bench/run} and the tests start it) and the host is little-endian, these
 * accesses go through {@code sun.misc.Unsafe} without the second test. Otherwise — another JVM
 * setting, where Unsafe's memory access would warn, or throw in later JDKs — they are ordinary checked
 * accesses, slower only. {@link #UNCHECKED} is a constant the JIT folds, so the choice costs nothing.
 *
 * <p>Every caller must have checked the bounds: an unchecked access out of range reads or writes host
 * memory outside the guest's sandbox.
 */
final class PageAccess {
    private PageAccess() {}

    /** Whether accesses skip the JVM's bounds checks (see the class comment). */
    static final boolean UNCHECKED;
    private static final sun.misc.Unsafe U;
    private static final long BYTES_BASE, TABLE_BASE;
    private static final int TABLE_SHIFT;

    private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    static {
        sun.misc.Unsafe u = null;
        if ("allow".equals(System.getProperty("sun.misc.unsafe.memory.access"))
                && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            try {
                Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
                f.setAccessible(true);
                u = (sun.misc.Unsafe) f.get(null);
                u.getInt(new byte[4], (long) u.arrayBaseOffset(byte[].class)); // throws if memory access is denied after all
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                u = null;
            }
        }
        U = u;
        UNCHECKED = u != null;
        BYTES_BASE = u == null ? 0 : u.arrayBaseOffset(byte[].class);
        TABLE_BASE = u == null ? 0 : u.arrayBaseOffset(byte[][].class);
        TABLE_SHIFT = u == null ? 0 : Integer.numberOfTrailingZeros(u.arrayIndexScale(byte[][].class));
    }

    /** {@code table[page]}; {@code page} must be below {@code table.length}. */
    static byte[] page(byte[][] table, int page) {
        return UNCHECKED ? (byte[]) U.getObject(table, TABLE_BASE + ((long) page << TABLE_SHIFT)) : table[page];
    }

    // Values are little-endian; offsets must leave the whole value inside the array.

    static byte getByte(byte[] p, int off) { return UNCHECKED ? U.getByte(p, BYTES_BASE + off) : p[off]; }

    static void putByte(byte[] p, int off, byte v) {
        if (UNCHECKED) U.putByte(p, BYTES_BASE + off, v); else p[off] = v;
    }

    static int getShort(byte[] p, int off) { return UNCHECKED ? U.getShort(p, BYTES_BASE + off) : (short) I16.get(p, off); }

    static int getInt(byte[] p, int off) { return UNCHECKED ? U.getInt(p, BYTES_BASE + off) : (int) I32.get(p, off); }

    static long getLong(byte[] p, int off) { return UNCHECKED ? U.getLong(p, BYTES_BASE + off) : (long) I64.get(p, off); }

    static void putShort(byte[] p, int off, short v) {
        if (UNCHECKED) U.putShort(p, BYTES_BASE + off, v); else I16.set(p, off, v);
    }

    static void putInt(byte[] p, int off, int v) {
        if (UNCHECKED) U.putInt(p, BYTES_BASE + off, v); else I32.set(p, off, v);
    }

    static void putLong(byte[] p, int off, long v) {
        if (UNCHECKED) U.putLong(p, BYTES_BASE + off, v); else I64.set(p, off, v);
    }

    // Host addresses (flat memory, {@link FlatMemory}); only when UNCHECKED. The caller must have
    // proven the address inside a live mapping.

    static byte getByteAt(long addr) { return U.getByte(addr); }

    static int getShortAt(long addr) { return U.getShort(addr); }

    static int getIntAt(long addr) { return U.getInt(addr); }

    static long getLongAt(long addr) { return U.getLong(addr); }

    static void putByteAt(long addr, byte v) { U.putByte(addr, v); }

    static void putShortAt(long addr, short v) { U.putShort(addr, v); }

    static void putIntAt(long addr, int v) { U.putInt(addr, v); }

    static void putLongAt(long addr, long v) { U.putLong(addr, v); }

    static void copy(long from, long to, long len) { U.copyMemory(from, to, len); }

    static void setZero(long addr, long len) { U.setMemory(addr, len, (byte) 0); }

    /** Whether the {@code len} bytes (a multiple of 8) at {@code addr} are all zero. */
    static boolean isZero(long addr, int len) {
        for (int k = 0; k < len; k += 8) if (U.getLong(addr + k) != 0) return false;
        return true;
    }

    static void copyOut(long from, byte[] dst, int off, int len) { U.copyMemory(null, from, dst, BYTES_BASE + off, len); }

    static void copyIn(byte[] src, int off, long to, int len) { U.copyMemory(src, BYTES_BASE + off, null, to, len); }
}
