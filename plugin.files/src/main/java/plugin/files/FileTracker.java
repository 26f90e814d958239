package plugin.files;

import emulator.api.event.EventView;
import emulator.api.event.SyscallCall;
import emulator.api.event.SyscallCallPairing;

import emulator.api.event.Keys;
import emulator.api.event.Topics;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.osgi.service.event.Event;

/**
 * The file monitor's state machine, with no OSGi in it: syscall events in, log lines, JSON records
 * and abiscope/file/* events out. It knows no operating system, only the normalized {@code file.*}
 * and {@code process.*} properties. Not thread-safe: the component serializes calls.
 */
public final class FileTracker {
    /** {@code file.op} values; {@code cloexec} sets a handle's close-on-exec flag (fcntl F_SETFD and the like). */
    static final String OPEN = "open", READ = "read", WRITE = "write", CLOSE = "close", DUP = "dup", SET_CLOEXEC = "cloexec";
    static final int RECENT_LINES = 10_000;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final FileOutput out;
    private final SyscallCallPairing pairing = new SyscallCallPairing();
    private final Map<String, ProcessFiles> processes = new LinkedHashMap<>();
    /** Children that exited before their parent's fork returned: the late fork must not bring them back. */
    private final Set<String> exitedBeforeFork = new HashSet<>();
    private final Map<String, FileStats> stats = new LinkedHashMap<>();
    private final ArrayDeque<String> recent = new ArrayDeque<>();
    /** The log line being built (one at a time: the tracker is not reentrant). */
    private final StringBuilder line = new StringBuilder(128);
    /** The process of the last file operation: most operations come from the same one. Dropped when a process leaves the table. */
    private ProcessFiles lastProcess;
    private long seq;
    /** Objects with no name (pipes, sockets…) are numbered in order of creation, so that each has its own line. */
    private long anonymousObjects;

    public FileTracker(FileOutput out) { this.out = out; }

    public void accept(Event event) {
        SyscallCall call = pairing.accept(event.getTopic(), new EventView(event));
        if (call == null) return;
        String processOp = call.string(Keys.PROCESS_OP);
        if (processOp != null) onProcess(processOp, call);
        String fileOp = call.string(Keys.FILE_OP);
        if (fileOp != null && call.completed()) onFile(fileOp, call);
    }

    // ---- processes: what happens to handle tables ----

    private void onProcess(String op, SyscallCall c) {
        switch (op) {
            case "fork" -> { if (c.completed() && !c.failed()) onFork(c); }
            case "exec" -> {
                if (!c.completed() || c.failed()) return;
                ProcessFiles p = process(c);
                p.handles.exec();
                String image = c.string(Keys.PROCESS_IMAGE);
                p.image = image;   // null (unknown) rather than the old program's name
            }
            case "exit" -> onExit(c);
            case "image" -> {
                // the process said which image it runs (e.g. the first process, whose exec nobody saw)
                String image = c.string(Keys.PROCESS_IMAGE);
                if (c.completed() && !c.failed() && image != null) process(c).image = image;
            }
            default -> { }
        }
    }

    private void onFork(SyscallCall c) {
        if (Boolean.TRUE.equals(c.bool(Keys.PROCESS_THREAD))) return;    // a thread shares the table
        Long ret = c.number(Keys.RET);
        Integer child = c.integer(Keys.PROCESS_CHILD);
        if (child == null && ret != null && ret > 0) child = ret.intValue();
        if (ret != null && ret == 0) {
            // The child's side: with its parent's id the child can inherit now, whichever side comes first.
            Integer ppid = c.integer(Keys.PPID);
            ProcessFiles self = process(c);
            if (!self.handles.inherited()) self.awaitingParent = true;
            ProcessFiles parent = ppid == null ? null : processes.get(String.valueOf(ppid));
            if (parent != null && !self.handles.inherited()) {
                self.handles.inheritLate(parent.handles);
                if (self.image == null) self.image = parent.image;
            }
            return;
        }
        if (child == null) return;
        ProcessFiles parent = process(c);
        String childId = String.valueOf(child);
        if (exitedBeforeFork.remove(childId)) return;
        ProcessFiles existing = processes.get(childId);
        if (existing == null) {
            processes.put(childId, new ProcessFiles(childId, parent.handles.forChild(), parent.image));
        } else if (!existing.handles.inherited()) {
            existing.handles.inheritLate(parent.handles);
            if (existing.image == null) existing.image = parent.image;
        }
    }

    private void onExit(SyscallCall c) {
        if (Boolean.TRUE.equals(c.bool(Keys.PROCESS_THREAD))) return;
        Integer pid = c.integer(Keys.PID), tid = c.integer(Keys.TID);
        if (pid != null && tid != null && !pid.equals(tid)) return;    // one thread ends; the table lives on
        String id = processId(c);
        ProcessFiles gone = processes.remove(id);
        lastProcess = null;
        // An exit whose fork we never saw returning in the parent: remember it, so that fork does not
        // resurrect a table. (A second report of the same exit finds nothing and changes nothing.)
        if (gone != null && gone.awaitingParent && !gone.handles.inherited()) exitedBeforeFork.add(id);
    }

    // ---- file operations ----

    private void onFile(String op, SyscallCall c) {
        ProcessFiles p = process(c);
        switch (op) {
            case OPEN -> open(p, c);
            case READ, WRITE -> transfer(op, p, c);
            case Keys.FILE_OP_COPY -> copy(p, c);
            case CLOSE -> close(p, c);
            case DUP -> dup(p, c);
            case SET_CLOEXEC -> setCloexec(p, c);
            default -> { }
        }
    }

    private void open(ProcessFiles p, SyscallCall c) {
        String name = c.string(Keys.FILE_PATH);
        String access = c.string(Keys.FILE_ACCESS);
        Map<String, Object> rec = record(p, c, OPEN);
        rec.put("path", name);
        rec.put("mode", access);
        if (c.failed()) {
            failure(openText(startLine(p), name, access).append(')'), c);
            emit(p, c, Topics.FILE_OPEN, rec, name, null, access);
            return;
        }
        Boolean cloexec = c.bool(Keys.FILE_CLOEXEC);
        if (Boolean.TRUE.equals(c.bool(Keys.FILE_ANONYMOUS)) && name != null) {
            name = name.endsWith(">") ? name.substring(0, name.length() - 1) + " #" + ++anonymousObjects + ">" : name + " #" + ++anonymousObjects;
        }
        long[] handles = c.get(Keys.FILE_HANDLES) instanceof long[] hs ? hs : null;
        String[] accesses = c.get(Keys.FILE_ACCESSES) instanceof String[] as ? as : null;
        if (handles == null) {
            Long handle = handleOf(c);
            handles = handle == null ? new long[] {-1} : new long[] {handle};
        }
        // one line, record and event per handle: a pipe's two ends are two handles with their own access
        for (int i = 0; i < handles.length; i++) {
            Long handle = handles[i] < 0 ? null : handles[i];
            String mode = accesses != null && i < accesses.length ? accesses[i] : access;
            Map<String, Object> r = i == 0 ? rec : record(p, c, OPEN);
            r.put("path", name);
            r.put("mode", mode);
            r.put("handle", handle);
            r.put("cloexec", cloexec);
            if (c.bool(Keys.FILE_ANONYMOUS) != null) r.put("anonymous", c.bool(Keys.FILE_ANONYMOUS));
            if (handle != null) p.handles.put(handle, new OpenHandle(name, mode, cloexec));
            if (i == 0) stats(name, p, handle).opens++;
            hex(openText(startLine(p), name, mode).append(", handle "), handle).append(')');
            emit(p, c, Topics.FILE_OPEN, r, name, handle, mode);
        }
    }

    private void transfer(String op, ProcessFiles p, SyscallCall c) {
        Long handle = c.number(Keys.FILE_HANDLE);
        OpenHandle h = lookUp(p, handle);
        String path = h == null ? null : h.path();
        Long buffer = c.number(Keys.FILE_BUFFER), length = c.number(Keys.FILE_LENGTH), ret = c.number(Keys.RET);
        Map<String, Object> rec = record(p, c, op);
        rec.put("handle", handle);
        rec.put("path", path);
        rec.put("buffer", buffer);
        rec.put("length", length);
        if (!c.failed() && ret != null && ret > 0) {
            FileStats s = stats(path, p, handle);
            if (op.equals(READ)) { s.reads++; s.bytesRead += ret; } else { s.writes++; s.bytesWritten += ret; }
        }
        StringBuilder l = startLine(p).append(op).append("(handle ");
        hex(hex(hex(l, handle).append(", buffer "), buffer).append(", length "), length).append(')');
        failure(l, c);
        emit(p, c, op.equals(READ) ? Topics.FILE_READ : Topics.FILE_WRITE, rec, path, handle, h == null ? null : h.access());
    }

    /** A kernel-side copy (sendfile, splice): a read of the source and a write of the destination, no user buffer. */
    private void copy(ProcessFiles p, SyscallCall c) {
        Long from = c.number(Keys.FILE_SOURCE_HANDLE), to = c.number(Keys.FILE_HANDLE);
        Long length = c.number(Keys.FILE_LENGTH), ret = c.number(Keys.RET);
        String fromPath = pathOf(p, from), toPath = pathOf(p, to);
        if (!c.failed() && ret != null && ret > 0) {
            FileStats in = stats(fromPath, p, from);
            in.reads++;
            in.bytesRead += ret;
            FileStats out = stats(toPath, p, to);
            out.writes++;
            out.bytesWritten += ret;
        }
        Map<String, Object> rec = record(p, c, READ);
        rec.put("handle", from);
        rec.put("path", fromPath);
        rec.put("length", length);
        rec.put("copyTo", to);
        StringBuilder l = startLine(p).append("read(handle ");
        hex(hex(hex(l, from).append(", to handle "), to).append(", length "), length).append(')');
        failure(l, c);
        emit(p, c, Topics.FILE_READ, rec, fromPath, from, accessOf(p, from));
        Map<String, Object> wrec = record(p, c, WRITE);
        wrec.put("handle", to);
        wrec.put("path", toPath);
        wrec.put("length", length);
        wrec.put("copyFrom", from);
        StringBuilder w = startLine(p).append("write(handle ");
        hex(hex(hex(w, to).append(", from handle "), from).append(", length "), length).append(')');
        failure(w, c);
        emit(p, c, Topics.FILE_WRITE, wrec, toPath, to, accessOf(p, to));
    }

    private void close(ProcessFiles p, SyscallCall c) {
        Long handle = c.number(Keys.FILE_HANDLE);
        String path = pathOf(p, handle);
        // Even a failed close releases the handle (or it was not open): either way it is not open now.
        if (handle != null) p.handles.remove(handle);
        Map<String, Object> rec = record(p, c, CLOSE);
        rec.put("handle", handle);
        rec.put("path", path);
        failure(hex(startLine(p).append("close(handle "), handle).append(')'), c);
        emit(p, c, Topics.FILE_CLOSE, rec, path, handle, null);
    }

    private void dup(ProcessFiles p, SyscallCall c) {
        Long old = c.number(Keys.FILE_OLD_HANDLE);
        Long handle = c.failed() ? c.number(Keys.FILE_HANDLE) : handleOf(c);
        String path = pathOf(p, old);
        Map<String, Object> rec = record(p, c, DUP);
        rec.put("oldHandle", old);
        rec.put("handle", handle);
        rec.put("path", path);
        hex(hex(startLine(p).append("dup(handle "), old).append(", new handle "), handle).append(')');
        if (c.failed() || old == null || handle == null) {
            rec.put("replacedPath", null);
            failure(line, c);
            write(c, rec);
            return;
        }
        if (!old.equals(handle)) {
            OpenHandle from = p.handles.get(old);
            OpenHandle copy = new OpenHandle(from == null ? null : from.path(), from == null ? null : from.access(),
                    c.bool(Keys.FILE_CLOEXEC));
            OpenHandle replaced = p.handles.put(handle, copy);
            rec.put("replacedPath", replaced == null ? null : replaced.path());
        }
        write(c, rec);
    }

    private void setCloexec(ProcessFiles p, SyscallCall c) {
        Long handle = c.number(Keys.FILE_HANDLE);
        if (c.failed() || handle == null) return;
        OpenHandle h = p.handles.get(handle);
        if (h != null) p.handles.put(handle, new OpenHandle(h.path(), h.access(), c.bool(Keys.FILE_CLOEXEC)));
    }

    // ---- helpers ----

    private Long handleOf(SyscallCall c) {
        Long h = c.number(Keys.FILE_HANDLE);
        return h != null ? h : c.number(Keys.RET);
    }

    private static OpenHandle lookUp(ProcessFiles p, Long handle) { return handle == null ? null : p.handles.get(handle); }

    private static String accessOf(ProcessFiles p, Long handle) {
        OpenHandle h = handle == null ? null : p.handles.get(handle);
        return h == null ? null : h.access();
    }

    private static String pathOf(ProcessFiles p, Long handle) {
        if (handle == null) return null;
        OpenHandle h = p.handles.get(handle);
        return h == null ? null : h.path();
    }

    private ProcessFiles process(SyscallCall c) {
        Integer pid = c.integer(Keys.PID);
        ProcessFiles last = lastProcess;
        if (pid != null && last != null && last.pid != null && last.pid.intValue() == pid) return last;
        String id = processId(c);
        ProcessFiles p = processes.get(id);
        if (p == null) {
            p = new ProcessFiles(id, new HandleTable(), null);
            processes.put(id, p);
        }
        return lastProcess = p;
    }

    /** The pid where the OS plugin knows it, else the address space (a process we cannot name yet). */
    private static String processId(SyscallCall c) {
        Integer pid = c.integer(Keys.PID);
        if (pid != null) return String.valueOf(pid);
        Long asid = c.number(Keys.ASID);
        return "asid 0x" + Long.toHexString(asid == null ? 0 : asid);
    }

    private FileStats stats(String path, ProcessFiles p, Long handle) {
        // "not seen opened": before tracing began, or inherited from whoever started the first process
        String key = path != null ? path : p.unknownFileKey(handle);
        FileStats s = stats.get(key);
        if (s == null) {
            s = new FileStats();
            stats.put(key, s);
        }
        s.processes.add(p.label());
        return s;
    }

    private Map<String, Object> record(ProcessFiles p, SyscallCall c, String op) {
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("seq", ++seq);
        rec.put("icount", c.number(Keys.ICOUNT));
        rec.put("pid", p.pid);
        rec.put("tid", c.integer(Keys.TID));
        rec.put("asid", c.number(Keys.ASID));
        rec.put("image", p.image);
        rec.put("op", op);
        return rec;
    }

    /** Writes the line built in {@link #line} and the record, and publishes the event if anyone receives it. */
    private void emit(ProcessFiles p, SyscallCall c, String topic, Map<String, Object> rec,
                      String path, Long handle, String access) {
        rec.put("result", c.number(Keys.RET));
        rec.put("ok", !c.failed());
        write(c, rec);
        if (!out.publishing()) return;
        Map<String, Object> props = new LinkedHashMap<>();
        putIfKnown(props, Keys.PID, c.integer(Keys.PID));
        putIfKnown(props, Keys.TID, c.integer(Keys.TID));
        putIfKnown(props, Keys.ASID, c.number(Keys.ASID));
        putIfKnown(props, Keys.ICOUNT, c.number(Keys.ICOUNT));
        putIfKnown(props, Keys.PROCESS_IMAGE, p.image);
        putIfKnown(props, Keys.FILE_HANDLE, handle);
        putIfKnown(props, Keys.FILE_PATH, path);
        putIfKnown(props, Keys.FILE_ACCESS, access);
        if (topic.equals(Topics.FILE_OPEN)) putIfKnown(props, Keys.FILE_ANONYMOUS, c.bool(Keys.FILE_ANONYMOUS));
        putIfKnown(props, Keys.FILE_BUFFER, c.number(Keys.FILE_BUFFER));
        putIfKnown(props, Keys.FILE_LENGTH, c.number(Keys.FILE_LENGTH));
        putIfKnown(props, Keys.RET, c.number(Keys.RET));
        out.publish(topic, props);
    }

    /** Writes the line built in {@link #line} and the record. */
    private void write(SyscallCall c, Map<String, Object> rec) {
        if (!rec.containsKey("result")) { rec.put("result", c.number(Keys.RET)); rec.put("ok", !c.failed()); }
        String text = line.toString();
        recent.addLast(text);
        if (recent.size() > RECENT_LINES) recent.removeFirst();
        out.logLine(text);
        out.jsonRecord(rec);
    }

    /** Starts the log line of an operation of {@code p}: {@code [pid image] }. */
    private StringBuilder startLine(ProcessFiles p) {
        line.setLength(0);
        return line.append(p.logPrefix());
    }

    private static StringBuilder openText(StringBuilder l, String name, String mode) {
        return l.append("open(name ").append(name == null ? "?" : name).append(", mode ").append(mode == null ? "?" : mode);
    }

    private static void putIfKnown(Map<String, Object> m, String k, Object v) { if (v != null) m.put(k, v); }

    /** A failed call's line ends with its error. */
    private static StringBuilder failure(StringBuilder l, SyscallCall c) {
        return c.failed() ? l.append(" -> error ").append(c.number(Keys.RET)) : l;
    }

    static String hex(Long v) {
        if (v == null) return "?";
        return v < 0 ? "-0x" + Long.toHexString(-v) : "0x" + Long.toHexString(v);
    }

    /** Appends {@link #hex(Long)} of {@code v} without making the string. */
    static StringBuilder hex(StringBuilder sb, Long v) {
        if (v == null) return sb.append('?');
        long x = v;
        if (x < 0) {
            sb.append('-');
            x = -x;   // Long.MIN_VALUE stays itself and prints unsigned, as Long.toHexString does
        }
        sb.append("0x");
        for (int shift = Math.max(0, 60 - (Long.numberOfLeadingZeros(x) & ~3)); shift >= 0; shift -= 4) {
            sb.append(HEX[(int) (x >>> shift) & 0xf]);
        }
        return sb;
    }

    // ---- queries (Gogo, summary) ----

    /** The last {@code n} log lines (at most {@value #RECENT_LINES} are kept). */
    public List<String> recentLines(int n) {
        List<String> all = new ArrayList<>(recent);
        return all.subList(Math.max(0, all.size() - n), all.size());
    }

    /** Handles open now, per process, with paths (a handle not seen opened is not listed). */
    public List<String> openHandles(String pidOrNull) {
        List<String> lines = new ArrayList<>();
        for (ProcessFiles p : processes.values()) {
            if (pidOrNull != null && !p.id.equals(pidOrNull)) continue;
            lines.add(p.id + " " + p.imageName() + (p.handles.inherited() ? "" : "  (handles not seen opened are not known)"));
            p.handles.view().forEach((h, oh) -> lines.add("  " + hex(h) + "  " + oh.path() + "  "
                    + (oh.access() == null ? "?" : oh.access()) + (Boolean.TRUE.equals(oh.cloexec()) ? "  cloexec" : "")));
        }
        return lines;
    }

    /** One line per file: opens, bytes read and written, and the processes that used it. */
    public List<String> summary() {
        List<String> lines = new ArrayList<>();
        lines.add(summaryLine("file", "opens", "bytes read", "bytes written", "processes"));
        for (Map.Entry<String, FileStats> e : stats.entrySet()) {
            FileStats s = e.getValue();
            lines.add(summaryLine(e.getKey(), Long.toString(s.opens), Long.toString(s.bytesRead), Long.toString(s.bytesWritten),
                    String.join(", ", s.processes)));
        }
        return lines;
    }

    /**
     * {@code String.format("%-40s %6s %12s %12s  %s", …)} spelled out: the summary is written while the
     * monitor stops, which the end of a run waits for, and a first String.format costs milliseconds there.
     */
    static String summaryLine(String file, String opens, String read, String written, String processes) {
        StringBuilder sb = new StringBuilder(96 + processes.length()).append(file);
        pad(sb, 40 - file.length());
        pad(sb.append(' '), 6 - opens.length());
        pad(sb.append(opens).append(' '), 12 - read.length());
        pad(sb.append(read).append(' '), 12 - written.length());
        return sb.append(written).append("  ").append(processes).toString();
    }

    private static void pad(StringBuilder sb, int spaces) {
        for (int i = 0; i < spaces; i++) sb.append(' ');
    }
}
