package emulator.launcher;

import java.util.Hashtable;
import java.util.concurrent.Callable;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;

import emulator.api.launch.BatchCommand;

/**
 * Starts the batch command line.
 * <p>
 * How the bnd launcher (the {@code Main-Class} of {@code run/target/abiscope.jar}) hands over the
 * command line and the main thread — checked for real with bnd 7.1.0's launcher and Felix 7.0.5
 * (see {@code run/src/test/java/run/LauncherE2E.java}):
 * <ul>
 * <li>After starting every run bundle the launcher registers itself as a service with the property
 * {@code launcher.arguments} (a {@code String[]}: the arguments after {@code -jar abiscope.jar}).
 * Its class is not visible to bundles, so track it with a filter on the property.</li>
 * <li>It then waits for a service of class {@code java.util.concurrent.Callable} (or
 * {@code Runnable}) with {@code main.thread=true}, calls it on the JVM's main thread and, once it
 * returns, stops the framework and exits the process with the returned {@code Integer}. The
 * service object's class must implement {@code Callable<Integer>} in its declared generic
 * signature: the launcher checks it reflectively, so a lambda or method reference is rejected
 * ("IllegalArgumentException: Found a main thread service which is Callable<java.lang.Object>").</li>
 * <li>The launcher service is already registered when the run bundles start (the tracker sees
 * it in {@code open()}).</li>
 * <li>If no such service is ever registered the main thread just waits: that is the interactive
 * {@code shell} mode, where Gogo owns the console and {@code felix:stop 0} or Ctrl-D ends the
 * process (the launcher exits with 117 then; {@code ./abiscope} reports 0).</li>
 * </ul>
 */
public final class Activator implements BundleActivator {

    /** Service property of the bnd launcher's own service holding the command line. */
    static final String LAUNCHER_ARGUMENTS = "launcher.arguments";

    private ServiceTracker<Object, Object> launcherTracker;
    private ServiceRegistration<BatchCommand> version;
    private ServiceRegistration<?> mainThread;
    private AutoCloseable logBridge;
    private AutoCloseable hotDeployGuard;
    private CommandRegistry registry;

    @Override
    public void start(BundleContext context) throws Exception {
        logBridge = startLogBridge(context);
        hotDeployGuard = startHotDeployGuard(context);
        registry = new CommandRegistry(context);
        registry.open();
        version = context.registerService(BatchCommand.class, new VersionCommand(context), null);

        Filter filter = context.createFilter("(" + LAUNCHER_ARGUMENTS + "=*)");
        launcherTracker = new ServiceTracker<>(context, filter, null) {
            @Override
            public Object addingService(ServiceReference<Object> reference) {
                onLauncher(context, toArgs(reference.getProperty(LAUNCHER_ARGUMENTS)));
                return reference;
            }
        };
        launcherTracker.open(true);
    }

    private synchronized void onLauncher(BundleContext context, String[] args) {
        if (mainThread != null || CommandLine.isShell(args)) {
            return; // interactive shell: leave the main thread waiting, Gogo owns the console
        }
        // a class with a reified Callable<Integer> signature: the launcher checks the generic
        // interface type reflectively and rejects a lambda ("Callable<java.lang.Object> which should
        // be Callable<Integer>")
        // A batch command's standard output is its own (a guest program's output, raw mode's JSON):
        // whatever else prints to System.out from now on (a bundle's fallback logging, such as
        // EventAdmin's warning when the framework stops with events in flight) goes to stderr.
        java.io.PrintStream commandOut = System.out;
        System.setOut(System.err);
        Callable<Integer> main = new CommandLine(args, registry, commandOut, System.err);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("main.thread", Boolean.TRUE);
        mainThread = context.registerService(Callable.class.getName(), main, props);
    }

    private static String[] toArgs(Object property) {
        if (property instanceof String[] a) {
            return a;
        }
        if (property instanceof java.util.Collection<?> c) {
            return c.stream().map(String::valueOf).toArray(String[]::new);
        }
        return new String[0];
    }

    private static AutoCloseable startLogBridge(BundleContext context) {
        try {
            return LogBridge.open(context);
        } catch (NoClassDefFoundError e) {
            return () -> { }; // org.osgi.service.log not wired: no console echo of log errors
        }
    }

    private static AutoCloseable startHotDeployGuard(BundleContext context) {
        try {
            return HotDeployGuard.register(context);
        } catch (NoClassDefFoundError e) {
            return () -> { }; // FileInstall not wired: no hot-deploy folder to guard
        }
    }

    @Override
    public synchronized void stop(BundleContext context) throws Exception {
        launcherTracker.close();
        if (mainThread != null) {
            try {
                mainThread.unregister();
            } catch (IllegalStateException ignored) {
                // already gone with the framework
            }
        }
        version.unregister();
        registry.close();
        hotDeployGuard.close();
        logBridge.close();
    }
}
