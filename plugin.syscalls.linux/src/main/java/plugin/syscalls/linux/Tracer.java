package plugin.syscalls.linux;

import emulator.api.Cpu;
import emulator.api.event.Keys;
import emulator.api.event.Topics;
import emulator.api.instrument.AddressSpaceFilter;
import emulator.api.instrument.CpuEventListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import plugin.syscalls.linux.decode.Decoder;

/**
 * The tracer proper, free of OSGi: a {@link CpuEventListener} that turns syscall instructions and
 * returns to user mode into calls ({@link CallTracker}), and calls into events, the trace files, the
 * statistics and the tail. The DS component {@link SyscallTracer} configures and registers it.
 *
 * <p>Two threads do the work. On the vCPU thread, only what must happen at the instant of the call:
 * the tracker reads the registers, pairs the call and copies the guest memory its decoding needs.
 * Everything else — decoding, the log lines, JSON, statistics, events — is done by one
 * {@link TraceWriter} thread, in the order the calls were queued. {@link #close} and {@link #flush}
 * (and the Gogo views) first wait until it has caught up, so what they show or leave is complete.
 */
public final class Tracer implements CpuEventListener, CallTracker.Sink, AutoCloseable {
    /** Where events go (EventAdmin.sendEvent in the framework). Called on the trace writer's thread, in order. */
    @FunctionalInterface
    public interface EventPublisher {
        void post(String topic, Map<String, Object> properties);

        /**
         * Whether an event of {@code topic} would reach any handler now. When not, the writer builds
         * no event at all: the properties, EventAdmin's look-up of handlers and its permission checks
         * cost a few microseconds per event, twice per call, for nobody (and that code, hot, was
         * compiled at the JIT's top tier on the core the guest's own compilations wait for).
         */
        default boolean wanted(String topic) { return true; }
    }

    /** The settings, as the configuration gives them. */
    public record Settings(Path traceDir, boolean log, boolean jsonl, int stringLimit, String[] include, String[] exclude,
                           AddressSpaceFilter addressSpaces) {}

    private final CallTracker tracker;
    private final AddressSpaceFilter spaces;
    private final TraceWriter writer;
    private final Output output;
    private volatile boolean closed;

    public Tracer(Settings s, EventPublisher events) throws IOException {
        int limit = Math.max(1, s.stringLimit());
        this.tracker = new CallTracker(this, limit);
        this.spaces = s.addressSpaces() == null ? AddressSpaceFilter.ALL : s.addressSpaces();
        this.output = new Output(s.log() || s.jsonl() ? new TraceFiles(s.traceDir(), s.log(), s.jsonl()) : null,
                new CallFilter(s.include(), s.exclude()), new CallDecoding(limit, System.err::println), events);
        this.writer = new TraceWriter(output, System.err::println);
    }

    public void setEvents(EventPublisher p) { output.events = p; }

    // ---- CPU events (vCPU threads)

    @Override
    public void onSyscall(Cpu cpu) {
        if (closed) return;
        synchronized (tracker) {
            if (!closed) tracker.onSyscall(cpu);
        }
    }

    @Override
    public void onPrivilegeChange(Cpu cpu, int from, int to) {
        if (to != 0 || closed) return;
        synchronized (tracker) {
            if (!closed) tracker.onReturnToUser(cpu);
        }
    }

    @Override
    public AddressSpaceFilter addressSpaces() { return spaces; }

    // ---- from the tracker (vCPU thread, under its lock): queued for the writer

    @Override
    public void enter(Call c, Integer pid) { writer.enter(c, pid, tidFor(c, pid)); }

    @Override
    public void exit(Call c, Integer pid) { writer.exit(c, pid, tidFor(c, pid)); }

    @Override
    public void record(Call c) { writer.record(c); }

    @Override
    public void processExited(int pid, long asid, int status) { writer.exited(pid, status); }

    private static int tidFor(Call c, Integer pid) {
        return c.tid != 0 ? c.tid : pid == null ? 0 : pid;
    }

    // ---- Gogo and lifecycle (any thread)

    public String stats() {
        writer.sync(false);
        return output.stats.table();
    }

    public List<String> tail(int n) {
        writer.sync(false);
        return output.stats.tail(n);
    }

    public long count(String name) {
        writer.sync(false);
        return output.stats.count(name);
    }

    public int pendingCalls() { synchronized (tracker) { return tracker.pendingCount(); } }

    /** Calls whose decoding threw, and calls whose decoding read memory the capture had not copied (both bugs; 0 expected). */
    public long decodingFailures() {
        writer.sync(false);
        long captures;
        synchronized (tracker) { captures = tracker.captureFailures(); }
        return captures + output.decoding.failures() + output.decoding.captureMisses();
    }

    /** Writes out everything traced so far (held lines of unknown pids stay held until the end). */
    public void flush() {
        writer.sync(true);
    }

    /** The writer thread's id (for the cost measurement: its CPU time). */
    long writerThreadId() { return writer.threadId(); }

    @Override
    public void close() throws IOException {
        synchronized (tracker) {
            if (closed) return;
            closed = true;
            tracker.flush(); // releases held lines into the queue
        }
        writer.stop();
        IOException e = output.closeFailure;
        if (e != null) throw e;
    }

    /** The writer thread's side: decoding, text, statistics, events. */
    private static final class Output implements TraceWriter.Handler {
        final TraceFiles files;
        final CallFilter filter;
        final CallDecoding decoding;
        final Stats stats = new Stats();
        volatile EventPublisher events;
        volatile IOException closeFailure;

        Output(TraceFiles files, CallFilter filter, CallDecoding decoding, EventPublisher events) {
            this.files = files;
            this.filter = filter;
            this.decoding = decoding;
            this.events = events;
        }

        @Override
        public void prepare() { Decoder.prepare(); }

        @Override
        public void enter(Call c, Integer pid, int tid) {
            EventPublisher p = events;
            // the entry's semantics travel in the ENTER event and again in the EXIT event
            decoding.entered(c, p != null && (p.wanted(Topics.SYSCALL_ENTER) || p.wanted(Topics.SYSCALL_EXIT)));
            if (filter.accepts(c)) publish(Topics.SYSCALL_ENTER, c, pid, tid, false);
        }

        @Override
        public void exit(Call c, Integer pid, int tid) {
            EventPublisher p = events;
            decoding.exited(c, p != null && p.wanted(Topics.SYSCALL_EXIT));
            if (!c.childSide) stats.add(c); // a fork child's return is no call of its own
            if (filter.accepts(c)) publish(Topics.SYSCALL_EXIT, c, pid, tid, true);
        }

        @Override
        public void record(Call c) {
            if (!filter.accepts(c)) return;
            String line = TraceFiles.straceLine(c);
            stats.line(line);
            if (files != null) files.record(c, line);
        }

        @Override
        public void exited(int pid, int status) {
            String line = TraceFiles.pidPrefix(pid) + "+++ exited with " + status + " +++";
            stats.line(line);
            if (files != null) files.line(line);
        }

        @Override
        public void flush() {
            if (files != null) files.flush();
        }

        @Override
        public void close() {
            if (files == null) return;
            try {
                files.close();
            } catch (IOException e) {
                closeFailure = e;
            } catch (UncheckedIOException e) {
                closeFailure = e.getCause();
            }
        }

        private void publish(String topic, Call c, Integer pid, int tid, boolean exit) {
            EventPublisher p = events;
            if (p == null || !p.wanted(topic)) return;
            Map<String, Object> m = new HashMap<>(32);
            m.put(Keys.OS, "linux");
            m.put(Keys.ARCH, c.arch.cpuName);
            m.put(Keys.ASID, c.asid);
            if (pid != null) { m.put(Keys.PID, pid); m.put(Keys.TID, tid); }
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
                if (!exit && e.getKey().equals(Keys.PROCESS_CHILD)) continue;
                m.put(e.getKey(), e.getValue());
            }
            p.post(topic, m);
        }
    }
}
