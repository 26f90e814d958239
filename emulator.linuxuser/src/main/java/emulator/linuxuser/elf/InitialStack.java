package emulator.linuxuser.elf;

import emulator.linuxuser.abi.Errno;
import emulator.linuxuser.abi.ErrnoException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The process's initial stack image, laid out exactly as Linux's exec does with address
 * randomization off ({@code fs/exec.c} copies the strings, {@code create_elf_tables} the rest).
 * From the stack top downwards:
 * <pre>
 *   top - 8            one zero pointer (8 bytes: the kernel's sizeof(void *), also for i386 guests)
 *   execfn string      (AT_EXECFN points here)
 *   envp strings       envp[envc-1] highest, contiguous
 *   argv strings       argv[0] lowest, contiguous
 *   (align down to 16)
 *   platform string    (AT_PLATFORM), when given
 *   16 random bytes    (AT_RANDOM)
 *   (padding)
 *   auxv pairs, AT_NULL pair
 *   NULL, envp[envc-1] … envp[0]
 *   NULL, argv[argc-1] … argv[0]
 *   argc               &lt;- sp, sp % 16 == 0 (x86-64 psABI; the i386 kernel layout is the same)
 * </pre>
 * Words are {@code wordSize} bytes (4 for ELFCLASS32, 8 for ELFCLASS64), little-endian.
 * Pure data: the image is a byte array to be written at {@link #sp()}.
 */
public final class InitialStack {
    /** Kernel MAX_ARG_STRLEN: one argument or environment string, NUL included. */
    public static final int MAX_ARG_STRLEN = 32 * 4096;

    /** One auxv entry. */
    public record AuxEntry(long type, long value) {
        @Override
        public String toString() { return Auxv.name(type) + "=0x" + Long.toHexString(value); }
    }

    private final int wordSize;
    private final long top;
    private final long sp;
    private final byte[] image;
    private final long argvAddress, envpAddress, auxvAddress, randomAddress, execfnAddress, platformAddress;
    private final long stringsAddress;
    private final List<AuxEntry> auxv;

    private InitialStack(Builder b, long top) throws ErrnoException {
        this.wordSize = b.wordSize;
        this.top = top;
        int w = wordSize;
        long mask = w == 4 ? 0xffff_ffffL : -1L;
        if ((top & 15) != 0) throw new IllegalArgumentException("stack top not 16-byte aligned: 0x" + Long.toHexString(top));
        long total = 0;
        for (byte[] s : b.argv) total += check(s);
        for (byte[] s : b.envp) total += check(s);
        total += check(b.execfn);
        total += (long) (b.argv.size() + b.envp.size() + 2) * w;
        if (total > b.maxArgBytes) throw new ErrnoException(Errno.E2BIG, "argument and environment strings too long");

        long p = top - 8;                      // bprm->p = vm_end - sizeof(void *)
        p -= b.execfn.length + 1;
        long execfn = p;
        long[] envStr = new long[b.envp.size()];
        for (int i = b.envp.size() - 1; i >= 0; i--) { p -= b.envp.get(i).length + 1; envStr[i] = p; }
        long[] argStr = new long[b.argv.size()];
        for (int i = b.argv.size() - 1; i >= 0; i--) { p -= b.argv.get(i).length + 1; argStr[i] = p; }
        stringsAddress = p;
        p &= ~15L;                              // arch_align_stack without randomization
        long platform = 0;
        if (b.platform != null) { p -= b.platform.length + 1; platform = p; }
        p -= 16;
        long random = p;

        List<AuxEntry> aux = new ArrayList<>();
        for (AuxEntry e : b.aux) {
            long v = switch ((int) e.type()) {
                case Auxv.AT_RANDOM -> random;
                case Auxv.AT_EXECFN -> execfn;
                case Auxv.AT_PLATFORM -> {
                    if (platform == 0) throw new IllegalStateException("AT_PLATFORM without a platform string");
                    yield platform;
                }
                default -> e.value();
            };
            if (e.type() == Auxv.AT_NULL) throw new IllegalArgumentException("AT_NULL is added by the builder");
            aux.add(new AuxEntry(e.type(), v & mask));
        }
        aux.add(new AuxEntry(Auxv.AT_NULL, 0));
        this.auxv = List.copyOf(aux);
        long items = (b.argv.size() + 1L) + (b.envp.size() + 1L) + 1 + 2L * aux.size();
        long spv = (p - items * w) & ~15L;      // STACK_ROUND(STACK_ADD(p, ei_index), items)
        this.sp = spv;
        long size = top - spv;
        if (size > Integer.MAX_VALUE - 16) throw new ErrnoException(Errno.E2BIG, "initial stack too large");
        image = new byte[(int) size];
        ByteBuffer bb = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int at = 0;
        at = put(bb, at, b.argv.size());
        argvAddress = spv + at;
        for (long a : argStr) at = put(bb, at, a);
        at = put(bb, at, 0);
        envpAddress = spv + at;
        for (long a : envStr) at = put(bb, at, a);
        at = put(bb, at, 0);
        auxvAddress = spv + at;
        for (AuxEntry e : aux) { at = put(bb, at, e.type()); at = put(bb, at, e.value()); }
        System.arraycopy(b.random, 0, image, (int) (random - spv), 16);
        if (b.platform != null) System.arraycopy(b.platform, 0, image, (int) (platform - spv), b.platform.length);
        for (int i = 0; i < argStr.length; i++) { byte[] s = b.argv.get(i); System.arraycopy(s, 0, image, (int) (argStr[i] - spv), s.length); }
        for (int i = 0; i < envStr.length; i++) { byte[] s = b.envp.get(i); System.arraycopy(s, 0, image, (int) (envStr[i] - spv), s.length); }
        System.arraycopy(b.execfn, 0, image, (int) (execfn - spv), b.execfn.length);
        if (w == 4 && (top > 0x1_0000_0000L || spv < 0)) throw new IllegalArgumentException("stack beyond 32-bit space");
        randomAddress = random;
        execfnAddress = execfn;
        platformAddress = platform;
    }

    private int put(ByteBuffer bb, int at, long v) {
        if (wordSize == 8) bb.putLong(at, v); else bb.putInt(at, (int) v);
        return at + wordSize;
    }

    private static long check(byte[] s) throws ErrnoException {
        if (s.length + 1 > MAX_ARG_STRLEN) throw new ErrnoException(Errno.E2BIG, "string of " + s.length + " bytes");
        return s.length + 1;
    }

    public static Builder builder(int wordSize) {
        return new Builder(wordSize);
    }

    public int wordSize() { return wordSize; }
    /** Initial stack pointer: points at argc, 16-byte aligned. */
    public long sp() { return sp; }
    /** The stack top passed to {@link Builder#build}; the image covers [sp, top). */
    public long top() { return top; }
    /** The bytes to write at {@link #sp()} (a copy). */
    public byte[] image() { return image.clone(); }
    public int size() { return image.length; }
    public long argvAddress() { return argvAddress; }
    public long envpAddress() { return envpAddress; }
    public long auxvAddress() { return auxvAddress; }
    public long randomAddress() { return randomAddress; }
    public long execfnAddress() { return execfnAddress; }
    /** 0 when no platform string. */
    public long platformAddress() { return platformAddress; }
    /** Lowest address of the argv/envp string area (the kernel's mm->arg_start). */
    public long stringsAddress() { return stringsAddress; }
    /** The auxv as written, AT_NULL last, with the on-stack addresses filled in. */
    public List<AuxEntry> auxv() { return auxv; }

    /** Assembles an {@link InitialStack}. Strings are taken as bytes (UTF-8 for Java strings). */
    public static final class Builder {
        private final int wordSize;
        private final List<byte[]> argv = new ArrayList<>();
        private final List<byte[]> envp = new ArrayList<>();
        private final List<AuxEntry> aux = new ArrayList<>();
        private byte[] execfn = new byte[0];
        private byte[] platform;
        private byte[] random = new byte[16];
        private long maxArgBytes = 2L << 20;

        private Builder(int wordSize) {
            if (wordSize != 4 && wordSize != 8) throw new IllegalArgumentException("word size " + wordSize);
            this.wordSize = wordSize;
        }

        private static byte[] bytes(String s) {
            return cString(s.getBytes(StandardCharsets.UTF_8));
        }

        private static byte[] cString(byte[] b) {
            for (byte x : b) if (x == 0) throw new IllegalArgumentException("string contains NUL");
            return b.clone();
        }

        public Builder arg(String s) { argv.add(bytes(s)); return this; }
        public Builder arg(byte[] s) { argv.add(cString(s)); return this; }
        public Builder argv(List<String> l) { l.forEach(this::arg); return this; }
        public Builder env(String s) { envp.add(bytes(s)); return this; }
        public Builder env(byte[] s) { envp.add(cString(s)); return this; }
        public Builder envp(List<String> l) { l.forEach(this::env); return this; }
        /** The path the program was executed by (AT_EXECFN, /proc/self/exe's argument). */
        public Builder execfn(String s) { execfn = bytes(s); return this; }
        /** The AT_PLATFORM string, "x86_64" / "i686" / "aarch64" / "v7l"; null for none. */
        public Builder platform(String s) { platform = s == null ? null : bytes(s); return this; }
        public Builder random(byte[] r) {
            if (r.length != 16) throw new IllegalArgumentException("AT_RANDOM needs 16 bytes");
            random = r.clone();
            return this;
        }
        /** Limit on the total string bytes (kernel: a quarter of the stack rlimit). */
        public Builder maxArgBytes(long max) { maxArgBytes = max; return this; }

        /**
         * Appends an auxv entry, in order. For AT_RANDOM, AT_EXECFN and AT_PLATFORM the value is
         * ignored and replaced by the on-stack address. AT_NULL is added at the end automatically.
         */
        public Builder aux(long type, long value) { aux.add(new AuxEntry(type, value)); return this; }

        /**
         * The kernel's own auxv (binfmt_elf create_elf_tables, 6.x order), after any
         * architecture entries already added (AT_SYSINFO_EHDR, AT_MINSIGSTKSZ):
         * AT_HWCAP, AT_PAGESZ, AT_CLKTCK, AT_PHDR, AT_PHENT, AT_PHNUM, AT_BASE, AT_FLAGS, AT_ENTRY,
         * AT_UID, AT_EUID, AT_GID, AT_EGID, AT_SECURE, AT_RANDOM, AT_HWCAP2, AT_EXECFN, AT_PLATFORM.
         *
         * @param main     the program's plan (AT_PHDR/PHENT/PHNUM/ENTRY)
         * @param interpBase AT_BASE: the interpreter's load bias, 0 without one
         */
        public Builder kernelAuxv(LoadPlan main, long interpBase, long hwcap, long hwcap2,
                                  int uid, int euid, int gid, int egid, boolean secure) {
            aux(Auxv.AT_HWCAP, hwcap);
            aux(Auxv.AT_PAGESZ, main.pageSize());
            aux(Auxv.AT_CLKTCK, 100);
            aux(Auxv.AT_PHDR, main.phdrAddress());
            aux(Auxv.AT_PHENT, main.phent());
            aux(Auxv.AT_PHNUM, main.phnum());
            aux(Auxv.AT_BASE, interpBase);
            aux(Auxv.AT_FLAGS, 0);
            aux(Auxv.AT_ENTRY, main.entry());
            aux(Auxv.AT_UID, uid);
            aux(Auxv.AT_EUID, euid);
            aux(Auxv.AT_GID, gid);
            aux(Auxv.AT_EGID, egid);
            aux(Auxv.AT_SECURE, secure ? 1 : 0);
            aux(Auxv.AT_RANDOM, 0);
            aux(Auxv.AT_HWCAP2, hwcap2);
            aux(Auxv.AT_EXECFN, 0);
            if (platform != null) aux(Auxv.AT_PLATFORM, 0);
            return this;
        }

        /**
         * @param stackTop 16-byte aligned end of the stack mapping (exclusive)
         * @throws ErrnoException E2BIG when a string or the total is over the kernel's limits
         */
        public InitialStack build(long stackTop) throws ErrnoException {
            return new InitialStack(this, stackTop);
        }
    }

    // ---- reading a stack back (tests, /proc/self/auxv, debugging) ----

    /** A decoded initial stack. */
    public record Parsed(long argc, List<String> argv, List<String> envp, List<AuxEntry> auxv,
                         long argvAddress, long envpAddress, long auxvAddress) {
        public long aux(long type) {
            for (AuxEntry e : auxv) if (e.type() == type) return e.value();
            throw new IllegalArgumentException("no " + Auxv.name(type));
        }

        /** The C string at a guest address inside the parsed memory. */
        public static String string(byte[] mem, long base, long address) {
            int at = Math.toIntExact(address - base), end = at;
            while (mem[end] != 0) end++;
            return new String(mem, at, end - at, StandardCharsets.UTF_8);
        }
    }

    /**
     * Decodes a stack image {@code mem} that starts at guest address {@code base} with the
     * stack pointer {@code sp} pointing at argc. Throws IllegalArgumentException when malformed.
     */
    public static Parsed parse(byte[] mem, long base, long sp, int wordSize) {
        ByteBuffer bb = ByteBuffer.wrap(mem).order(ByteOrder.LITTLE_ENDIAN);
        try {
            int at = Math.toIntExact(sp - base);
            long argc = word(bb, at, wordSize);
            at += wordSize;
            long argvAddr = base + at;
            List<String> argv = new ArrayList<>();
            for (long i = 0; i < argc; i++, at += wordSize) argv.add(Parsed.string(mem, base, word(bb, at, wordSize)));
            if (word(bb, at, wordSize) != 0) throw new IllegalArgumentException("argv not NULL-terminated");
            at += wordSize;
            long envpAddr = base + at;
            List<String> envp = new ArrayList<>();
            for (long p; (p = word(bb, at, wordSize)) != 0; at += wordSize) envp.add(Parsed.string(mem, base, p));
            at += wordSize;
            long auxvAddr = base + at;
            List<AuxEntry> aux = new ArrayList<>();
            while (true) {
                long t = word(bb, at, wordSize), v = word(bb, at + wordSize, wordSize);
                at += 2 * wordSize;
                aux.add(new AuxEntry(t, v));
                if (t == Auxv.AT_NULL) break;
            }
            return new Parsed(argc, List.copyOf(argv), List.copyOf(envp), List.copyOf(aux), argvAddr, envpAddr, auxvAddr);
        } catch (IndexOutOfBoundsException | ArithmeticException e) {
            throw new IllegalArgumentException("malformed initial stack: " + e.getMessage(), e);
        }
    }

    private static long word(ByteBuffer bb, int at, int w) {
        return w == 8 ? bb.getLong(at) : bb.getInt(at) & 0xffff_ffffL;
    }

    @Override
    public String toString() {
        return "InitialStack[sp=0x" + Long.toHexString(sp) + " top=0x" + Long.toHexString(top) + " auxv=" + Arrays.toString(auxv.toArray()) + "]";
    }
}
