package emulator.launcher;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

import emulator.api.launch.BatchCommand;

/** Built-in {@code version}: the Java runtime, the OSGi framework and every installed bundle. */
final class VersionCommand implements BatchCommand {

    private final BundleContext context;

    VersionCommand(BundleContext context) {
        this.context = context;
    }

    @Override
    public String name() {
        return "version";
    }

    @Override
    public String summary() {
        return "print the versions of Java, the OSGi framework and every bundle";
    }

    @Override
    public String usage() {
        return "abiscope version\nPrints one line per bundle: symbolic name, version, state.";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (!args.isEmpty()) {
            err.println("abiscope version: unexpected argument '" + args.get(0) + "'");
            err.println("usage: " + usage().lines().findFirst().orElse(""));
            return 2;
        }
        Bundle self = context.getBundle();
        Bundle framework = context.getBundle(0);
        out.println("abiscope " + self.getVersion());
        out.println("Java " + Runtime.version() + " (" + System.getProperty("java.vendor", "?") + ")");
        out.println("OSGi framework " + framework.getSymbolicName() + " " + framework.getVersion());
        Bundle[] bundles = context.getBundles();
        Arrays.sort(bundles, Comparator.comparing(b -> String.valueOf(b.getSymbolicName())));
        for (Bundle b : bundles) {
            if (b.getBundleId() == 0) {
                continue;
            }
            out.printf("  %-40s %-24s %s%n", b.getSymbolicName(), b.getVersion(), state(b.getState()));
        }
        return 0;
    }

    private static String state(int s) {
        return switch (s) {
            case Bundle.ACTIVE -> "active";
            case Bundle.RESOLVED -> "resolved";
            case Bundle.INSTALLED -> "installed";
            case Bundle.STARTING -> "starting";
            case Bundle.STOPPING -> "stopping";
            default -> "uninstalled";
        };
    }
}
