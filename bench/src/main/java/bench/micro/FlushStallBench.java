package bench.micro;

import emulator.core.exec.MachineConfig.BackendKind;
import emulator.core.exec.Vcpu;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Guest stall per cache flush. Each invocation is a pair of runs of the guest loop to its {@code hlt}
 * (tiered backend, a fresh vCPU each on one machine, as in {@link GuestLoopBench}): one plain, one
 * with another thread calling {@link emulator.core.exec.Machine#flushAll()} every
 * {@value #FLUSH_EVERY_MS} ms, in alternating order. Each flush makes the guest stop at a safe point
 * and find its loop's code again. The stall per flush is (time of the flushed runs − time of the
 * plain ones) / the flushes they went through, from the auxiliary counters.
 *
 * <p>Why pairs inside one invocation rather than two benchmarks: the stall is a few per cent of a
 * run, and two benchmarks run one after the other, seconds apart, differ by more than that on a
 * shared machine. Adjacent runs of the same code in the same JVM see the same conditions.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class FlushStallBench {
    /** About 80 ms a run tiered: some 70 flushes at one per millisecond. */
    static final int ITERATIONS = 50_000_000;
    public static final long LOOP_INSNS = GuestLoop.insns(ITERATIONS);
    public static final int FLUSH_EVERY_MS = 1;

    private LoopMachine loop;
    /** The flushed run's flusher while it runs, else null; the halt hook reads it on the guest's thread (this one). */
    private Flusher flusher;
    private boolean flushedFirst;

    /**
     * Sums over an iteration (JMH zeroes them before each): the two kinds of runs' time, the flushes
     * the flushed runs went through, and the pairs. Only their ratios are used: JMH may run a few
     * invocations beside the timed ones.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Pairs {
        public long plainNanos, flushedNanos, flushes, pairs;
    }

    @Setup(Level.Trial)
    public void build() {
        loop = new LoopMachine(GuestLoop.assemble(ITERATIONS), BackendKind.TIERED, () -> {
            Flusher f = flusher;
            if (f != null) f.guestEnded();
        });
    }

    @Benchmark
    public void pairOfRuns(Pairs p) throws InterruptedException {
        flushedFirst = !flushedFirst;
        if (flushedFirst) flushedRun(p);
        plainRun(p);
        if (!flushedFirst) flushedRun(p);
        p.pairs++;
    }

    private void plainRun(Pairs p) {
        Vcpu cpu = loop.freshVcpu();
        long t0 = System.nanoTime();
        cpu.run();
        p.plainNanos += System.nanoTime() - t0;
        LoopMachine.expectCount("guest instructions", LOOP_INSNS, cpu.icount());
    }

    private void flushedRun(Pairs p) throws InterruptedException {
        Vcpu cpu = loop.freshVcpu();
        Flusher f = new Flusher(loop.machine, FLUSH_EVERY_MS);
        flusher = f;
        long t0 = System.nanoTime();
        f.go();
        cpu.run();
        p.flushedNanos += System.nanoTime() - t0;
        flusher = null;
        f.join();
        LoopMachine.expectCount("guest instructions", LOOP_INSNS, cpu.icount());
        p.flushes += f.flushes();
    }
}
