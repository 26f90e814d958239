package plugin.syscalls.linux.decode;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import plugin.syscalls.linux.table.Arch;

/**
 * The common kernel structures, read at the ABI's layout (uapi headers) and printed as strace
 * prints them without -v (the abbreviated forms, ending in {@code ...}).
 */
final class Structs {
    private final MemReader r;
    private final Arch arch;
    private final int w;

    Structs(MemReader r) {
        this.r = r;
        this.arch = r.arch;
        this.w = arch.wordSize;
    }

    static String mode(long mode) {
        String type = Consts.S_IFMT.name(mode & 0170000);
        StringBuilder sb = new StringBuilder();
        if (type != null) sb.append(type).append('|');
        if ((mode & 04000) != 0) sb.append("S_ISUID|");
        if ((mode & 02000) != 0) sb.append("S_ISGID|");
        if ((mode & 01000) != 0) sb.append("S_ISVTX|");
        sb.append(octal(mode & 0777));
        return sb.toString();
    }

    /** C's {@code %#03o}: a leading 0, at least three characters: {@code 0644}, {@code 022}, {@code 000}. */
    static String octal(long v) {
        String s = v == 0 ? "0" : "0" + Long.toOctalString(v);
        while (s.length() < 3) s = "0" + s;
        return s;
    }

    /** The kernel's dev_t as user space sees it (major 12 bits split, minor 20 bits split). */
    static String makedev(long dev) {
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        return "makedev(0x" + Long.toHexString(major) + ", 0x" + Long.toHexString(minor) + ")";
    }

    /** struct stat in its three layouts: 64-bit (x86_64, asm-generic), stat64 (i386, arm) and old stat (16-bit fields). */
    String stat(long addr, StatLayout layout) {
        long mode, rdev, size;
        switch (layout) {
            case X86_64 -> { mode = u32(addr + 24); rdev = u64(addr + 40); size = u64(addr + 48); }
            case GENERIC64 -> { mode = u32(addr + 16); rdev = u64(addr + 32); size = u64(addr + 48); }
            case STAT64 -> { mode = u32(addr + 16); rdev = u64(addr + 32); size = u64(addr + (arch == Arch.ARM ? 48 : 44)); }
            default -> { mode = u16(addr + 8); long d = u32(addr + 16); rdev = ((d >> 8) & 0xff) << 8 | (d & 0xff); size = u32(addr + 20); }
        }
        if (mode < 0) return r.ptr(addr);
        long type = mode & 0170000;
        String tail = type == 020000 || type == 060000 ? "st_rdev=" + makedev(rdev) : "st_size=" + size;
        return "{st_mode=" + mode(mode) + ", " + tail + ", ...}";
    }

    enum StatLayout { X86_64, GENERIC64, STAT64, OLD }

    String statx(long addr) {
        long mask = u32(addr), attrs = u64(addr + 8), mode = u16(addr + 28), size = u64(addr + 40);
        if (mask < 0 || mode < 0) return r.ptr(addr);
        return "{stx_mask=" + Consts.STATX_MASK.flags(mask, "0") + ", stx_attributes=" + Consts.STATX_ATTR.flags(attrs, "0")
                + ", stx_mode=" + mode(mode) + ", stx_size=" + size + ", ...}";
    }

    static String rlimValue(long v, boolean wide) {
        if (wide ? v == -1L : v == 0xFFFF_FFFFL) return wide ? "RLIM64_INFINITY" : "RLIM_INFINITY";
        if (v > 1024 && v % 1024 == 0) return Long.toUnsignedString(v / 1024) + "*1024";
        return Long.toUnsignedString(v);
    }

    /** struct rlimit; {@code wide}: 64-bit fields (prlimit64, and getrlimit on 64-bit ABIs). */
    String rlimit(long addr, boolean wide) {
        int s = wide ? 8 : 4;
        OptionalLong cur = r.mem.readInt(addr, s), max = r.mem.readInt(addr + s, s);
        if (cur.isEmpty() || max.isEmpty()) return r.ptr(addr);
        return "{rlim_cur=" + rlimValue(cur.getAsLong(), wide) + ", rlim_max=" + rlimValue(max.getAsLong(), wide) + "}";
    }

    /** The kernel's struct sigaction: handler, flags, restorer, mask (every Linux ABI here has sa_restorer). */
    String sigaction(long addr, long sigsetSize) {
        long handler = word(addr), flags = word(addr + w), restorer = word(addr + 2L * w);
        OptionalLong mask = r.u64(addr + 3L * w);
        if (handler < 0 || flags < 0 || mask.isEmpty()) return r.ptr(addr);
        String h = handler == 0 ? "SIG_DFL" : handler == 1 ? "SIG_IGN" : "0x" + Long.toHexString(handler);
        StringBuilder sb = new StringBuilder("{sa_handler=").append(h).append(", sa_mask=")
                .append(Signals.set(mask.getAsLong(), (int) Math.min(8, Math.max(sigsetSize, 0))))
                .append(", sa_flags=").append(Consts.SA_FLAGS.flags(flags, "0"));
        if ((flags & 0x04000000) != 0) sb.append(", sa_restorer=0x").append(Long.toHexString(restorer));
        return sb.append('}').toString();
    }

    String sigset(long addr, long size) {
        if (size <= 0 || size > 8) return r.ptr(addr);
        OptionalLong v = r.mem.readInt(addr, (int) (size >= 8 ? 8 : 4));
        return v.isEmpty() ? r.ptr(addr) : Signals.set(v.getAsLong(), (int) size);
    }

    /** struct timespec with word-sized fields; {@code wide}: __kernel_timespec (64-bit both). */
    String timespec(long addr, boolean wide) {
        int s = wide ? 8 : w;
        OptionalLong sec = r.mem.readInt(addr, s), nsec = r.mem.readInt(addr + s, s);
        if (sec.isEmpty() || nsec.isEmpty()) return r.ptr(addr);
        return "{tv_sec=" + signed(sec.getAsLong(), s) + ", tv_nsec=" + signed(nsec.getAsLong(), s) + "}";
    }

    String timeval(long addr) {
        OptionalLong sec = r.word(addr), usec = r.word(addr + w);
        if (sec.isEmpty() || usec.isEmpty()) return r.ptr(addr);
        return "{tv_sec=" + signed(sec.getAsLong(), w) + ", tv_usec=" + signed(usec.getAsLong(), w) + "}";
    }

    /** utimensat's pair: {@code [UTIME_NOW, UTIME_NOW]} or two timespecs. */
    String utimes(long addr) {
        if (arch.unsigned(addr) == 0) return "NULL";
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            long a = addr + 2L * i * w;
            OptionalLong nsec = r.word(a + w);
            if (nsec.isEmpty()) return r.ptr(addr);
            long ns = nsec.getAsLong();
            parts.add(ns == 0x3fffffffL ? "UTIME_NOW" : ns == 0x3ffffffeL ? "UTIME_OMIT" : timespec(a, false));
        }
        return "[" + String.join(", ", parts) + "]";
    }

    /** struct sysinfo's size: longs and unsigned longs are words, procs a u16, mem_unit a u32, padded to 64 bytes on 32-bit ABIs. */
    static int sysinfoSize(int w) { return w == 8 ? 112 : 64; }

    /** struct sysinfo (include/uapi/linux/sysinfo.h), every field as strace prints it. */
    String sysinfo(long addr) {
        long[] words = new long[10]; // uptime, loads[3], totalram, freeram, sharedram, bufferram, totalswap, freeswap
        for (int i = 0; i < words.length; i++) {
            OptionalLong v = r.word(addr + (long) i * w);
            if (v.isEmpty()) return r.ptr(addr);
            words[i] = v.getAsLong();
        }
        long procsAt = 10L * w, highAt = procsAt + w; // procs and its pad fill one word's slot (both ABIs align the next long)
        OptionalLong procs = r.u16(addr + procsAt), totalHigh = r.word(addr + highAt), freeHigh = r.word(addr + highAt + w),
                memUnit = r.u32(addr + highAt + 2L * w);
        if (procs.isEmpty() || totalHigh.isEmpty() || freeHigh.isEmpty() || memUnit.isEmpty()) return r.ptr(addr);
        StringBuilder sb = new StringBuilder("{uptime=").append(arch.signed(words[0])).append(", loads=[");
        for (int i = 1; i <= 3; i++) sb.append(i > 1 ? ", " : "").append(Long.toUnsignedString(words[i]));
        sb.append(']');
        for (int i = 0; i < SYSINFO_MEMORY.length; i++) sb.append(", ").append(SYSINFO_MEMORY[i]).append('=').append(Long.toUnsignedString(words[4 + i]));
        return sb.append(", procs=").append(procs.getAsLong()).append(", totalhigh=").append(Long.toUnsignedString(totalHigh.getAsLong()))
                .append(", freehigh=").append(Long.toUnsignedString(freeHigh.getAsLong())).append(", mem_unit=")
                .append(memUnit.getAsLong()).append('}').toString();
    }

    private static final String[] SYSINFO_MEMORY = {"totalram", "freeram", "sharedram", "bufferram", "totalswap", "freeswap"};

    String utsname(long addr) {
        byte[] b = r.bytes(addr, 65 * 2);
        if (b == null) return r.ptr(addr);
        return "{sysname=" + field(b, 0) + ", nodename=" + field(b, 65) + ", ...}";
    }

    private static String field(byte[] b, int off) {
        int n = 0;
        while (n < 65 && b[off + n] != 0) n++;
        return Quote.quote(b, off, n, false);
    }

    /** The wait status as strace spells it. */
    static String wstatus(long s) {
        int st = (int) s;
        if ((st & 0x7f) == 0) return "[{WIFEXITED(s) && WEXITSTATUS(s) == " + ((st >> 8) & 0xff) + "}]";
        if ((st & 0xff) == 0x7f) return "[{WIFSTOPPED(s) && WSTOPSIG(s) == " + Signals.name((st >> 8) & 0xff) + "}]";
        if (st == 0xffff) return "[{WIFCONTINUED(s)}]";
        return "[{WIFSIGNALED(s) && WTERMSIG(s) == " + Signals.name(st & 0x7f) + ((st & 0x80) != 0 ? " && WCOREDUMP(s)" : "") + "}]";
    }

    /** getdents/getdents64 buffer: its address and how many entries the kernel wrote. */
    String dents(long addr, long len, boolean is64) {
        int count = 0;
        long off = 0;
        while (off < len && count < 100_000) {
            long reclen = u16(addr + off + (is64 ? 16 : 2L * w));
            if (reclen <= 0) break;
            count++;
            off += reclen;
        }
        return r.ptr(addr) + " /* " + count + (count == 1 ? " entry" : " entries") + " */";
    }

    /** iovec array; {@code dataLimit}: bytes to show in total (the result for readv, the sum for writev). */
    String iovec(long addr, long count, long dataLimit) {
        if (count < 0 || count > 1024) return r.ptr(addr);
        List<String> parts = new ArrayList<>();
        long left = dataLimit;
        for (int i = 0; i < count; i++) {
            if (i >= r.stringLimit) { parts.add("..."); break; }
            OptionalLong base = r.word(addr + 2L * i * w), len = r.word(addr + 2L * i * w + w);
            if (base.isEmpty() || len.isEmpty()) return r.ptr(addr);
            long shown = Math.max(0, Math.min(len.getAsLong(), left));
            left -= shown;
            String data = shown == 0 && len.getAsLong() != 0 && dataLimit >= 0 ? r.ptr(base.getAsLong())
                    : dataLimit < 0 ? r.ptr(base.getAsLong()) : r.buffer(base.getAsLong(), shown, false);
            parts.add("{iov_base=" + data + ", iov_len=" + len.getAsLong() + "}");
        }
        return "[" + String.join(", ", parts) + "]";
    }

    /** i386 set_thread_area's struct user_desc. */
    String userDesc(long addr) {
        long entry = u32(addr), base = u32(addr + 4), limit = u32(addr + 8), f = u32(addr + 12);
        if (entry < 0 || f < 0) return r.ptr(addr);
        return "{entry_number=" + (int) entry + ", base_addr=0x" + Long.toHexString(base) + ", limit=" + String.format("%#07x", limit)
                + ", seg_32bit=" + (f & 1) + ", contents=" + ((f >> 1) & 3) + ", read_exec_only=" + ((f >> 3) & 1)
                + ", limit_in_pages=" + ((f >> 4) & 1) + ", seg_not_present=" + ((f >> 5) & 1) + ", useable=" + ((f >> 6) & 1) + "}";
    }

    /** {@code [3, 4]}: an array of {@code n} ints. */
    String intArray(long addr, int n) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long v = u32(addr + 4L * i);
            if (v < 0) return r.ptr(addr);
            parts.add(Integer.toString((int) v));
        }
        return "[" + String.join(", ", parts) + "]";
    }

    /** Reads an unsigned field, or -1 when unreadable (fields read here are never that large). */
    long u16(long a) { return r.u16(a).orElse(-1); }

    long u32(long a) { return r.u32(a).orElse(-1); }

    long u64(long a) { OptionalLong v = r.u64(a); return v.isPresent() ? v.getAsLong() : Long.MIN_VALUE; }

    long word(long a) { return r.word(a).orElse(-1); }

    private static long signed(long v, int size) { return size == 4 ? (int) v : v; }
}
