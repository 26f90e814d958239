package emulator.core.mem;

import emulator.core.exec.GuestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A guest virtual address space: 4 KiB pages with permissions, shared by the vCPUs (threads) that
 * run in it. Pages below 4 GiB live in {@link FlatMemory} where the JVM allows it, whose access
 * rights change for every vCPU at once; other pages are arrays that vCPUs cache in their own
 * {@link Tlb}, and changes that remove access (unmap, mprotect, a page becoming code) bump
 * {@link #generation()} so that every vCPU flushes its TLB at its next safe point. A memory cap makes
 * unbounded guest allocation an ordinary ENOMEM.
 */
public final class AddressSpace {
    public static final int PAGE_BITS = 12;
    public static final int PAGE_SIZE = 1 << PAGE_BITS;
    public static final long PAGE_MASK = PAGE_SIZE - 1;

    private static final AtomicLong NEXT_ASID = new AtomicLong(1);

    private final long asid;
    private final ConcurrentHashMap<Long, Page> pages = new ConcurrentHashMap<>();
    private final AtomicInteger generation = new AtomicInteger();
    private final AtomicLong mappedBytes = new AtomicLong();
    private final long limitBytes;
    private volatile CodeWriteListener codeListener;
    private volatile boolean mappedAbove4GiB;
    private final java.util.concurrent.locks.ReentrantLock atomicLock = new java.util.concurrent.locks.ReentrantLock();
    /** Where pages below 4 GiB live; null when every page is an array of its own. */
    private final FlatMemory flat;

    public AddressSpace(long limitBytes) {
        this.asid = NEXT_ASID.getAndIncrement();
        this.limitBytes = limitBytes;
        this.flat = FlatMemory.reserve();
    }

    /**
     * The base for {@link MemOps}' flat accesses: this space's flat memory, or, without it, one
     * whose rights table is empty (every flat access then takes the slow path).
     */
    public long flatBase() { return flat != null ? flat.base : FlatMemory.NO_BASE; }

    /** Whether pages below 4 GiB live in flat memory. */
    public boolean isFlat() { return flat != null; }

    public long asid() { return asid; }

    public int generation() { return generation.get(); }

    /** Forces every vCPU in this space to flush its TLB at its next safe point. */
    public void bumpGeneration() { generation.incrementAndGet(); }

    public void setCodeWriteListener(CodeWriteListener l) { this.codeListener = l; }

    public long mappedBytes() { return mappedBytes.get(); }

    public long limitBytes() { return limitBytes; }

    /**
     * Whether a page at or above 4 GiB has ever been mapped here. Never cleared: code translated while
     * it was false keeps working (only slower) if the guest goes high later, and a guest that went
     * high once is likely to again.
     */
    public boolean mappedAbove4GiB() { return mappedAbove4GiB; }

    /** Held by a vCPU through one atomic read-modify-write of guest memory (see {@link emulator.core.exec.Vcpu#beginAtomic}). */
    public java.util.concurrent.locks.ReentrantLock atomicLock() { return atomicLock; }

    public static long pageOf(long addr) { return addr & ~PAGE_MASK; }

    public Page page(long addr) { return pages.get(addr >>> PAGE_BITS); }

    /**
     * Maps zero-filled pages over [addr, addr+len), replacing what was there (like MAP_FIXED).
     *
     * @return false, changing nothing, when the memory cap would be exceeded
     */
    public synchronized boolean map(long addr, long len, int prot) {
        long first = addr >>> PAGE_BITS, last = (addr + len - 1) >>> PAGE_BITS;
        long added = 0;
        for (long p = first; p <= last; p++) if (!pages.containsKey(p)) added += PAGE_SIZE;
        if (mappedBytes.get() + added > limitBytes) return false;
        boolean replaced = added < ((last - first + 1) << PAGE_BITS);
        if (replaced) {
            for (long p = first; p <= last; p++) setRights(p, null); // before the bytes are zeroed
            discard(first, last);
        }
        for (long p = first; p <= last; p++) {
            Page fresh = newPage(p, prot);
            Page old = pages.put(p, fresh);
            setRights(p, fresh);
            if (old != null && old.code) notifyCode(p << PAGE_BITS);
        }
        mappedBytes.addAndGet(added);
        if (last >= 1L << (32 - PAGE_BITS)) mappedAbove4GiB = true;
        // Only a replaced page can be in a TLB: mapping fresh pages (a growing heap, a new mmap) keeps
        // every vCPU's entries, which a flush would make each miss again.
        if (replaced) bumpGeneration();
        return true;
    }

    /** Unmaps [addr, addr+len); unmapped parts are ignored. */
    public synchronized void unmap(long addr, long len) {
        long first = addr >>> PAGE_BITS, last = (addr + len - 1) >>> PAGE_BITS;
        for (long p = first; p <= last; p++) {
            Page old = pages.remove(p);
            if (old != null) {
                setRights(p, null);
                mappedBytes.addAndGet(-PAGE_SIZE);
                if (old.code) notifyCode(p << PAGE_BITS);
            }
        }
        discard(first, last);
        bumpGeneration();
    }

    /**
     * Unmaps everything: the space is no longer used (its process has ended, or exec replaced it), so
     * its host memory goes back now rather than when the space is garbage.
     */
    public synchronized void release() {
        for (Long p : pages.keySet()) setRights(p, null);
        pages.clear();
        mappedBytes.set(0);
        discard(0, FlatMemory.PAGES - 1);
        bumpGeneration();
    }

    /** Changes permissions of the mapped pages in [addr, addr+len); returns false if any page is unmapped. */
    public synchronized boolean protect(long addr, long len, int prot) {
        long first = addr >>> PAGE_BITS, last = (addr + len - 1) >>> PAGE_BITS;
        boolean all = true;
        for (long p = first; p <= last; p++) {
            Page pg = pages.get(p);
            if (pg == null) { all = false; continue; }
            pg.prot = prot;
            setRights(p, pg);
        }
        bumpGeneration();
        return all;
    }

    public boolean isMapped(long addr) { return pages.containsKey(addr >>> PAGE_BITS); }

    /** Whether every page of [addr, addr+len) is unmapped. */
    public boolean isFree(long addr, long len) {
        long first = addr >>> PAGE_BITS, last = (addr + len - 1) >>> PAGE_BITS;
        for (long p = first; p <= last; p++) if (pages.containsKey(p)) return false;
        return true;
    }

    /**
     * Finds a free, page-aligned range of {@code len} bytes in [min, max), searching down from
     * {@code max} as Linux's top-down mmap does; returns -1 if there is none.
     */
    public long findFree(long len, long min, long max) {
        long n = (len + PAGE_MASK) >>> PAGE_BITS;
        TreeMap<Long, Boolean> used = new TreeMap<>();
        for (Long p : pages.keySet()) used.put(p, Boolean.TRUE);
        long top = max >>> PAGE_BITS, bottom = min >>> PAGE_BITS;
        long cand = top - n;
        while (cand >= bottom) {
            Long hit = used.floorKey(cand + n - 1);
            if (hit == null || hit < cand) return cand << PAGE_BITS;
            cand = hit - n;
        }
        return -1;
    }

    // ---- byte access for the slow path, loaders, system calls and plugins

    /** Reads one byte, checking READ permission (or EXEC when {@code fetch}); throws a page fault. */
    public int readByte(long addr, boolean fetch) {
        Page p = pages.get(addr >>> PAGE_BITS);
        int need = fetch ? Prot.EXEC : Prot.READ;
        if (p == null || (p.prot & need) == 0) throw GuestException.pageFault(addr, fetch ? 2 : 0);
        return p.get((int) (addr & PAGE_MASK));
    }

    /** Copies guest memory with permission checks, throwing a page fault at the first bad byte. */
    public void read(long addr, byte[] dst, int off, int len) {
        int done = 0;
        while (done < len) {
            long a = addr + done;
            Page p = pages.get(a >>> PAGE_BITS);
            if (p == null || (p.prot & Prot.READ) == 0) throw GuestException.pageFault(a, 0);
            int po = (int) (a & PAGE_MASK), n = Math.min(len - done, PAGE_SIZE - po);
            p.copyOut(po, dst, off + done, n);
            done += n;
        }
    }

    /** Writes guest memory with permission checks (invalidating code), throwing a page fault at the first bad byte. */
    public void write(long addr, byte[] src, int off, int len) {
        int done = 0;
        while (done < len) {
            long a = addr + done;
            Page p = writablePage(a);
            int po = (int) (a & PAGE_MASK), n = Math.min(len - done, PAGE_SIZE - po);
            p.copyIn(src, off + done, po, n);
            done += n;
        }
    }

    /** The page at {@code a} for writing: checks permission and invalidates translated code on it. */
    public Page writablePage(long a) {
        Page p = pages.get(a >>> PAGE_BITS);
        if (p == null || (p.prot & Prot.WRITE) == 0) throw GuestException.pageFault(a, 1);
        if (p.code) notCode(a, p);
        return p;
    }

    /** Reads ignoring permissions; stops at the first unmapped byte. Never throws. */
    public int peek(long addr, byte[] dst, int off, int len) {
        int done = 0;
        while (done < len) {
            long a = addr + done;
            Page p = pages.get(a >>> PAGE_BITS);
            if (p == null) break;
            int po = (int) (a & PAGE_MASK), n = Math.min(len - done, PAGE_SIZE - po);
            p.copyOut(po, dst, off + done, n);
            done += n;
        }
        return done;
    }

    /** Writes ignoring permissions (loaders, debuggers); stops at the first unmapped byte. */
    public int poke(long addr, byte[] src, int off, int len) {
        int done = 0;
        while (done < len) {
            long a = addr + done;
            Page p = pages.get(a >>> PAGE_BITS);
            if (p == null) break;
            if (p.code) notCode(a, p);
            int po = (int) (a & PAGE_MASK), n = Math.min(len - done, PAGE_SIZE - po);
            p.copyIn(src, off + done, po, n);
            done += n;
        }
        return done;
    }

    /** Marks the page holding {@code addr} as holding translated code. */
    public void markCode(long addr) {
        Page p = pages.get(addr >>> PAGE_BITS);
        if (p != null && !p.code) {
            synchronized (this) {
                p.code = true;
                setRights(addr >>> PAGE_BITS, p);
            }
            bumpGeneration(); // other vCPUs may hold a write TLB entry for it
        }
    }

    /** Page {@code p} at {@code a} no longer holds translated code: its blocks go, writes take the fast path again. */
    private void notCode(long a, Page p) {
        synchronized (this) {
            p.code = false;
            setRights(a >>> PAGE_BITS, p);
        }
        notifyCode(pageOf(a));
    }

    /** A zero-filled page for page number {@code n}: in flat memory when the space has it there. */
    private Page newPage(long n, int prot) {
        if (flat != null && n < FlatMemory.PAGES) return new Page(flat, n << PAGE_BITS, prot);
        return new Page(new byte[PAGE_SIZE], prot);
    }

    /** Makes flat memory's rights for page {@code n} those of {@code p} (null: unmapped). */
    private void setRights(long n, Page p) {
        if (flat == null || n >= FlatMemory.PAGES) return;
        if (p == null) flat.setRights(n, false, false);
        else flat.setRights(n, (p.prot & Prot.READ) != 0, (p.prot & Prot.WRITE) != 0 && !p.code);
    }

    /** Zeroes the flat memory of pages {@code first..last} (they are unmapped, or about to be replaced). */
    private void discard(long first, long last) {
        if (flat == null || first >= FlatMemory.PAGES) return;
        long end = Math.min(last + 1, FlatMemory.PAGES);
        if (end <= first) return;
        flat.discard(first << PAGE_BITS, (end - first) << PAGE_BITS);
    }

    /** A copy for fork: same contents and permissions, a new asid, no code marks. */
    public synchronized AddressSpace copy() {
        AddressSpace c = new AddressSpace(limitBytes);
        for (Map.Entry<Long, Page> e : pages.entrySet()) {
            Page p = e.getValue(), q = c.newPage(e.getKey(), p.prot);
            p.copyTo(q);
            c.pages.put(e.getKey(), q);
            c.setRights(e.getKey(), q);
        }
        c.mappedBytes.set(mappedBytes.get());
        c.mappedAbove4GiB = mappedAbove4GiB;
        return c;
    }

    /** Mapped regions as [start, end, prot] triples, merged, in address order (for /proc/self/maps and dumps). */
    public List<long[]> regions() {
        TreeMap<Long, Integer> sorted = new TreeMap<>();
        pages.forEach((k, v) -> sorted.put(k, v.prot));
        List<long[]> out = new ArrayList<>();
        long[] cur = null;
        for (Map.Entry<Long, Integer> e : sorted.entrySet()) {
            long start = e.getKey() << PAGE_BITS;
            if (cur != null && cur[1] == start && cur[2] == e.getValue()) cur[1] += PAGE_SIZE;
            else { cur = new long[] {start, start + PAGE_SIZE, e.getValue()}; out.add(cur); }
        }
        return out;
    }

    private void notifyCode(long pageAddr) {
        CodeWriteListener l = codeListener;
        if (l != null) l.codePageChanged(pageAddr);
    }
}
