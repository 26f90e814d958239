package plugin.syscalls.linux.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emulator.api.event.Keys;
import emulator.api.event.Topics;
import emulator.api.instrument.CpuEventListener;
import emulator.api.launch.BatchCommand;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * The tracer in a real framework (Felix, SCR, ConfigAdmin, EventAdmin, the instrumentation engine and
 * the Linux personality's run command): inactive without configuration, brought up by one, tracing a
 * busybox guest into syscalls.log/jsonl and ENTER/EXIT events, answering its Gogo functions, and gone
 * with its files closed when the configuration is deleted.
 */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class SyscallTracerIT {
    static final String PID = "plugin.syscalls.linux", FILTER = "(osgi.command.scope=syscalls)";

    @InjectBundleContext BundleContext context;
    @InjectService ConfigurationAdmin configAdmin;
    @TempDir Path tmp;

    @Test
    void configurationBringsTheTracerUpAndItsDeletionTakesItDown() throws Exception {
        Path busybox = Path.of(System.getProperty("user.home"), ".cache/abiscope/guests/amd64/busybox/busybox");
        assertTrue(Files.isRegularFile(busybox), "busybox-static for amd64 missing: run emulator.linuxuser/scripts/fetch-busybox.sh amd64");
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("tmp"));
        Files.copy(busybox, root.resolve("bin/busybox"));
        root.resolve("bin/busybox").toFile().setExecutable(true);
        Path traceDir = tmp.resolve("trace");

        assertNull(tracerService(), "without a configuration the component stays inactive");
        assertTrue(!jitDirectives().contains(OWN_CODE), "no JIT directive for the tracer's code before it runs: " + jitDirectives());
        assertTrue(cpuListenerNames().stream().noneMatch(PID::equals), "no CpuEventListener of the tracer yet");

        Recorder events = new Recorder();
        Hashtable<String, Object> hp = new Hashtable<>();
        hp.put(EventConstants.EVENT_TOPIC, "abiscope/syscall/*");
        ServiceRegistration<EventHandler> handler = context.registerService(EventHandler.class, events, hp);
        Configuration config = configAdmin.getConfiguration(PID, "?");
        try {
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("traceDir", traceDir.toString());
            props.put("formats", new String[] {"log", "jsonl"});
            config.update(props);
            // SCR registers the service, then activates the immediate component: wait for both
            await("the tracer to activate", () -> tracerService() != null && Files.isRegularFile(traceDir.resolve("syscalls.log")));
            assertTrue(cpuListenerNames().contains(PID), "registered as a CpuEventListener for the engine");
            // it runs beside the guest (TranslationHook.BESIDE_GUEST): the engine keeps its bundle's code out of C2
            await("the engine to keep the tracer's code out of C2", () -> jitDirectives().contains(OWN_CODE));
            String logFile = traceDir.toRealPath().resolve("syscalls.log").toString();
            assertTrue(openFiles().contains(logFile), "syscalls.log is open while active: " + openFiles());

            // a guest with a child process: sh runs an applet through fork + exec (not the last command: that one sh execs itself)
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            int rc = runCommand().run(List.of("--root", root.toString(), "--", "/bin/busybox", "sh", "-c", "echo hi; /bin/busybox true; echo done"),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
            assertEquals("hi\ndone\n", out.toString(StandardCharsets.UTF_8));
            try {
                await("the last exit_group event", () -> events.count("exit_group") >= 2);
            } catch (AssertionError e) {
                Object t = context.getService(tracerService());
                throw new AssertionError(e.getMessage() + ": " + events.all.size() + " events; tracer tail: "
                        + t.getClass().getMethod("tail", int.class).invoke(t, 5) + "; stats " + t.getClass().getMethod("stats").invoke(t));
            }

            Object tracer = context.getService(tracerService());
            String stats = (String) tracer.getClass().getMethod("stats").invoke(tracer);
            assertTrue(stats.matches("(?s).*\\bwrite\\s+2\\s.*") && stats.contains("total"), stats);
            String tail = (String) tracer.getClass().getMethod("tail", int.class).invoke(tracer, 5);
            assertEquals(5, tail.lines().count(), tail);
            assertTrue(tail.contains("exit_group(0)"), tail);

            events.checkPairing();
            assertTrue(events.enters > 20, "ENTER events: " + events.enters);
            Map<String, Object> write = events.find("write");
            assertEquals("write", write.get(Keys.FILE_OP));
            assertEquals(1L, write.get(Keys.FILE_HANDLE));
            assertEquals(3L, write.get(Keys.RET));
            Map<String, Object> childSide = events.childSide();
            assertNotNull(childSide, "the fork child's own return (ret 0) with its parent's id");
            assertEquals(events.find("clone").get(Keys.PID), childSide.get(Keys.PPID));
        } finally {
            config.delete();
            handler.unregister();
        }
        await("the tracer to deactivate", () -> tracerService() == null);
        assertTrue(cpuListenerNames().stream().noneMatch(PID::equals), "the CpuEventListener is gone");
        // SCR unregisters the service first, then deactivates the component, which closes the files
        String logFile = traceDir.toRealPath().resolve("syscalls.log").toString(), jsonFile = traceDir.toRealPath().resolve("syscalls.jsonl").toString();
        await("syscalls.log and .jsonl to be closed at deactivation", () -> {
            try { return !openFiles().contains(logFile) && !openFiles().contains(jsonFile); } catch (IOException e) { return false; }
        });
        List<String> log = Files.readAllLines(traceDir.resolve("syscalls.log"));
        assertTrue(log.stream().anyMatch(l -> l.matches("^\\d+ +write\\(1, \"hi\\\\n\", 3\\) += 3$")), String.join("\n", log));
        assertTrue(log.stream().anyMatch(l -> l.matches("^\\d+ +execve\\(\"/bin/busybox\", \\[\"/bin/busybox\", \"true\"\\].*= 0$")), String.join("\n", log));
        List<String> jsonl = Files.readAllLines(traceDir.resolve("syscalls.jsonl"));
        assertEquals(log.stream().filter(l -> !l.contains("+++")).count(), jsonl.size(), "one JSON object per completed call");
        assertTrue(jsonl.stream().allMatch(l -> l.startsWith("{\"pid\":") && l.contains("\"name\":") && l.endsWith("}")), jsonl.getFirst());
    }

    /** Collects events in arrival order (EventAdmin delivers posted events in order per posting thread). */
    static final class Recorder implements EventHandler {
        final List<Map<String, Object>> all = Collections.synchronizedList(new ArrayList<>());
        int enters;

        @Override
        public void handleEvent(Event e) {
            Map<String, Object> m = new HashMap<>();
            for (String n : e.getPropertyNames()) m.put(n, e.getProperty(n));
            m.put("topic", e.getTopic());
            all.add(m);
        }

        long count(String name) {
            synchronized (all) { return all.stream().filter(m -> name.equals(m.get(Keys.NAME)) && Topics.SYSCALL_EXIT.equals(m.get("topic"))).count(); }
        }

        Map<String, Object> find(String name) {
            synchronized (all) {
                return all.stream().filter(m -> name.equals(m.get(Keys.NAME)) && Topics.SYSCALL_EXIT.equals(m.get("topic"))
                        && !Long.valueOf(0).equals(m.get(Keys.RET)) || name.equals(m.get(Keys.NAME)) && name.equals("write")
                        && Topics.SYSCALL_EXIT.equals(m.get("topic"))).findFirst().orElseThrow(() -> new AssertionError("no EXIT of " + name));
            }
        }

        Map<String, Object> childSide() {
            synchronized (all) {
                return all.stream().filter(m -> Topics.SYSCALL_EXIT.equals(m.get("topic")) && "fork".equals(m.get(Keys.PROCESS_OP))
                        && Long.valueOf(0).equals(m.get(Keys.RET))).findFirst().orElse(null);
            }
        }

        /**
         * Per thread, ENTER and EXIT alternate and name the same call; the exceptions are the fork
         * child's own return (an EXIT with no ENTER in the child) and calls that never return
         * (exit_group: its EXIT follows its ENTER at once).
         */
        void checkPairing() {
            Map<Object, Map<String, Object>> open = new HashMap<>();
            List<Map<String, Object>> copy;
            synchronized (all) { copy = List.copyOf(all); }
            for (Map<String, Object> m : copy) {
                // a thread is its tid; before the tracer learnt the pid, its address space and stack (as the ABI pairs calls)
                Object stack = m.get(Keys.ASID) + "/" + m.get(Keys.SP);
                Object tid = m.get(Keys.TID) != null ? m.get(Keys.TID) : stack;
                if (Topics.SYSCALL_ENTER.equals(m.get("topic"))) {
                    enters++;
                    Map<String, Object> before = open.put(tid, m);
                    assertNull(before, "thread " + tid + ": ENTER " + m.get(Keys.NAME) + " while " + (before == null ? "" : before.get(Keys.NAME)) + " is open");
                } else {
                    Map<String, Object> enter = open.remove(tid);
                    if (enter == null) enter = open.remove(stack);
                    if (enter == null) {
                        assertEquals("fork", m.get(Keys.PROCESS_OP), "an EXIT with no ENTER is only a fork child's return: " + m);
                        assertEquals(0L, m.get(Keys.RET), m.toString());
                        continue;
                    }
                    assertEquals(enter.get(Keys.NAME), m.get(Keys.NAME), "thread " + tid);
                    assertTrue((Long) m.get(Keys.ICOUNT) >= (Long) enter.get(Keys.ICOUNT), "EXIT after ENTER in guest time: " + m);
                }
            }
            assertTrue(open.isEmpty(), "calls left without EXIT: " + open);
        }
    }

    private ServiceReference<?> tracerService() {
        try {
            ServiceReference<?>[] refs = context.getServiceReferences((String) null, FILTER);
            return refs == null ? null : refs[0];
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<Object> cpuListenerNames() throws Exception {
        List<Object> names = new ArrayList<>();
        ServiceReference<?>[] refs = context.getServiceReferences(CpuEventListener.class.getName(), null);
        if (refs != null) for (ServiceReference<?> r : refs) names.add(r.getProperty(emulator.api.instrument.TranslationHook.PLUGIN_NAME));
        return names;
    }

    private BatchCommand runCommand() throws Exception {
        for (ServiceReference<BatchCommand> r : context.getServiceReferences(BatchCommand.class, null)) {
            BatchCommand c = context.getService(r);
            if ("run".equals(c.name())) return c;
        }
        throw new AssertionError("no run command (emulator.linuxuser)");
    }

    /** The files this JVM holds open: the targets of /proc/self/fd (Linux). */
    private static List<String> openFiles() throws IOException {
        List<String> files = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try { files.add(Files.readSymbolicLink(fd).toString()); } catch (IOException gone) { /* closed meanwhile */ }
            }
        }
        return files;
    }

    static final String OWN_CODE = "plugin/syscalls/linux/*.*";

    /** HotSpot's compiler directives, as {@code jcmd Compiler.directives_print} shows them. */
    private static String jitDirectives() {
        try {
            return (String) ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "compilerDirectivesPrint", new Object[] {new String[0]}, new String[] {String[].class.getName()});
        } catch (Exception e) {
            throw new AssertionError("no DiagnosticCommand MBean", e);
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(20);
        }
    }
}
