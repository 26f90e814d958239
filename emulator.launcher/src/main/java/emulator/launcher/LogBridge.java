package emulator.launcher;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Echoes ERROR and WARN entries of the OSGi Log service on stderr, so that e.g. FileInstall's
 * "Failed to install artifact: bundles/broken.jar" reaches the user instead of only the log.
 */
final class LogBridge {

    private LogBridge() {
    }

    static AutoCloseable open(BundleContext context) {
        LogListener listener = LogBridge::print;
        ServiceTracker<LogReaderService, LogReaderService> t = new ServiceTracker<>(context, LogReaderService.class, null) {
            @Override
            public LogReaderService addingService(ServiceReference<LogReaderService> reference) {
                LogReaderService r = super.addingService(reference);
                if (r != null) {
                    r.addLogListener(listener);
                }
                return r;
            }

            @Override
            public void removedService(ServiceReference<LogReaderService> reference, LogReaderService r) {
                try {
                    r.removeLogListener(listener);
                } catch (RuntimeException ignored) {
                    // service already gone
                }
                super.removedService(reference, r);
            }
        };
        t.open();
        return t::close;
    }

    private static void print(LogEntry e) {
        LogLevel level = e.getLogLevel();
        if (level != LogLevel.ERROR && level != LogLevel.WARN) {
            return;
        }
        String source = e.getBundle() == null ? "?" : e.getBundle().getSymbolicName();
        StringBuilder line = new StringBuilder("abiscope: ").append(level).append(" [").append(source).append("] ")
                .append(e.getMessage());
        Throwable t = e.getException();
        if (t != null) {
            line.append(": ").append(t);
        }
        System.err.println(line);
    }
}
