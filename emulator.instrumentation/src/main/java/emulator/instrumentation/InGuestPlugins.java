package emulator.instrumentation;

import emulator.api.instrument.TranslationHook;
import emulator.core.exec.JitPolicy;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The other side of {@link BesideGuestPlugins}: a plugin whose translation hook puts callbacks into
 * the guest's code (any {@link TranslationHook} not marked {@link TranslationHook#BESIDE_GUEST}) runs
 * with the guest, so where only the guest's code may reach the JIT's optimizing compiler
 * ({@code -Dabiscope.c2Only}, as {@code ./abiscope} runs), the classes of the bundle that registers it
 * may too ({@link JitPolicy#letPluginReachC2}). A callback too big for C2 to inline into the guest's
 * code is otherwise a call into C1 code at every instruction it watches (an instruction trace of
 * every 100th instruction of a sha256sum ran 3–5 % slower). Only the registering bundle's own
 * packages are named.
 */
final class InGuestPlugins extends ServiceTracker<Object, Object> {
    InGuestPlugins(BundleContext context) throws InvalidSyntaxException {
        super(context, context.createFilter("(&(objectClass=" + TranslationHook.class.getName() + ")(!("
                + TranslationHook.BESIDE_GUEST + "=true)))"), null);
    }

    @Override
    public Object addingService(ServiceReference<Object> ref) {
        Bundle b = ref.getBundle();
        try {
            if (b != null) {
                List<String> packages = BesideGuestPlugins.ownPackages(b);
                if (!packages.isEmpty()) JitPolicy.letPluginReachC2(packages);
            }
        } catch (RuntimeException e) {
            System.err.println("abiscope: could not name the classes of " + b + " for the JIT (" + e + "); they keep its defaults");
        }
        return null;
    }
}
