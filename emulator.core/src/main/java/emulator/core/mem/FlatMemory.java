package emulator.core.mem;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.ref.Cleaner;

/**
 * The bytes of an address space's pages below 4 GiB, in one host mapping, with a byte of access
 * rights per page in front of them. Generated code then reaches a guest byte at {@code base + a}
 * once it has read page {@code a >>> 12}'s rights at {@code base - PERM_SIZE + (a >>> 12)}: two
 * loads that both depend only on the address, where a software TLB's are a chain (the table entry
 * gives the page's array, which gives the byte). Both are indexed from the one {@code base}, so
 * generated code keeps a single host register for guest memory.
 *
 * <p>The mapping is reserved, not committed ({@code MAP_NORESERVE}): only pages the guest touches
 * take host memory, and unmapping a guest range gives its pages back ({@code MADV_DONTNEED}, which
 * also leaves them zero for the next mapping). The mapping is released when this object is garbage
 * ({@link Cleaner}), never earlier: its address space and each of its {@link Page}s refer to it, and
 * generated code running in the space holds its vCPU, which holds the space, so nothing that can
 * still reach the memory outlives it.
 *
 * <p>Rights are kept exact: a page's read bit is set while it is mapped readable, its write bit
 * while it is mapped writable and holds no translated code (so writes to code take the slow path,
 * which invalidates the blocks). They change at once, for every vCPU, when the mapping changes.
 *
 * <p>Needs {@code sun.misc.Unsafe}'s memory access ({@link PageAccess#UNCHECKED}) and native access
 * for {@code mmap} (the JVM flag {@code --enable-native-access=ALL-UNNAMED}, which {@code ./abiscope},
 * {@code bench/run} and the tests pass), on Linux. Without them {@link #AVAILABLE} is false and
 * every page is an ordinary array reached through the tagged TLB: slower, the same results, and
 * said once on stderr, with what was missing.
 */
final class FlatMemory {
    /** Guest bytes covered: every address below 4 GiB. */
    static final long GUEST_SIZE = 1L << 32;
    /** Pages covered, and the size of the rights table in front of {@link #base}. */
    static final long PAGES = GUEST_SIZE >>> AddressSpace.PAGE_BITS, PERM_SIZE = PAGES;
    /**
     * Two pages past the guest's 4 GiB in the reservation, never a guest's: an access generated code
     * makes less than a page past an address it has tested to be below 4 GiB ends inside the
     * reservation (see MemOps' page guards).
     */
    static final long SPARE = 2L << AddressSpace.PAGE_BITS;
    /** Rights bits: generated code may read the page / write it without the slow path. */
    static final int READ_OK = 1, WRITE_OK = 2;

    /** Whether flat memory can be used in this JVM (see the class comment). */
    static final boolean AVAILABLE;
    /**
     * A base whose rights table is all zero (and whose guest part does not exist): what vCPUs of an
     * address space without flat memory use, so that the flat fast paths always miss there.
     */
    static final long NO_BASE;

    private static final MethodHandle MMAP, MUNMAP, MADVISE;
    private static final int PROT_READ = 1, PROT_WRITE = 2, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000, MADV_DONTNEED = 4;
    private static final Cleaner CLEANER = Cleaner.create();
    private static volatile boolean reserveFailureReported;
    /** Why flat memory is not available, or null: said once on stderr, at the first address space. */
    private static final String UNAVAILABLE_BECAUSE;
    private static volatile boolean unavailableReported;

    static {
        MethodHandle mmap = null, munmap = null, madvise = null;
        String os = System.getProperty("os.name", ""), arch = System.getProperty("os.arch", "");
        String missing = !PageAccess.UNCHECKED ? "sun.misc.Unsafe's memory access (--sun-misc-unsafe-memory-access=allow)"
                : !os.startsWith("Linux") || !(arch.equals("amd64") || arch.equals("aarch64")) ? "a Linux host on x86-64 or AArch64, not " + os + " on " + arch
                : !FlatMemory.class.getModule().isNativeAccessEnabled() ? "native access for mmap (--enable-native-access=ALL-UNNAMED)"
                : null;
        if (missing == null) {
            try {
                Linker linker = Linker.nativeLinker();
                var libc = linker.defaultLookup();
                ValueLayout.OfLong j = ValueLayout.JAVA_LONG;
                ValueLayout.OfInt i = ValueLayout.JAVA_INT;
                mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(j, j, j, i, i, i, j));
                munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(), FunctionDescriptor.of(i, j, j));
                madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(), FunctionDescriptor.of(i, j, j, i));
            } catch (RuntimeException | LinkageError e) {
                mmap = munmap = madvise = null;
                missing = "mmap through the JDK's native linker (" + e + ")";
            }
        }
        MMAP = mmap;
        MUNMAP = munmap;
        MADVISE = madvise;
        long noBase = 0;
        if (mmap != null) {
            long table = map(PERM_SIZE);
            if (table != -1) noBase = table + PERM_SIZE;
        }
        NO_BASE = noBase;
        AVAILABLE = noBase != 0;
        UNAVAILABLE_BECAUSE = AVAILABLE ? null : missing != null ? missing : "the host to map its rights table (mmap failed)";
    }

    /** Host address of guest address 0; the rights table ends here. */
    final long base;

    private FlatMemory(long base) { this.base = base; }

    /**
     * Reserves flat memory, released when it is garbage; null when it is not available or the host
     * refuses the reservation (reported once on stderr).
     */
    static FlatMemory reserve() {
        if (!AVAILABLE) {
            // The same results on paged memory, but guest code runs at about two thirds of the speed
            // (i386 gzip 560 against 890 M insn/s): an embedder who left out a JVM flag should know.
            if (!unavailableReported) {
                unavailableReported = true;
                System.err.println("abiscope: flat guest memory is off, it needs " + UNAVAILABLE_BECAUSE
                        + "; guest memory runs on the slower paged memory");
            }
            return null;
        }
        long start = map(PERM_SIZE + GUEST_SIZE + SPARE);
        if (start == -1) {
            if (!reserveFailureReported) {
                reserveFailureReported = true;
                System.err.println("abiscope: the host refused to reserve 4 GiB of address space for guest memory;"
                        + " this address space runs on the slower paged memory");
            }
            return null;
        }
        FlatMemory f = new FlatMemory(start + PERM_SIZE);
        CLEANER.register(f, () -> unmap(start, PERM_SIZE + GUEST_SIZE + SPARE));
        return f;
    }

    /** The host address of guest address {@code guestAddr} (below 4 GiB). */
    long at(long guestAddr) { return base + guestAddr; }

    /** Sets page {@code n}'s rights (below {@link #PAGES}). */
    void setRights(long n, boolean read, boolean write) {
        PageAccess.putByteAt(base - PERM_SIZE + n, (byte) ((read ? READ_OK : 0) | (write ? WRITE_OK : 0)));
    }

    /** Zeroes guest [addr, addr+len) (page-aligned, below 4 GiB), giving its host memory back. */
    void discard(long addr, long len) {
        int r;
        try {
            r = (int) MADVISE.invokeExact(base + addr, len, MADV_DONTNEED);
        } catch (Throwable t) {
            r = -1;
        }
        // Never seen to fail on a mapping of our own; if it did, the pages must still read zero
        // (they stay committed then).
        if (r != 0) PageAccess.setZero(base + addr, len);
    }

    private static long map(long len) {
        try {
            return (long) MMAP.invokeExact(0L, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
        } catch (Throwable t) {
            return -1;
        }
    }

    private static void unmap(long start, long len) {
        try {
            int ignored = (int) MUNMAP.invokeExact(start, len);
        } catch (Throwable t) {
            // the mapping stays: address space only, its pages were never more than the guest's
        }
    }
}
