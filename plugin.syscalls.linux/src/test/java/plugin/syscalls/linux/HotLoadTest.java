package plugin.syscalls.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import emulator.api.instrument.AddressSpaceFilter;
import emulator.core.exec.Machine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The tracer attached to a guest that is already running: it traces from there on, the guest is unharmed. */
class HotLoadTest {
    @Test
    void attachMidRun() throws Exception {
        Path bb = Path.of(System.getProperty("user.home"), ".cache/abiscope/guests/amd64/busybox/busybox");
        assumeTrue(Files.isRegularFile(bb), "busybox-static amd64 missing");
        Path root = StraceAgreementTest.freshRoot(bb);
        List<String> argv = List.of("/bin/busybox", "sh", "-c",
                "i=0; while [ $i -lt 4000 ]; do i=$((i+1)); echo $i > /tmp/n; done; echo $i");
        AtomicReference<Machine> machine = new AtomicReference<>();
        CompletableFuture<GuestHarness.Result> run = GuestHarness.start(root, "x86_64", argv, machine);
        Thread.sleep(1500); // the loop is well under way
        assertTrue(!run.isDone(), "the guest finished before the tracer could be attached: make the loop longer");
        Path traceDir = Scratch.dir("trace");
        Map<String, Integer> events = new java.util.concurrent.ConcurrentHashMap<>();
        GuestHarness.Result r;
        try (Tracer tracer = new Tracer(new Tracer.Settings(traceDir, true, true, 32, new String[0], new String[0], AddressSpaceFilter.ALL),
                (topic, props) -> events.merge(topic + " " + props.get("file.op"), 1, Integer::sum))) {
            machine.get().setInstrumentation(new GuestHarness.Adapter(tracer)); // flushes at a safe point, as the engine does
            r = run.get();
            assertTrue(tracer.count("execve") == 0 && tracer.count("set_tid_address") == 0, "calls from before the attach were traced");
            assertTrue(tracer.count("openat") > 10, "the loop's opens are traced: " + tracer.stats());
            assertEquals(1, tracer.count("exit_group"));
            assertEquals(0, tracer.pendingCalls(), "nothing left pending after exit_group");
            assertEquals(0, tracer.decodingFailures(), "decoders that threw or read uncaptured memory (see stderr)");
        }
        assertEquals(0, r.exit(), r.err());
        assertEquals("4000\n", r.out(), "the guest's output is unchanged");
        List<String> log = Files.readAllLines(traceDir.resolve("syscalls.log"), StandardCharsets.UTF_8);
        StraceLog parsed = StraceLog.parse(log);
        assertEquals(1, parsed.byPid.size(), "one process");
        List<StraceLog.Line> calls = new ArrayList<>(parsed.byPid.values()).getFirst();
        assertEquals("exit_group", calls.getLast().name());
        assertTrue(calls.stream().anyMatch(l -> l.text().matches("openat\\(AT_FDCWD, \"/tmp/n\", O_WRONLY\\|O_CREAT\\|O_TRUNC, 0666\\) = \\d+")),
                "decoded opens: " + calls.subList(0, Math.min(10, calls.size())));
        assertTrue(events.getOrDefault("abiscope/syscall/EXIT open", 0) > 10, "open events: " + events);
        assertEquals(events.get("abiscope/syscall/ENTER write"), events.get("abiscope/syscall/EXIT write"), "events pair up: " + events);
    }
}
