package emulator.linuxuser;

import emulator.api.launch.BatchCommand;
import emulator.api.stack.StackManager;
import emulator.core.exec.MachineConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * {@code abiscope run}: run a Linux ELF program in user mode inside a sandboxed root folder, with
 * analysis plugins applied through the optional {@link StackManager} before the guest starts and
 * removed after it ends (so plugins flush their logs).
 */
@Component(service = BatchCommand.class, immediate = true)
public final class RunCommand implements BatchCommand {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile StackManager stacks;

    /** The root used without --root: an (initially empty) folder under the user's cache. */
    public static Path defaultRoot() {
        return cacheDir().resolve("linux-user/root");
    }

    static Path cacheDir() {
        String own = System.getenv("ABISCOPE_CACHE");
        if (own != null && !own.isEmpty()) return Path.of(own);
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("abiscope");
    }

    @Override public String name() { return "run"; }

    @Override public String summary() { return "Run a Linux ELF program (i386, x86_64) in user mode"; }

    @Override
    public String usage() {
        return """
            run %s
              Runs PROGRAM on the emulated Linux kernel, with every process it starts. The guest sees
              DIR as "/" and nothing outside it (plus a virtual /proc and /dev). Without --root, DIR is
              %s (created empty if missing, with /tmp). PROGRAM is a guest path inside DIR; if DIR
              holds no such file, PROGRAM is read from the host path and the guest sees it as /NAME.
              The environment is only the --env values. --arch checks the ELF's architecture.
              --plugins syscalls.linux,files,processes applies those plugins (bundle names without
              "plugin.") through the analysis stack service before the guest starts, each writing to
              --trace-dir; --stack FILE applies a stack file; both are removed when the guest ends.
              --memory-limit SIZE caps each guest process's memory (default 2G; K/M/G suffixes):
              beyond it mmap, brk and exec fail with ENOMEM, as on a machine out of memory.
              --layout compact (default) gives x86-64 processes the i386 address layout, below 4 GiB,
              which the engine reaches faster (mmap goes higher only when that is full); --layout
              native gives them the kernel's x86-64 layout (stack near 0x7ffffffff000).
              Exit status: the program's; 128+N if killed by signal N; 127 if PROGRAM is missing;
              126 if it cannot be executed; 2 on a usage error or without a stack service.""".formatted(RunOptions.USAGE, defaultRoot());
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        RunOptions o;
        try {
            o = RunOptions.parse(args);
        } catch (RunOptions.BadUsage e) {
            err.println("abiscope: run: " + e.getMessage());
            err.println("usage: run " + RunOptions.USAGE);
            return 2;
        }
        Path root = o.root();
        if (root == null) {
            root = defaultRoot();
            Files.createDirectories(root.resolve("tmp"));
        } else if (!Files.isDirectory(root)) {
            err.println("abiscope: run: root folder " + root + " does not exist");
            return 2;
        }
        // Per descriptor, from /proc/self/fd (System.console() only answers for stdin and stdout together).
        boolean[] tty = LinuxUserRunner.hostTerminals();
        return runWithStack(stacks, o, root, System.in, out, err, tty);
    }

    /**
     * Applies the stack (if asked), runs the guest, removes the stack. Shared with vm:run. The stack is
     * applied while the program loads ({@link StackStart}); the guest starts once it is up.
     */
    static int runWithStack(StackManager sm, RunOptions o, Path root, InputStream in, PrintStream out, PrintStream err,
                            boolean[] tty) {
        if (o.wantsStack() && sm == null) {
            err.println("abiscope: run: no stack manager: --plugins and --stack need the analysis stack service, which is not running");
            return 2;
        }
        StackStart stack = o.wantsStack() ? StackStart.begin(sm, o) : null;
        try {
            int status = new LinuxUserRunner().terminal(tty[0], tty[1], tty[2])
                    .config(MachineConfig.defaults("linux-user").withMemoryLimit(o.memoryLimit()))
                    .layout(o.layout())
                    .beforeStart(() -> stack != null && stack.report(err) ? 2 : null)
                    .run(root, o.arch(), o.argv(), o.env(), in, out, err);
            // a stack that failed is a usage error, also when the program could not be loaded either
            return stack != null && stack.report(err) ? 2 : status;
        } finally {
            if (stack != null) stack.finish(err);
        }
    }
}
