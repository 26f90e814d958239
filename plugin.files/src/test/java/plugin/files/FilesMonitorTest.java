package plugin.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emulator.api.event.Keys;
import emulator.api.event.Topics;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.event.EventConstants;
import testing.strace.SyscallEvents;

/** The monitor builds abiscope/file/* events only while a handler may receive them; its log is the same either way. */
class FilesMonitorTest {
    @TempDir Path dir;

    static boolean receives(Object topics) throws Exception {
        Filter f = FrameworkUtil.createFilter(FilesMonitor.FILE_EVENT_HANDLERS);
        Hashtable<String, Object> props = new Hashtable<>();
        if (topics != null) props.put(EventConstants.EVENT_TOPIC, topics);
        return f.match(props);
    }

    @Test
    void theHandlerFilterFindsEveryHandlerEventAdminWouldGiveAFileEvent() throws Exception {
        for (Object t : List.of("abiscope/file/*", Topics.FILE_READ, Topics.FILE_OPEN, "abiscope/*", "*",
                new String[] {"abiscope/vm/STOPPED", Topics.FILE_CLOSE}, List.of("x/y", "abiscope/file/*"))) {
            assertTrue(receives(t), String.valueOf(t));
        }
        assertTrue(receives(null), "a handler with no topic gets everything where EventAdmin does not require topics");
        for (Object t : List.of("abiscope/syscall/*", Topics.SYSCALL_EXIT, "abiscope/process/*", "abiscope/files/X", "abiscope", "other/*",
                new String[] {"abiscope/syscall/*", "abiscope/vm/*"})) {
            assertFalse(receives(t), String.valueOf(t));
        }
    }

    @Test
    void fileEventsArePostedOnlyWhileAHandlerMayReceiveThem() throws Exception {
        List<Event> posted = new ArrayList<>();
        EventAdmin admin = new EventAdmin() {
            @Override public void postEvent(Event e) { posted.add(e); }
            @Override public void sendEvent(Event e) { posted.add(e); }
        };
        Class<?> conf = FilesConfig.class;
        Object config = Proxy.newProxyInstance(conf.getClassLoader(), new Class<?>[] {conf}, (proxy, m, args) -> switch (m.getName()) {
            case "traceDir" -> dir.toString();
            case "printSummary" -> false;
            default -> m.getDefaultValue();
        });
        FilesMonitor monitor = new FilesMonitor(admin, (FilesConfig) config);
        Runnable read = () -> {
            monitor.handleEvent(SyscallEvents.enter(9).file("read").with(Keys.FILE_HANDLE, 0L).with(Keys.FILE_BUFFER, 16L).with(Keys.FILE_LENGTH, 4L).event());
            monitor.handleEvent(SyscallEvents.exit(9).ret(4).event());
        };
        read.run();
        assertEquals(List.of(), posted, "nobody subscribed");
        monitor.addFileEventHandler(null);
        read.run();
        assertEquals(List.of(Topics.FILE_READ), posted.stream().map(Event::getTopic).toList());
        assertEquals(4L, posted.getFirst().getProperty(Keys.RET));
        monitor.removeFileEventHandler(null);
        read.run();
        assertEquals(1, posted.size(), "the last subscriber left");
        monitor.deactivate();
        List<String> log = Files.readAllLines(dir.resolve("files.log"));
        assertEquals(4, log.size(), "the log has every read, published or not: " + log);
        assertEquals("[9 ?] read(handle 0x0, buffer 0x10, length 0x4)", log.get(3));
    }
}
