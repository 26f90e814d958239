package bench.micro;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Guest loop cost in ns per guest instruction, per backend and instrumentation ({@link LoopRun}).
 * Every run goes through the whole loop to its {@code hlt} on a fresh vCPU of a machine built once
 * per trial, so warm-up iterations translate and compile the loop (guest blocks to bytecode, bytecode
 * by the JIT) and the measured ones run that code; every run checks the vCPU completed exactly the
 * loop's instructions.
 *
 * <p>{@link #configsInTurn}: one invocation runs the loop once under each configuration that
 * compiles it, starting with a different one each time, and adds each run's time to that
 * configuration's counter. The instrumentation costs are differences of a few hundredths of a
 * nanosecond per instruction against the plain tiered loop; runs of the two milliseconds apart in
 * one JVM see the same machine, where two benchmarks run one after the other seconds apart do not
 * (a shared machine's speed drifts by more than those differences). Its primary score, the time of
 * the whole turn, is not used.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED"})
public class GuestLoopBench {
    /** About 3 ms a run tiered, 15 ms with a callback reading registers: the per-run setup is lost in it. */
    static final int ITERATIONS = 2_000_000;
    public static final long INSNS = GuestLoop.insns(ITERATIONS);
    /** The interpreter runs at about 40 ns per instruction: a shorter loop, a few ms a run too. */
    static final int INTERPRETER_ITERATIONS = 10_000;
    static final int INTERPRETER_INSNS = GuestLoop.OUTSIDE_BODY_INSNS + GuestLoop.BODY_INSNS * INTERPRETER_ITERATIONS;
    /** The configurations {@link #configsInTurn} runs, in the order of {@link Turns}' counters. */
    public static final String[] CONFIGS = {"tiered", "tiered+inline-counter", "tiered+callback", "tiered+callback-noregs", "compiled"};
    /** {@link Turns}' counter of each of {@link #CONFIGS}, in the same order (the names JMH reports them by). */
    public static final String[] COUNTERS = {"tieredNanos", "counterNanos", "callbackNanos", "callbackNoRegsNanos", "compiledNanos"};

    /** The loop under every configuration that compiles it, each on a machine of its own. */
    @State(Scope.Thread)
    public static class Compiling {
        final LoopRun[] runs = new LoopRun[CONFIGS.length];
        int first;

        @Setup(Level.Trial)
        public void build() {
            for (int c = 0; c < CONFIGS.length; c++) runs[c] = new LoopRun(CONFIGS[c], ITERATIONS);
        }
    }

    /**
     * Sums over an iteration (JMH zeroes them before each): each configuration's run time, and the
     * turns. Only ratios are used (time per run), as JMH may run a few invocations beside the timed ones.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Turns {
        public long tieredNanos, counterNanos, callbackNanos, callbackNoRegsNanos, compiledNanos, turns;

        void add(int config, long nanos) {
            switch (config) {
                case 0 -> tieredNanos += nanos;
                case 1 -> counterNanos += nanos;
                case 2 -> callbackNanos += nanos;
                case 3 -> callbackNoRegsNanos += nanos;
                case 4 -> compiledNanos += nanos;
                default -> throw new IllegalArgumentException("configuration " + config);
            }
        }
    }

    /** The loop in the IR interpreter alone. */
    @State(Scope.Thread)
    public static class Interpreting {
        LoopRun run;

        @Setup(Level.Trial)
        public void build() { run = new LoopRun("interpreted", INTERPRETER_ITERATIONS); }

        @Setup(Level.Invocation)
        public void freshVcpu() { run.prepare(); }
    }

    @Benchmark
    public void configsInTurn(Compiling s, Turns t) {
        int n = s.runs.length;
        for (int k = 0; k < n; k++) {
            int c = (s.first + k) % n;
            LoopRun run = s.runs[c];
            run.prepare();
            long t0 = System.nanoTime();
            run.runAndCheck();
            t.add(c, System.nanoTime() - t0);
        }
        s.first = (s.first + 1) % n;
        t.turns++;
    }

    @Benchmark
    @OperationsPerInvocation(INTERPRETER_INSNS)
    public long interpretedLoop(Interpreting s) { return s.run.runAndCheck(); }
}
