package run.e2e;

import java.io.PrintStream;
import java.util.List;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

import emulator.api.launch.BatchCommand;

/**
 * Test-only {@link BatchCommand} {@code e2e-exit N}: prints a line and returns N. Packed by
 * {@link LauncherE2E} into a throw-away bundle dropped into a private hot-deploy folder; never part
 * of the runtime.
 */
public class ExitCodeCommand implements BatchCommand, BundleActivator {

    @Override
    public void start(BundleContext context) {
        context.registerService(BatchCommand.class, this, null);
    }

    @Override
    public void stop(BundleContext context) {
        // unregistered with the bundle
    }

    @Override
    public String name() {
        return "e2e-exit";
    }

    @Override
    public String summary() {
        return "test only: exit with the given code";
    }

    @Override
    public String usage() {
        return "e2e-exit CODE";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        out.println("e2e-exit ran with " + args);
        return Integer.parseInt(args.get(0));
    }
}
