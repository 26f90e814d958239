package emulator.linuxuser;

import emulator.api.stack.StackManager;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Gogo {@code vm:run [options] PROGRAM ARGS...}: starts a Linux program in the background (same
 * options as {@code abiscope run}) and returns at once, so plugins can be installed, started and
 * stopped while it runs ({@code vm:status} shows its machine). Guest output goes to the framework's
 * standard output and error; the exit status is printed when the guest ends.
 */
// Registered as Object: Gogo finds commands by their osgi.command properties, and a class of this
// bundle's own would be one more class that every other bundle listening to service events fails to
// load at each event of this service (Felix checks that the listener could use it).
@Component(service = Object.class, immediate = true,
        property = {"osgi.command.scope=vm", "osgi.command.function=run"})
public final class RunShellCommand {
    private static final AtomicInteger RUNS = new AtomicInteger();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile StackManager stacks;

    public String run(String... args) throws Exception {
        RunOptions o;
        try {
            o = RunOptions.parse(List.of(args));
        } catch (RunOptions.BadUsage e) {
            return "vm:run: " + e.getMessage() + "\nusage: vm:run " + RunOptions.USAGE;
        }
        Path root = o.root() != null ? o.root() : RunCommand.defaultRoot();
        if (o.root() == null) Files.createDirectories(root.resolve("tmp"));
        else if (!Files.isDirectory(root)) return "vm:run: root folder " + root + " does not exist";
        if (o.wantsStack() && stacks == null) return "vm:run: no stack manager: --plugins and --stack need the analysis stack service";
        int n = RUNS.incrementAndGet();
        StackManager sm = stacks;
        Thread t = Thread.ofPlatform().name("vm-run-" + n).daemon(true).start(() -> {
            int rc = RunCommand.runWithStack(sm, o, root, java.io.InputStream.nullInputStream(), System.out, System.err, new boolean[3]);
            System.out.println("vm:run #" + n + " (" + String.join(" ", o.argv()) + ") exited with status " + rc);
        });
        return "vm:run #" + n + " started: " + String.join(" ", o.argv()) + " (root " + root + "; thread " + t.getName() + ")";
    }
}
