package emulator.linuxuser.kernel;

/**
 * Where exec puts a process's stack, its mmap area and a position-independent program. i386
 * programs get the kernel's layout either way (all of it is below 4 GiB); the choice is for x86-64.
 */
public enum AddressLayout {
    /**
     * The default: an x86-64 process gets the i386 layout, below 4 GiB (stack under 0xfffdd000, mmap
     * top-down from 0xf7fff000, a PIE at 0x56555000), and mmap goes above 4 GiB only once that is
     * full. The engine reaches pages below 4 GiB with a cheaper TLB lookup (emulator.core's
     * {@code Tlb}: one array load instead of a tag compare and two loads), which makes x86-64
     * guests faster. Addresses differ from a native run's, as they differ between native runs
     * under the kernel's randomization; a program that depends on its stack or mappings lying
     * above 4 GiB needs {@link #NATIVE}.
     */
    COMPACT,
    /** The kernel's x86-64 layout without randomization (stack below 0x7ffffffff000, PIE at 0x555555554000). */
    NATIVE;

    /** "compact" or "native" (any case); null for anything else. */
    public static AddressLayout parse(String s) {
        for (AddressLayout l : values()) if (l.name().equalsIgnoreCase(s.strip())) return l;
        return null;
    }
}
