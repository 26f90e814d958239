package plugin.syscalls.linux.decode;

import emulator.api.GuestMemory;
import java.util.OptionalLong;
import java.util.Set;
import plugin.syscalls.linux.Call;
import plugin.syscalls.linux.table.Arch;

/**
 * What {@link Decoder} and the semantics will read of guest memory, copied on the vCPU thread at the
 * instant it is true: inputs at the entry, outputs at the return. Each argument kind here reads what
 * the same kind reads in {@link Decoder} (and {@code Semantics} for its calls), or more, never less:
 * a read the capture missed is counted by {@link MemorySnapshot} and reported, and the tests fail on it.
 *
 * <p>This is the only decoding work left on the vCPU thread: no text, no tables, a few copies.
 */
public final class Capture {
    private final Arch arch;
    private final int stringLimit;
    private final int w;

    /** The longest path (PATH_MAX, as {@code MemReader.path} reads it) and argument string the exec semantics keep. */
    static final int PATH_MAX = 4096;
    /** argv strings and entries: what the exec semantics keep, or what the decoder shows when that is more. */
    private final int argvLimit;

    public Capture(Arch arch, int stringLimit) {
        this.arch = arch;
        this.stringLimit = stringLimit;
        this.w = arch.wordSize;
        this.argvLimit = Math.max(PATH_MAX, stringLimit);
    }

    // What entry() and exit() below may copy, for CallShape: most calls copy nothing at one end or
    // both (read's entry, close, brk, mmap), and their capture is then skipped without a look at
    // the kinds. A kind missing here is a call whose capture is skipped: its decoding then reads
    // memory that was not copied, which is counted, reported and fails the tests.
    private static final Set<String> ENTRY_CALLS = Set.of("rt_sigreturn", "sigreturn", "readv", "preadv", "preadv2",
            "writev", "pwritev", "pwritev2", "memfd_create");
    private static final Set<String> ENTRY_KINDS = Set.of("path", "str", "bufin:2", "iovin:2", "sigsetin:3", "rlimin64",
            "sigactin", "tsin", "utimes", "rlimin", "argv", "envp", "userdesc", "pollfds", "prctlarg");
    private static final Set<String> EXIT_CALLS = Set.of("set_thread_area", "poll", "pipe", "pipe2", "socketpair");
    private static final Set<String> EXIT_KINDS = Set.of("bufout", "bufouthex", "strout", "cwdout", "stat", "oldstat",
            "statx", "loffout", "pipeout", "rlimoutw", "utsname", "sysinfo", "dents", "dents64", "timeout", "offinout",
            "offinout64", "tsout64", "rlimout64", "sigsetout:3", "tvout", "tsout", "sigactout", "wstatus", "iovout:2",
            "groups", "groups32", "prctlarg", "archprctlarg", "ioctlarg");

    /** Whether {@link #entry} may copy anything for this call (the tracker does not call it otherwise). */
    public static boolean readsAtEntry(String name, Prototypes.Proto p) {
        return ENTRY_CALLS.contains(name) || p != null && !name.equals("clone") && anyOf(p, ENTRY_KINDS);
    }

    /** Whether {@link #exit} may copy anything for this call (the tracker does not call it otherwise). */
    public static boolean readsAtExit(String name, Prototypes.Proto p) {
        return EXIT_CALLS.contains(name) || p != null && !name.equals("clone") && anyOf(p, EXIT_KINDS);
    }

    private static boolean anyOf(Prototypes.Proto p, Set<String> kinds) {
        for (String k : p.args()) if (kinds.contains(k)) return true;
        return false;
    }

    /** The memory the entry's decoding reads, or null when it reads none. */
    public MemorySnapshot entry(Call c, GuestMemory mem) {
        Prototypes.Proto p = c.proto;
        long[] a = c.args;
        Snap s = new Snap(mem);
        switch (c.name) {
            case "rt_sigreturn", "sigreturn" -> {
                // the mask the sigreturn restores, in the frame at the stack pointer (Decoder.sigreturn)
                switch (arch) {
                    case X86_64 -> s.bytes(c.sp + 296, 8);
                    case I386 -> { if (c.name.equals("rt_sigreturn")) s.bytes(c.sp + 248, 8); else s.bytes(c.sp + 80, 4); }
                    default -> { }
                }
                return s.done();
            }
            // Semantics: an iovec array's lengths (all of them, up to 1024), a memfd's name
            case "readv", "preadv", "preadv2", "writev", "pwritev", "pwritev2" -> {
                long n = Math.min(a[2], 1024);
                if (n > 0) s.bytes(a[1], n * 2 * w);
            }
            case "memfd_create" -> s.cString(a[0], 256);
            default -> { }
        }
        if (p == null || c.name.equals("clone")) return s.done();
        String[] kinds = p.args();
        for (int k = 0, ai = 0; k < kinds.length && ai < a.length; k++, ai++) {
            String kind = kinds[k];
            if (kind.equals("long64") && w == 4) { ai++; continue; }
            long v = a[ai];
            switch (kind) {
                case "path" -> s.cString(v, PATH_MAX + 1);
                case "str" -> s.cString(v, stringLimit + 1);
                case "bufin:2" -> s.bytes(v, Math.min(arch.unsigned(a[2]), stringLimit));
                case "iovin:2" -> iovec(s, v, a[2]);
                case "sigsetin:3", "rlimin64" -> { if (arch.unsigned(v) != 0) s.bytes(v, 16); }
                case "sigactin" -> { if (arch.unsigned(v) != 0) s.bytes(v, 3L * w + 8); }
                case "tsin" -> { if (arch.unsigned(v) != 0) s.bytes(v, 2L * w); }
                case "utimes" -> { if (arch.unsigned(v) != 0) s.bytes(v, 4L * w); }
                case "rlimin" -> s.bytes(v, 2L * w);
                case "argv" -> argv(s, v);
                case "envp" -> { if (arch.unsigned(v) != 0) s.pointerArray(v, 100_000); }
                case "userdesc" -> s.bytes(v, 16);
                case "pollfds" -> { long n = a[1] & 0xFFFF_FFFFL; if (n <= 1024) s.bytes(a[0], 8 * n); }
                case "prctlarg" -> { if (a[0] == 15) s.cString(v, stringLimit + 1); }
                default -> { }
            }
        }
        return s.done();
    }

    /** The memory the return's decoding reads, for a call that returned {@code ret}; null when none. */
    public MemorySnapshot exit(Call c, GuestMemory mem, long ret) {
        Prototypes.Proto p = c.proto;
        long[] a = c.args;
        Snap s = new Snap(mem);
        boolean failed = Errno.isError(ret);
        if (p != null && !failed && !c.name.equals("clone")) {
            String[] kinds = p.args();
            for (int k = 0, ai = 0; k < kinds.length && ai < a.length; k++, ai++) {
                String kind = kinds[k];
                if (kind.equals("long64") && w == 4) { ai++; continue; }
                long v = a[ai];
                switch (kind) {
                    case "bufout", "bufouthex", "strout" -> s.bytes(v, Math.min(ret, stringLimit));
                    case "cwdout" -> { if (ret > 0) { s.bytes(v + ret - 1, 1); s.bytes(v, Math.min(ret, stringLimit)); } }
                    case "stat", "oldstat" -> s.bytes(v, 64); // every layout's mode, rdev and size lie in the first 56 bytes
                    case "statx" -> s.bytes(v, 48);
                    case "loffout", "pipeout" -> s.bytes(v, 8);
                    case "rlimoutw" -> s.bytes(v, 2L * w);
                    case "utsname" -> s.bytes(v, 65 * 2);
                    case "sysinfo" -> s.bytes(v, Structs.sysinfoSize(w));
                    case "dents", "dents64" -> { if (ret > 0) s.bytes(v, ret + 24); } // each record's length field lies within 24 bytes of its start
                    case "timeout", "offinout", "offinout64", "tsout64", "rlimout64", "sigsetout:3" -> { if (arch.unsigned(v) != 0) s.bytes(v, 16); }
                    case "tvout", "tsout" -> { if (arch.unsigned(v) != 0) s.bytes(v, 2L * w); }
                    case "sigactout" -> { if (arch.unsigned(v) != 0) s.bytes(v, 3L * w + 8); }
                    case "wstatus" -> { if (arch.unsigned(v) != 0 && ret != 0) s.bytes(v, 4); }
                    case "iovout:2" -> iovec(s, v, a[2]);
                    case "groups" -> { if (a[0] != 0) s.bytes(v, 2 * Math.min(ret, 65536)); }
                    case "groups32" -> { if (a[0] != 0) s.bytes(v, 4 * Math.min(ret, 65536)); }
                    case "prctlarg" -> { if (a[0] == 16) s.cString(v, stringLimit + 1); }
                    case "archprctlarg" -> { if (a[0] == 0x1003 || a[0] == 0x1004) s.bytes(v, 8); }
                    case "ioctlarg" -> { if ((a[1] & 0xFFFF_FFFFL) == 0x5413) s.bytes(v, 8); } // TIOCGWINSZ
                    default -> { }
                }
            }
        }
        if (!failed) {
            switch (c.name) {
                case "set_thread_area" -> s.bytes(a[0], 4); // the entry number the kernel chose (Decoder.result)
                case "poll" -> { if (ret > 0) s.bytes(a[0], 8 * Math.min(a[1] & 0xFFFF_FFFFL, 1024)); }
                default -> { }
            }
        }
        if (ret >= 0) {
            // Semantics.atExit: the two handles pipe and socketpair write
            switch (c.name) {
                case "pipe", "pipe2" -> s.bytes(a[0], 8);
                case "socketpair" -> s.bytes(a[3], 8);
                default -> { }
            }
        }
        return s.done();
    }

    /** An iovec array (its first entries, as {@code Structs.iovec} shows them) and the start of each buffer. */
    private void iovec(Snap s, long addr, long count) {
        if (count < 0 || count > 1024) return;
        long shown = Math.min(count, stringLimit);
        s.bytes(addr, shown * 2 * w);
        for (int i = 0; i < shown; i++) {
            OptionalLong base = s.word(addr + 2L * i * w), len = s.word(addr + 2L * i * w + w);
            if (base.isEmpty() || len.isEmpty()) return;
            s.bytes(base.getAsLong(), Math.min(len.getAsLong(), stringLimit));
        }
    }

    /** An argument vector: the pointers up to NULL and each string whole (the exec semantics keep them all). */
    private void argv(Snap s, long addr) {
        if (arch.unsigned(addr) == 0) return;
        s.pointerArray(addr, argvLimit);
        for (int i = 0; i <= argvLimit; i++) {
            OptionalLong p = s.word(addr + (long) i * w);
            if (p.isEmpty() || p.getAsLong() == 0) return;
            s.cString(p.getAsLong(), argvLimit + 1);
        }
    }

    /** A snapshot made only when something is copied: most calls (close, brk, mmap…) read no memory. */
    private final class Snap {
        final GuestMemory mem;
        MemorySnapshot snap;

        Snap(GuestMemory mem) { this.mem = mem; }

        MemorySnapshot get() {
            if (snap == null) snap = new MemorySnapshot(mem.asid());
            return snap;
        }

        // addresses as the decoders compute them (arguments are zero-extended already)
        void bytes(long addr, long len) { if (len > 0) get().bytes(mem, addr, len); }

        void cString(long addr, int max) { get().cString(mem, addr, max); }

        void pointerArray(long addr, int max) { get().pointerArray(mem, addr, w, max); }

        /** A word this capture copied (arrays are copied before the pointers in them are followed). */
        OptionalLong word(long addr) { return snap == null ? OptionalLong.empty() : snap.capturedWord(addr, w); }

        MemorySnapshot done() { return snap == null ? null : snap.trim(); }
    }
}
