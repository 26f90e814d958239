package emulator.linuxuser;

import emulator.core.exec.Machine;
import emulator.core.exec.MachineConfig;
import emulator.core.exec.Vcpu;
import emulator.core.mem.AddressSpace;
import emulator.linuxuser.abi.Errno;
import emulator.linuxuser.abi.ErrnoException;
import emulator.linuxuser.elf.ElfException;
import emulator.linuxuser.elf.ElfFile;
import emulator.linuxuser.fs.FileType;
import emulator.linuxuser.fs.GuestRoot;
import emulator.linuxuser.fs.Resolved;
import emulator.linuxuser.fs.SystemInfo;
import emulator.linuxuser.fs.VirtualFs;
import emulator.linuxuser.kernel.AddressLayout;
import emulator.linuxuser.kernel.ElfLoader;
import emulator.linuxuser.kernel.GuestMem;
import emulator.linuxuser.kernel.LinuxProcess;
import emulator.linuxuser.kernel.OpenFile;
import emulator.linuxuser.kernel.GuestThread;
import emulator.linuxuser.kernel.LinuxSystem;
import emulator.x86.Slots;
import emulator.x86.X86Target;
import emulator.x86.front.Cpuid;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one Linux ELF program in user mode on the Java personality, inside a sandboxed root folder.
 *
 * <p>The program ({@code argv[0]}) is looked up as a guest path inside the root first (relative
 * names relative to the guest's "/"); when no such file exists there, it is read from the host
 * path instead and the guest sees it as {@code /NAME} (its file name at the root; /proc/self/exe
 * says so too). The guest starts in "/" with exactly the given environment.
 *
 * <p>Exit codes follow a shell: the program's status; 128+N when signal N killed it; 127 when the
 * program or its interpreter (PT_INTERP, looked up in the root) does not exist; 126 when it
 * cannot be executed (not ELF, truncated, wrong architecture, a directory). Problems are reported
 * as one line on {@code err}.
 */
public final class LinuxUserRunner {
    /**
     * What must be ready before the guest's first instruction, awaited once the program is loaded (so
     * the caller's own start-up, e.g. analysis plugins being applied, overlaps with loading it).
     */
    @FunctionalInterface
    public interface StartGate {
        /** Waits until the guest may start; null to start it, or the exit status to end the run with instead (the gate has said why). */
        Integer await();
    }

    private boolean terminal, inTerminal, outTerminal, errTerminal;
    private MachineConfig config = MachineConfig.defaults("linux-user").withMemoryLimit(RunOptions.DEFAULT_MEMORY_LIMIT);
    private StartGate gate = () -> null;
    private AddressLayout layout = AddressLayout.COMPACT;

    /** Whether standard input/output are the host terminal (isatty, TCGETS, /dev/tty). */
    public LinuxUserRunner terminal(boolean t) { return terminal(t, t, t); }

    /** Per stream: whether the guest's stdin, stdout and stderr are the host terminal (see {@link #hostTerminals}). */
    public LinuxUserRunner terminal(boolean in, boolean out, boolean err) {
        this.inTerminal = in;
        this.outTerminal = out;
        this.errTerminal = err;
        this.terminal = in || out || err;
        return this;
    }

    /** Which of this JVM's descriptors 0, 1, 2 are a terminal (from /proc/self/fd: Java has no isatty). */
    public static boolean[] hostTerminals() {
        return new boolean[] {emulator.linuxuser.kernel.HostTerminal.isTerminal(0), emulator.linuxuser.kernel.HostTerminal.isTerminal(1),
                emulator.linuxuser.kernel.HostTerminal.isTerminal(2)};
    }

    public LinuxUserRunner config(MachineConfig c) { this.config = c; return this; }

    /** Where an x86-64 process's stack and mappings go (default {@link AddressLayout#COMPACT}). */
    public LinuxUserRunner layout(AddressLayout l) { this.layout = l; return this; }

    /** Awaited after the program is loaded, right before its first instruction (not at all when loading fails). */
    public LinuxUserRunner beforeStart(StartGate g) { this.gate = g; return this; }

    /**
     * @param root  the folder that is the guest's "/"
     * @param arch  "x86_64" or "i386" (also "amd64", "i686"); null to take it from the ELF file
     * @param argv  the program (see the class comment) and its arguments
     * @param env   the guest environment, in iteration order
     * @return the exit status as a shell reports it
     */
    public int run(Path root, String arch, List<String> argv, Map<String, String> env,
                   InputStream in, OutputStream out, OutputStream err) {
        PrintStream errp = err instanceof PrintStream ps ? ps : new PrintStream(err, true, StandardCharsets.UTF_8);
        if (argv.isEmpty()) {
            errp.println("abiscope: no program given");
            return 127;
        }
        String program = argv.getFirst();
        AtomicReference<LinuxSystem> sysRef = new AtomicReference<>();
        GuestRoot groot;
        try {
            VirtualFs vfs = new VirtualFs(() -> {
                GuestThread t = GuestThread.current();
                if (t != null) return t.proc;
                LinuxSystem s = sysRef.get();
                return s == null ? null : s.init();
            }, SystemInfo.defaultX86(1, config.memoryLimit() / 1024), terminal);
            groot = new GuestRoot(root, vfs);
        } catch (IOException e) {
            errp.println("abiscope: root folder " + root + ": " + e.getMessage());
            return 126;
        }

        // ---- find and parse the program
        ElfFile elf;
        String guestPath;
        try {
            Resolved r = null;
            try {
                r = groot.resolve("/", program, GuestRoot.FOLLOW);
            } catch (ErrnoException ignored) {
                // not a usable guest path: try the host
            }
            if (r != null && r.exists()) {
                if (r.type() == FileType.DIRECTORY) return fail(errp, program, Errno.EISDIR.message(), 126);
                if (r.isVirtual()) return fail(errp, program, Errno.EACCES.message(), 126);
                try (FileChannel ch = groot.open(r, true, false, false, false, false, false, 0)) {
                    elf = ElfFile.parse(ch);
                }
                guestPath = r.guestPath();
            } else {
                Path host = Path.of(program);
                if (!Files.exists(host)) return fail(errp, program, Errno.ENOENT.message(), 127);
                if (Files.isDirectory(host)) return fail(errp, program, Errno.EISDIR.message(), 126);
                if (!Files.isReadable(host)) return fail(errp, program, Errno.EACCES.message(), 126);
                elf = ElfFile.parse(host);
                guestPath = "/" + host.getFileName();
            }
        } catch (ElfException e) {
            return fail(errp, program, "cannot execute binary file: Exec format error (" + e.getMessage() + ")", 126);
        } catch (ErrnoException e) {
            return fail(errp, program, e.errno().message(), e.errno() == Errno.ENOENT ? 127 : 126);
        } catch (IOException e) {
            return fail(errp, program, String.valueOf(e.getMessage()), 126);
        }

        boolean x64;
        switch (elf.machine()) {
            case ElfFile.EM_X86_64 -> x64 = true;
            case ElfFile.EM_386 -> x64 = false;
            default -> {
                return fail(errp, program, "cannot execute binary file: Exec format error (" + elf.machineName()
                        + " programs are not supported yet)", 126);
            }
        }
        if (x64 != elf.is64())
            return fail(errp, program, "cannot execute binary file: Exec format error (ELF class does not match the machine)", 126);
        if (arch != null) {
            String want = switch (arch) {
                case "x86_64", "amd64", "x86-64" -> "x86_64";
                case "i386", "i686", "x86" -> "i386";
                default -> null;
            };
            if (want == null) return fail(errp, program, "unknown architecture " + arch + " (use i386 or x86_64)", 126);
            if (!want.equals(x64 ? "x86_64" : "i386"))
                return fail(errp, program, "cannot execute binary file: Exec format error (an "
                        + (x64 ? "x86_64" : "i386") + " program, --arch " + arch + ")", 126);
        }
        // ---- the first process
        int[] ids = hostIds();
        LinuxSystem system = new LinuxSystem(x64, config, layout, errp);
        sysRef.set(system);
        LinuxProcess proc = system.newInitProcess(ids[0], ids[1], groot);
        AddressSpace space = new AddressSpace(config.memoryLimit());
        List<String> envp = new ArrayList<>();
        env.forEach((k, v) -> envp.add(k + "=" + v));
        try {
            ElfLoader.load(elf, space, proc, system.archParams(), argv, envp, guestPath, groot);
        } catch (ElfException e) {
            return fail(errp, program, e.getMessage(), 127);
        } catch (ErrnoException e) {
            // A missing interpreter is "not found", as a shell reports a program it cannot start (127).
            String detail = e.detail() == null ? "" : " (" + e.detail() + ")";
            return fail(errp, program, e.errno().message() + detail, e.errno() == Errno.ENOENT ? 127 : 126);
        }
        try {
            proc.install(new OpenFile.InStream(in, inTerminal), false, 0);
            proc.install(new OpenFile.OutStream(out, outTerminal, 2), false, 1);
            proc.install(new OpenFile.OutStream(err, errTerminal, 3), false, 2);
        } catch (ErrnoException e) {
            throw new IllegalStateException(e);
        }
        GuestThread main = system.initThread(proc, space, proc.initialSp, proc.entry);
        Machine machine = system.machine();
        Integer refused = gate.await();
        if (refused != null) return refused;
        emulator.core.exec.Machines.started(machine); // the instrumentation engine and vm: commands see it
        try {
            system.start(main, false);
            system.awaitInit();
        } catch (InterruptedException e) {
            machine.stop();
            Thread.currentThread().interrupt();
        } finally {
            emulator.core.exec.Machines.stopped(machine);
        }
        try { out.flush(); } catch (IOException ignored) { }
        try { err.flush(); } catch (IOException ignored) { }
        if (system.crash() != null) {
            errp.println("abiscope: internal error at pc 0x" + Long.toHexString(system.crashPc()) + ": " + system.crash());
            return 134;
        }
        if (!proc.hasExited()) {
            errp.println("abiscope: guest stopped without exiting");
            return 137;
        }
        return proc.exitStatus();
    }

    private static int fail(PrintStream err, String program, String why, int code) {
        err.println("abiscope: " + program + ": " + why);
        return code;
    }

    /** The host user's uid and gid, reported to the guest (files it creates are the host user's). */
    private static int[] hostIds() {
        try {
            Path self = Path.of("/proc/self");
            return new int[] {(Integer) Files.getAttribute(self, "unix:uid"), (Integer) Files.getAttribute(self, "unix:gid")};
        } catch (IOException | RuntimeException e) {
            return new int[] {0, 0};
        }
    }
}
