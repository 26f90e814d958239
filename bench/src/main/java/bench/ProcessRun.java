package bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One child process, timed from outside: wall time, exit code, and peak RSS and CPU time (user +
 * system, its children included) through {@code /usr/bin/time -f "%M %U %S"} when it is installed;
 * stdout kept in a file and hashed.
 */
final class ProcessRun {
    static final Path TIME = Path.of("/usr/bin/time");

    final long wallNs;
    final int exit;
    final Long rssKb;
    /** User + system CPU time of the process and its children, or null without /usr/bin/time. */
    final Long cpuNs;
    final Path stdout;
    final String stderr;
    final boolean timedOut;

    private ProcessRun(long wallNs, int exit, Long rssKb, Long cpuNs, Path stdout, String stderr, boolean timedOut) {
        this.wallNs = wallNs;
        this.exit = exit;
        this.rssKb = rssKb;
        this.cpuNs = cpuNs;
        this.stdout = stdout;
        this.stderr = stderr;
        this.timedOut = timedOut;
    }

    static ProcessRun run(List<String> command, Map<String, String> env, Path stdin, Path dir, long timeoutSec)
            throws IOException, InterruptedException {
        Path out = dir.resolve("stdout"), err = dir.resolve("stderr"), rss = dir.resolve("rss");
        Files.deleteIfExists(rss);
        List<String> cmd = new ArrayList<>();
        boolean measureRss = Files.isExecutable(TIME);
        if (measureRss) cmd.addAll(List.of(TIME.toString(), "-f", "%M %U %S", "-o", rss.toString()));
        cmd.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(stdin.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process p = pb.start();
        boolean done = p.waitFor(timeoutSec, TimeUnit.SECONDS);
        if (!done) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor();
        }
        long wall = System.nanoTime() - t0;
        Long rssKb = null, cpuNs = null;
        if (measureRss && Files.exists(rss)) {
            // time(1) writes "Command exited with non-zero status N" before the numbers when N != 0
            List<String> lines = Files.readAllLines(rss);
            for (String l : lines.reversed()) {
                String[] f = l.strip().split(" ");
                if (f.length == 3 && f[0].matches("\\d+") && f[1].matches("\\d+\\.\\d+") && f[2].matches("\\d+\\.\\d+")) {
                    rssKb = Long.parseLong(f[0]);
                    cpuNs = Math.round((Double.parseDouble(f[1]) + Double.parseDouble(f[2])) * 1e9);
                    break;
                }
            }
        }
        String e = Files.readString(err);
        return new ProcessRun(wall, done ? p.exitValue() : -1, rssKb, cpuNs, out, e.length() > 4000 ? e.substring(0, 4000) : e, !done);
    }

    String stdoutSha256() throws IOException { return stdoutSha256(Long.MAX_VALUE); }

    long stdoutBytes() throws IOException { return Files.size(stdout); }

    /** SHA-256 of the first {@code limit} bytes of stdout. */
    String stdoutSha256(long limit) throws IOException {
        try (var in = Files.newInputStream(stdout)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            long left = limit;
            for (int n; left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0; left -= n) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Up to {@code n} bytes of stdout from {@code offset}, as text. */
    String stdoutText(long offset, int n) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(stdout)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(n);
            ch.read(b, offset);
            return new String(b.array(), 0, b.position(), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    /** The last non-empty line of stderr, for a failed cell's reason. */
    String stderrTail() {
        String[] lines = stderr.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1].strip();
    }
}
