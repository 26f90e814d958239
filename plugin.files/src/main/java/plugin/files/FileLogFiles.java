package plugin.files;

import emulator.api.output.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * files.log and files.jsonl in the trace folder. Both are appended to: a monitor stopped and started
 * again in the same run adds to what it wrote before instead of losing it; each activation begins
 * with a marker line so the segments can be told apart.
 */
final class FileLogFiles implements FileOutput, AutoCloseable {
    /** Where the abiscope/file/* events go (EventAdmin), and whether anyone receives them now. */
    interface Publisher {
        boolean wanted();

        void post(String topic, Map<String, Object> properties);
    }

    private final BufferedWriter log, jsonl;
    private final Publisher publisher;

    FileLogFiles(Path dir, Publisher publisher) throws IOException {
        Files.createDirectories(dir);
        this.log = open(dir.resolve("files.log"));
        this.jsonl = open(dir.resolve("files.jsonl"));
        this.publisher = publisher;
        String now = java.time.Instant.now().toString();
        logLine("# plugin.files tracing from " + now);
        jsonl.write("{\"tracing\":\"started\",\"time\":\"" + now + "\"}\n");
    }

    private static BufferedWriter open(Path p) throws IOException {
        return Files.newBufferedWriter(p, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Override public void logLine(String line) { write(log, line); }

    @Override public void jsonRecord(Map<String, Object> record) { write(jsonl, Json.object(record)); }

    @Override public boolean publishing() { return publisher.wanted(); }

    @Override public void publish(String topic, Map<String, Object> properties) { publisher.post(topic, properties); }

    private static void write(BufferedWriter w, String line) {
        try {
            w.write(line);
            w.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void flush() throws IOException { log.flush(); jsonl.flush(); }

    @Override public void close() throws IOException {
        try (log; jsonl) { flush(); }
    }
}
