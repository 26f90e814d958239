package plugin.files;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.service.metatype.annotations.Designate;

/**
 * plugin.files: the platform-independent file log, fed only by the syscall plugins' events. Sits idle
 * until configured (PID {@code plugin.files}); Gogo {@code files:log [N]} and {@code files:open [PID]}.
 */
@Component(configurationPid = "plugin.files", configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true,
        service = {EventHandler.class, FilesMonitor.class},
        property = {EventConstants.EVENT_TOPIC + "=abiscope/syscall/*",
                "osgi.command.scope=files", "osgi.command.function=log", "osgi.command.function=open"})
@Designate(ocd = FilesConfig.class)
public final class FilesMonitor implements EventHandler {
    private final EventAdmin events;
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
        this.files = new FileLogFiles(dir, (topic, props) -> this.events.postEvent(new Event(topic, props)));
        this.tracker = new FileTracker(files);
    }

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
