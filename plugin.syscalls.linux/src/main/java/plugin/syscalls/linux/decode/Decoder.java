package plugin.syscalls.linux.decode;

import emulator.api.GuestMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import plugin.syscalls.linux.Call;
import plugin.syscalls.linux.table.Arch;

/**
 * Prints a call's arguments and result the way {@code strace} does: inputs at entry (a buffer
 * written, a path), outputs at exit (a buffer read, a struct filled in), or their address when the
 * call failed. Kinds that need memory read it through the guest view only.
 *
 * <p>Argument kinds: fd, dirfd (AT_FDCWD), int, uint, long, ulong, long64 (two registers on 32-bit
 * ABIs), hex, ptr, oct, path, str, bufin:N (length in argument N), bufout / bufouthex / strout
 * (length = result), cwdout, the flag and enum kinds named after their tables, and the structs:
 * stat, oldstat, statx, rlim*, sigact*, sigset*, ts*, tv*, utimes, utsname, sysinfo, dents, iov*, wstatus…
 * {@code skip} consumes a register that the kind before it already printed.
 */
public final class Decoder {
    private final Arch arch;
    private final int stringLimit;

    public Decoder(Arch arch, int stringLimit) {
        this.arch = arch;
        this.stringLimit = stringLimit;
    }

    /**
     * Loads the tables decoding reads — prototypes, flag, signal and errno names — and the system-call
     * names of the x86 ABIs. The trace writer calls it as it starts, while the run is still starting:
     * otherwise the first call a guest makes waits for the tables on its vCPU thread (milliseconds), and
     * the end of a short run for the first decoding.
     */
    public static void prepare() {
        for (Arch a : Arch.values()) if (a.isX86()) a.name(0);
        Prototypes.of("read");
        Errno.name(2);
        Signals.name(1);
        OpenFlags.format(Arch.X86_64, 0);
        Object flags = Consts.PROT; // the flag and enum tables
    }

    private static final java.util.Set<String> OUTPUT_KINDS = java.util.Set.of("bufout", "bufouthex", "strout", "cwdout",
            "stat", "oldstat", "statx", "loffout", "dents", "dents64", "pipeout", "wstatus", "iovout:2", "groups", "groups32",
            "sigactout", "sigsetout:3", "rlimout64", "rlimoutw", "utsname", "sysinfo", "timeout", "tvout", "tsout", "tsout64",
            "offinout", "offinout64");

    /** Decodes what is known at entry; output arguments show their address until the exit. */
    public void enter(Call c, GuestMemory mem) {
        Prototypes.Proto p = c.proto;
        MemReader r = new MemReader(mem, arch, stringLimit);
        if (p == null) {
            for (int i = 0; i < c.args.length; i++) c.argText[i] = null;
            int n = 6;
            for (int i = 0; i < Math.min(n, c.args.length); i++) c.argText[i] = r.ptr(c.args[i]).replace("NULL", "0");
            return;
        }
        switch (c.name) {
            case "clone" -> { clone(c, r); return; }
            case "rt_sigreturn", "sigreturn" -> { sigreturn(c, r); return; }
            case "execve", "execveat" -> c.entryState = null;
            default -> { }
        }
        Structs s = new Structs(r);
        int ai = 0;
        for (int k = 0; k < p.args().length && ai < c.args.length; k++, ai++) {
            String kind = p.args()[k];
            if (kind.equals("long64") && arch.wordSize == 4) {
                long v = (c.args[ai] & 0xFFFF_FFFFL) | c.args[ai + 1] << 32;
                c.argText[ai] = Long.toString(v);
                c.argText[++ai] = null;
                continue;
            }
            c.argText[ai] = OUTPUT_KINDS.contains(kind) || kind.startsWith("sigsetout") ? r.ptr(c.args[ai]) : input(c, kind, ai, r, s);
        }
        for (; ai < c.argText.length; ai++) c.argText[ai] = null;
    }

    /** The arguments as raw numbers, as strace prints a call it cannot decode (the fallback when decoding failed). */
    public static void raw(Call c) {
        for (int i = 0; i < c.argText.length; i++) {
            long v = c.arch.unsigned(c.args[i]);
            c.argText[i] = v == 0 ? "0" : "0x" + Long.toHexString(v);
        }
    }

    /** A result as a plain number or error (the fallback when decoding it failed). */
    public static String rawResult(long ret) {
        return Errno.isError(ret) ? Errno.result(ret) : Long.toString(ret);
    }

    /** Decodes the outputs and the result. {@code rawRet} is the result register's value. */
    public void exit(Call c, GuestMemory mem, long rawRet) {
        long ret = arch.signed(rawRet);
        c.ret = ret;
        c.returned = true;
        Prototypes.Proto p = c.proto;
        MemReader r = new MemReader(mem, arch, stringLimit);
        boolean failed = Errno.isError(ret);
        if (p != null && !failed && !c.name.equals("clone")) {
            Structs s = new Structs(r);
            for (int k = 0, ai = 0; k < p.args().length && ai < c.args.length; k++, ai++) {
                String kind = p.args()[k];
                if (kind.equals("long64") && arch.wordSize == 4) { ai++; continue; }
                if (OUTPUT_KINDS.contains(kind)) c.argText[ai] = output(c, kind, ai, r, s, ret);
                else if (kind.equals("prctlarg") && c.args[0] == 16) c.argText[ai] = r.string(c.args[ai]);
                else if (kind.equals("archprctlarg") && (c.args[0] == 0x1003 || c.args[0] == 0x1004)) {
                    OptionalLong v = r.u64(c.args[ai]);
                    c.argText[ai] = v.isPresent() ? "[0x" + Long.toHexString(v.getAsLong()) + "]" : r.ptr(c.args[ai]);
                } else if (kind.equals("ioctlarg")) c.argText[ai] = ioctlOut(c, r);
            }
        }
        c.result = result(c, p, r, ret);
    }

    private String result(Call c, Prototypes.Proto p, MemReader r, long ret) {
        char kind = p == null ? 'd' : p.result();
        if (kind == 'q') return "?";
        if (Errno.isError(ret)) return Errno.result(ret);
        switch (c.name) {
            case "set_thread_area" -> {
                if (c.entryState instanceof Long in && in == 0xFFFF_FFFFL) {
                    OptionalLong e = r.u32(c.args[0]);
                    if (e.isPresent()) return ret + " (entry_number=" + e.getAsLong() + ")";
                }
            }
            case "fcntl", "fcntl64" -> {
                if (c.args[1] == 1) return "0x" + Long.toHexString(ret) + (ret == 0 ? "" : " (flags " + Consts.FD_FLAGS.flags(ret, "0") + ")");
                if (c.args[1] == 3) return "0x" + Long.toHexString(ret) + " (flags " + OpenFlags.format(arch, ret) + ")";
            }
            case "poll" -> {
                String rev = pollRevents(c, r, ret);
                if (rev != null) return ret + " (" + rev + ")";
            }
            default -> { }
        }
        return switch (kind) {
            case 'x' -> "0x" + Long.toHexString(arch.unsigned(ret));
            case 'o' -> Structs.octal(ret);
            default -> Long.toString(ret);
        };
    }

    private String fd(long v) { return Integer.toString((int) v); }

    /**
     * The kinds of the calls every program makes most (read, write, close, open, lseek, brk, mmap),
     * apart from the others ({@link #otherInput}). C1 compiles a method whole, at two tiers while C2 is
     * busy: with every kind in one switch, 3 KB of bytecode compiled twice in every traced run (a sixth of
     * what C1 compiled of this plugin in a busybox md5sum); the others are rarely called often enough to be compiled.
     */
    private String input(Call c, String kind, int i, MemReader r, Structs s) {
        long v = c.args[i];
        return switch (kind) {
            case "fd", "int", "pid" -> fd(v);
            case "ulong" -> Long.toUnsignedString(arch.unsigned(v));
            case "ptr" -> r.ptr(v);
            case "path" -> r.path(v);
            case "bufin:2" -> r.buffer(v, arch.unsigned(c.args[2]), false);
            case "dirfd" -> (int) v == -100 ? "AT_FDCWD" : fd(v);
            case "long" -> Long.toString(arch.signed(v));
            case "hex" -> altHex(arch.unsigned(v));
            default -> otherInput(c, kind, i, v, r, s);
        };
    }

    /** C's {@code %#lx}, as strace prints offsets and flag words: {@code 0x1000}, but plain {@code 0} for zero. */
    static String altHex(long v) {
        return v == 0 ? "0" : "0x" + Long.toHexString(v);
    }

    private String otherInput(Call c, String kind, int i, long v, MemReader r, Structs s) {
        switch (kind) {
            case "uint": return Long.toString(v & 0xFFFF_FFFFL);
            case "long64": return Long.toString(v);
            case "oct": return Structs.octal(v & 0xFFFF_FFFFL);
            case "str": return r.string(v);
            case "skip": return null;
            case "oflags": return OpenFlags.format(arch, v);
            case "omode:1", "omode:2": {
                long flags = c.args[Integer.parseInt(kind.substring(6))]; // omode:N: the flags are argument N
                return OpenFlags.takesMode(flags) ? Structs.octal(v & 0xFFFF_FFFFL) : null;
            }
            case "pipeflags": return v == 0 ? "0" : OpenFlags.format(arch, v).replaceFirst("^O_RDONLY\\|?", "");
            case "atflags": return Consts.AT_FLAGS.flags(v & 0xFFFF_FFFFL, "0");
            case "accatflags": return Consts.ACCESS_AT_FLAGS.flags(v & 0xFFFF_FFFFL, "0");
            case "statxflags": return Xlat.join(Consts.STATX_SYNC.enumName(v & 0x6000, "0x" + Long.toHexString(v & 0x6000)),
                    Consts.AT_FLAGS.flags(v & ~0x6000L & 0xFFFF_FFFFL, ""));
            case "statxmask": return Consts.STATX_MASK.flags(v & 0xFFFF_FFFFL, "0");
            case "accmode": return v == 0 ? "F_OK" : Consts.ACCESS_MODE.flags(v, "0");
            case "prot": return Consts.PROT.flags(v & 0xFFFF_FFFFL, "PROT_NONE");
            case "mapflags": {
                String type = Consts.MAP_TYPE.enumName(v & 0xf, "0x" + Long.toHexString(v & 0xf));
                return Xlat.join(type, Consts.MAP_FLAGS.flags(v & ~0xfL & 0xFFFF_FFFFL, ""));
            }
            case "pgoff": return altHex((v & 0xFFFF_FFFFL) * 4096);
            case "mremapflags": return Consts.MREMAP.flags(v, "0");
            // the kernel reads new_address only when both MREMAP_MAYMOVE and MREMAP_FIXED are set, and strace prints it only then
            case "mremapnew": return (c.args[3] & 3) == 3 ? r.ptr(v) : null;
            case "renameflags": return Consts.RENAME_FLAGS.flags(v, "0");
            case "madv": return Consts.MADVISE.enumName(v, fd(v));
            case "whence": return Consts.WHENCE.enumName(v & 0xFFFF_FFFFL, fd(v));
            case "llseek": return Long.toString((c.args[i] & 0xFFFF_FFFFL) << 32 | (c.args[i + 1] & 0xFFFF_FFFFL));
            case "sig": return Signals.name((int) v);
            case "how": return Consts.SIGPROCMASK_HOW.enumName(v, fd(v));
            case "sigsetin:3": return arch.unsigned(v) == 0 ? "NULL" : s.sigset(v, c.args[3]);
            case "sigactin": return arch.unsigned(v) == 0 ? "NULL" : s.sigaction(v, c.args[3]);
            case "rlimres": return Consts.RLIMIT.enumName(v & 0xFFFF_FFFFL, fd(v));
            case "rlimin64": return arch.unsigned(v) == 0 ? "NULL" : s.rlimit(v, true);
            case "rlimin": return s.rlimit(v, arch.wordSize == 8);
            case "grnd": return Consts.GRND.flags(v, "0");
            case "clockid": return Consts.CLOCK.enumName(v, fd(v));
            case "tsin": return arch.unsigned(v) == 0 ? "NULL" : s.timespec(v, false);
            case "utimes": return s.utimes(v);
            case "waitopts": return Consts.WAIT_OPTIONS.flags(v & 0xFFFF_FFFFL, "0");
            case "argv": return argv(v, r);
            case "envp": return envp(v, r);
            case "iovin:2": return s.iovec(v, c.args[2], Long.MAX_VALUE);
            case "fcntl": return Consts.FCNTL_CMD.enumName(v & 0xFFFF_FFFFL, fd(v));
            case "fcntlarg": return fcntlArg(c, r);
            case "ioctl": return Consts.IOCTL.enumName(v & 0xFFFF_FFFFL, "0x" + Long.toHexString(v & 0xFFFF_FFFFL));
            case "ioctlarg": return r.ptr(v);
            case "prctl": return Consts.PRCTL.enumName(v, fd(v));
            case "prctlarg": {
                // strace prints only the arguments an option uses; unknown options get all four in hex
                if (prctlArgs(c.args[0]) < 2) return null;
                return switch ((int) c.args[0]) {
                    case 15 -> r.string(v);
                    case 16, 2 -> r.ptr(v);
                    case 1 -> Signals.name(v);
                    default -> Long.toString(arch.unsigned(v));
                };
            }
            case "prctlrest": return i < prctlArgs(c.args[0]) ? "0x" + Long.toHexString(arch.unsigned(v)) : null;
            case "archprctl": return Consts.ARCH_PRCTL.enumName(v, "0x" + Long.toHexString(v));
            case "archprctlarg": return "0x" + Long.toHexString(v);
            case "userdesc": {
                c.entryState = r.u32(v).orElse(-2);
                return s.userDesc(v);
            }
            case "futex": return futexOp(v);
            case "pollfds": return pollfds(c, r);
            case "sockfam": return Consts.SOCKET_FAMILY.enumName(v, fd(v));
            case "socktype": return Xlat.join(Consts.SOCKET_TYPE.enumName(v & 0xf, fd(v & 0xf)), Consts.SOCKET_TYPE_FLAGS.flags(v & ~0xfL, ""));
            case "shutdown": return Consts.SHUTDOWN.enumName(v, fd(v));
            case "flock": return Consts.FLOCK.flags(v, "0");
            case "prio": return Consts.PRIO_WHICH.enumName(v, fd(v));
            default: return r.ptr(v);
        }
    }

    /** The outputs of the most frequent calls, apart from the others (for the reason {@link #input} gives). */
    private String output(Call c, String kind, int i, MemReader r, Structs s, long ret) {
        long v = c.args[i];
        return switch (kind) {
            case "bufout" -> r.buffer(v, ret, false);
            case "stat" -> s.stat(v, statLayout(c.name));
            default -> otherOutput(c, kind, v, r, s, ret);
        };
    }

    private String otherOutput(Call c, String kind, long v, MemReader r, Structs s, long ret) {
        return switch (kind) {
            case "bufouthex" -> r.buffer(v, ret, true);
            case "strout" -> r.buffer(v, ret, false);
            case "cwdout" -> r.bufferOmitNul(v, ret);
            case "oldstat" -> s.stat(v, Structs.StatLayout.OLD);
            case "statx" -> s.statx(v);
            case "loffout" -> r.u64(v).isPresent() ? "[" + r.u64(v).getAsLong() + "]" : r.ptr(v);
            case "dents" -> s.dents(v, ret, false);
            case "dents64" -> s.dents(v, ret, true);
            case "pipeout" -> s.intArray(v, 2);
            case "wstatus" -> arch.unsigned(v) == 0 || ret == 0 ? r.ptr(v)
                    : r.u32(v).isPresent() ? Structs.wstatus(r.u32(v).getAsLong()) : r.ptr(v);
            case "iovout:2" -> s.iovec(v, c.args[2], ret);
            case "groups" -> groups(v, ret, 2, r, c.args[0] == 0);
            case "groups32" -> groups(v, ret, 4, r, c.args[0] == 0);
            case "sigactout" -> arch.unsigned(v) == 0 ? "NULL" : s.sigaction(v, c.args[3]);
            case "sigsetout:3" -> arch.unsigned(v) == 0 ? "NULL" : s.sigset(v, c.args[3]);
            case "rlimout64" -> arch.unsigned(v) == 0 ? "NULL" : s.rlimit(v, true);
            case "rlimoutw" -> s.rlimit(v, arch.wordSize == 8);
            case "utsname" -> s.utsname(v);
            case "sysinfo" -> s.sysinfo(v);
            case "timeout" -> arch.unsigned(v) == 0 ? "NULL" : r.word(v).isPresent() ? "[" + arch.signed(r.word(v).getAsLong()) + "]" : r.ptr(v);
            case "tvout" -> arch.unsigned(v) == 0 ? "NULL" : s.timeval(v);
            case "tsout" -> arch.unsigned(v) == 0 ? "NULL" : s.timespec(v, false);
            case "tsout64" -> arch.unsigned(v) == 0 ? "NULL" : s.timespec(v, true);
            case "offinout", "offinout64" -> {
                if (arch.unsigned(v) == 0) yield "NULL";
                OptionalLong o = kind.equals("offinout64") || arch.wordSize == 8 ? r.u64(v) : r.u32(v);
                yield o.isPresent() ? "[" + o.getAsLong() + "]" : r.ptr(v);
            }
            default -> r.ptr(v);
        };
    }

    private Structs.StatLayout statLayout(String name) {
        if (name.endsWith("64")) return Structs.StatLayout.STAT64;
        return switch (arch) {
            case X86_64 -> Structs.StatLayout.X86_64;
            case AARCH64 -> Structs.StatLayout.GENERIC64;
            default -> Structs.StatLayout.OLD; // i386/arm stat, fstat, lstat are the old 16-bit layout
        };
    }

    private String groups(long addr, long ret, int size, MemReader r, boolean sizeOnly) {
        if (sizeOnly) return r.ptr(addr);
        List<String> g = new ArrayList<>();
        for (int i = 0; i < ret; i++) {
            OptionalLong v = r.mem.readInt(addr + (long) i * size, size);
            if (v.isEmpty()) return r.ptr(addr);
            g.add(Long.toString(v.getAsLong()));
        }
        return "[" + String.join(", ", g) + "]";
    }

    private String argv(long addr, MemReader r) {
        if (arch.unsigned(addr) == 0) return "NULL";
        List<String> parts = new ArrayList<>();
        for (int i = 0; ; i++) {
            OptionalLong p = r.word(addr + (long) i * arch.wordSize);
            if (p.isEmpty()) return r.ptr(addr);
            if (p.getAsLong() == 0) break;
            if (i >= stringLimit) { parts.add("..."); break; }
            parts.add(r.string(p.getAsLong()));
        }
        return "[" + String.join(", ", parts) + "]";
    }

    private String envp(long addr, MemReader r) {
        if (arch.unsigned(addr) == 0) return "NULL";
        int n = 0;
        while (n < 100_000) {
            OptionalLong p = r.word(addr + (long) n * arch.wordSize);
            if (p.isEmpty() || p.getAsLong() == 0) break;
            n++;
        }
        return r.ptr(addr) + " /* " + n + (n == 1 ? " var" : " vars") + " */";
    }

    /** The argument vector of an execve, for the exec semantics. */
    public List<String> argvList(long addr, GuestMemory mem) {
        MemReader r = new MemReader(mem, arch, 4096);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 4096; i++) {
            OptionalLong p = r.word(addr + (long) i * arch.wordSize);
            if (p.isEmpty() || p.getAsLong() == 0) break;
            out.add(mem.readCString(p.getAsLong(), 4096).orElse(""));
        }
        return out;
    }

    /** How many arguments strace prints for a prctl option (unknown options: all five). */
    private static int prctlArgs(long option) {
        return switch ((int) option) {
            case 3, 7, 21, 39 -> 1;
            case 1, 2, 4, 8, 15, 16, 22, 23, 38 -> 2;
            default -> 5;
        };
    }

    private String fcntlArg(Call c, MemReader r) {
        long v = c.args[2];
        return switch ((int) c.args[1]) {
            case 1, 3, 9, 11, 1025, 1032, 1034 -> null; // the F_GET* commands take no argument
            case 2 -> Consts.FD_FLAGS.flags(v, "0");
            case 4 -> OpenFlags.format(arch, v);
            case 0, 1030 -> fd(v);
            case 10 -> Signals.name(v);
            default -> r.ptr(v);
        };
    }

    private String ioctlOut(Call c, MemReader r) {
        long v = c.args[2];
        if ((c.args[1] & 0xFFFF_FFFFL) == 0x5413) { // TIOCGWINSZ
            OptionalLong a = r.u32(v), b = r.u32(v + 4);
            if (a.isPresent() && b.isPresent()) {
                long x = a.getAsLong(), y = b.getAsLong();
                return "{ws_row=" + (x & 0xffff) + ", ws_col=" + (x >>> 16) + ", ws_xpixel=" + (y & 0xffff) + ", ws_ypixel=" + (y >>> 16) + "}";
            }
        }
        return r.ptr(v);
    }

    private String futexOp(long v) {
        long cmd = v & 0x7f;
        String name = Consts.FUTEX_OP.enumName(cmd, fd(cmd));
        if ((v & 128) != 0) name += "_PRIVATE";
        if ((v & 256) != 0) name += "|FUTEX_CLOCK_REALTIME";
        return name;
    }

    private String pollfds(Call c, MemReader r) {
        long addr = c.args[0], n = c.args[1] & 0xFFFF_FFFFL;
        if (n > 1024) return r.ptr(addr);
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            OptionalLong fd = r.u32(addr + 8L * i), ev = r.u16(addr + 8L * i + 4);
            if (fd.isEmpty() || ev.isEmpty()) return r.ptr(addr);
            parts.add("{fd=" + (int) fd.getAsLong() + ", events=" + Consts.POLL_EVENTS.flags(ev.getAsLong(), "0") + "}");
        }
        return "[" + String.join(", ", parts) + "]";
    }

    private String pollRevents(Call c, MemReader r, long ret) {
        if (ret <= 0) return ret == 0 ? "Timeout" : null;
        long addr = c.args[0], n = c.args[1] & 0xFFFF_FFFFL;
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < n && i < 1024; i++) {
            OptionalLong fd = r.u32(addr + 8L * i), rev = r.u16(addr + 8L * i + 6);
            if (fd.isEmpty() || rev.isEmpty()) return null;
            if (rev.getAsLong() != 0) parts.add("{fd=" + (int) fd.getAsLong() + ", revents=" + Consts.POLL_EVENTS.flags(rev.getAsLong(), "0") + "}");
        }
        return "[" + String.join(", ", parts) + "]";
    }

    /**
     * The signal mask a sigreturn restores, read from the signal frame at the stack pointer (the
     * restorer has popped the return address): x86_64 rt_sigframe → uc.uc_sigmask at sp+296; i386
     * rt_sigframe → sp+248; i386 sigframe → sc.oldmask at sp+80 (the first 32 signals only).
     */
    private void sigreturn(Call c, MemReader r) {
        java.util.Arrays.fill(c.argText, null);
        long sp = c.sp;
        OptionalLong mask = switch (arch) {
            case X86_64 -> r.u64(sp + 296);
            case I386 -> c.name.equals("rt_sigreturn") ? r.u64(sp + 248) : r.u32(sp + 80);
            default -> OptionalLong.empty();
        };
        c.argText[0] = mask.isPresent() ? "{mask=" + Signals.set(mask.getAsLong(), 8) + "}" : null;
    }

    /** clone: the argument order differs between x86_64 (flags, stack, ptid, ctid, tls) and the others (…, tls, ctid). */
    private void clone(Call c, MemReader r) {
        long flags = c.args[0];
        long stack = c.args[1], ptid = c.args[2];
        long ctid = arch == Arch.X86_64 ? c.args[3] : c.args[4];
        long tls = arch == Arch.X86_64 ? c.args[4] : c.args[3];
        List<String> parts = new ArrayList<>();
        parts.add("child_stack=" + r.ptr(stack));
        long sig = flags & 0xff;
        String f = Consts.CLONE.flags(flags & ~0xffL & 0xFFFF_FFFFL, "");
        if (sig != 0) f = Xlat.join(f, Signals.name(sig)).replaceFirst("^\\|", "");
        parts.add("flags=" + (f.isEmpty() ? "0" : f));
        if ((flags & 0x101000) != 0) parts.add("parent_tid=" + r.ptr(ptid));
        if ((flags & 0x1200000) != 0) parts.add("child_tidptr=" + r.ptr(ctid));
        if ((flags & 0x80000) != 0) parts.add("tls=" + r.ptr(tls));
        for (int i = 0; i < c.argText.length; i++) c.argText[i] = i < parts.size() ? parts.get(i) : null;
    }
}
