package emulator.linuxuser.kernel;

import emulator.core.mem.AddressSpace;
import emulator.core.mem.Prot;
import emulator.linuxuser.abi.Errno;
import emulator.linuxuser.abi.ErrnoException;
import emulator.linuxuser.elf.ElfException;
import emulator.linuxuser.elf.ElfFile;
import emulator.linuxuser.elf.InitialStack;
import emulator.linuxuser.elf.LoadPlan;

import java.security.SecureRandom;
import java.util.List;

/**
 * exec for the user-mode personality: maps an ELF image's {@link LoadPlan} into a fresh address
 * space, maps the stack (8 MiB, fixed size) and writes the {@link InitialStack} with the kernel's
 * auxv. Static and static-PIE programs only for now.
 */
public final class ElfLoader {
    private ElfLoader() {}

    /** Stack size (RLIMIT_STACK default); the mapping does not grow. */
    public static final long STACK_SIZE = 8L << 20;

    /** Where things ended up. */
    public record Image(LoadPlan plan, InitialStack stack, long entry, long stackTop) {}

    /** Per-architecture exec parameters. */
    public record ArchParams(long stackTop, long mmapBase, String platform, long hwcap, long hwcap2) {}

    public static ArchParams x86(boolean x64, long hwcap) {
        return x64 ? new ArchParams(0x7FFF_FFFF_F000L, 0x7FFF_F7FF_F000L, "x86_64", hwcap, 0)
                   : new ArchParams(0xFFFD_D000L, 0xF7FF_F000L, "i686", hwcap, 0);
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

    /** As above; {@code root} is where a PT_INTERP interpreter is looked up (null: dynamic programs are refused). */
    public static Image load(ElfFile elf, AddressSpace space, LinuxProcess proc, ArchParams arch,
                             List<String> argv, List<String> envp, String execfn,
                             emulator.linuxuser.fs.GuestRoot root) throws ElfException, ErrnoException {
        if (elf.kind() == ElfFile.Kind.DYNAMIC || elf.interpreter() != null)
            throw new ElfException("dynamically linked programs are not supported yet (interpreter " + elf.interpreter() + ")");
        if (elf.kind() == ElfFile.Kind.NOT_EXECUTABLE) throw new ElfException("not an executable (ELF type " + elf.type() + ")");
        LoadPlan plan = LoadPlan.of(elf, LoadPlan.defaultBias(elf));
        byte[] buf = new byte[1 << 16];
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
        long top = arch.stackTop();
        int stackProt = Prot.RW | (elf.executableStack() ? Prot.EXEC : 0);
        if (!space.map(top - STACK_SIZE, STACK_SIZE, stackProt)) throw new ErrnoException(Errno.ENOMEM);
        byte[] rnd = new byte[16];
        new SecureRandom().nextBytes(rnd);
        InitialStack st = InitialStack.builder(elf.wordSize()).argv(argv).envp(envp).execfn(execfn)
                .platform(arch.platform()).random(rnd).maxArgBytes(STACK_SIZE / 4)
                .kernelAuxv(plan, 0, arch.hwcap(), arch.hwcap2(), proc.uid, proc.uid, proc.gid, proc.gid, false)
                .build(top);
        byte[] img = st.image();
        space.poke(st.sp(), img, 0, img.length);

        proc.space = space;
        proc.brkStart = proc.brk = proc.brkMapped = plan.brk();
        proc.stackTop = top;
        proc.stackSize = STACK_SIZE;
        proc.mmapBase = arch.mmapBase();
        proc.argv = List.copyOf(argv);
        proc.envp = List.copyOf(envp);
        proc.exe = execfn;
        proc.initialSp = st.sp();
        proc.entry = plan.entry();
        return new Image(plan, st, plan.entry(), top);
    }
}
