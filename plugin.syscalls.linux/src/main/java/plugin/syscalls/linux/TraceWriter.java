package plugin.syscalls.linux;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
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
 * <p>The writer works in batches. Waking a parked thread is a system call, and a writer woken for
 * each item would make one at nearly every call, and then run with cold caches for a single item. So
 * a vCPU thread wakes it only once {@link #WAKE_BATCH} items are waiting; otherwise it wakes itself
 * every {@link #IDLE_NANOS}. Events and lines are that much later, never out of order or lost.
 * {@link #sync} and {@link #stop} (off the vCPU thread) wake it at once.
 */
final class TraceWriter {
    /** Operations waiting; at a few hundred bytes each (the captured memory included) a few MiB at most. */
    static final int CAPACITY = 8192;
    /** Items queued that make a producer wake the writer; the writer's sleep when it is not woken (an idle tracer: 100 wake-ups a second). */
    static final int WAKE_BATCH = 64;
    static final long IDLE_NANOS = 10_000_000;

    /** What the writer does with one queued item. */
    interface Handler {
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

    private final ArrayBlockingQueue<Op> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final Handler handler;
    private final Consumer<String> report;
    private final Set<String> reported = new HashSet<>();
    private final Thread thread;
    private volatile boolean stopped;
    /** Items queued since the writer last took the queue's contents. */
    private final AtomicInteger waiting = new AtomicInteger();
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
                try {
                    if (queue.offer(op, 100, TimeUnit.MILLISECONDS)) {
                        if (waiting.incrementAndGet() == WAKE_BATCH) LockSupport.unpark(thread);
                        return;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
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

    private void run() {
        List<Op> batch = new ArrayList<>();
        while (true) {
            waiting.set(0);
            if (queue.drainTo(batch) == 0) {
                // an interrupt does not end the writer (only stop() does, so nothing queued is left
                // behind); cleared, or every park would return at once
                Thread.interrupted();
                LockSupport.parkNanos(this, IDLE_NANOS);
                continue;
            }
            for (Op op : batch) {
                if (!handle(op)) return;
            }
            batch.clear();
        }
    }

    /** Handles one item; false after the last one. */
    private boolean handle(Op op) {
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
                    return false;
                }
                default -> throw new IllegalStateException("unknown operation " + op.kind);
            }
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
            // one bad item (a failing event consumer, a full disk, a decoder bug) costs that item only
            String what = op.call == null ? "kind " + op.kind : op.call.name;
            if (reported.add(e.getClass().getName() + " " + what)) {
                report.accept("plugin.syscalls.linux: tracing " + what + " failed: " + e + " (reported once; the trace goes on)");
            }
        } finally {
            if (op.kind == SYNC) op.done.countDown();
        }
        return true;
    }
}
