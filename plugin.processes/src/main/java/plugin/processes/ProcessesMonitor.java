package plugin.processes;

import emulator.api.event.Topics;
import emulator.api.instrument.TranslationHook;
import emulator.api.output.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
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
 * plugin.processes: the process tree from the syscall plugins' {@code process.*} semantics. Sits idle
 * until configured (PID {@code plugin.processes}); Gogo {@code proc:ps}, {@code proc:tree}; at stop, the
 * timeline picture.
 *
 * <p>It subscribes to the EXITs only: every call has one (a call that never returns, exit or exit_group,
 * is completed at its entry, and a successful execve returns in the new image), and an EXIT carries
 * what its ENTER said (the syscall plugin publishes the same properties at both), so the ENTERs taught
 * the monitor nothing while they doubled its work per call and the events EventAdmin delivers to it.
 */
// Registered under API interfaces only (the Gogo commands need no service class of their own): a
// class of this bundle's own would be one that every other bundle listening to service events fails
// to load at each event of this service, as it comes up and goes down with each traced command.
@Component(configurationPid = "plugin.processes", configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true,
        service = EventHandler.class,
        property = {EventConstants.EVENT_TOPIC + "=" + Topics.SYSCALL_EXIT, TranslationHook.BESIDE_GUEST + ":Boolean=true",
                "osgi.command.scope=proc", "osgi.command.function=ps", "osgi.command.function=tree"})
@Designate(ocd = ProcessesConfig.class)
public final class ProcessesMonitor implements EventHandler {
    static final String JSONL = "processes.jsonl", TIMELINE = "processes-timeline.svg";

    private final ProcessTree tree;
    private final BufferedWriter jsonl;
    private final Path dir;
    private final boolean printTree;
    private boolean stopped;

    @Activate
    public ProcessesMonitor(@Reference EventAdmin events, ProcessesConfig config) throws IOException {
        this.dir = Path.of(config.traceDir()).toAbsolutePath();
        this.printTree = config.printTree();
        Files.createDirectories(dir);
        // Appended to: a monitor restarted in the same run adds to what it wrote before.
        this.jsonl = Files.newBufferedWriter(dir.resolve(JSONL), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        jsonl.write("{\"tracing\":\"started\",\"time\":\"" + java.time.Instant.now() + "\"}\n");
        this.tree = new ProcessTree(new ProcessOutput() {
            @Override public void jsonRecord(Map<String, Object> record) {
                try { jsonl.write(Json.object(record)); jsonl.newLine(); } catch (IOException e) { throw new UncheckedIOException(e); }
            }

            @Override public void publish(String topic, Map<String, Object> properties) { events.postEvent(new Event(topic, properties)); }
        });
    }

    @Override
    public void handleEvent(Event event) {
        synchronized (tree) {
            if (!stopped) tree.accept(event);
        }
    }

    @Deactivate
    void deactivate() throws IOException {
        String svg;
        List<String> lines;
        synchronized (tree) {
            stopped = true;
            jsonl.close();
            svg = TimelineSvg.render("abiscope — processes over guest instructions", tree.nodes(), tree, tree.maxIcount());
            lines = tree.tree();
        }
        Path picture = dir.resolve(TIMELINE);
        Files.writeString(picture, svg, StandardCharsets.UTF_8);
        if (printTree) {
            System.out.println("plugin.processes: process tree (" + dir.resolve(JSONL) + ")");
            lines.forEach(l -> System.out.println("  " + l));
            System.out.println("plugin.processes: timeline picture written to " + picture);
        }
    }

    /** proc:ps — every process and thread seen, with parent, state, image and argv. */
    public String ps() {
        synchronized (tree) { return String.join("\n", tree.ps()); }
    }

    /** proc:tree — the process tree. */
    public String tree() {
        synchronized (tree) { return String.join("\n", tree.tree()); }
    }
}
