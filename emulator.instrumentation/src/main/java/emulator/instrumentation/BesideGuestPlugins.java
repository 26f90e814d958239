package emulator.instrumentation;

import emulator.api.instrument.TranslationHook;
import emulator.core.exec.JitPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Finds plugin services marked {@link TranslationHook#BESIDE_GUEST}, of any interface (a CPU listener,
 * an EventAdmin handler), and keeps the classes of the bundles that register them out of the JIT's
 * optimizing compiler ({@link JitPolicy#keepPluginOutOfC2}). Only the registering bundle's own
 * packages are named, so a plugin cannot take that compiler from anyone else's code.
 *
 * <p>The directive outlives the plugin (the JVM has no way to take back one pattern): a plugin that
 * is stopped leaves its classes with C1, which is where it asked them to be.
 */
final class BesideGuestPlugins extends ServiceTracker<Object, Object> {
    BesideGuestPlugins(BundleContext context) throws InvalidSyntaxException {
        super(context, context.createFilter("(" + TranslationHook.BESIDE_GUEST + "=true)"), null);
    }

    @Override
    public Object addingService(ServiceReference<Object> ref) {
        Bundle b = ref.getBundle();
        try {
            if (b != null) {
                List<String> packages = ownPackages(b);
                if (!packages.isEmpty()) JitPolicy.keepPluginOutOfC2(packages);
            }
        } catch (RuntimeException e) {
            // a bundle going away while we list it: its code keeps the JIT's defaults, nothing else changes
            System.err.println("abiscope: could not name the classes of " + b + " for the JIT (" + e + "); they keep its defaults");
        }
        return null; // nothing to track: the service itself is not needed
    }

    /** The packages of the bundle's own classes, each once, without those below another in the list. */
    static List<String> ownPackages(Bundle b) {
        BundleWiring w = b.adapt(BundleWiring.class);
        if (w == null) return List.of();
        TreeSet<String> all = new TreeSet<>();
        for (String r : w.listResources("/", "*.class", BundleWiring.LISTRESOURCES_LOCAL | BundleWiring.LISTRESOURCES_RECURSE)) {
            int slash = r.lastIndexOf('/');
            if (slash > 0 && !r.startsWith("META-INF/")) all.add(r.substring(0, slash).replace('/', '.'));
        }
        List<String> roots = new ArrayList<>();
        for (String p : all) { // sorted: a package comes right after the one it lies below
            if (roots.isEmpty() || !p.startsWith(roots.getLast() + ".")) roots.add(p);
        }
        return roots;
    }
}
