package plugin.files;

import testing.strace.StraceLog;
import testing.strace.StraceReplay;
import testing.strace.NativeStrace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.event.Event;

/**
 * The file monitor fed with a native busybox run as a syscall tracer would describe it, held to the
 * kernel's own answer: strace {@code -y} prints, beside every fd, the file the kernel says it refers
 * to. The monitor resolves paths from its handle table alone (opens, dups, fork, cloexec at exec);
 * wherever it names a path it must be the kernel's, and every fd opened under its eyes must be named.
 */
class FilesAgainstStraceTest {
    @TempDir Path dir;

    static final String SUITE = String.join("; ",
            "cat DIR/a DIR/b > DIR/out",                      // open, read, write, close; redirect by open + dup2
            "cat < DIR/a | tr a-z A-Z | wc -c > DIR/count",   // pipelines: dup2 of pipes over stdin/stdout
            "exec 5> DIR/five; echo x >&5; sh -c 'echo y >&5; cat DIR/a >&5'",  // fd 5 inherited across fork and exec
            "(exec 3< DIR/b; cat <&3; cat DIR/a)",            // subshell, dup of an inherited handle
            "nosuchcommand 2>/dev/null",                       // exec failing on every PATH entry
            "cat DIR/missing 2>/dev/null",                     // failed open
            "echo more >> DIR/out; wc -l DIR/out DIR/a");

    @Test
    void everyNamedHandleIsTheKernelsFileAndEveryObservedOpenIsNamed() throws Exception {
        Files.writeString(dir.resolve("a"), "alpha\nbeta\n");
        Files.writeString(dir.resolve("b"), "gamma\n");
        StraceLog log = NativeStrace.run(dir, SUITE.replace("DIR", dir.toString()), StraceReplay.TRACE);
        StraceReplay replay = new StraceReplay(log);

        List<Map<String, Object>> records = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        FileTracker tracker = new FileTracker(new FileOutput() {
            @Override public void logLine(String line) { lines.add(line); }
            @Override public void jsonRecord(Map<String, Object> record) { records.add(record); }
            @Override public void publish(String topic, Map<String, Object> properties) { }
        });
        for (Event e : replay.events) tracker.accept(e);

        List<StraceReplay.FileOp> ops = replay.fileOps;
        assertEquals(ops.size(), records.size(), "one log record per file operation");
        Set<String> openedNames = new HashSet<>();
        for (StraceReplay.FileOp op : ops) if (op.op().equals("open") && op.handle() >= 0) openedNames.add(op.kernelPath());
        // The monitor names a file as it was opened; the kernel prints it with symbolic links resolved.
        int named = 0, mustName = 0, anonymous = 0;
        // An object with no name is named by the monitor "<pipe #k>": each such name must stand for one
        // kernel object (pipe:[inode]) and each kernel object for one name.
        Map<String, String> kernelOf = new java.util.HashMap<>(), nameOf = new java.util.HashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            StraceReplay.FileOp op = ops.get(i);
            Map<String, Object> rec = records.get(i);
            assertEquals(op.op(), rec.get("op"), "record " + i);
            assertEquals(op.pid(), rec.get("pid"), "record " + i);
            Object path = real((String) rec.get("path"));
            if (path instanceof String p && p.startsWith("<pipe #") && op.kernelPath() != null) {
                assertTrue(op.kernelPath().startsWith("pipe:["), "an anonymous pipe must be a pipe: " + rec + " vs " + op.kernelPath());
                assertEquals(kernelOf.computeIfAbsent(p, k -> op.kernelPath()), op.kernelPath(), "one name, one pipe: " + rec);
                assertEquals(nameOf.computeIfAbsent(op.kernelPath(), k -> p), p, "one pipe, one name: " + rec);
                anonymous++;
                path = op.kernelPath();
            }
            if (op.op().equals("open")) continue;
            String where = "record " + i + " " + rec + " vs kernel " + op.kernelPath();
            if (path != null) {
                assertEquals(op.kernelPath(), path, "a named handle must be the kernel's file: " + where);
                named++;
            }
            if (openedNames.contains(op.kernelPath())) {
                mustName++;
                assertEquals(op.kernelPath(), path, "opened under the monitor's eyes, so it must be named: " + where);
            }
        }
        assertTrue(mustName >= 15, "the suite must exercise the handle table (" + mustName + " checks)");
        assertTrue(anonymous >= 8, "the pipelines' pipes must be followed through dup2, fork and exec (" + anonymous + " checks)");
        assertEquals(mustName, named);
        // The paper's form, with a handle that came from outside (the shell's stdout) left unnamed.
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\[\\d+ exe\\] open\\(name " + dir + "/a, mode READ, handle 0x3\\)")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\[\\d+ exe\\] open\\(name " + dir + "/missing, mode READ\\) -> error -2")), lines.toString());
        for (String f : List.of("/a", "/b", "/out", "/five")) {
            assertTrue(tracker.summary().stream().anyMatch(s -> s.startsWith(dir + f + " ")), f + " in " + tracker.summary());
        }
    }

    private static String real(String path) {
        if (path == null) return null;
        try { return Path.of(path).toRealPath().toString(); } catch (java.io.IOException e) { return path; }
    }

    @Test
    void startedInTheMiddleNamesNothingWrongly() throws Exception {
        Files.writeString(dir.resolve("a"), "alpha\nbeta\n");
        Files.writeString(dir.resolve("b"), "gamma\n");
        StraceLog log = NativeStrace.run(dir, SUITE.replace("DIR", dir.toString()), StraceReplay.TRACE);
        StraceReplay replay = new StraceReplay(log);
        // Start (and restart) the monitor at several points of the run: whatever it names must still
        // be the kernel's file.
        for (int start = 1; start < replay.events.size(); start += Math.max(1, replay.events.size() / 13)) {
            List<Map<String, Object>> records = new ArrayList<>();
            FileTracker tracker = new FileTracker(new FileOutput() {
                @Override public void logLine(String line) { }
                @Override public void jsonRecord(Map<String, Object> record) { records.add(record); }
                @Override public void publish(String topic, Map<String, Object> properties) { }
            });
            List<Event> tail = replay.events.subList(start, replay.events.size());
            for (Event e : tail) tracker.accept(e);
            List<StraceReplay.FileOp> ops = replay.fileOps.subList(replay.fileOps.size() - records.size(), replay.fileOps.size());
            for (int i = 0; i < records.size(); i++) {
                Object path = real((String) records.get(i).get("path"));
                if (path instanceof String p && p.startsWith("<pipe #")) {
                    assertTrue(String.valueOf(ops.get(i).kernelPath()).startsWith("pipe:["), "started at event " + start + ": " + records.get(i));
                } else if (path != null && !ops.get(i).op().equals("open")) {
                    assertEquals(ops.get(i).kernelPath(), path, "started at event " + start + ": " + records.get(i));
                }
            }
        }
    }
}
