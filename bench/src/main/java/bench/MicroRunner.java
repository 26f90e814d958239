package bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the engine micro-benchmarks (package {@code bench.micro}) with JMH's {@link Runner}, in forked
 * JVMs that get this JVM's class path, and sums them up for the report ({@link MicroSummary}).
 *
 * <p>The loop and flush benchmarks run in {@value #ROUNDS} rounds of one fork each, and the report
 * gives the median over the rounds with the interval of order statistics around it: the spread of
 * whole forks, which JMH's error within a fork does not show. The differences they measure (an
 * instrumentation's cost, a flush's stall) are taken inside each invocation, between runs
 * milliseconds apart (see the benchmarks). The hot-plug samples run once, after the rounds.
 * {@code --quick} (CI, only keeping the harness working) makes it one round of one short warm-up
 * and three short measured iterations.
 * JMH's own results and progress go to {@code jmh/} in the results folder, one file per run.
 */
final class MicroRunner {
    static final int ROUNDS = 6;
    private static final String ROUNDS_INCLUDE = "^bench\\.micro\\.(GuestLoopBench|FlushStallBench)\\.";
    private static final String HOT_PLUG_INCLUDE = "^bench\\.micro\\.HotPlugBench\\.";

    private MicroRunner() {}

    /** The micro map of the report: ok=false and a reason when JMH or a benchmark failed. */
    static Map<String, Object> run(Path results, boolean quick) {
        Path dir = results.resolve("jmh");
        Map<String, Object> m = new LinkedHashMap<>();
        try {
            Files.createDirectories(dir);
            int rounds = quick ? 1 : ROUNDS;
            List<Collection<RunResult>> perRound = new ArrayList<>();
            for (int r = 1; r <= rounds; r++) {
                ChainedOptionsBuilder o = options(dir, "round-" + r, quick).include(ROUNDS_INCLUDE).forks(1);
                if (!quick) o.warmupIterations(3).warmupTime(TimeValue.seconds(1))
                        .measurementIterations(4).measurementTime(TimeValue.seconds(1));
                perRound.add(new Runner(o.build()).run());
            }
            Collection<RunResult> hotPlug = new Runner(options(dir, "hot-plug", quick).include(HOT_PLUG_INCLUDE).build()).run();
            m.put("ok", true);
            m.putAll(MicroSummary.of(perRound, hotPlug));
        } catch (Exception e) { // RunnerException, IOException, or a result the summary cannot use
            m.clear();
            m.put("ok", false);
            m.put("reason", causes(e) + " (JMH's output: " + dir + ")");
        }
        m.put("jmhResults", dir.toString());
        return m;
    }

    static ChainedOptionsBuilder options(Path dir, String name, boolean quick) {
        ChainedOptionsBuilder b = new OptionsBuilder()
                // as bench/run starts the JVM: guest memory accesses without the second bounds check
                .jvmArgsAppend("--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED")
                .shouldFailOnError(true) // a wrong instruction count must fail the run, not drop one row
                .result(dir.resolve(name + ".json").toString())
                .resultFormat(ResultFormatType.JSON)
                .output(dir.resolve(name + ".log").toString());
        if (quick) {
            b.forks(1)
                    .warmupIterations(1).warmupTime(TimeValue.milliseconds(200))
                    .measurementIterations(3).measurementTime(TimeValue.milliseconds(200));
        }
        return b;
    }

    /** The messages of {@code e}, its causes and what they suppressed (JMH keeps a benchmark's own exception there). */
    private static String causes(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (!sb.isEmpty()) sb.append(": ");
            sb.append(t.getMessage() != null ? t.getMessage() : t.getClass().getName());
            for (Throwable s : t.getSuppressed()) sb.append(" [").append(causes(s)).append(']');
        }
        return sb.toString().replace('\n', ' ');
    }
}
