package emulator.stacks.it;

import java.util.function.LongConsumer;

/**
 * Receives the counter plugin's callbacks (on the vCPU thread; the test thread reads). A contiguous
 * stream is 1, 2, 3, … with no gap; once {@link #close}d it must receive nothing.
 */
final class Sink implements LongConsumer {
    private volatile long calls, last, gaps, afterClose;
    private volatile boolean closed;

    @Override
    public void accept(long counter) {
        if (closed) afterClose++;
        if (counter != last + 1) gaps++;
        last = counter;
        calls++;
    }

    void close() { closed = true; }
    long calls() { return calls; }
    long gaps() { return gaps; }
    long afterClose() { return afterClose; }
    long last() { return last; }
}
