package bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A busybox applet reading a generated input on stdin and writing to stdout.
 *
 * @param name       the applet, as the tables show it
 * @param applet     busybox's arguments (applet name first)
 * @param fullBytes  input size at full scale, chosen so a native run takes about 0.2 s here
 */
record Workload(String name, List<String> applet, long fullBytes) {
    static final List<Workload> ALL = List.of(
            new Workload("gzip", List.of("gzip", "-c"), 6L << 20),
            new Workload("bzip2", List.of("bzip2", "-c"), 3L << 20),
            new Workload("sha256sum", List.of("sha256sum"), 32L << 20),
            new Workload("md5sum", List.of("md5sum"), 48L << 20),
            new Workload("sort", List.of("sort"), 16L << 20));

    /** The input at {@code bytes}: a prefix of one seeded stream, so every size is reproducible. */
    static Path input(Path dir, long bytes) throws IOException {
        Path p = dir.resolve("input-" + bytes + ".txt");
        if (Files.exists(p) && Files.size(p) == bytes) return p;
        // A private temporary name: another bench run may be writing the same input right now.
        Path tmp = dir.resolve("input-" + bytes + "." + ProcessHandle.current().pid() + ".tmp");
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            writeText(o, bytes);
        }
        Files.move(tmp, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return p;
    }

    /**
     * Text lines of words drawn with a skewed distribution from a fixed vocabulary, plus a number:
     * compressible like real text (gzip and bzip2 find matches, sort compares long common
     * prefixes) but not trivially so.
     */
    static void writeText(OutputStream o, long bytes) throws IOException {
        SplittableRandom r = new SplittableRandom(0x5EED_2024L);
        String[] words = new String[4096];
        for (int i = 0; i < words.length; i++) {
            StringBuilder w = new StringBuilder();
            int len = 2 + r.nextInt(9);
            for (int k = 0; k < len; k++) w.append((char) ('a' + r.nextInt(26)));
            words[i] = w.toString();
        }
        long written = 0;
        StringBuilder line = new StringBuilder();
        while (written < bytes) {
            line.setLength(0);
            int n = 3 + r.nextInt(10);
            for (int k = 0; k < n; k++) {
                int a = r.nextInt(words.length), b = r.nextInt(words.length);
                line.append(words[Math.min(a, b)]).append(' '); // skewed toward frequent words
            }
            line.append(r.nextInt(1_000_000_000)).append('\n');
            byte[] b = line.toString().getBytes(StandardCharsets.US_ASCII);
            int take = (int) Math.min(b.length, bytes - written);
            o.write(b, 0, take);
            written += take;
        }
    }
}
