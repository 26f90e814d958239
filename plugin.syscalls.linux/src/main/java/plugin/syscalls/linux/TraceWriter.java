package plugin.syscalls.linux;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The one thread that turns raw calls into text and events, in the order the vCPU threads queued
 * them: decoding ({@link CallDecoding}), {@code syscalls.log} and {@code syscalls.jsonl}, the
 * statistics and the tail, and the EventAdmin events (so events keep their order: ENTER before EXIT,
 * and per vCPU as the calls happened).
 *
 * <p>The queue is bounded: when the writer falls behind, a vCPU thread waits for room rather than
 * anything being dropped. {@link #sync} waits until everything queued before it is done.
 *
 * <p>A vCPU thread never wakes the writer (unless the queue is full); the writer wakes itself every
 * {@link #IDLE_NANOS} and takes everything queued. Waking a parked thread from the vCPU thread was
 * the largest cost of tracing on a busy machine: the woken writer, which had slept, took the vCPU's
 * core at once (the scheduler favours it) and kept it for its whole batch — 1.8 ms per wake-up, 0.2 s
 * in a busybox sha256sum of 16 MiB (measured with both cores loaded), against 30 ms of work in the
 * callbacks themselves. The queue is lock-free for the same reason: a writer descheduled while holding
 * the queue's lock held up the vCPU behind it. Events and lines come that much later, never out of order or lost. {@link #sync} and
 * {@link #stop} (off the vCPU thread) wake the writer at once.
 */
final class TraceWriter {
    /** Operations waiting; at a few hundred bytes each (the captured memory included) a few MiB at most. */
    static final int CAPACITY = 8192;
    /** The writer's sleep between two looks at the queue: 100 wake-ups a second, each taking everything queued. */
    static final long IDLE_NANOS = 10_000_000;
    /** How long a producer that found the queue full sleeps before it looks again (it wakes the writer first). */
    static final long FULL_NANOS = 200_000;

    /** What the writer does with one queued item. */
    interface Handler {
        /** Called first, on the writer thread: load what handling needs (see {@link plugin.syscalls.linux.decode.Decoder#prepare}). */
        void prepare();

        void enter(Call c, Integer pid, int tid);

        void exit(Call c, Integer pid, int tid);

        void record(Call c);

        void exited(int pid, int status);

        /** Writes out buffered text (the log files). */
        void flush();

        /** The last item: close the files. */
        void close();
    }

    private static final int ENTER = 0, EXIT = 1, RECORD = 2, EXITED = 3, SYNC = 4, STOP = 5;

    /** One queued item; {@code number} is the tid (ENTER, EXIT) or the exit status (EXITED). */
    private record Op(int kind, Call call, Integer pid, int number, boolean flush, CountDownLatch done) {}

    private final ConcurrentLinkedQueue<Op> queue = new ConcurrentLinkedQueue<>();
    /** Items in {@link #queue} and being queued: taken by a producer before it adds one, given back by the writer. */
    private final AtomicInteger queued = new AtomicInteger();
    private final Handler handler;
    private final Consumer<String> report;
    private final Set<String> reported = new HashSet<>();
    private final Thread thread;
    private volatile boolean stopped;
    private final AtomicBoolean reportedGone = new AtomicBoolean();

    TraceWriter(Handler handler, Consumer<String> report) {
        this.handler = handler;
        this.report = report;
        this.thread = Thread.ofPlatform().name("plugin.syscalls.linux-writer").daemon().unstarted(this::run);
        thread.start();
    }

    // ---- producers (vCPU threads; sync and stop from any thread)

    void enter(Call c, Integer pid, int tid) { put(new Op(ENTER, c, pid, tid, false, null)); }

    void exit(Call c, Integer pid, int tid) { put(new Op(EXIT, c, pid, tid, false, null)); }

    void record(Call c) { put(new Op(RECORD, c, null, 0, false, null)); }

    void exited(int pid, int status) { put(new Op(EXITED, null, pid, status, false, null)); }

    /**
     * Returns once everything queued before has been handled, and written to the files when
     * {@code flush}. From the writer thread itself (an event handler called synchronously), it returns
     * at once: everything before the current item is done already.
     */
    void sync(boolean flush) {
        if (Thread.currentThread() == thread || stopped) return;
        CountDownLatch done = new CountDownLatch(1);
        put(new Op(SYNC, null, null, 0, flush, done));
        LockSupport.unpark(thread);
        awaitUninterruptibly(done);
    }

    /** Handles everything queued, closes the files and ends the thread. */
    void stop() {
        if (stopped || Thread.currentThread() == thread) return;
        CountDownLatch done = new CountDownLatch(1);
        put(new Op(STOP, null, null, 0, true, done));
        LockSupport.unpark(thread);
        awaitUninterruptibly(done);
    }

    /**
     * Waits for room rather than dropping anything; an interrupt is kept for the caller to see
     * afterwards. Only a writer that is gone (stopped, or killed by an error) loses the item.
     */
    private void put(Op op) {
        boolean interrupted = false;
        try {
            while (!stopped && thread.isAlive()) {
                int n = queued.get();
                if (n < CAPACITY) {
                    if (queued.compareAndSet(n, n + 1)) {
                        queue.offer(op);
                        return;
                    }
                    continue;
                }
                LockSupport.unpark(thread);
                LockSupport.parkNanos(this, FULL_NANOS);
                if (Thread.interrupted()) interrupted = true; // else every park would return at once
            }
            if (!stopped && reportedGone.compareAndSet(false, true)) {
                report.accept("plugin.syscalls.linux: the trace writer thread has ended; calls are no longer traced");
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** Waits for the writer to reach an item (or to be gone, when it can never reach it). */
    private void awaitUninterruptibly(CountDownLatch done) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (done.await(100, TimeUnit.MILLISECONDS) || !thread.isAlive()) return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    long threadId() { return thread.threadId(); }

    // ---- the writer thread

    /**
     * The dispatch is in this loop, not in a method called for each item: such a method, called three
     * times per system call, reached the JIT's top tier within a few thousand calls and was compiled
     * with everything it calls inlined — decoding, files, events — in one compilation of up to a tenth of
     * a second on the compiler thread that the guest's own code waits for. The handlers, called once per call,
     * stay at the first tier in a short run; a long one gets this loop compiled like any hot code.
     */
    private void run() {
        try {
            handler.prepare();
        } catch (RuntimeException | LinkageError e) {
            report.accept("plugin.syscalls.linux: preparing the decoding failed: " + e + " (the first calls load it instead)");
        }
        while (true) {
            Op op = queue.poll();
            if (op == null) {
                // an interrupt does not end the writer (only stop() does, so nothing queued is left
                // behind); cleared, or every park would return at once
                Thread.interrupted();
                LockSupport.parkNanos(this, IDLE_NANOS);
                continue;
            }
            queued.decrementAndGet();
            try {
                switch (op.kind) {
                    case ENTER -> handler.enter(op.call, op.pid, op.number);
                    case EXIT -> handler.exit(op.call, op.pid, op.number);
                    case RECORD -> handler.record(op.call);
                    case EXITED -> handler.exited(op.pid, op.number);
                    case SYNC -> { if (op.flush) handler.flush(); }
                    case STOP -> {
                        stopped = true;
                        try { handler.close(); } finally { op.done.countDown(); }
                        return;
                    }
                    default -> throw new IllegalStateException("unknown operation " + op.kind);
                }
            } catch (RuntimeException | LinkageError | StackOverflowError e) {
                failed(op, e);
            } finally {
                if (op.kind == SYNC) op.done.countDown();
            }
        }
    }

    /** One bad item (a failing event consumer, a full disk, a decoder bug) costs that item only. */
    private void failed(Op op, Throwable e) {
        String what = op.call == null ? "kind " + op.kind : op.call.name;
        if (reported.add(e.getClass().getName() + " " + what)) {
            report.accept("plugin.syscalls.linux: tracing " + what + " failed: " + e + " (reported once; the trace goes on)");
        }
    }
}
