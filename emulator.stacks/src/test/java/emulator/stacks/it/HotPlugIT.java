package emulator.stacks.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emulator.api.launch.BatchCommand;
import emulator.api.stack.StackManager;
import emulator.stacks.it.counter.CounterPlugin;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * Hot plug end to end, in a real framework, while a Linux guest (a static x86-64 program under the
 * emulator, see {@link Guest}) keeps running: a plugin bundle is installed, started, stopped, updated (stopped and while active) and
 * uninstalled over and over, and plugin.instructions is configured, reconfigured and removed through
 * a stack meanwhile. Asserts: a contiguous callback stream while the plugin is active, no callback
 * after it stopped, {@code instr:list} showing it only while active, and the guest's output equal to
 * a native run of the same program with the same input and to an uninstrumented emulated run.
 */
@ExtendWith(BundleContextExtension.class)
@ExtendWith(ServiceExtension.class)
class HotPlugIT {
    /** Loop iterations per work item: enough that the guest is busy while a bundle changes state. */
    static final long BUSY = 1_000_000, SHORT = 100_000;
    static final int CYCLES = 6;
    static final int WAIT_S = 60;

    @InjectBundleContext BundleContext context;
    @InjectService StackManager stacks;
    @TempDir Path tmp;

    private final List<Long> sent = new ArrayList<>();
    private int ranking;

    @Test
    void pluginBundlesComeAndGoWhileTheGuestRuns() throws Exception {
        BatchCommand run = runCommand();
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("tmp"));

        Bundle plugin = null;
        try (Guest guest = Guest.interactive(run, root)) {
            for (int k = 0; k < CYCLES; k++) {
                Sink sink = new Sink();
                ServiceRegistration<LongConsumer> sinkReg = registerSink(sink);
                send(guest, BUSY); // the guest computes while the bundle changes state
                if (plugin == null) {
                    plugin = context.installBundle("it.counter", new ByteArrayInputStream(pluginJar("1.0." + k)));
                } else if (k % 2 == 1) {
                    plugin.update(new ByteArrayInputStream(pluginJar("1.0." + k)));
                }
                plugin.start();
                assertTrue(instrList().contains(CounterPlugin.NAME), "instr:list while active: " + instrList());
                send(guest, SHORT);
                expectOutput(guest, 2);
                assertTrue(sink.calls() > 0, "no callback while active (cycle " + k + ")");
                assertEquals(0, sink.gaps(), "gaps in the callback stream (cycle " + k + ")");

                if (k == 1) reconfigureInstructionsTrace(guest, sink);
                if (k == 3) {
                    // update while active: the old instance must go quiet, the new one start from 1
                    Sink next = new Sink();
                    ServiceRegistration<LongConsumer> nextReg = registerSink(next);
                    send(guest, BUSY);
                    plugin.update(new ByteArrayInputStream(pluginJar("2.0." + k)));
                    sink.close();
                    long atUpdate = sink.calls();
                    send(guest, SHORT);
                    expectOutput(guest, 2);
                    assertEquals(0, sink.afterClose(), "callback of the old instance after update");
                    assertEquals(atUpdate, sink.calls());
                    assertTrue(next.calls() > 0, "no callback from the updated bundle");
                    assertEquals(0, next.gaps(), "gaps after update");
                    sinkReg.unregister();
                    sink = next;
                    sinkReg = nextReg;
                    assertEquals("2.0." + k, plugin.getVersion().toString());
                }

                send(guest, BUSY);
                plugin.stop();
                sink.close();
                long atStop = sink.calls();
                assertFalse(instrList().contains(CounterPlugin.NAME), "instr:list after stop: " + instrList());
                send(guest, SHORT);
                expectOutput(guest, 2);
                assertEquals(0, sink.afterClose(), "callback after stop (cycle " + k + ")");
                assertEquals(atStop, sink.calls());
                assertEquals(0, sink.gaps(), "gaps in the callback stream (cycle " + k + ")");
                sinkReg.unregister();
                if (k % 3 == 2) {
                    plugin.uninstall();
                    plugin = null;
                }
            }
            String instrumented = guest.awaitExit();
            String input = input();
            assertEquals(Guest.nativeRun(input), instrumented, "guest output differs from the native run");
            assertEquals(Guest.emulatedRun(run, root, input), instrumented, "guest output differs from an uninstrumented run");
        } finally {
            if (plugin != null) plugin.uninstall();
        }
    }

    /**
     * While the counter plugin is active: configure plugin.instructions (first 2000 instructions),
     * reconfigure it (every 3rd, first 300), remove it; the counter's stream stays contiguous through
     * the flushes, and every logged line's bytes are the executable's bytes at that pc.
     */
    private void reconfigureInstructionsTrace(Guest guest, Sink counter) throws Exception {
        Path dir1 = tmp.resolve("trace1"), dir2 = tmp.resolve("trace2");
        send(guest, BUSY);
        stacks.applyPlugins("it-trace", List.of("instructions"), Map.of(StackManager.TRACE_DIR, dir1.toString(), "first", 2000L));
        send(guest, SHORT);
        expectOutput(guest, 2);
        send(guest, BUSY);
        stacks.applyPlugins("it-trace", List.of("instructions"), Map.of(StackManager.TRACE_DIR, dir2.toString(), "first", 300L, "every", 3L));
        List<String> log1 = Files.readAllLines(dir1.resolve("instructions.log")); // closed by the reconfiguration
        send(guest, SHORT);
        expectOutput(guest, 2);
        stacks.remove("it-trace");
        List<String> log2 = Files.readAllLines(dir2.resolve("instructions.log"));
        assertTrue(stacks.list().isEmpty(), "stack still listed: " + stacks.list());
        assertEquals(0, counter.gaps(), "counter stream broken by the other plugin's hot plug");

        assertEquals(2001, log1.size(), "first = 2000: header + 2000 lines");
        assertEquals(301, log2.size(), "first = 300: header + 300 lines");
        ElfText text = new ElfText(Guest.binary());
        for (List<String> log : List.of(log1, log2)) {
            for (String line : log.subList(1, log.size())) {
                String[] f = line.split(" ", 4);
                long pc = Long.decode(f[0]);
                byte[] bytes = HexFormat.of().parseHex(f[2]);
                assertTrue(f.length == 4 && !f[3].isBlank(), "no disassembly: " + line);
                byte[] expected = text.at(pc, bytes.length);
                assertNotNull(expected, "pc outside the guest's loaded file: " + line);
                assertArrayEquals(expected, bytes, "logged bytes differ from the executable at " + f[0]);
            }
        }
    }

    private void send(Guest guest, long n) throws IOException {
        sent.add(n);
        guest.send(n);
    }

    /** Waits for {@code n} result lines and checks each against the work sent, in order. */
    private int received;

    private void expectOutput(Guest guest, int n) throws InterruptedException {
        for (int i = 0; i < n; i++) {
            String line = guest.nextLine(WAIT_S);
            long w = sent.get(received++);
            assertTrue(line.startsWith(w + " "), "expected the result for " + w + ", got '" + line + "'; guest stderr: " + guest.errors());
        }
    }

    private String input() {
        StringBuilder sb = new StringBuilder();
        for (long n : sent) sb.append(n).append('\n');
        return sb.toString();
    }

    private ServiceRegistration<LongConsumer> registerSink(Sink sink) {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(Constants.SERVICE_RANKING, ++ranking); // a plugin starting now takes the newest sink
        return context.registerService(LongConsumer.class, sink, p);
    }

    private BatchCommand runCommand() throws Exception {
        for (ServiceReference<BatchCommand> r : context.getServiceReferences(BatchCommand.class, null)) {
            BatchCommand c = context.getService(r);
            if ("run".equals(c.name())) return c;
        }
        throw new AssertionError("no run command (emulator.linuxuser)");
    }

    /** instr:list, through the Gogo command service of emulator.instrumentation. */
    private String instrList() throws Exception {
        ServiceReference<?>[] refs = context.getServiceReferences((String) null, "(osgi.command.scope=instr)");
        assertNotNull(refs, "emulator.instrumentation's instr: commands are not registered");
        Object engine = context.getService(refs[0]);
        return (String) engine.getClass().getMethod("list").invoke(engine);
    }

    /** A plugin bundle holding just {@link CounterPlugin}, built from this bundle's own class file. */
    static byte[] pluginJar(String version) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", "it.counter");
        a.putValue("Bundle-Version", version);
        a.putValue("Bundle-Activator", CounterPlugin.class.getName());
        a.putValue("Import-Package", "emulator.api,emulator.api.instrument,org.osgi.framework");
        String entry = CounterPlugin.class.getName().replace('.', '/') + ".class";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, m);
             InputStream cls = CounterPlugin.class.getClassLoader().getResourceAsStream(entry)) {
            assertNotNull(cls, entry);
            jar.putNextEntry(new JarEntry(entry));
            cls.transferTo(jar);
            jar.closeEntry();
        }
        return bytes.toByteArray();
    }
}
