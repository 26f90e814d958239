package emulator.stacks.it;

import emulator.api.launch.BatchCommand;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The long-running guest: a small static x86-64 Linux program (src/test/resources/guest/work-loop.c,
 * compiled here with the machine's gcc) that reads a number per line and runs that many xorshift
 * steps, printing "N CHECKSUM"; the test decides how long it runs by what it sends. Runs under the
 * emulator through the {@code run} batch command (the path {@code ./abiscope run} takes), or natively
 * on the host CPU as the reference.
 */
final class Guest implements AutoCloseable {
    private static Path binary;

    /** The guest program, compiled once per test run. */
    static synchronized Path binary() throws IOException, InterruptedException {
        if (binary != null) return binary;
        Path dir = Files.createTempDirectory("abiscope-guest");
        Path src = dir.resolve("work-loop.c"), exe = dir.resolve("work-loop");
        // gone when the test JVM ends (deleted in the reverse order: the files, then the folder)
        for (Path p : List.of(dir, src, exe)) p.toFile().deleteOnExit();
        try (InputStream in = Guest.class.getResourceAsStream("/guest/work-loop.c")) {
            Files.copy(in, src);
        }
        Process p = new ProcessBuilder("gcc", "-static", "-nostdlib", "-O1", "-fno-builtin", "-fno-stack-protector",
                "-fcf-protection=none", "-no-pie", "-o", exe.toString(), src.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new AssertionError("gcc failed: " + out);
        return binary = exe;
    }

    /** The native output for the given input (the host CPU is the reference). */
    static String nativeRun(String input) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(binary().toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream in = p.getOutputStream()) { in.write(input.getBytes(StandardCharsets.US_ASCII)); }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new AssertionError("native run failed: " + out);
        return out;
    }

    /** An emulated run fed all of {@code input} at once; returns its output. */
    static String emulatedRun(BatchCommand run, Path root, String input) throws Exception {
        try (Guest g = new Guest(run, root, new ByteArrayInputStream(input.getBytes(StandardCharsets.US_ASCII)), null)) {
            return g.awaitExit();
        }
    }

    private final ByteArrayOutputStream all = new ByteArrayOutputStream();
    /** The emulator's diagnostics (e.g. an unimplemented system call), kept apart from the guest's output. */
    private final ByteArrayOutputStream errors = new ByteArrayOutputStream();
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Feed feed;
    private final CompletableFuture<Integer> exit;
    private final InputStream savedIn = System.in;

    /** An emulated run fed line by line through {@link #send}. */
    static Guest interactive(BatchCommand run, Path root) {
        Feed feed = new Feed();
        return new Guest(run, root, feed, feed);
    }

    /**
     * The guest's standard input, written by the test: a read blocks until a line is sent or the feed
     * is closed (java.io's pipes fail a read when the writing thread is busy elsewhere for long).
     */
    private static final class Feed extends InputStream {
        private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
        private static final byte[] EOF = new byte[0];
        private byte[] current = new byte[0];
        private int pos;
        private boolean ended;

        void send(byte[] b) { chunks.add(b); }

        @Override public void close() { chunks.add(EOF); }

        @Override public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            while (pos == current.length) {
                if (ended) return -1;
                try {
                    current = chunks.take();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
                pos = 0;
                if (current == EOF) { ended = true; return -1; }
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    private Guest(BatchCommand run, Path root, InputStream in, Feed feed) {
        this.feed = feed;
        // The run command reads the process's standard input, as ./abiscope run does.
        System.setIn(in);
        PrintStream out = new PrintStream(new LineSplitter(), true, StandardCharsets.US_ASCII);
        PrintStream err = new PrintStream(errors, true, StandardCharsets.US_ASCII);
        exit = CompletableFuture.supplyAsync(() -> {
            try {
                return run.run(List.of("--root", root.toString(), "--", binary().toString()), out, err);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, r -> Thread.ofPlatform().name("guest").daemon(true).start(r));
    }

    void send(long n) throws IOException {
        feed.send((n + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** The next output line, waiting at most {@code seconds}. */
    String nextLine(int seconds) throws InterruptedException {
        String l = lines.poll(seconds, TimeUnit.SECONDS);
        if (l == null) throw new AssertionError("no guest output within " + seconds + " s; output so far: " + output()
                + "; stderr: " + errors() + "\n" + threads());
        return l;
    }

    /** Where the emulator's threads are, for a failure message. */
    static String threads() {
        StringBuilder sb = new StringBuilder("threads:\n");
        Thread.getAllStackTraces().forEach((t, stack) -> {
            if (stack.length == 0 || t.getName().startsWith("Reference") || t.getName().equals("Finalizer")) return;
            sb.append("  \"").append(t.getName()).append("\" ").append(t.getState()).append('\n');
            for (int i = 0; i < Math.min(stack.length, 12); i++) sb.append("      at ").append(stack[i]).append('\n');
        });
        return sb.toString();
    }

    /** Ends the input and waits for the guest to exit; returns everything it printed. */
    String awaitExit() throws Exception {
        if (feed != null) feed.close();
        int code = exit.get(120, TimeUnit.SECONDS);
        if (code != 0) throw new AssertionError("guest exited with " + code + ": " + output() + "; stderr: " + errors());
        return output();
    }

    synchronized String output() { return all.toString(StandardCharsets.US_ASCII); }

    String errors() {
        synchronized (errors) { return errors.toString(StandardCharsets.US_ASCII); }
    }

    @Override
    public void close() throws IOException {
        if (feed != null) feed.close();
        System.setIn(savedIn);
    }

    /** Collects the guest's standard output and hands out complete lines. */
    private final class LineSplitter extends OutputStream {
        private final StringBuilder line = new StringBuilder();

        @Override
        public void write(int b) {
            synchronized (Guest.this) { all.write(b); }
            if (b == '\n') { lines.add(line.toString()); line.setLength(0); }
            else line.append((char) b);
        }
    }
}
