package plugin.syscalls.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emulator.api.instrument.AddressSpaceFilter;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.event.EventHandler;

/**
 * A measurement, not a test (speed is never asserted): the cost of tracing with the three plugins
 * (this tracer writing syscalls.log/jsonl, plugin.files and plugin.processes fed through an
 * EventAdmin stand-in on the tracer's writer thread, as Felix's sendEvent delivers) on busybox gzip -c
 * and sha256sum of a 2 MiB file, against the same run with no instrumentation. Runs interleaved, median of 5 (or
 * {@code -Dabiscope.tracingCost.rounds=N}).
 * Run: {@code mvn -o -pl plugin.syscalls.linux test -Dtest=TracingCostTest -Dabiscope.tracingCost=true}.
 */
@EnabledIfSystemProperty(named = "abiscope.tracingCost", matches = "true")
class TracingCostTest {
    /** Rounds per configuration (-Dabiscope.tracingCost.rounds): more on a shared, noisy machine. */
    static final int ROUNDS = Integer.getInteger("abiscope.tracingCost.rounds", 5);
    static int calls;

    @Test
    void measure() throws Exception {
        Path bb = Path.of(System.getProperty("user.home"), ".cache/abiscope/guests/amd64/busybox/busybox");
        Path root = StraceAgreementTest.freshRoot(bb);
        byte[] data = new byte[2 << 20];
        Random r = new Random(42);
        for (int i = 0; i < data.length; i++) data[i] = (byte) ("abcdefgh \n".charAt(r.nextInt(10)) + (i % 4096 == 0 ? 1 : 0)); // compressible text
        Files.write(root.resolve("big.txt"), data);
        for (List<String> cmd : List.of(List.of("/bin/busybox", "gzip", "-c", "big.txt"), List.of("/bin/busybox", "sha256sum", "big.txt"))) {
            long[] plain = new long[ROUNDS], traced = new long[ROUNDS], inTracer = new long[ROUNDS], inWriter = new long[ROUNDS], inMonitors = new long[ROUNDS];
            runPlain(root, cmd);
            runTraced(root, cmd); // warm up both paths once
            for (int i = 0; i < ROUNDS; i++) {
                plain[i] = runPlain(root, cmd);
                traced[i] = runTraced(root, cmd);
                inTracer[i] = callbackNanos;
                inWriter[i] = writerNanos;
                inMonitors[i] = monitorNanos;
            }
            long p = median(plain), t = median(traced);
            System.out.printf("tracing cost (%d calls) %-28s plain %s ms  traced %s ms  median %d vs %d ms: %+.1f%%%n", calls, String.join(" ", cmd.subList(1, cmd.size())),
                    Arrays.toString(ms(plain)), Arrays.toString(ms(traced)), p / 1_000_000, t / 1_000_000, 100.0 * (t - p) / p);
            System.out.printf("    CPU time inside the tracer's callbacks on the vCPU thread: median %.2f ms = %.3f%% of the plain run's median (%.1f us per call)%n",
                    median(inTracer) / 1e6, 100.0 * median(inTracer) / p, median(inTracer) / 1e3 / Math.max(1, calls));
            System.out.printf("    CPU time of the tracer's writer thread (decoding, logs, events): median %.2f ms = %.3f%% of the plain run's median (%.1f us per call)%n",
                    median(inWriter) / 1e6, 100.0 * median(inWriter) / p, median(inWriter) / 1e3 / Math.max(1, calls));
            System.out.printf("    CPU time of plugin.files + plugin.processes (on the writer thread, through sendEvent): median %.2f ms = %.3f%% of the plain run's median (%.1f us per call)%n",
                    median(inMonitors) / 1e6, 100.0 * median(inMonitors) / p, median(inMonitors) / 1e3 / Math.max(1, calls));
        }
    }

    static long runPlain(Path root, List<String> cmd) {
        long t0 = System.nanoTime();
        GuestHarness.Result r = GuestHarness.plain(root, "x86_64", cmd, new byte[0]);
        long t = System.nanoTime() - t0;
        assertEquals(0, r.exit(), r.err());
        return t;
    }

    /** The three plugins as the framework wires them: tracer → sendEvent on its writer thread → both monitors. */
    static long runTraced(Path root, List<String> cmd) throws Exception {
        Path dir = Scratch.dir("cost");
        java.util.concurrent.atomic.AtomicLong monitorSpent = new java.util.concurrent.atomic.AtomicLong();
        List<EventHandler> handlers = new ArrayList<>();
        EventAdmin ea = new EventAdmin() {
            // the monitors subscribe to abiscope/syscall/* only; what they publish themselves goes nowhere here
            @Override public void postEvent(Event e) { }
            @Override public void sendEvent(Event e) {
                if (!e.getTopic().startsWith("abiscope/syscall/")) return;
                long t0 = THREADS.getCurrentThreadCpuTime();
                for (EventHandler h : handlers) h.handleEvent(e);
                monitorSpent.addAndGet(THREADS.getCurrentThreadCpuTime() - t0);
            }
        };
        Object files = monitor("plugin.files.FilesMonitor", "plugin.files.FilesConfig", ea, dir);
        Object procs = monitor("plugin.processes.ProcessesMonitor", "plugin.processes.ProcessesConfig", ea, dir);
        handlers.add((EventHandler) files);
        handlers.add((EventHandler) procs);
        long t0 = System.nanoTime();
        try (Tracer tracer = new Tracer(new Tracer.Settings(dir, true, true, 32, new String[0], new String[0], AddressSpaceFilter.ALL),
                (topic, props) -> ea.sendEvent(new Event(topic, props)))) {
            GuestHarness.Result r = runTimed(root, cmd, tracer);
            assertEquals(0, r.exit(), r.err());
            tracer.flush(); // the writer has caught up: its CPU time is the whole run's (close would wait for it too)
            monitorNanos = monitorSpent.get();
            writerNanos = THREADS.getThreadCpuTime(tracer.writerThreadId()) - monitorNanos; // the monitors ran on it
        }
        long t = System.nanoTime() - t0;
        calls = Files.readAllLines(dir.resolve("syscalls.log")).size();
        for (Object m : List.of(files, procs)) {
            Method d = m.getClass().getDeclaredMethod("deactivate");
            d.setAccessible(true);
            d.invoke(m);
        }
        return t;
    }

    /** CPU time spent inside the tracer's callbacks on the vCPU threads, summed over the run; and by its writer thread. */
    static long callbackNanos, writerNanos, monitorNanos;
    static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /** As {@link GuestHarness#run}, timing every callback into the tracer. */
    static GuestHarness.Result runTimed(Path root, List<String> cmd, Tracer tracer) {
        callbackNanos = 0;
        java.util.concurrent.atomic.AtomicLong spent = new java.util.concurrent.atomic.AtomicLong();
        emulator.core.exec.CpuEvents events = new emulator.core.exec.CpuEvents() {
            // CPU time of the vCPU thread, so that being descheduled on a loaded machine does not count
            @Override public void syscall(emulator.core.exec.Vcpu cpu) {
                long t0 = THREADS.getCurrentThreadCpuTime();
                tracer.onSyscall(cpu);
                spent.addAndGet(THREADS.getCurrentThreadCpuTime() - t0);
            }
            @Override public void privilegeChange(emulator.core.exec.Vcpu cpu, int from, int to) {
                long t0 = THREADS.getCurrentThreadCpuTime();
                tracer.onPrivilegeChange(cpu, from, to);
                spent.addAndGet(THREADS.getCurrentThreadCpuTime() - t0);
            }
        };
        emulator.core.spi.Instrumentation instr = new emulator.core.spi.Instrumentation() {
            @Override public void instrument(emulator.core.spi.BlockEditor block) { }
            @Override public emulator.core.exec.CpuEvents events() { return events; }
            @Override public void callbackFailed(Object owner, Throwable error) { throw new AssertionError("tracer threw", error); }
        };
        emulator.core.exec.Machines.Listener l = new emulator.core.exec.Machines.Listener() {
            @Override public void started(emulator.core.exec.Machine m) { m.setInstrumentation(instr); }
            @Override public void stopped(emulator.core.exec.Machine m) { }
        };
        emulator.core.exec.Machines.addListener(l);
        try {
            return GuestHarness.plain(root, "x86_64", cmd, new byte[0]);
        } finally {
            emulator.core.exec.Machines.removeListener(l);
            callbackNanos = spent.get();
        }
    }

    static Object monitor(String cls, String configType, EventAdmin ea, Path dir) throws Exception {
        Class<?> c = Class.forName(cls), conf = Class.forName(configType);
        Object config = Proxy.newProxyInstance(conf.getClassLoader(), new Class<?>[] {conf}, (proxy, m, args) -> switch (m.getName()) {
            case "traceDir" -> dir.toString();
            case "printSummary", "printTree" -> false;
            default -> m.getDefaultValue();
        });
        return c.getConstructor(EventAdmin.class, conf).newInstance(ea, config);
    }

    static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    static long[] ms(long[] v) { return Arrays.stream(v).map(x -> x / 1_000_000).toArray(); }
}
