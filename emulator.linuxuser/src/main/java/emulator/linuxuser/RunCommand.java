package emulator.linuxuser;

import emulator.api.launch.BatchCommand;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

/** {@code abiscope run}: run a Linux ELF program in user mode inside a sandboxed root folder. */
@Component(service = BatchCommand.class, immediate = true)
public final class RunCommand implements BatchCommand {

    /** The root used without --root: an (initially empty) folder under the user's cache. */
    public static Path defaultRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return cache.resolve("abiscope/linux-user/root");
    }

    @Override public String name() { return "run"; }

    @Override public String summary() { return "Run a Linux ELF program (i386, x86_64) in user mode"; }

    @Override
    public String usage() {
        return """
            run [--arch i386|x86_64] [--root DIR] [--env K=V]... [--] PROGRAM [ARG...]
              Runs PROGRAM on the emulated Linux kernel. The guest sees DIR as "/" and nothing outside
              it (plus a virtual /proc and /dev). Without --root, DIR is %s
              (created empty if missing, with /tmp). PROGRAM is a guest path inside DIR; if DIR holds
              no such file, PROGRAM is read from the host path and the guest sees it as /NAME.
              The environment is only the --env values (none by default). --arch checks the ELF's
              architecture (it is taken from the file otherwise). Static and static-PIE programs only.
              Exit status: the program's; 128+N if killed by signal N; 127 if PROGRAM is missing or
              dynamically linked; 126 if it cannot be executed; 2 on a usage error.""".formatted(defaultRoot());
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        String arch = null;
        Path root = null;
        Map<String, String> env = new LinkedHashMap<>();
        int k = 0;
        for (; k < args.size(); k++) {
            String a = args.get(k);
            if (a.equals("--")) { k++; break; }
            if (!a.startsWith("--")) break;
            String v = k + 1 < args.size() ? args.get(k + 1) : null;
            switch (a) {
                case "--arch" -> { if (v == null) return usageError(err, "--arch needs a value"); arch = v; k++; }
                case "--root" -> { if (v == null) return usageError(err, "--root needs a folder"); root = Path.of(v); k++; }
                case "--env" -> {
                    if (v == null || v.indexOf('=') <= 0) return usageError(err, "--env needs K=V");
                    env.put(v.substring(0, v.indexOf('=')), v.substring(v.indexOf('=') + 1));
                    k++;
                }
                default -> { return usageError(err, "unknown option " + a); }
            }
        }
        if (k >= args.size()) return usageError(err, "no PROGRAM given");
        if (arch != null && !List.of("i386", "x86_64", "i686", "amd64").contains(arch))
            return usageError(err, "--arch must be i386 or x86_64");
        if (root == null) {
            root = defaultRoot();
            Files.createDirectories(root.resolve("tmp"));
        } else if (!Files.isDirectory(root)) {
            err.println("abiscope: run: root folder " + root + " does not exist");
            return 2;
        }
        List<String> argv = new ArrayList<>(args.subList(k, args.size()));
        boolean terminal = System.console() != null && System.console().isTerminal();
        return new LinuxUserRunner().terminal(terminal).run(root, arch, argv, env, System.in, out, err);
    }

    private int usageError(PrintStream err, String why) {
        err.println("abiscope: run: " + why);
        err.println("usage: " + usage());
        return 2;
    }
}
