package emulator.linuxuser.elf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What exec must do to put an ELF image into a fresh address space — pure data, computed the way
 * Linux's {@code load_elf_binary} (6.x) does it, without touching any memory.
 *
 * <p>Each PT_LOAD becomes one {@link Mapping} covering whole pages: the file bytes from the
 * page-aligned file offset are copied to the page-aligned start (so the bytes that precede the
 * segment in its first page and follow it in its last file page are the file's, as with the
 * kernel's {@code mmap}), except that everything from {@code bias + p_vaddr + p_filesz} up to the
 * end of the mapping is zero (the bss: the tail of the last file page and the anonymous pages
 * after it). Mappings are in ascending address order; when two segments share a page, apply them
 * in order and let the later one win that page, exactly like the kernel's {@code MAP_FIXED}.
 */
public final class LoadPlan {
    public static final int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    /** The kernel's ELF_ET_DYN_BASE for an x86-64 PIE with randomization off. */
    public static final long X86_64_DYN_BASE = 0x5555_5555_4000L;
    /** Where an i386 PIE lands with randomization off (as seen under {@code setarch -R}). */
    public static final long I386_DYN_BASE = 0x5655_5000L;

    /**
     * One mapping. Bytes {@code [start, start + fileLength)} come from the file at
     * {@code fileOffset}; bytes {@code [start + fileLength, start + length)} are zero.
     * {@code prot} is a PROT_* mask.
     */
    public record Mapping(int programHeader, long start, long length, int prot, long fileOffset, long fileLength) {
        public long end() { return start + length; }
        /** First byte that must be zero (the bss start, or start when nothing comes from the file). */
        public long zeroStart() { return start + fileLength; }
        public long zeroLength() { return length - fileLength; }
        public boolean readable() { return (prot & PROT_READ) != 0; }
        public boolean writable() { return (prot & PROT_WRITE) != 0; }
        public boolean executable() { return (prot & PROT_EXEC) != 0; }
    }

    private final ElfFile elf;
    private final long bias;
    private final long pageSize;
    private final List<Mapping> mappings;
    private final long brk;
    private final long phdrAddress;
    private final long entry;
    private final long lowest;

    private LoadPlan(ElfFile elf, long bias, long pageSize) throws ElfException {
        this.elf = elf;
        this.bias = bias;
        this.pageSize = pageSize;
        if (elf.type() != ElfFile.ET_EXEC && elf.type() != ElfFile.ET_DYN)
            throw new ElfException("not an executable ELF (type " + elf.type() + ")");
        if (pageSize <= 0 || Long.bitCount(pageSize) != 1) throw new IllegalArgumentException("page size " + pageSize);
        if (elf.type() == ElfFile.ET_EXEC && bias != 0)
            throw new IllegalArgumentException("ET_EXEC is loaded at its link address: bias must be 0");
        if ((bias & (pageSize - 1)) != 0) throw new IllegalArgumentException("bias not page aligned: 0x" + Long.toHexString(bias));
        List<ElfFile.ProgramHeader> loads = elf.loadSegments();
        if (loads.isEmpty()) throw new ElfException("no PT_LOAD segment");
        long limit = elf.is64() ? (1L << 47) : (1L << 32);
        List<Mapping> out = new ArrayList<>();
        long maxEnd = 0;
        long phdr = 0;
        for (ElfFile.ProgramHeader ph : loads) {
            long vaddr = bias + ph.vaddr();
            long pageOff = vaddr & (pageSize - 1);
            if (((ph.offset() - ph.vaddr()) & (pageSize - 1)) != 0)
                throw new ElfException("program header " + ph.index() + " (LOAD): offset 0x" + Long.toHexString(ph.offset())
                        + " and address 0x" + Long.toHexString(ph.vaddr()) + " disagree modulo the page size");
            long start = vaddr - pageOff;
            long end = roundUp(vaddr + ph.memsz(), pageSize);
            if (vaddr < 0 || end > limit || end < start)
                throw new ElfException("program header " + ph.index() + " (LOAD): segment at 0x" + Long.toHexString(vaddr)
                        + " does not fit the user address space");
            int prot = (ph.readable() ? PROT_READ : 0) | (ph.writable() ? PROT_WRITE : 0) | (ph.executable() ? PROT_EXEC : 0);
            long fileLen = ph.filesz() == 0 ? 0 : pageOff + ph.filesz();
            long fileOff = ph.filesz() == 0 ? 0 : ph.offset() - pageOff;
            out.add(new Mapping(ph.index(), start, end - start, prot, fileOff, fileLen));
            maxEnd = Math.max(maxEnd, vaddr + ph.memsz());
            // AT_PHDR: the address of the program headers inside the PT_LOAD that maps them (6.x rule).
            if (phdr == 0 && ph.offset() <= elf.phoff() && elf.phoff() < ph.offset() + ph.filesz())
                phdr = elf.phoff() - ph.offset() + vaddr;
        }
        mappings = Collections.unmodifiableList(out);
        brk = roundUp(maxEnd, pageSize);
        phdrAddress = phdr;
        entry = bias + elf.entry();
        lowest = out.getFirst().start();
    }

    private static long roundUp(long v, long page) {
        return (v + page - 1) & -page;
    }

    /** Plan for a page size of 4096. */
    public static LoadPlan of(ElfFile elf, long bias) throws ElfException {
        return of(elf, bias, 4096);
    }

    /**
     * @param bias load bias: 0 for ET_EXEC; for ET_DYN a page-aligned base, normally
     *             {@link #alignBias} of the exec layout's base ({@link #defaultBias} is the kernel's)
     */
    public static LoadPlan of(ElfFile elf, long bias, long pageSize) throws ElfException {
        return new LoadPlan(elf, bias, pageSize);
    }

    /** Non-randomized base for an ET_DYN main program (0 for ET_EXEC). */
    public static long defaultBias(ElfFile elf) {
        if (elf.type() != ElfFile.ET_DYN) return 0;
        return elf.is64() ? X86_64_DYN_BASE : I386_DYN_BASE;
    }

    /** Aligns a proposed ET_DYN base down to the largest PT_LOAD alignment, as the kernel does. */
    public static long alignBias(ElfFile elf, long bias, long pageSize) {
        long align = pageSize;
        for (ElfFile.ProgramHeader ph : elf.loadSegments())
            if (ph.align() > align && Long.bitCount(ph.align()) == 1) align = ph.align();
        return bias & -align;
    }

    public ElfFile elf() { return elf; }
    public long bias() { return bias; }
    public long pageSize() { return pageSize; }
    public List<Mapping> mappings() { return mappings; }
    /** Initial program break: end of the highest PT_LOAD (bias applied), page aligned. */
    public long brk() { return brk; }
    /** AT_PHDR: where the program headers are in memory, 0 when no PT_LOAD maps them. */
    public long phdrAddress() { return phdrAddress; }
    /** AT_PHENT. */
    public int phent() { return elf.phentsize(); }
    /** AT_PHNUM. */
    public int phnum() { return elf.phnum(); }
    /** AT_ENTRY and the initial pc when there is no interpreter: bias + e_entry. */
    public long entry() { return entry; }
    /** Lowest mapped address. (AT_BASE for an interpreter is {@link #bias()}, as in the kernel.) */
    public long lowest() { return lowest; }
    /** One past the highest mapped byte. */
    public long highest() { return mappings.getLast().end(); }
}
