package emulator.linuxuser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import emulator.api.stack.StackManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run --plugins/--stack}: the stack is applied on its own thread while the program loads, the
 * guest's first instruction waits for it, a failed stack is a usage error (2) with nothing run, and
 * whatever was applied is removed after the run however it ended.
 */
class RunWithStackTest {
    @TempDir Path tmp;

    /** A stack service that records what happens, in order; its apply can be held until the guest is being loaded. */
    static final class FakeStacks implements StackManager {
        final List<String> log = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean holdApply;
        volatile String failPlugins;
        volatile String applyThread;
        volatile boolean up;

        @Override public String apply(Path stackFile) { log.add("apply " + stackFile.getFileName()); return "file"; }

        @Override
        public String applyPlugins(String name, List<String> plugins, Map<String, Object> settings) throws IOException {
            applyThread = Thread.currentThread().getName();
            if (holdApply) {
                try {
                    // held until the test's loader saw the program being opened: the two overlap
                    if (!release.await(30, TimeUnit.SECONDS)) log.add("never released");
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            if (failPlugins != null) throw new IllegalArgumentException(failPlugins);
            log.add("applyPlugins " + plugins + " " + settings.get(TRACE_DIR));
            up = true;
            return name;
        }

        @Override public void remove(String name) { log.add("remove " + name); up = false; }

        @Override public List<String> list() { return List.of(); }
    }

    /** The guest's stdout: notes whether the plugins were up when the guest first wrote. */
    static final class Watched extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final FakeStacks stacks;
        Boolean upAtFirstWrite;

        Watched(FakeStacks s) { stacks = s; }

        @Override public void write(int b) { first(); bytes.write(b); }

        @Override public void write(byte[] b, int off, int len) { first(); bytes.write(b, off, len); }

        private void first() { if (upAtFirstWrite == null) upAtFirstWrite = stacks.up; }
    }

    private static Path busybox() {
        Path bb = Path.of(System.getProperty("user.home"), ".cache/abiscope/guests/amd64/busybox/busybox");
        assumeTrue(Files.isRegularFile(bb), "busybox-static amd64 not in the cache (scripts/fetch-busybox.sh amd64)");
        return bb;
    }

    private RunOptions options(String... args) throws RunOptions.BadUsage { return RunOptions.parse(List.of(args)); }

    private int run(FakeStacks sm, RunOptions o, OutputStream out, ByteArrayOutputStream err) {
        return RunCommand.runWithStack(sm, o, tmp, InputStream.nullInputStream(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new boolean[3]);
    }

    @Test
    void theProgramLoadsWhileThePluginsComeUpAndRunsOnlyOnceTheyAre() throws Exception {
        FakeStacks sm = new FakeStacks();
        sm.holdApply = true;
        Path bb = busybox();
        Watched out = new Watched(sm);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int[] rc = {-1};
        RunOptions o = options("--plugins", "files", "--trace-dir", tmp.resolve("t").toString(), "--", bb.toString(), "echo", "hi");
        Thread runner = Thread.ofPlatform().name("test-run").start(() -> rc[0] = run(sm, o, out, err));
        // The apply is held until the runner has loaded the program and waits for the plugins at its
        // start gate: with the apply done first, on the same thread, this never happens.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!waitsAtTheGate(runner) && runner.isAlive() && System.nanoTime() < deadline) Thread.sleep(1);
        boolean sawTheGate = waitsAtTheGate(runner);
        sm.release.countDown();
        runner.join();
        assertTrue(sawTheGate, "the runner never waited for the plugins with the program loaded");
        assertEquals(0, rc[0], err.toString());
        assertEquals("hi\n", out.bytes.toString(StandardCharsets.UTF_8));
        assertEquals(Boolean.TRUE, out.upAtFirstWrite, "the guest ran before its plugins were up");
        assertNotEquals("test-run", sm.applyThread);
        assertEquals(List.of("applyPlugins [files] " + tmp.resolve("t").toAbsolutePath(), "remove run"), sm.log);
    }

    private static boolean waitsAtTheGate(Thread t) {
        boolean inAwait = false;
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().equals(StackStart.class.getName()) && e.getMethodName().equals("await")) inAwait = true;
            if (inAwait && e.getClassName().equals(LinuxUserRunner.class.getName()) && e.getMethodName().equals("run")) return true;
        }
        return false;
    }

    @Test
    void aFailingStackIsAUsageErrorAndNothingRuns() throws Exception {
        FakeStacks sm = new FakeStacks();
        sm.failPlugins = "run: unknown plugin 'plugin.nosuch'";
        Path stackFile = Files.writeString(tmp.resolve("s.stack"), "");
        Watched out = new Watched(sm);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = run(sm, options("--stack", stackFile.toString(), "--plugins", "nosuch", "--", busybox().toString(), "echo", "hi"), out, err);
        assertEquals(2, rc);
        assertEquals("", out.bytes.toString(StandardCharsets.UTF_8));
        assertEquals("abiscope: run: run: unknown plugin 'plugin.nosuch'\n", err.toString(StandardCharsets.UTF_8));
        assertEquals(List.of("apply s.stack", "remove file"), sm.log, "what was applied before the failure is removed");
    }

    @Test
    void aProgramThatCannotBeLoadedStillWaitsForTheStackAndRemovesIt() throws Exception {
        FakeStacks sm = new FakeStacks();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = run(sm, options("--plugins", "files", "--", tmp.resolve("missing").toString()), new ByteArrayOutputStream(), err);
        assertEquals(127, rc);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("No such file or directory"), err.toString());
        assertEquals(List.of("applyPlugins [files] null", "remove run"), sm.log);

        FakeStacks failing = new FakeStacks();
        failing.failPlugins = "bad";
        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        assertEquals(2, run(failing, options("--plugins", "x", "--", tmp.resolve("missing").toString()), new ByteArrayOutputStream(), err2),
                "a failed stack is a usage error whatever the program");
        assertTrue(err2.toString(StandardCharsets.UTF_8).contains("abiscope: run: bad\n"), err2.toString());
    }

    @Test
    void withoutAStackServiceItIsAUsageError() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = RunCommand.runWithStack(null, options("--plugins", "files", "--", "/x"), tmp, InputStream.nullInputStream(),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8), new boolean[3]);
        assertEquals(2, rc);
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("abiscope: run: no stack manager"), err.toString());
    }
}
