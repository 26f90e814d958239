package emulator.core.mem;

import emulator.core.exec.Vcpu;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Guest loads and stores as generated code and the interpreter perform them: a small fast path (TLB
 * hit, access within one page) that the JIT inlines into the block, and an out-of-line slow path that
 * fills the TLB, checks permissions, raises page faults, splits page-crossing accesses and
 * invalidates code on self-modifying writes. Values are little-endian.
 */
public final class MemOps {
    private MemOps() {}

    private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long PAGE = ~AddressSpace.PAGE_MASK;

    // ---- fast paths

    public static int ld8(Vcpu c, long a) {
        Tlb t = c.tlb;
        int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
        if (t.rtag[i] == (a & PAGE)) return t.rpage[i][(int) a & 0xFFF] & 0xFF;
        return (int) slowLoad(c, a, 1);
    }

    public static int ld16(Vcpu c, long a) {
        Tlb t = c.tlb;
        int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
        int off = (int) a & 0xFFF;
        if (t.rtag[i] == (a & PAGE) && off <= 4094) return (short) I16.get(t.rpage[i], off) & 0xFFFF;
        return (int) slowLoad(c, a, 2);
    }

    public static int ld32(Vcpu c, long a) {
        Tlb t = c.tlb;
        int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
        int off = (int) a & 0xFFF;
        if (t.rtag[i] == (a & PAGE) && off <= 4092) return (int) I32.get(t.rpage[i], off);
        return (int) slowLoad(c, a, 4);
    }

    public static long ld64(Vcpu c, long a) {
        Tlb t = c.tlb;
        int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
        int off = (int) a & 0xFFF;
        if (t.rtag[i] == (a & PAGE) && off <= 4088) return (long) I64.get(t.rpage[i], off);
        return slowLoad(c, a, 8);
    }

    public static void st8(Vcpu c, long a, int v) {
        Tlb t = c.tlb;
        int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
        if (t.wtag[i] == (a & PAGE)) { t.wpage[i][(int) a & 0xFFF] = (byte) v; return; }
        slowStore(c, a, v, 1);
    }

    public static void st16(Vcpu c, long a, int v) {
        Tlb t = c.tlb;
        int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
        int off = (int) a & 0xFFF;
        if (t.wtag[i] == (a & PAGE) && off <= 4094) { I16.set(t.wpage[i], off, (short) v); return; }
        slowStore(c, a, v, 2);
    }

    public static void st32(Vcpu c, long a, int v) {
        Tlb t = c.tlb;
        int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
        int off = (int) a & 0xFFF;
        if (t.wtag[i] == (a & PAGE) && off <= 4092) { I32.set(t.wpage[i], off, v); return; }
        slowStore(c, a, v, 4);
    }

    public static void st64(Vcpu c, long a, long v) {
        Tlb t = c.tlb;
        int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
        int off = (int) a & 0xFFF;
        if (t.wtag[i] == (a & PAGE) && off <= 4088) { I64.set(t.wpage[i], off, v); return; }
        slowStore(c, a, v, 8);
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
            int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
            c.tlb.rtag[i] = a & PAGE;
            c.tlb.rpage[i] = p.data;
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
            int i = (int) (a >>> AddressSpace.PAGE_BITS) & Tlb.MASK;
            c.tlb.wtag[i] = a & PAGE;
            c.tlb.wpage[i] = p.data;
            if ((p.prot & Prot.READ) != 0) { // a write-only page must still fault on reads
                c.tlb.rtag[i] = a & PAGE;
                c.tlb.rpage[i] = p.data;
            }
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
