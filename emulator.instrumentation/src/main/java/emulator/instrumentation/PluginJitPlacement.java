package emulator.instrumentation;

import emulator.api.instrument.TranslationHook;
import emulator.core.exec.JitPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Tells the JIT ({@link JitPolicy}) where a plugin's code runs, from the services it registers. Only
 * the registering bundle's own packages are named, so a plugin cannot move anyone else's code.
 *
 * <ul>
 *   <li>{@link #besideGuest}: services of any interface (a CPU listener, an EventAdmin handler) marked
 *   {@link TranslationHook#BESIDE_GUEST} run at events, not in the guest's code: the bundle's classes
 *   are kept out of the optimizing compiler ({@link JitPolicy#keepPluginOutOfC2}).</li>
 *   <li>{@link #inGuest}: a {@link TranslationHook} not so marked puts callbacks into the guest's code:
 *   where only the guest's code may reach the optimizing compiler ({@code -Dabiscope.c2Only}, as
 *   {@code ./abiscope} runs), the bundle's classes may too ({@link JitPolicy#letPluginReachC2}). A
 *   callback too big for C2 to inline into the guest's code is otherwise a call into C1 code at every
 *   instruction it watches (an instruction trace of every 100th instruction of a sha256sum ran 3–5 %
 *   slower).</li>
 * </ul>
 *
 * <p>A directive outlives the plugin (the JVM has no way to take back one pattern): a stopped plugin
 * leaves its classes where it asked them to be.
 */
final class PluginJitPlacement extends ServiceTracker<Object, Object> {
    private final Consumer<List<String>> place;

    private PluginJitPlacement(BundleContext context, String filter, Consumer<List<String>> place) throws InvalidSyntaxException {
        super(context, context.createFilter(filter), null);
        this.place = place;
    }

    static PluginJitPlacement besideGuest(BundleContext context) throws InvalidSyntaxException {
        return new PluginJitPlacement(context, "(" + TranslationHook.BESIDE_GUEST + "=true)", JitPolicy::keepPluginOutOfC2);
    }

    static PluginJitPlacement inGuest(BundleContext context) throws InvalidSyntaxException {
        return new PluginJitPlacement(context, "(&(objectClass=" + TranslationHook.class.getName() + ")(!("
                + TranslationHook.BESIDE_GUEST + "=true)))", JitPolicy::letPluginReachC2);
    }

    @Override
    public Object addingService(ServiceReference<Object> ref) {
        Bundle b = ref.getBundle();
        try {
            if (b != null) {
                List<String> packages = ownPackages(b);
                if (!packages.isEmpty()) place.accept(packages);
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
