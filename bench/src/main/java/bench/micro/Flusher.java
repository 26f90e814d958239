package bench.micro;

import emulator.core.exec.Machine;
import java.util.concurrent.CountDownLatch;

/**
 * A thread that calls {@link Machine#flushAll()} every few milliseconds while one run of the guest
 * loop lasts, and counts the flushes the guest had to go through. A flush and the guest's
 * {@code hlt} take the same monitor, so a flush is counted only when it began before the guest
 * ended: the count is exact, never one made after the loop was over.
 */
final class Flusher {
    private final Machine machine;
    private final long periodMs;
    private final CountDownLatch start = new CountDownLatch(1);
    private final Thread thread;
    private boolean guestEnded;
    private long flushes;

    /** A flusher ready to begin; it waits for {@link #go()}. */
    Flusher(Machine machine, long periodMs) {
        this.machine = machine;
        this.periodMs = periodMs;
        thread = new Thread(this::flushUntilGuestEnds, "flusher");
        thread.setDaemon(true);
        thread.start();
    }

    /** The guest starts now: the first flush comes one period later. */
    void go() { start.countDown(); }

    /** Called on the guest's thread at its {@code hlt}: no flush after this one counts, or happens. */
    synchronized void guestEnded() { guestEnded = true; }

    /** Flushes made while the guest ran; final once the guest has ended. */
    synchronized long flushes() { return flushes; }

    /** Waits for the thread to notice the end (outside the measured time). */
    void join() throws InterruptedException {
        thread.interrupt();
        thread.join();
    }

    private void flushUntilGuestEnds() {
        try {
            start.await();
            while (true) {
                Thread.sleep(periodMs);
                // Holding the monitor while flushing cannot deadlock: flushAll() waits only for vCPUs in
                // guest code, and a guest blocked in guestEnded() is in the emulated kernel.
                synchronized (this) {
                    if (guestEnded) return;
                    machine.flushAll();
                    flushes++;
                }
            }
        } catch (InterruptedException e) {
            // join(): the run is over
        }
    }
}
