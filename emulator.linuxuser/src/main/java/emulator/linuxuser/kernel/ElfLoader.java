package emulator.linuxuser.kernel;

import emulator.core.mem.AddressSpace;
import emulator.core.mem.Prot;
import emulator.linuxuser.abi.Errno;
import emulator.linuxuser.abi.ErrnoException;
import emulator.linuxuser.elf.ElfException;
import emulator.linuxuser.elf.ElfFile;
import emulator.linuxuser.elf.InitialStack;
import emulator.linuxuser.elf.LoadPlan;

import emulator.linuxuser.fs.FileType;
import emulator.linuxuser.fs.GuestRoot;
import emulator.linuxuser.fs.Resolved;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.security.SecureRandom;
import java.util.List;

/**
 * exec for the user-mode personality: maps an ELF image's {@link LoadPlan} into a fresh address
 * space, maps the stack (8 MiB, fixed size) and writes the {@link InitialStack} with the kernel's
 * auxv. Static, static-PIE and dynamically linked programs (PT_INTERP, from the guest root).
 */
public final class ElfLoader {
    private ElfLoader() {}

    /** Stack size (RLIMIT_STACK default); the mapping does not grow. */
    public static final long STACK_SIZE = 8L << 20;

    /** Where things ended up. */
    public record Image(LoadPlan plan, InitialStack stack, long entry, long stackTop) {}

    /**
     * Per-architecture exec parameters.
     *
     * @param mmapBase     mmap searches top-down from here
     * @param mmapHighBase when the search below {@code mmapBase} fails, it goes on top-down from here
     *                     down to 4 GiB (0: no second area)
     * @param dynBase      where a position-independent program (ET_DYN) is loaded
     */
    public record ArchParams(long stackTop, long mmapBase, long mmapHighBase, long dynBase, String platform, long hwcap, long hwcap2) {}

    public static ArchParams x86(boolean x64, long hwcap, AddressLayout layout) {
        if (x64 && layout == AddressLayout.NATIVE)
            return new ArchParams(0x7FFF_FFFF_F000L, 0x7FFF_F7FF_F000L, 0, LoadPlan.X86_64_DYN_BASE, "x86_64", hwcap, 0);
        if (x64) return new ArchParams(0xFFFD_D000L, 0xF7FF_F000L, 0x7FFF_F7FF_F000L, LoadPlan.I386_DYN_BASE, "x86_64", hwcap, 0);
        return new ArchParams(0xFFFD_D000L, 0xF7FF_F000L, 0, LoadPlan.I386_DYN_BASE, "i686", hwcap, 0);
    }

    /**
     * Loads {@code elf} into {@code space} and fills in the process's memory layout.
     *
     * @throws ElfException for images exec would refuse (dynamic programs: not supported yet)
     * @throws ErrnoException ENOMEM when the memory cap is hit, E2BIG for too large arguments
     */
    public static Image load(ElfFile elf, AddressSpace space, LinuxProcess proc, ArchParams arch,
                             List<String> argv, List<String> envp, String execfn) throws ElfException, ErrnoException {
        return load(elf, space, proc, arch, argv, envp, execfn, null);
    }

    /**
     * As above; {@code root} is where a PT_INTERP interpreter is looked up (null: dynamic programs
     * are refused). A dynamic program is mapped at its own bias (ET_DYN: the kernel's ELF_ET_DYN_BASE)
     * and its interpreter below {@code arch.mmapBase()}, top-down as the kernel's mmap places it;
     * the process starts at the interpreter's entry with AT_BASE its bias, and AT_PHDR/AT_ENTRY
     * describing the program (load_elf_binary's rules).
     *
     * @throws ErrnoException ENOENT (with the interpreter's path as detail) when the interpreter is
     *         missing from the root, ELIBBAD when it is not a loadable ELF of the same machine
     */
    public static Image load(ElfFile elf, AddressSpace space, LinuxProcess proc, ArchParams arch,
                             List<String> argv, List<String> envp, String execfn,
                             GuestRoot root) throws ElfException, ErrnoException {
        if (elf.kind() == ElfFile.Kind.NOT_EXECUTABLE) throw new ElfException("not an executable (ELF type " + elf.type() + ")");
        ElfFile interp = null;
        if (elf.kind() == ElfFile.Kind.DYNAMIC) {
            if (root == null) throw new ElfException("dynamically linked program without a guest root (interpreter " + elf.interpreter() + ")");
            interp = interpreter(root, elf);
        }
        LoadPlan plan = LoadPlan.of(elf, elf.type() == ElfFile.ET_DYN ? LoadPlan.alignBias(elf, arch.dynBase(), 4096) : 0);
        mapPlan(plan, space);
        LoadPlan interpPlan = null;
        if (interp != null) {
            long span = spanOf(interp);
            long align = -LoadPlan.alignBias(interp, -1L, 4096); // the largest PT_LOAD alignment
            long bias = 0;
            if (interp.type() == ElfFile.ET_DYN) {
                long hole = space.findFree(span + align, 0x10000, arch.mmapBase()); // top-down, as mmap(NULL, span)
                if (hole < 0) throw new ErrnoException(Errno.ENOMEM);
                bias = ((hole + align) & -align) - lowestVaddr(interp);
            }
            interpPlan = LoadPlan.of(interp, bias);
            mapPlan(interpPlan, space);
        }
        long top = arch.stackTop();
        int stackProt = Prot.RW | (elf.executableStack() ? Prot.EXEC : 0);
        if (!space.map(top - STACK_SIZE, STACK_SIZE, stackProt)) throw new ErrnoException(Errno.ENOMEM);
        byte[] rnd = new byte[16];
        new SecureRandom().nextBytes(rnd);
        InitialStack st = InitialStack.builder(elf.wordSize()).argv(argv).envp(envp).execfn(execfn)
                .platform(arch.platform()).random(rnd).maxArgBytes(STACK_SIZE / 4)
                .kernelAuxv(plan, interpPlan == null ? 0 : interpPlan.bias(), arch.hwcap(), arch.hwcap2(), proc.uid, proc.uid, proc.gid, proc.gid, false)
                .build(top);
        byte[] img = st.image();
        space.poke(st.sp(), img, 0, img.length);

        proc.space = space;
        proc.brkStart = proc.brk = proc.brkMapped = plan.brk();
        proc.stackTop = top;
        proc.stackSize = STACK_SIZE;
        proc.mmapBase = arch.mmapBase();
        proc.mmapHighBase = arch.mmapHighBase();
        proc.argv = List.copyOf(argv);
        proc.envp = List.copyOf(envp);
        proc.exe = execfn;
        proc.initialSp = st.sp();
        proc.entry = interpPlan == null ? plan.entry() : interpPlan.entry();
        return new Image(plan, st, proc.entry, top);
    }

    /** Maps and fills every PT_LOAD of {@code plan} (later segments win shared pages, as MAP_FIXED). */
    private static void mapPlan(LoadPlan plan, AddressSpace space) throws ErrnoException {
        byte[] buf = new byte[1 << 16];
        ElfFile elf = plan.elf();
        for (LoadPlan.Mapping m : plan.mappings()) {
            int prot = m.prot() == 0 ? 0 : m.prot() | Prot.READ;
            if (!space.map(m.start(), m.length(), prot)) throw new ErrnoException(Errno.ENOMEM);
            long done = 0;
            while (done < m.fileLength()) {
                int n = (int) Math.min(buf.length, m.fileLength() - done);
                elf.copy(m.fileOffset() + done, buf, 0, n);
                space.poke(m.start() + done, buf, 0, n);
                done += n;
            }
        }
    }

    /** The interpreter named by PT_INTERP, read from the guest root and checked like the kernel does. */
    private static ElfFile interpreter(GuestRoot root, ElfFile prog) throws ErrnoException {
        String path = prog.interpreter();
        Resolved r;
        try {
            r = root.resolveExisting("/", path, GuestRoot.FOLLOW);
        } catch (ErrnoException e) {
            throw new ErrnoException(e.errno(), "interpreter " + path + " not found in the root");
        }
        if (r.isVirtual() || r.type() != FileType.REGULAR) throw new ErrnoException(Errno.EACCES, "interpreter " + path);
        ElfFile interp;
        try (FileChannel ch = root.open(r, true, false, false, false, false, false, 0)) {
            interp = ElfFile.parse(ch);
        } catch (ElfException e) {
            throw new ErrnoException(Errno.ELIBBAD, "interpreter " + path + ": " + e.getMessage());
        } catch (IOException e) {
            throw GuestRoot.errno(e, path);
        }
        if (interp.machine() != prog.machine() || interp.is64() != prog.is64() || interp.kind() == ElfFile.Kind.DYNAMIC
                || interp.kind() == ElfFile.Kind.NOT_EXECUTABLE)
            throw new ErrnoException(Errno.ELIBBAD, "interpreter " + path + " is not a " + (prog.is64() ? "64" : "32") + "-bit loader of the same machine");
        return interp;
    }

    private static long lowestVaddr(ElfFile e) {
        return e.loadSegments().getFirst().vaddr() & -4096L;
    }

    /** Bytes from the first PT_LOAD's page to the end of the last one: what the interpreter needs contiguously. */
    private static long spanOf(ElfFile e) {
        long hi = 0;
        for (ElfFile.ProgramHeader ph : e.loadSegments()) hi = Math.max(hi, ph.vaddr() + ph.memsz());
        return ((hi + 4095) & -4096L) - lowestVaddr(e);
    }
}
