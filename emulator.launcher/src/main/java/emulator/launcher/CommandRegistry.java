package emulator.launcher;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

import emulator.api.launch.BatchCommand;

/**
 * The registered {@link BatchCommand} services, with bounded waits for a command to appear and for
 * the runtime to settle (no bundle or command change for a while).
 */
final class CommandRegistry implements BundleListener {

    private final BundleContext context;
    private final ServiceTracker<BatchCommand, BatchCommand> tracker;
    private long lastChange = System.nanoTime();

    CommandRegistry(BundleContext context) {
        this.context = context;
        this.tracker = new ServiceTracker<>(context, BatchCommand.class, null) {
            @Override
            public BatchCommand addingService(ServiceReference<BatchCommand> reference) {
                BatchCommand c = super.addingService(reference);
                changed();
                return c;
            }

            @Override
            public void removedService(ServiceReference<BatchCommand> reference, BatchCommand service) {
                super.removedService(reference, service);
                changed();
            }
        };
    }

    void open() {
        context.addBundleListener(this);
        tracker.open();
    }

    void close() {
        tracker.close();
        try {
            context.removeBundleListener(this);
        } catch (IllegalStateException ignored) {
            // context already invalid
        }
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        changed();
    }

    private synchronized void changed() {
        lastChange = System.nanoTime();
        notifyAll();
    }

    /** Every registered command, sorted by name. */
    List<BatchCommand> all() {
        List<BatchCommand> list = new ArrayList<>();
        for (BatchCommand c : tracker.getTracked().values()) {
            list.add(c);
        }
        list.sort(Comparator.comparing(CommandRegistry::safeName));
        return list;
    }

    Optional<BatchCommand> find(String name) {
        return all().stream().filter(c -> name.equals(safeName(c))).findFirst();
    }

    /**
     * Waits until the command {@code name} is registered, at most {@code timeoutMillis}; gives up
     * earlier once nothing has changed (no bundle event, no command registered) for
     * {@code quietMillis}, so an unknown command fails fast.
     */
    synchronized Optional<BatchCommand> await(String name, long timeoutMillis, long quietMillis)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            Optional<BatchCommand> c = find(name);
            if (c.isPresent()) {
                return c;
            }
            long now = System.nanoTime();
            long quietEnd = lastChange + quietMillis * 1_000_000L;
            long until = Math.min(deadline, quietEnd);
            if (now - until >= 0) {
                return Optional.empty();
            }
            long waitMs = Math.max(1, (until - now) / 1_000_000L);
            wait(Math.min(waitMs, 100));
        }
    }

    /** Waits until nothing has changed for {@code quietMillis}, at most {@code timeoutMillis}. */
    synchronized void settle(long timeoutMillis, long quietMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            long now = System.nanoTime();
            long until = Math.min(deadline, lastChange + quietMillis * 1_000_000L);
            if (now - until >= 0) {
                return;
            }
            wait(Math.max(1, Math.min(100, (until - now) / 1_000_000L)));
        }
    }

    static String safeName(BatchCommand c) {
        try {
            String n = c.name();
            return n == null ? "" : n;
        } catch (RuntimeException e) {
            return "";
        }
    }
}
