package emulator.linuxuser.elf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A parsed little-endian ELF image (ELFCLASS32 or ELFCLASS64): the file header, the program
 * headers and what they imply for loading. Section headers are not parsed (exec does not need
 * them); their header fields are kept because {@code readelf -h} shows them.
 *
 * <p>Every malformed input yields an {@link ElfException} with one message; nothing else is thrown
 * for any byte content. Checks follow the kernel's {@code binfmt_elf} where it has one (program
 * header entry size, count limit, PT_INTERP shape) and are stricter where the kernel would only
 * produce a broken process (PT_LOAD filesz &gt; memsz, unsorted or overlapping PT_LOADs).
 *
 * <p>The object is immutable; it keeps the file bytes so a {@link LoadPlan} can hand them out.
 */
public final class ElfFile {
    public static final int ELFCLASS32 = 1, ELFCLASS64 = 2;
    public static final int ELFDATA2LSB = 1;
    public static final int ET_NONE = 0, ET_REL = 1, ET_EXEC = 2, ET_DYN = 3, ET_CORE = 4;
    public static final int EM_386 = 3, EM_ARM = 40, EM_X86_64 = 62, EM_AARCH64 = 183;
    public static final int PT_NULL = 0, PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_NOTE = 4,
            PT_SHLIB = 5, PT_PHDR = 6, PT_TLS = 7, PT_GNU_EH_FRAME = 0x6474e550,
            PT_GNU_STACK = 0x6474e551, PT_GNU_RELRO = 0x6474e552, PT_GNU_PROPERTY = 0x6474e553;
    public static final int PF_X = 1, PF_W = 2, PF_R = 4;
    /** Largest file this parser reads into memory. */
    public static final long MAX_FILE_SIZE = 1L << 30;
    /** Kernel PATH_MAX: PT_INTERP longer than this is rejected (binfmt_elf does the same). */
    public static final int MAX_INTERP = 4096;

    /** How the image is linked, as far as exec is concerned. */
    public enum Kind {
        /** ET_EXEC without PT_INTERP. */
        STATIC,
        /** ET_DYN without PT_INTERP: self-relocating (static-pie, or the dynamic loader itself). */
        STATIC_PIE,
        /** Has PT_INTERP: the named interpreter must be loaded too. */
        DYNAMIC,
        /** Not ET_EXEC / ET_DYN: not something exec runs (relocatable object, core dump). */
        NOT_EXECUTABLE
    }

    /** One program header, fields as in the file (64-bit values; 32-bit files zero-extend). */
    public record ProgramHeader(int index, int type, int flags, long offset, long vaddr, long paddr,
                                long filesz, long memsz, long align) {
        public boolean readable() { return (flags & PF_R) != 0; }
        public boolean writable() { return (flags & PF_W) != 0; }
        public boolean executable() { return (flags & PF_X) != 0; }
        /** readelf's name for the type ("LOAD", "GNU_STACK", or "0x..." when unknown). */
        public String typeName() { return ElfFile.typeName(type); }
    }

    private final byte[] image;
    private final int elfClass;
    private final int data;
    private final int identVersion;
    private final int osAbi;
    private final int abiVersion;
    private final int type;
    private final int machine;
    private final long version;
    private final long entry;
    private final long phoff;
    private final long shoff;
    private final int flags;
    private final int ehsize;
    private final int phentsize;
    private final int phnum;
    private final int shentsize;
    private final int shnum;
    private final int shstrndx;
    private final List<ProgramHeader> programHeaders;
    private final String interpreter;

    private ElfFile(byte[] image) throws ElfException {
        this.image = image;
        int n = image.length;
        if (n < 4 || image[0] != 0x7f || image[1] != 'E' || image[2] != 'L' || image[3] != 'F')
            throw new ElfException("not an ELF file");
        if (n < 16) throw new ElfException("truncated ELF: identification needs 16 bytes, file has " + n);
        elfClass = image[4] & 0xff;
        data = image[5] & 0xff;
        identVersion = image[6] & 0xff;
        osAbi = image[7] & 0xff;
        abiVersion = image[8] & 0xff;
        if (elfClass != ELFCLASS32 && elfClass != ELFCLASS64)
            throw new ElfException("unsupported ELF class " + elfClass + " (expected 1 = ELF32 or 2 = ELF64)");
        if (data != ELFDATA2LSB)
            throw new ElfException("unsupported ELF data encoding " + data + " (only little-endian is supported)");
        if (identVersion != 1) throw new ElfException("unsupported ELF identification version " + identVersion);
        boolean is64 = elfClass == ELFCLASS64;
        int needHeader = is64 ? 64 : 52;
        if (n < needHeader)
            throw new ElfException("truncated ELF: header needs " + needHeader + " bytes, file has " + n);
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        type = b.getShort(16) & 0xffff;
        machine = b.getShort(18) & 0xffff;
        version = b.getInt(20) & 0xffffffffL;
        int p = 24;
        if (is64) {
            entry = b.getLong(p); phoff = b.getLong(p + 8); shoff = b.getLong(p + 16); p += 24;
        } else {
            entry = u32(b, p); phoff = u32(b, p + 4); shoff = u32(b, p + 8); p += 12;
        }
        flags = b.getInt(p);
        ehsize = b.getShort(p + 4) & 0xffff;
        phentsize = b.getShort(p + 6) & 0xffff;
        phnum = b.getShort(p + 8) & 0xffff;
        shentsize = b.getShort(p + 10) & 0xffff;
        shnum = b.getShort(p + 12) & 0xffff;
        shstrndx = b.getShort(p + 14) & 0xffff;
        if (version != 1) throw new ElfException("unsupported ELF version " + version);

        int wantPhent = is64 ? 56 : 32;
        List<ProgramHeader> phs = new ArrayList<>();
        if (phnum > 0) {
            if (phentsize != wantPhent)
                throw new ElfException("bad program header entry size " + phentsize + " (expected " + wantPhent + ")");
            if (phnum == 0xffff)
                throw new ElfException("extended program header numbering (PN_XNUM) is not supported");
            if (phnum > 65536 / wantPhent)
                throw new ElfException("absurd program header count " + phnum + " (limit " + 65536 / wantPhent + ")");
            if (phoff < 0 || phoff >= n) throw new ElfException("truncated ELF: program headers at 0x"
                    + Long.toHexString(phoff) + " beyond end of file (size 0x" + Integer.toHexString(n) + ")");
            for (int i = 0; i < phnum; i++) {
                long at = phoff + (long) i * phentsize;
                if (at + phentsize > n)
                    throw new ElfException("truncated ELF: program header " + i + " beyond end of file");
                int o = (int) at;
                ProgramHeader ph;
                if (is64) {
                    ph = new ProgramHeader(i, b.getInt(o), b.getInt(o + 4), b.getLong(o + 8), b.getLong(o + 16),
                            b.getLong(o + 24), b.getLong(o + 32), b.getLong(o + 40), b.getLong(o + 48));
                } else {
                    ph = new ProgramHeader(i, b.getInt(o), b.getInt(o + 24), u32(b, o + 4), u32(b, o + 8),
                            u32(b, o + 12), u32(b, o + 16), u32(b, o + 20), u32(b, o + 28));
                }
                phs.add(ph);
            }
        }
        programHeaders = Collections.unmodifiableList(phs);

        // Validate segments.
        long addrLimit = is64 ? Long.MAX_VALUE : 0x1_0000_0000L;
        ProgramHeader prevLoad = null;
        String interp = null;
        for (ProgramHeader ph : phs) {
            int i = ph.index();
            if (ph.type() == PT_LOAD || ph.type() == PT_INTERP || ph.type() == PT_TLS || ph.type() == PT_PHDR
                    || ph.type() == PT_DYNAMIC) {
                // Unsigned 64-bit values with the top bit set are absurd for a user-space image.
                if (ph.offset() < 0 || ph.filesz() < 0 || ph.memsz() < 0 || ph.vaddr() < 0)
                    throw new ElfException("program header " + i + " (" + ph.typeName() + "): absurd offset, address or size");
            }
            if (ph.type() == PT_LOAD) {
                if (ph.filesz() > ph.memsz())
                    throw new ElfException("program header " + i + " (LOAD): filesz 0x" + Long.toHexString(ph.filesz())
                            + " > memsz 0x" + Long.toHexString(ph.memsz()));
                if (ph.offset() + ph.filesz() > n || ph.offset() + ph.filesz() < 0)
                    throw new ElfException("truncated ELF: segment of program header " + i + " beyond end of file");
                if (ph.align() > 1 && Long.bitCount(ph.align()) != 1)
                    throw new ElfException("program header " + i + " (LOAD): alignment 0x" + Long.toHexString(ph.align())
                            + " is not a power of two");
                if (ph.align() > 1 && Long.remainderUnsigned(ph.vaddr() - ph.offset(), ph.align()) != 0)
                    throw new ElfException("program header " + i + " (LOAD): offset 0x" + Long.toHexString(ph.offset())
                            + " and address 0x" + Long.toHexString(ph.vaddr()) + " disagree modulo alignment 0x"
                            + Long.toHexString(ph.align()));
                long end = ph.vaddr() + ph.memsz();
                if (end < ph.vaddr() || end > addrLimit)
                    throw new ElfException("program header " + i + " (LOAD): segment beyond the "
                            + (is64 ? "64" : "32") + "-bit address space");
                if (prevLoad != null) {
                    if (ph.vaddr() < prevLoad.vaddr())
                        throw new ElfException("PT_LOAD segments not sorted by address (program header " + i + ")");
                    if (ph.vaddr() < prevLoad.vaddr() + prevLoad.memsz())
                        throw new ElfException("PT_LOAD segments overlap (program headers " + prevLoad.index()
                                + " and " + i + ")");
                }
                prevLoad = ph;
            } else if (ph.type() == PT_INTERP) {
                if (interp != null) throw new ElfException("more than one PT_INTERP (program header " + i + ")");
                if (ph.filesz() < 2 || ph.filesz() > MAX_INTERP)
                    throw new ElfException("program header " + i + " (INTERP): bad interpreter path length " + ph.filesz());
                if (ph.offset() + ph.filesz() > n)
                    throw new ElfException("truncated ELF: interpreter path of program header " + i + " beyond end of file");
                int o = (int) ph.offset(), len = (int) ph.filesz();
                if (image[o + len - 1] != 0)
                    throw new ElfException("program header " + i + " (INTERP): interpreter path not NUL-terminated");
                int z = o;
                while (image[z] != 0) z++;
                if (z == o) throw new ElfException("program header " + i + " (INTERP): empty interpreter path");
                interp = new String(image, o, z - o, StandardCharsets.ISO_8859_1);
            } else if (ph.type() == PT_TLS) {
                if (ph.filesz() > ph.memsz())
                    throw new ElfException("program header " + i + " (TLS): filesz > memsz");
                if (ph.offset() + ph.filesz() > n)
                    throw new ElfException("truncated ELF: TLS image of program header " + i + " beyond end of file");
                if (ph.align() > 1 && Long.bitCount(ph.align()) != 1)
                    throw new ElfException("program header " + i + " (TLS): alignment not a power of two");
            }
        }
        interpreter = interp;
    }

    private static long u32(ByteBuffer b, int at) {
        return b.getInt(at) & 0xffffffffL;
    }

    /** Parses an image held in memory (the array is not copied; do not modify it afterwards). */
    public static ElfFile parse(byte[] image) throws ElfException {
        if (image == null) throw new ElfException("not an ELF file");
        return new ElfFile(image);
    }

    /** Reads and parses a file. */
    public static ElfFile parse(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return parse(ch);
        }
    }

    /** Reads the whole channel from position 0 and parses it. */
    public static ElfFile parse(FileChannel ch) throws IOException {
        long size = ch.size();
        if (size > MAX_FILE_SIZE) throw new ElfException("ELF file too large (" + size + " bytes)");
        byte[] all = new byte[(int) size];
        ByteBuffer buf = ByteBuffer.wrap(all);
        long pos = 0;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) break;
            pos += r;
        }
        if (buf.hasRemaining()) all = java.util.Arrays.copyOf(all, buf.position());
        return parse(all);
    }

    // ---- header ----

    public int elfClass() { return elfClass; }
    public boolean is64() { return elfClass == ELFCLASS64; }
    /** Guest word size in bytes: 4 or 8. */
    public int wordSize() { return is64() ? 8 : 4; }
    public int dataEncoding() { return data; }
    public int identVersion() { return identVersion; }
    public int osAbi() { return osAbi; }
    public int abiVersion() { return abiVersion; }
    public int type() { return type; }
    public int machine() { return machine; }
    public long version() { return version; }
    public long entry() { return entry; }
    public long phoff() { return phoff; }
    public long shoff() { return shoff; }
    public int flags() { return flags; }
    public int ehsize() { return ehsize; }
    public int phentsize() { return phentsize; }
    public int phnum() { return phnum; }
    public int shentsize() { return shentsize; }
    public int shnum() { return shnum; }
    public int shstrndx() { return shstrndx; }

    // ---- segments ----

    public List<ProgramHeader> programHeaders() { return programHeaders; }

    public List<ProgramHeader> loadSegments() {
        return programHeaders.stream().filter(p -> p.type() == PT_LOAD).toList();
    }

    private Optional<ProgramHeader> first(int t) {
        return programHeaders.stream().filter(p -> p.type() == t).findFirst();
    }

    /** The PT_INTERP path (e.g. "/lib64/ld-linux-x86-64.so.2"), or null. */
    public String interpreter() { return interpreter; }
    public Optional<ProgramHeader> tls() { return first(PT_TLS); }
    public Optional<ProgramHeader> gnuStack() { return first(PT_GNU_STACK); }
    public Optional<ProgramHeader> phdrSegment() { return first(PT_PHDR); }
    public Optional<ProgramHeader> dynamic() { return first(PT_DYNAMIC); }

    /**
     * Whether the kernel would give the stack PROT_EXEC: PT_GNU_STACK with PF_X, or, with no
     * PT_GNU_STACK, the x86 legacy default (executable) — arm64 defaults to non-executable.
     */
    public boolean executableStack() {
        Optional<ProgramHeader> gs = gnuStack();
        if (gs.isPresent()) return gs.get().executable();
        return machine == EM_386 || machine == EM_X86_64;
    }

    public Kind kind() {
        if (type != ET_EXEC && type != ET_DYN) return Kind.NOT_EXECUTABLE;
        if (interpreter != null) return Kind.DYNAMIC;
        return type == ET_EXEC ? Kind.STATIC : Kind.STATIC_PIE;
    }

    /** File size in bytes. */
    public long size() { return image.length; }

    /** A read-only view of {@code length} file bytes at {@code offset} (bounds already validated for segments). */
    public ByteBuffer bytes(long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > image.length)
            throw new IndexOutOfBoundsException("file range 0x" + Long.toHexString(offset) + "+0x" + Long.toHexString(length));
        return ByteBuffer.wrap(image, (int) offset, (int) length).slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Copies file bytes into {@code dst}. */
    public void copy(long offset, byte[] dst, int dstOffset, int length) {
        if (offset < 0 || offset + length > image.length)
            throw new IndexOutOfBoundsException("file range 0x" + Long.toHexString(offset) + "+0x" + Integer.toHexString(length));
        System.arraycopy(image, (int) offset, dst, dstOffset, length);
    }

    public String machineName() {
        return switch (machine) {
            case EM_386 -> "Intel 80386";
            case EM_X86_64 -> "Advanced Micro Devices X86-64";
            case EM_ARM -> "ARM";
            case EM_AARCH64 -> "AArch64";
            default -> "machine " + machine;
        };
    }

    static String typeName(int type) {
        return switch (type) {
            case PT_NULL -> "NULL";
            case PT_LOAD -> "LOAD";
            case PT_DYNAMIC -> "DYNAMIC";
            case PT_INTERP -> "INTERP";
            case PT_NOTE -> "NOTE";
            case PT_SHLIB -> "SHLIB";
            case PT_PHDR -> "PHDR";
            case PT_TLS -> "TLS";
            case PT_GNU_EH_FRAME -> "GNU_EH_FRAME";
            case PT_GNU_STACK -> "GNU_STACK";
            case PT_GNU_RELRO -> "GNU_RELRO";
            case PT_GNU_PROPERTY -> "GNU_PROPERTY";
            case 0x70000001 -> "EXIDX"; // ARM; on other machines readelf prints LOPROC+0x1
            default -> "0x" + Integer.toHexString(type);
        };
    }

    @Override
    public String toString() {
        return "ElfFile[" + (is64() ? "ELF64" : "ELF32") + " " + machineName() + " type " + type + " " + kind()
                + " entry 0x" + Long.toHexString(entry) + ", " + phnum + " program headers"
                + (interpreter != null ? ", interpreter " + interpreter : "") + "]";
    }
}
