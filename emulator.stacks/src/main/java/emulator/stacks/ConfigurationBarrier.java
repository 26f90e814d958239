package emulator.stacks;

import java.io.IOException;
import java.util.Hashtable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;

/**
 * A point in ConfigAdmin's stream of configuration events. ConfigAdmin hands its events to the
 * listeners one event at a time, in the order they happened, on one thread; SCR is such a listener
 * and deactivates a component whose configuration was deleted while that DELETED event is being
 * delivered. So once an event made after some deletions reaches this listener, every deactivation they
 * caused has returned — the plugins have closed their files. The event is an update of a throwaway
 * configuration ({@link #PID}), deleted again at once.
 *
 * <p>SCR drops a deleted configuration from its DTOs before the component's deactivate method has
 * returned (seen: a plugin's log not yet closed), so the DTOs alone cannot tell that.
 */
final class ConfigurationBarrier implements ConfigurationListener {
    static final String PID = "abiscope.stack.barrier";

    private final ConfigurationAdmin configAdmin;
    private final Semaphore arrived = new Semaphore(0);
    private ServiceRegistration<ConfigurationListener> registration;

    ConfigurationBarrier(ConfigurationAdmin configAdmin) { this.configAdmin = configAdmin; }

    void open(BundleContext context) { registration = context.registerService(ConfigurationListener.class, this, null); }

    void close() { registration.unregister(); }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (event.getType() == ConfigurationEvent.CM_UPDATED && PID.equals(event.getPid())) arrived.release();
    }

    /**
     * Returns once every configuration event that happened before the call has been delivered to every
     * listener (callers are serialized).
     *
     * @return null, or why not (ConfigAdmin did not deliver the barrier's own event within the time)
     */
    String pass(long timeoutMs) throws IOException, InterruptedException {
        arrived.drainPermits(); // a late event of an earlier pass that timed out
        Configuration c = configAdmin.getConfiguration(PID, "?");
        try {
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(PID, System.nanoTime());
            c.update(props);
            return arrived.tryAcquire(timeoutMs, TimeUnit.MILLISECONDS) ? null
                    : "configuration admin delivered no event for " + timeoutMs + " ms";
        } finally {
            c.delete();
        }
    }
}
