package plugin.syscalls.linux.decode;

import emulator.api.GuestMemory;
import java.util.OptionalLong;
import plugin.syscalls.linux.table.Arch;

/**
 * Guest memory read with the ABI's word size, and the strace conventions for what cannot be read:
 * a pointer that does not lead to readable memory prints as its address.
 */
public final class MemReader {
    final GuestMemory mem;
    final Arch arch;
    final int stringLimit;

    public MemReader(GuestMemory mem, Arch arch, int stringLimit) {
        this.mem = mem;
        this.arch = arch;
        this.stringLimit = stringLimit;
    }

    OptionalLong u32(long addr) { return mem.readInt(addr, 4); }

    OptionalLong u64(long addr) { return mem.readInt(addr, 8); }

    OptionalLong u16(long addr) { return mem.readInt(addr, 2); }

    OptionalLong word(long addr) { return mem.readInt(addr, arch.wordSize); }

    /** Reads exactly {@code n} bytes, or null when some are not readable. */
    byte[] bytes(long addr, int n) {
        byte[] b = new byte[n];
        return mem.read(addr, b, 0, n) == n ? b : null;
    }

    /** A pointer argument: {@code NULL} or hex. */
    public String ptr(long p) {
        p = arch.unsigned(p);
        return p == 0 ? "NULL" : "0x" + Long.toHexString(p);
    }

    /** A NUL-terminated string cut at {@code limit} bytes with {@code ...} after the quote. */
    public String cstring(long addr, int limit) {
        if (arch.unsigned(addr) == 0) return "NULL";
        byte[] b = new byte[limit + 1];
        int got = mem.read(addr, b, 0, limit + 1);
        for (int i = 0; i < got; i++) if (b[i] == 0) return Quote.quote(b, 0, i, false);
        if (got <= limit) return got == 0 ? ptr(addr) : Quote.quote(b, 0, got, false); // runs into unreadable memory
        return Quote.quote(b, 0, limit, false) + "...";
    }

    /** A path: no length limit short of PATH_MAX. */
    public String path(long addr) { return cstring(addr, 4096); }

    /** A string argument, cut at the string limit (strace -s). */
    public String string(long addr) { return cstring(addr, stringLimit); }

    /** {@code len} bytes of a buffer, cut at the string limit. */
    public String buffer(long addr, long len, boolean hex) {
        if (len <= 0) return len == 0 && arch.unsigned(addr) != 0 ? "\"\"" : ptr(addr);
        int n = (int) Math.min(len, stringLimit);
        byte[] b = bytes(addr, n);
        if (b == null) return ptr(addr);
        return Quote.quote(b, 0, n, hex) + (len > n ? "..." : "");
    }

    /** A string the kernel wrote with a trailing NUL counted in {@code len} (getcwd). */
    public String bufferOmitNul(long addr, long len) {
        if (len > 0) {
            byte[] last = bytes(addr + len - 1, 1);
            if (last != null && last[0] == 0) len--;
        }
        return buffer(addr, len, false);
    }
}
