package plugin.syscalls.linux;

import emulator.api.output.Json;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The trace folder: {@code syscalls.log} in the format of {@code strace -f -o FILE} and
 * {@code syscalls.jsonl}, one JSON object per completed call.
 */
final class TraceFiles implements Closeable {
    /** strace aligns {@code = result} at this column. */
    static final int RESULT_COLUMN = 40;
    private final BufferedWriter log;
    private final BufferedWriter jsonl;

    TraceFiles(Path dir, boolean writeLog, boolean writeJsonl) throws IOException {
        Files.createDirectories(dir);
        log = writeLog ? Files.newBufferedWriter(dir.resolve("syscalls.log"), StandardCharsets.UTF_8) : null;
        jsonl = writeJsonl ? Files.newBufferedWriter(dir.resolve("syscalls.jsonl"), StandardCharsets.UTF_8) : null;
    }

    /** One strace line: {@code PID  name(args) = result}. */
    static String straceLine(Call c) {
        StringBuilder sb = new StringBuilder(96);
        appendPidPrefix(sb, c.pid);
        c.appendCallText(sb).append(' ');
        while (sb.length() < RESULT_COLUMN) sb.append(' ');
        return sb.append("= ").append(c.result).toString();
    }

    /** strace -f's pid column: the pid left-aligned in five places, then a space ({@code %-5d }). */
    static String pidPrefix(long pid) {
        return appendPidPrefix(new StringBuilder(8), pid).toString();
    }

    private static StringBuilder appendPidPrefix(StringBuilder sb, long pid) {
        int start = sb.length();
        sb.append(pid);
        while (sb.length() - start < 5) sb.append(' ');
        return sb.append(' ');
    }

    /** A completed call: its strace line (made once, by the caller, for the tail too) and its JSON object. */
    void record(Call c, String straceLine) {
        try {
            if (log != null) { log.write(straceLine); log.newLine(); }
            if (jsonl != null) { jsonl.write(json(c)); jsonl.newLine(); }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A line of the log only ({@code +++ exited with N +++}). */
    void line(String line) {
        try {
            if (log != null) { log.write(line); log.newLine(); }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void flush() {
        try {
            if (log != null) log.flush();
            if (jsonl != null) jsonl.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String json(Call c) {
        StringBuilder sb = new StringBuilder(160).append("{\"pid\":").append(c.pid).append(",\"tid\":").append(c.tid)
                .append(",\"asid\":").append(c.asid).append(",\"nr\":").append(c.nr).append(",\"name\":");
        Json.string(sb, c.name).append(",\"args\":[");
        boolean first = true;
        for (String a : c.argText) {
            if (a == null) continue;
            if (!first) sb.append(',');
            Json.string(sb, a);
            first = false;
        }
        sb.append("],\"ret\":");
        if (c.returned) sb.append(c.ret); else sb.append("null");
        sb.append(",\"result\":");
        return Json.string(sb, c.result).append(",\"icount\":").append(c.icountEnter).append('}').toString();
    }

    @Override
    public void close() throws IOException {
        flush();
        if (log != null) log.close();
        if (jsonl != null) jsonl.close();
    }
}
