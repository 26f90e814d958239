package plugin.syscalls.linux;

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
        StringBuilder sb = new StringBuilder(pidPrefix(c.pid)).append(c.callText()).append(' ');
        while (sb.length() < RESULT_COLUMN) sb.append(' ');
        return sb.append("= ").append(c.result).toString();
    }

    static String pidPrefix(long pid) {
        return String.format("%-5d ", pid);
    }

    void record(Call c) {
        try {
            if (log != null) { log.write(straceLine(c)); log.newLine(); }
            if (jsonl != null) { jsonl.write(json(c)); jsonl.newLine(); }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void exited(int pid, int status) {
        try {
            if (log != null) { log.write(pidPrefix(pid) + "+++ exited with " + status + " +++"); log.newLine(); }
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
        StringBuilder sb = new StringBuilder("{\"pid\":").append(c.pid).append(",\"tid\":").append(c.tid)
                .append(",\"asid\":").append(c.asid).append(",\"nr\":").append(c.nr)
                .append(",\"name\":").append(jsonString(c.name)).append(",\"args\":[");
        String[] args = c.printedArgs();
        for (int i = 0; i < args.length; i++) sb.append(i == 0 ? "" : ",").append(jsonString(args[i]));
        sb.append("],\"ret\":").append(c.returned ? Long.toString(c.ret) : "null")
                .append(",\"result\":").append(jsonString(c.result)).append(",\"icount\":").append(c.icountEnter).append('}');
        return sb.toString();
    }

    static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (ch < 0x20) sb.append(String.format("\\u%04x", (int) ch));
                    else sb.append(ch);
                }
            }
        }
        return sb.append('"').toString();
    }

    @Override
    public void close() throws IOException {
        flush();
        if (log != null) log.close();
        if (jsonl != null) jsonl.close();
    }
}
