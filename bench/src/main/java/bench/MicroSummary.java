package bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

/**
 * JMH's results of {@code bench.micro} as the report's micro map: {@code insnCost}, {@code hotPlug},
 * {@code flushStall} and the JMH {@code settings} of each. A figure measured in rounds
 * ({@link MicroRunner}) is the median over the rounds of each round's value, a difference of two
 * configurations taken within each round; beside it, as {@code …Low} / {@code …High} /
 * {@code …Coverage}, the interval of order statistics that holds the true median with at least 95 %
 * confidence ({@link Stats#medianInterval}; with 6 rounds, their least and greatest, 97 %). A result
 * that is missing throws: the micro-benchmarks then count as failed.
 */
final class MicroSummary {
    private static final String LOOP = "bench.micro.GuestLoopBench.configsInTurn";
    private static final String INTERPRETED = "bench.micro.GuestLoopBench.interpretedLoop";
    private static final String HOT_PLUG = "bench.micro.HotPlugBench.";
    private static final String FLUSH = "bench.micro.FlushStallBench.pairOfRuns";

    private final List<Collection<RunResult>> rounds;
    private final Collection<RunResult> hotPlugResults;

    private MicroSummary(List<Collection<RunResult>> rounds, Collection<RunResult> hotPlug) {
        this.rounds = rounds;
        this.hotPlugResults = hotPlug;
    }

    static Map<String, Object> of(List<Collection<RunResult>> rounds, Collection<RunResult> hotPlug) {
        MicroSummary s = new MicroSummary(rounds, hotPlug);
        Collection<RunResult> first = rounds.get(0);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jmhVersion", find(first, LOOP, null, null).getParams().getJmhVersion());
        m.put("rounds", rounds.size());
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("loop", settings(find(first, LOOP, null, null).getParams()));
        settings.put("hotPlug", settings(find(hotPlug, HOT_PLUG + "installToFirstCallback", null, null).getParams()));
        settings.put("flushStall", settings(find(first, FLUSH, null, null).getParams()));
        m.put("settings", settings);
        m.put("insnCost", s.insnCost());
        m.put("hotPlug", s.hotPlug());
        m.put("flushStall", s.flushStall());
        return m;
    }

    /**
     * Per-instruction cost of each loop configuration, and of the instrumentation: in each round, the
     * difference to the tiered runs of the same turns (see {@link bench.micro.GuestLoopBench}).
     */
    private Map<String, Object> insnCost() {
        Collection<RunResult> first = rounds.get(0);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loopInsns", bench.micro.GuestLoopBench.INSNS);
        m.put("interpreterLoopInsns", find(first, INTERPRETED, null, null).getParams().getOpsPerInvocation());
        String[] configs = bench.micro.GuestLoopBench.CONFIGS, counters = bench.micro.GuestLoopBench.COUNTERS;
        for (int c = 0; c < configs.length; c++) {
            String counter = counters[c];
            overRounds(m, configs[c] + "NsPerInsn", r -> nsPerInsn(r, counter));
        }
        overRounds(m, "interpretedNsPerInsn", r -> find(r, INTERPRETED, null, null).getPrimaryResult().getScore());
        // the instrumented configurations (1-3) against the plain tiered one (0), turn by turn
        String[] costs = {"inlineCounterNsPerInsn", "callbackNsPerInsn", "callbackNoRegsNsPerInsn"};
        for (int c = 1; c <= costs.length; c++) {
            String counter = counters[c];
            overRounds(m, costs[c - 1], r -> nsPerInsn(r, counter) - nsPerInsn(r, counters[0]));
        }
        return m;
    }

    /** A configuration's time per guest instruction in one round's turns. */
    private static double nsPerInsn(Collection<RunResult> round, String counter) {
        RunResult r = find(round, LOOP, null, null);
        return counter(r, counter) / counter(r, "turns") / bench.micro.GuestLoopBench.INSNS;
    }

    /** Single-shot samples: median and max, as a mean of a few long-tailed latencies says little. */
    private Map<String, Object> hotPlug() {
        Map<String, Object> m = new LinkedHashMap<>();
        Statistics first = find(hotPlugResults, HOT_PLUG + "installToFirstCallback", null, null).getPrimaryResult().getStatistics();
        Statistics returns = find(hotPlugResults, HOT_PLUG + "installCallReturns", null, null).getPrimaryResult().getStatistics();
        m.put("samples", first.getN());
        m.put("installToFirstCallbackUsMedian", first.getPercentile(50));
        m.put("installToFirstCallbackUsMax", first.getMax());
        m.put("installCallReturnsUsMedian", returns.getPercentile(50));
        m.put("installCallReturnsUsMax", returns.getMax());
        return m;
    }

    /** Per round: (flushed runs' time − plain runs' time) / flushes, in µs. */
    private Map<String, Object> flushStall() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loopInsns", bench.micro.FlushStallBench.LOOP_INSNS);
        m.put("flushEveryMs", bench.micro.FlushStallBench.FLUSH_EVERY_MS);
        long flushes = 0, pairs = 0;
        for (Collection<RunResult> r : rounds) {
            RunResult f = find(r, FLUSH, null, null);
            if (counter(f, "flushes") <= 0) throw new IllegalStateException("no flush reached the guest in " + FLUSH);
            flushes += (long) counter(f, "flushes");
            pairs += (long) counter(f, "pairs");
        }
        m.put("pairs", pairs);
        m.put("flushesPerRun", (double) flushes / pairs);
        overRounds(m, "plainMsPerRun", r -> {
            RunResult f = find(r, FLUSH, null, null);
            return counter(f, "plainNanos") / counter(f, "pairs") / 1e6;
        });
        overRounds(m, "stallPerFlushUs", r -> {
            RunResult f = find(r, FLUSH, null, null);
            return (counter(f, "flushedNanos") - counter(f, "plainNanos")) / counter(f, "flushes") / 1e3;
        });
        return m;
    }

    /** key: the median over the rounds of {@code value}; key + Low/High/Coverage: its interval. */
    private void overRounds(Map<String, Object> m, String key, ToDoubleFunction<Collection<RunResult>> value) {
        List<Double> v = new ArrayList<>();
        for (Collection<RunResult> r : rounds) v.add(value.applyAsDouble(r));
        m.put(key, Stats.median(v));
        double[] ci = Stats.medianInterval(v, 0.95);
        m.put(key + "Low", ci[0]);
        m.put(key + "High", ci[1]);
        m.put(key + "Coverage", ci[2]);
    }

    /** The result of {@code benchmark} with parameter {@code param} = {@code value} (param null: the only one). */
    private static RunResult find(Collection<RunResult> results, String benchmark, String param, String value) {
        for (RunResult r : results) {
            BenchmarkParams p = r.getParams();
            if (p.getBenchmark().equals(benchmark) && (param == null || value.equals(p.getParam(param)))) return r;
        }
        throw new IllegalStateException("no JMH result for " + benchmark + (param == null ? "" : " " + param + "=" + value));
    }

    /** An auxiliary counter's total over the measured iterations. */
    private static double counter(RunResult r, String name) {
        Result s = r.getSecondaryResults().get(name);
        if (s == null) throw new IllegalStateException("no counter " + name + " in " + r.getParams().getBenchmark());
        return s.getScore();
    }

    /** "average time, 1 fork × (3 × 500 ms warm-up, 4 × 500 ms measured)". */
    static String settings(BenchmarkParams p) {
        boolean single = p.getMode() == Mode.SingleShotTime;
        String mode = switch (p.getMode()) {
            case AverageTime -> "average time";
            case SingleShotTime -> "single shot";
            default -> p.getMode().longLabel();
        };
        return String.format(Locale.ROOT, "%s, %d fork%s × (%s warm-up, %s measured)", mode, p.getForks(),
                p.getForks() == 1 ? "" : "s", iterations(p.getWarmup(), single), iterations(p.getMeasurement(), single));
    }

    private static String iterations(IterationParams i, boolean single) {
        if (single) return i.getCount() + (i.getCount() == 1 ? " sample" : " samples");
        TimeValue t = i.getTime();
        return i.getCount() + " × " + t.getTime() + " " + unit(t);
    }

    private static String unit(TimeValue t) {
        return switch (t.getTimeUnit()) {
            case SECONDS -> "s";
            case MILLISECONDS -> "ms";
            case MICROSECONDS -> "µs";
            default -> t.getTimeUnit().toString().toLowerCase(Locale.ROOT);
        };
    }
}
