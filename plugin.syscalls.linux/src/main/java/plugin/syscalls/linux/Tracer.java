package plugin.syscalls.linux;

import emulator.api.Cpu;
import emulator.api.event.Keys;
import emulator.api.event.Topics;
import emulator.api.instrument.AddressSpaceFilter;
import emulator.api.instrument.CpuEventListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tracer proper, free of OSGi: a {@link CpuEventListener} that turns syscall instructions and
 * returns to user mode into calls ({@link CallTracker}), and calls into events, the trace files, the
 * statistics and the tail. The DS component {@link SyscallTracer} configures and registers it.
 */
public final class Tracer implements CpuEventListener, CallTracker.Sink, AutoCloseable {
    /** Where events go (EventAdmin.postEvent in the framework). */
    @FunctionalInterface
    public interface EventPublisher {
        void post(String topic, Map<String, Object> properties);
    }

    /** The settings, as the configuration gives them. */
    public record Settings(Path traceDir, boolean log, boolean jsonl, int stringLimit, String[] include, String[] exclude,
                           AddressSpaceFilter addressSpaces) {}

    private final CallTracker tracker;
    private final TraceFiles files;
    private final CallFilter filter;
    private final AddressSpaceFilter spaces;
    private final Stats stats = new Stats();
    private volatile EventPublisher events;

    public Tracer(Settings s, EventPublisher events) throws IOException {
        this.tracker = new CallTracker(this, Math.max(1, s.stringLimit()));
        this.files = s.log() || s.jsonl() ? new TraceFiles(s.traceDir(), s.log(), s.jsonl()) : null;
        this.filter = new CallFilter(s.include(), s.exclude());
        this.spaces = s.addressSpaces() == null ? AddressSpaceFilter.ALL : s.addressSpaces();
        this.events = events;
    }

    public void setEvents(EventPublisher p) { this.events = p; }

    // ---- CPU events (vCPU threads)

    @Override
    public void onSyscall(Cpu cpu) {
        synchronized (tracker) { tracker.onSyscall(cpu); }
    }

    @Override
    public void onPrivilegeChange(Cpu cpu, int from, int to) {
        if (to != 0) return;
        synchronized (tracker) { tracker.onReturnToUser(cpu); }
    }

    @Override
    public AddressSpaceFilter addressSpaces() { return spaces; }

    // ---- from the tracker

    @Override
    public void enter(Call c) {
        if (filter.accepts(c.name)) publish(Topics.SYSCALL_ENTER, c, false);
    }

    @Override
    public void exit(Call c) {
        if (!c.childSide) stats.add(c); // a fork child's return is no call of its own
        if (filter.accepts(c.name)) publish(Topics.SYSCALL_EXIT, c, true);
    }

    @Override
    public void record(Call c) {
        if (!filter.accepts(c.name)) return;
        stats.line(TraceFiles.straceLine(c));
        if (files != null) files.record(c);
    }

    @Override
    public void processExited(int pid, long asid, int status) {
        stats.line(TraceFiles.pidPrefix(pid) + "+++ exited with " + status + " +++");
        if (files != null) files.exited(pid, status);
    }

    private void publish(String topic, Call c, boolean exit) {
        EventPublisher p = events;
        if (p == null) return;
        Map<String, Object> m = new HashMap<>();
        m.put(Keys.OS, "linux");
        m.put(Keys.ARCH, c.arch.cpuName);
        m.put(Keys.ASID, c.asid);
        Integer pid = tracker.pidOf(c.asid);
        if (pid != null) { m.put(Keys.PID, pid); m.put(Keys.TID, c.tid != 0 ? c.tid : pid); }
        m.put(Keys.SP, c.sp);
        m.put(Keys.PC, c.pc);
        m.put(Keys.NUMBER, (int) c.nr);
        m.put(Keys.NAME, c.name);
        m.put(Keys.ARGS, c.args.clone());
        m.put(Keys.ARGS_TEXT, c.printedArgs());
        m.put(Keys.ICOUNT, exit ? c.icountExit : c.icountEnter);
        if (exit) {
            if (c.returned) m.put(Keys.RET, c.ret);
            m.put(Keys.RESULT, c.result);
        }
        for (Map.Entry<String, Object> e : c.semantics.entrySet()) {
            // the handle an open creates and a fork's child exist only at the exit
            if (!exit && (e.getKey().equals(Keys.PROCESS_CHILD))) continue;
            m.put(e.getKey(), e.getValue());
        }
        p.post(topic, m);
    }

    // ---- Gogo and lifecycle

    public String stats() { return stats.table(); }

    public List<String> tail(int n) { return stats.tail(n); }

    public long count(String name) { return stats.count(name); }

    public int pendingCalls() { synchronized (tracker) { return tracker.pendingCount(); } }

    /** Writes out what is buffered (held lines of unknown pids stay held until the end). */
    public void flush() {
        synchronized (tracker) { if (files != null) files.flush(); }
    }

    @Override
    public void close() throws IOException {
        synchronized (tracker) {
            tracker.flush();
            if (files != null) files.close();
        }
    }
}
