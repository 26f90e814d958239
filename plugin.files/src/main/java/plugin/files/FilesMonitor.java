package plugin.files;

import emulator.api.event.Topics;
import emulator.api.instrument.TranslationHook;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.service.metatype.annotations.Designate;

/**
 * plugin.files: the platform-independent file log, fed only by the syscall plugins' events. Sits idle
 * until configured (PID {@code plugin.files}); Gogo {@code files:log [N]} and {@code files:open [PID]}.
 *
 * <p>It subscribes to the EXITs only: every call has one (a call that never returns, exit or exit_group,
 * is completed at its entry, and a successful execve returns in the new image), and an EXIT carries
 * what its ENTER said (the syscall plugin publishes the same properties at both), so the ENTERs taught
 * the monitor nothing while they doubled its work per call and the events EventAdmin delivers to it.
 */
// Registered under API interfaces only (the Gogo commands need no service class of their own): a
// class of this bundle's own would be one that every other bundle listening to service events fails
// to load at each event of this service, as it comes up and goes down with each traced command.
@Component(configurationPid = "plugin.files", configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true,
        service = EventHandler.class,
        property = {EventConstants.EVENT_TOPIC + "=" + Topics.SYSCALL_EXIT, TranslationHook.BESIDE_GUEST + ":Boolean=true",
                "osgi.command.scope=files", "osgi.command.function=log", "osgi.command.function=open"})
@Designate(ocd = FilesConfig.class)
public final class FilesMonitor implements EventHandler {
    /**
     * Event handlers that may receive an abiscope/file/* event, by their topics: one of the family,
     * the family, {@code abiscope/*} or {@code *}; or no topic at all (which EventAdmin delivers
     * everything to when configured not to require topics).
     */
    static final String FILE_EVENT_HANDLERS =
            "(|(event.topics=abiscope/file/*)(event.topics=abiscope/\\*)(event.topics=\\*)(!(event.topics=*)))";

    private final EventAdmin events;
    /**
     * How many handlers may receive the file events. With none (the usual case) no event is built:
     * EventAdmin would hand each one to a delivery thread of its own, for nobody, at every read and
     * write the guest makes. Constructed outside the framework (tests), nothing is tracked and nothing posted.
     */
    private final AtomicInteger fileEventHandlers = new AtomicInteger();
    private final FileLogFiles files;
    private final FileTracker tracker;
    private final Path dir;
    private final boolean printSummary;
    private boolean stopped;

    @Activate
    public FilesMonitor(@Reference EventAdmin events, FilesConfig config) throws IOException {
        this.events = events;
        this.dir = Path.of(config.traceDir()).toAbsolutePath();
        this.printSummary = config.printSummary();
        this.files = new FileLogFiles(dir, new FileLogFiles.Publisher() {
            @Override public boolean wanted() { return fileEventHandlers.get() > 0; }

            @Override public void post(String topic, Map<String, Object> properties) { events.postEvent(new Event(topic, properties)); }
        });
        this.tracker = new FileTracker(files);
    }

    @Reference(service = EventHandler.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = FILE_EVENT_HANDLERS)
    void addFileEventHandler(ServiceReference<EventHandler> handler) { fileEventHandlers.incrementAndGet(); }

    void removeFileEventHandler(ServiceReference<EventHandler> handler) { fileEventHandlers.decrementAndGet(); }

    @Override
    public void handleEvent(Event event) {
        synchronized (tracker) {
            if (!stopped) tracker.accept(event);
        }
    }

    @Deactivate
    void deactivate() throws IOException {
        List<String> summary;
        synchronized (tracker) {
            stopped = true;
            files.close();
            summary = tracker.summary();
        }
        Path summaryFile = dir.resolve("files-summary.txt");
        Files.write(summaryFile, summary, StandardCharsets.UTF_8);
        if (printSummary) {
            System.out.println("plugin.files: file log " + dir.resolve("files.log") + ", summary " + summaryFile);
            summary.forEach(System.out::println);
        }
    }

    /** files:log — the last 20 lines of the file log. */
    public String log() { return log(20); }

    /** files:log N — the last N lines of the file log. */
    public String log(int n) {
        synchronized (tracker) { return String.join("\n", tracker.recentLines(n)); }
    }

    /** files:open — the handles every traced process holds now, with paths. */
    public String open() {
        synchronized (tracker) { return String.join("\n", tracker.openHandles(null)); }
    }

    /** files:open PID — the handles one process holds now. */
    public String open(int pid) {
        synchronized (tracker) {
            List<String> lines = tracker.openHandles(String.valueOf(pid));
            return lines.isEmpty() ? "no traced process " + pid : String.join("\n", lines);
        }
    }

}
