package emulator.linuxuser;

import emulator.api.launch.BatchCommand;
import emulator.api.stack.StackManager;
import emulator.linuxuser.kernel.AddressLayout;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * {@code abiscope demo}: fetches busybox (amd64) if it is not cached, builds a demo root with it,
 * and runs a short shell script there — files written and read, a pipeline, a child process — with
 * the syscall, file and process plugins applied through the {@link StackManager} when the service
 * and those plugins are present. Without them the script still runs and the missing parts are named.
 */
@Component(service = BatchCommand.class, immediate = true)
public final class DemoCommand implements BatchCommand {
    static final List<String> PLUGINS = List.of("syscalls.linux", "files", "processes");
    static final List<String> APPLETS = List.of("sh", "echo", "cat", "ls", "wc", "sort", "uniq", "tr", "grep", "mkdir",
            "rm", "sleep", "head", "md5sum", "uname", "printf", "seq");
    static final String SCRIPT = """
            echo "== abiscope demo: busybox on $(uname -m), in a sandboxed root"
            mkdir -p /work && cd /work
            printf 'apple\\nbanana\\ncherry\\napple\\n' > fruit.txt
            echo "wrote fruit.txt: $(wc -l < fruit.txt) lines"
            echo "== a pipeline: cat | sort | uniq -c"
            cat fruit.txt | sort | uniq -c
            echo "== a child process"
            sh -c 'echo "child pid $$, parent $PPID"; exit 3'
            echo "child exit status $?"
            echo "== reading back"
            grep -c a fruit.txt; md5sum fruit.txt
            """;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile StackManager stacks;

    private BundleContext context;

    @Activate
    void activate(BundleContext ctx) { this.context = ctx; }

    @Override public String name() { return "demo"; }

    @Override public String summary() { return "Run busybox in a sandbox with the syscall, file and process plugins"; }

    @Override
    public String usage() {
        return """
            demo [--trace-dir DIR]
              Fetches Debian's busybox-static (amd64) into the cache if missing, builds a root folder
              with it under %s, and runs a small shell script there (files, a pipeline, a child
              process) with the plugins %s on when present. Their output goes to DIR
              (default: the demo folder's trace/).""".formatted(RunCommand.cacheDir().resolve("demo"), PLUGINS);
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        Path demo = RunCommand.cacheDir().resolve("demo");
        Path trace = demo.resolve("trace");
        if (args.size() == 2 && args.get(0).equals("--trace-dir")) trace = Path.of(args.get(1));
        else if (!args.isEmpty()) {
            err.println("usage: " + usage());
            return 2;
        }
        Path busybox = RunCommand.cacheDir().resolve("guests/amd64/busybox/busybox");
        if (!Files.isRegularFile(busybox) && fetch(err) != 0) {
            err.println("abiscope: demo: could not fetch busybox-static (see above)");
            return 1;
        }
        Path root = buildRoot(demo.resolve("root"), busybox);
        // plugins: those installed as bundles, through the stack service
        List<String> present = new ArrayList<>(), missing = new ArrayList<>();
        for (String p : PLUGINS) (installed("plugin." + p) ? present : missing).add(p);
        StackManager sm = stacks;
        if (sm == null) {
            out.println("(no analysis stack service: running without plugins)");
            present.clear();
        }
        if (!missing.isEmpty()) out.println("(plugins not installed: " + String.join(", ", missing) + ")");
        List<String> argv = List.of("/bin/busybox", "sh", "/demo.sh");
        RunOptions o = new RunOptions(null, root, Map.of("PATH", "/bin"), present, null, present.isEmpty() ? null : trace,
                RunOptions.DEFAULT_MEMORY_LIMIT, AddressLayout.COMPACT, argv);
        if (!present.isEmpty()) Files.createDirectories(trace);
        int rc = RunCommand.runWithStack(sm, o, root, InputStream.nullInputStream(), out, err, new boolean[3]);
        out.println("== guest exit status " + rc);
        if (!present.isEmpty()) out.println("== plugin output (" + String.join(", ", present) + "): " + trace);
        out.println("== the demo root: " + root);
        return rc;
    }

    private boolean installed(String bsn) {
        if (context == null) return false;
        for (Bundle b : context.getBundles()) if (bsn.equals(b.getSymbolicName()) && b.getState() == Bundle.ACTIVE) return true;
        return false;
    }

    /** Runs the bundled fetch script (the same as scripts/fetch-busybox.sh in the repository). */
    private int fetch(PrintStream err) throws IOException {
        Path script = Files.createTempFile("fetch-busybox", ".sh");
        try (InputStream in = DemoCommand.class.getResourceAsStream("fetch-busybox.sh")) {
            if (in == null) { err.println("abiscope: demo: fetch script missing from the bundle"); return 1; }
            Files.write(script, in.readAllBytes());
            Process p = new ProcessBuilder("sh", script.toString(), "amd64").redirectError(ProcessBuilder.Redirect.INHERIT).start();
            p.getInputStream().readAllBytes();
            return p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            Files.deleteIfExists(script);
        }
    }

    /** A fresh demo root: /bin/busybox with applet links, /tmp, /demo.sh. */
    static Path buildRoot(Path root, Path busybox) throws IOException {
        if (Files.exists(root)) {
            try (var s = Files.walk(root)) {
                for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
            }
        }
        Path bin = Files.createDirectories(root.resolve("bin"));
        Files.copy(busybox, bin.resolve("busybox"));
        for (String a : APPLETS) Files.createSymbolicLink(bin.resolve(a), Path.of("busybox"));
        Files.createDirectories(root.resolve("tmp"));
        Files.writeString(root.resolve("demo.sh"), SCRIPT, StandardCharsets.UTF_8);
        return root;
    }
}
