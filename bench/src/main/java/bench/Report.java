package bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Medians per cell (workload × arch × configuration), ratios, and the Markdown tables. */
final class Report {
    private final Map<String, Object> doc;
    private final List<Map<String, Object>> runs;
    private final Map<String, Object> micro;
    private final boolean quick;
    private final Map<String, Map<String, Object>> cells = new LinkedHashMap<>();
    /** Each traced cell's paired ratios (see {@link #pairedRatios}), by cell key and measure: for the pooled figures. */
    private final Map<String, List<Double>> overheadRatios = new LinkedHashMap<>();

    Report(Map<String, Object> doc, List<Map<String, Object>> runs, Map<String, Object> micro, boolean quick) {
        this.doc = doc;
        this.runs = runs;
        this.micro = micro;
        this.quick = quick;
        for (Map<String, Object> r : runs) cells.computeIfAbsent(key(r), k -> aggregate(r)).size();
        derive();
    }

    static String key(Map<String, Object> r) { return r.get("workload") + "|" + r.get("arch") + "|" + r.get("config"); }

    List<Map<String, Object>> cells() { return new ArrayList<>(cells.values()); }

    private Map<String, Object> cell(String w, String arch, String config) { return cells.get(w + "|" + arch + "|" + config); }

    private Map<String, Object> aggregate(Map<String, Object> first) {
        String k = key(first);
        List<Map<String, Object>> mine = runs.stream().filter(r -> key(r).equals(k)).toList();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("workload", first.get("workload"));
        c.put("arch", first.get("arch"));
        c.put("config", first.get("config"));
        c.put("inputBytes", first.get("inputBytes"));
        c.put("runs", mine.size());
        for (Map<String, Object> r : mine) {
            if (!Boolean.TRUE.equals(r.get("ok"))) {
                c.put("ok", false);
                c.put("reason", r.get("reason"));
                return c; // never report the speed of a wrong or missing result
            }
        }
        c.put("ok", true);
        c.put("wholeS", median(mine, "wholeNs") / 1e9);
        if (mine.stream().allMatch(r -> r.get("cpuNs") instanceof Number)) c.put("cpuS", median(mine, "cpuNs") / 1e9);
        List<Number> warm = new ArrayList<>();
        for (Map<String, Object> r : mine) if (r.get("warmNs") instanceof List<?> l) for (Object o : l) warm.add((Number) o);
        if (!warm.isEmpty()) {
            double cold = median(mine, "coldNs") / 1e9, steady = Stats.median(warm) / 1e9;
            c.put("coldS", cold);
            c.put("steadyS", steady);
            if (mine.stream().allMatch(r -> r.get("secondNs") instanceof Number)) c.put("secondS", median(mine, "secondNs") / 1e9);
            c.put("warmupShare", (cold - steady) / cold);
            c.put("jvmStartS", median(mine, "jvmStartMs") / 1e3);
            long icount = ((Number) mine.getFirst().get("icount")).longValue();
            c.put("icount", icount);
            c.put("guestInsnPerS", icount / steady);
            c.put("heapPeakMiB", max(mine, "heapPeakBytes") / 1048576.0);
            Double afterGc = max(mine, "heapAfterGcBytes");
            if (afterGc != null) c.put("heapAfterGcMiB", afterGc / 1048576.0);
        }
        if (mine.getFirst().get("traceBytes") != null) c.put("traceBytes", mine.getFirst().get("traceBytes"));
        Double rss = max(mine, "rssKb");
        if (rss != null) c.put("rssPeakMiB", rss / 1024.0);
        return c;
    }

    /** Ratios against QEMU and native, and the instrumentation costs, from other cells. */
    private void derive() {
        for (Map<String, Object> c : cells.values()) {
            if (!Boolean.TRUE.equals(c.get("ok"))) continue;
            String w = (String) c.get("workload"), a = (String) c.get("arch"), cfg = (String) c.get("config");
            Map<String, Object> q = cell(w, a, "qemu"), n = cell(w, a, "native"), plain = cell(w, a, "abiscope");
            boolean sameInput = q != null && c.get("inputBytes").equals(q.get("inputBytes"));
            double own = c.containsKey("steadyS") ? (double) c.get("steadyS") : (double) c.get("wholeS");
            if (sameInput && ok(q)) {
                c.put("vsQemu", own / (double) q.get("wholeS"));
                c.put("wholeVsQemu", (double) c.get("wholeS") / (double) q.get("wholeS"));
            }
            if (sameInput && ok(n)) {
                c.put("vsNative", own / (double) n.get("wholeS"));
                c.put("wholeVsNative", (double) c.get("wholeS") / (double) n.get("wholeS"));
            }
            // First runs against first runs: instrumented code is never shared between runs (it names a
            // plugin's objects), so an instrumented second run compiles everything again while the plain
            // one reuses its code, and second runs would charge that to the instrumentation.
            if ((cfg.equals("abiscope+counter") || cfg.equals("abiscope+callback")) && ok(plain))
                c.put("costNsPerInsn", ((double) c.get("coldS") - (double) plain.get("coldS")) * 1e9 / (long) c.get("icount"));
            if (cfg.equals("interpreter") && ok(plain))
                c.put("slowerThanTiered", (double) plain.get("guestInsnPerS") / (double) c.get("guestInsnPerS"));
            if ((cfg.equals("osgi+tracing") || cfg.equals("osgi+syscalls")) && ok(cell(w, a, "osgi"))) {
                List<Double> wall = pairedRatios(w, a, cfg, "wholeNs"), cpu = pairedRatios(w, a, cfg, "cpuNs");
                overheadRatios.put(key(c) + "|tracingOverhead", wall);
                overheadRatios.put(key(c) + "|tracingCpuOverhead", cpu);
                c.put("tracingOverhead", Stats.median(wall));
                putInterval(c, "tracingOverhead", wall);
                if (!cpu.isEmpty()) {
                    c.put("tracingCpuOverhead", Stats.median(cpu));
                    putInterval(c, "tracingCpuOverhead", cpu);
                }
            }
        }
    }

    /** The 95 % interval of the median of {@code ratios}, as {@code key}Low, {@code key}High and {@code key}Coverage. */
    private static void putInterval(Map<String, Object> c, String key, List<Double> ratios) {
        double[] i = Stats.medianInterval(ratios, 0.95);
        if (i == null) return;
        c.put(key + "Low", i[0]);
        c.put(key + "High", i[1]);
        c.put(key + "Coverage", i[2]);
    }

    /**
     * Each round's traced / plain − 1 (the overhead is their median): the two ran one after the other
     * in that round, so drift of the machine between rounds (other users' load coming and going)
     * cancels, which a ratio of the two medians leaves in. Empty without a pair.
     */
    private List<Double> pairedRatios(String w, String a, String cfg, String k) {
        Map<Object, Number> plain = new LinkedHashMap<>(), traced = new LinkedHashMap<>();
        for (Map<String, Object> r : runs) {
            if (!w.equals(r.get("workload")) || !a.equals(r.get("arch")) || !(r.get(k) instanceof Number v)) continue;
            if ("osgi".equals(r.get("config"))) plain.put(r.get("round"), v);
            else if (cfg.equals(r.get("config"))) traced.put(r.get("round"), v);
        }
        List<Double> ratios = new ArrayList<>();
        traced.forEach((round, v) -> {
            Number p = plain.get(round);
            if (p != null) ratios.add(v.doubleValue() / p.doubleValue() - 1);
        });
        return ratios;
    }

    private static boolean ok(Map<String, Object> c) { return c != null && Boolean.TRUE.equals(c.get("ok")); }

    private static double median(List<Map<String, Object>> rs, String k) {
        List<Number> l = new ArrayList<>();
        for (Map<String, Object> r : rs) if (r.get(k) instanceof Number x) l.add(x);
        return Stats.median(l);
    }

    private static Double max(List<Map<String, Object>> rs, String k) {
        Double m = null;
        for (Map<String, Object> r : rs) if (r.get(k) instanceof Number x) m = m == null ? x.doubleValue() : Math.max(m, x.doubleValue());
        return m;
    }

    // ---- Markdown

    String markdown() {
        StringBuilder sb = new StringBuilder();
        @SuppressWarnings("unchecked") Map<String, Object> host = (Map<String, Object>) doc.get("host");
        sb.append("- Command: `").append(doc.get("command")).append("` — ").append(doc.get("date")).append('\n');
        sb.append("- Host: ").append(host.get("cpu")).append(", ").append(host.get("cores")).append(" cores, ")
                .append(host.get("java")).append(", ").append(host.get("qemu")).append(". **").append(host.get("shared"))
                .append("** (load average at the end: ").append(host.get("loadAverageAtEnd"))
                .append("); configurations are interleaved per round to spread the drift.\n");
        sb.append("- Median of ").append(doc.get("rounds")).append(" round(s)");
        if (doc.get("overheadRounds") instanceof Number n && n.intValue() != ((Number) doc.get("rounds")).intValue())
            sb.append(", ").append(n).append(" for the OSGi configurations (the tracing overhead)");
        sb.append(". Input: seeded text generated at run time, ")
                .append(doc.get("inputBytes")).append(" bytes; the interpreter gets 1/").append(doc.get("interpreterInputDivisor"))
                .append(" of it.");
        if (quick) sb.append(" --quick: tiny inputs, one round, the instrumented configurations on gzip only: numbers are not meaningful.");
        sb.append("\n- Tracing plugins: ").append(doc.get("tracingPlugins"));
        if (!String.valueOf(doc.get("tracingNote")).isEmpty()) sb.append(" (").append(doc.get("tracingNote")).append(')');
        sb.append("\n\n");

        sb.append("| workload | arch | native s | qemu s | abiscope s steady | abiscope s whole | steady ÷ qemu | steady ÷ native "
                + "| G insn/s | warm-up share | counter ns/insn | callback ns/insn | tracing overhead | syscall tracing overhead | interpreter M insn/s | heap MiB | heap after GC MiB | RSS MiB |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Workload w : Workload.ALL) {
            for (String a : Suite.ARCHES) {
                Map<String, Object> p = cell(w.name(), a, "abiscope");
                if (Config.ALL.stream().allMatch(c -> cell(w.name(), a, c.name()) == null)) continue;
                sb.append("| ").append(w.name()).append(" | ").append(a)
                        .append(" | ").append(v(cell(w.name(), a, "native"), "wholeS", "%.3f"))
                        .append(" | ").append(v(cell(w.name(), a, "qemu"), "wholeS", "%.3f"))
                        .append(" | ").append(v(p, "steadyS", "%.3f"))
                        .append(" | ").append(v(p, "wholeS", "%.3f"))
                        .append(" | ").append(v(p, "vsQemu", "%.2f"))
                        .append(" | ").append(v(p, "vsNative", "%.1f"))
                        .append(" | ").append(scaled(p, "guestInsnPerS", 1e-9, "%.2f"))
                        .append(" | ").append(percent(p, "warmupShare"))
                        .append(" | ").append(v(cell(w.name(), a, "abiscope+counter"), "costNsPerInsn", "%.2f"))
                        .append(" | ").append(v(cell(w.name(), a, "abiscope+callback"), "costNsPerInsn", "%.2f"))
                        .append(" | ").append(overhead(cell(w.name(), a, "osgi+tracing")))
                        .append(" | ").append(overhead(cell(w.name(), a, "osgi+syscalls")))
                        .append(" | ").append(scaled(cell(w.name(), a, "interpreter"), "guestInsnPerS", 1e-6, "%.0f"))
                        .append(" | ").append(v(p, "heapPeakMiB", "%.0f"))
                        .append(" | ").append(v(p, "heapAfterGcMiB", "%.0f"))
                        .append(" | ").append(v(p, "rssPeakMiB", "%.0f")).append(" |\n");
            }
        }
        sb.append("""

                *steady*: in-process time of a run in the same JVM once it is warm (`GuestRun`, tiered backend, no \
                plugins): the median of the third to fifth runs (the second still compiles the regions the first chose; \
                its time is in the "second s" column of every cell below); \
                *whole*: JVM start → end of the first run (includes JVM start and JIT warm-up); native and qemu are \
                whole commands. *warm-up share*: (first run − steady run) / first run. G insn/s: abiscope's own \
                guest instruction count / steady time. counter / callback: extra time per guest instruction with \
                an inline counter / a callback before every instruction, first run against first run (instrumented \
                code is never shared between runs, so a second instrumented run compiles everything again: both \
                columns include compiling the instrumented code; the micro-benchmarks give the cost per instruction alone). tracing overhead: `./abiscope run --plugins …` \
                (the syscall, file and process plugins) over `./abiscope run` (OSGi, whole commands); syscall \
                tracing overhead: the same with `--plugins syscalls.linux` alone; both as wall time, then (in brackets) \
                as CPU time (user + system): the median over the OSGi configurations' own rounds of each round's \
                traced ÷ plain − 1 (the two run back to back in a round, so the machine's drift between rounds cancels). heap: peak used heap sampled every 5 ms (garbage included) in the first two runs; \
                heap after GC: the most heap in use right after a collection during a run (what the run kept; – when \
                no collection ran); \
                RSS: peak resident set of the process (`/usr/bin/time`), the JVM included. FAILED: the output differed \
                from native or the run broke — no speed is reported for it.

                """);

        overheadSpread(sb);
        sb.append("<details><summary>every cell</summary>\n\n");
        sb.append("| workload | arch | configuration | runs | whole s | CPU s | steady s | second s | cold s | ÷ qemu | ÷ native | G insn/s | warm-up | JVM start s | heap MiB | RSS MiB | status |\n");
        sb.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Map<String, Object> c : cells.values()) {
            sb.append("| ").append(c.get("workload")).append(" | ").append(c.get("arch")).append(" | ").append(c.get("config"))
                    .append(" | ").append(c.get("runs"))
                    .append(" | ").append(v(c, "wholeS", "%.3f"))
                    .append(" | ").append(v(c, "cpuS", "%.3f"))
                    .append(" | ").append(v(c, "steadyS", "%.3f"))
                    .append(" | ").append(v(c, "secondS", "%.3f"))
                    .append(" | ").append(v(c, "coldS", "%.3f"))
                    .append(" | ").append(v(c, "vsQemu", "%.2f"))
                    .append(" | ").append(v(c, "vsNative", "%.1f"))
                    .append(" | ").append(scaled(c, "guestInsnPerS", 1e-9, "%.3f"))
                    .append(" | ").append(percent(c, "warmupShare"))
                    .append(" | ").append(v(c, "jvmStartS", "%.2f"))
                    .append(" | ").append(v(c, "heapPeakMiB", "%.0f"))
                    .append(" | ").append(v(c, "rssPeakMiB", "%.0f"))
                    .append(" | ").append(ok(c) ? "ok" : "**FAILED**: " + String.valueOf(c.get("reason")).replace("|", "\\|"))
                    .append(" |\n");
        }
        sb.append("\n</details>\n\n");

        sb.append(microMarkdown());
        List<Map<String, Object>> st = runs.stream().filter(r -> "osgi-startup".equals(r.get("config")) && ok(r)).toList();
        List<Map<String, Object>> stTracing = runs.stream().filter(r -> "osgi-startup+tracing".equals(r.get("config")) && ok(r)).toList();
        List<Double> jvm = new ArrayList<>();
        for (Map<String, Object> c : cells.values()) if (c.get("jvmStartS") instanceof Double d) jvm.add(d);
        sb.append("\nStartup: JVM start → first guest instruction's run in `GuestRun` ")
                .append(fmt("%.2f", Stats.median(jvm))).append(" s (median over cells); `./abiscope run busybox true` (OSGi runtime, whole command) ")
                .append(fmt("%.2f", median(st, "wholeNs") / 1e9)).append(" s");
        if (!stTracing.isEmpty())
            sb.append("; with the tracing plugins ").append(fmt("%.2f", median(stTracing, "wholeNs") / 1e9))
                    .append(" s (the difference is what tracing costs any command: the plugins come up and go down)");
        sb.append(".\n");
        return sb.toString();
    }

    /**
     * The engine micro-benchmarks' table (JMH, see {@link MicroRunner} and {@link MicroSummary}): each
     * figure measured in rounds as the median over them, with its 95 % interval in brackets.
     */
    String microMarkdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("Engine micro-benchmarks (raw x86-64 guest loop");
        if (micro.isEmpty()) return sb.append("):\n\nnot run (--configs selects workload configurations only)\n").toString();
        if (!Boolean.TRUE.equals(micro.get("ok"))) return sb.append("):\n\n**FAILED**: ").append(micro.get("reason")).append("\n").toString();
        @SuppressWarnings("unchecked") Map<String, Object> set = (Map<String, Object>) micro.get("settings");
        @SuppressWarnings("unchecked") Map<String, Object> ic = (Map<String, Object>) micro.get("insnCost");
        @SuppressWarnings("unchecked") Map<String, Object> hp = (Map<String, Object>) micro.get("hotPlug");
        @SuppressWarnings("unchecked") Map<String, Object> fs = (Map<String, Object>) micro.get("flushStall");
        sb.append("; JMH ").append(micro.get("jmhVersion"))
                .append(", `bench/src/main/java/bench/micro`, its own results in `bench/results/jmh/`). ")
                .append("Loop and flush stall: ").append(micro.get("rounds"))
                .append(Integer.valueOf(1).equals(micro.get("rounds")) ? " round" : " rounds").append(" of one fork each (")
                .append(set.get("loop")).append("); a figure is the median over the rounds, with the interval that holds ")
                .append("the true median with ≥ 95 % confidence in brackets. Loop: runs of the loop to its hlt (")
                .append(fmt("%,.0f", num(ic, "loopInsns"))).append(" guest instructions; the interpreter's ")
                .append(fmt("%,.0f", num(ic, "interpreterLoopInsns")))
                .append("), each on a fresh vCPU of a machine built once per fork, so the measured runs reuse the warm-up's ")
                .append("translated and compiled code; one run under each configuration in turn, so an instrumentation's cost ")
                .append("is its runs' time less the tiered runs' of the same turns. Hot plug: one install per sample, ")
                .append(set.get("hotPlug")).append(". Flush stall: pairs of runs of ").append(fmt("%,.0f", num(fs, "loopInsns")))
                .append(" instructions (").append(fmt("%.0f", num(fs, "plainMsPerRun"))).append(" ms), one plain and one with a flush every ")
                .append(fs.get("flushEveryMs")).append(" ms (").append(fmt("%.0f", num(fs, "flushesPerRun")))
                .append(" flushes a run, counted), in turn; (flushed − plain) / flushes.");
        if (quick) sb.append(" --quick: one round, JMH's settings cut to almost nothing, so these numbers are not meaningful.");
        sb.append("\n\n| measure | value |\n|---|---:|\n");
        sb.append(row("loop, tiered backend", ci(ic, "tieredNsPerInsn", "%.3f") + " ns/insn"));
        sb.append(row("loop, interpreter", ci(ic, "interpretedNsPerInsn", "%.3f") + " ns/insn"));
        sb.append(row("inline counter per instruction", ci(ic, "inlineCounterNsPerInsn", "%.3f") + " ns/insn"));
        sb.append(row("callback before every instruction, reading registers", ci(ic, "callbackNsPerInsn", "%.3f") + " ns/insn"));
        sb.append(row("callback before every instruction, no register access (`RegAccess.NONE`, QEMU's default)", ci(ic, "callbackNoRegsNsPerInsn", "%.3f") + " ns/insn"));
        sb.append(row("hot plug: install → first callback (median / max of " + hp.get("samples") + ")",
                v(hp, "installToFirstCallbackUsMedian", "%.0f") + " / " + v(hp, "installToFirstCallbackUsMax", "%.0f") + " µs"));
        sb.append(row("hot plug: install call returns (median / max)",
                v(hp, "installCallReturnsUsMedian", "%.0f") + " / " + v(hp, "installCallReturnsUsMax", "%.0f") + " µs"));
        sb.append(row("guest stall per cache flush (flush every " + fs.get("flushEveryMs") + " ms)", ci(fs, "stallPerFlushUs", "%.1f") + " µs"));
        return sb.toString();
    }

    /** The median with its interval, "0.266 [0.250, 0.281]" (the median alone when there is none: a single round). */
    private static String ci(Map<String, Object> c, String k, String f) {
        String value = v(c, k, f);
        if (c != null && c.get(k + "Low") instanceof Number lo && c.get(k + "High") instanceof Number hi
                && c.get(k + "Coverage") instanceof Number cov && cov.doubleValue() > 0) // one round: no interval
            return value + " [" + fmt(f, lo.doubleValue()) + ", " + fmt(f, hi.doubleValue()) + "]";
        return value;
    }

    private static double num(Map<String, Object> c, String k) {
        return c != null && c.get(k) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static String row(String k, String v) { return "| " + k + " | " + v + " |\n"; }

    private static String v(Map<String, Object> c, String k, String f) {
        if (c == null) return "–";
        if (!ok(c) && c.containsKey("ok")) return "FAILED";
        return c.get(k) instanceof Number n ? fmt(f, n.doubleValue()) : "–";
    }

    private static String scaled(Map<String, Object> c, String k, double s, String f) {
        if (c == null) return "–";
        if (!ok(c)) return "FAILED";
        return c.get(k) instanceof Number n ? fmt(f, n.doubleValue() * s) : "–";
    }

    private static String percent(Map<String, Object> c, String k) {
        if (c == null) return "–";
        if (!ok(c)) return "FAILED";
        return c.get(k) instanceof Number n ? fmt("%.0f %%", n.doubleValue() * 100) : "–";
    }

    /**
     * The tracing overhead with how far to trust it: each cell's median with the interval that holds
     * the true median with 95 % confidence (or more; with few rounds, their least and greatest), and
     * every workload's rounds pooled. A cell's 5 % is a difference of 0.1 s between commands that vary
     * by more than that from one round to the next.
     */
    private void overheadSpread(StringBuilder sb) {
        List<String> cfgs = List.of("osgi+syscalls", "osgi+tracing");
        if (cells.values().stream().noneMatch(c -> cfgs.contains(c.get("config")) && c.containsKey("tracingOverhead"))) return;
        sb.append("Tracing overhead with its spread: median [interval] of each round's traced ÷ plain − 1, wall time, then CPU time.\n\n");
        sb.append("| workload | arch | syscall tracing | (CPU) | tracing, three plugins | (CPU) |\n|---|---|---:|---:|---:|---:|\n");
        Map<String, List<Double>> pooled = new LinkedHashMap<>();
        double coverage = 1;
        for (Workload w : Workload.ALL) {
            for (String a : Suite.ARCHES) {
                if (cfgs.stream().allMatch(c -> cell(w.name(), a, c) == null)) continue;
                sb.append("| ").append(w.name()).append(" | ").append(a);
                for (String cfg : cfgs) {
                    Map<String, Object> c = cell(w.name(), a, cfg);
                    for (String k : List.of("tracingOverhead", "tracingCpuOverhead")) {
                        sb.append(" | ").append(spread(c, k));
                        if (c != null && c.get(k + "Coverage") instanceof Number n) coverage = Math.min(coverage, n.doubleValue());
                        if (c != null)
                            pooled.computeIfAbsent(cfg + k, x -> new ArrayList<>()).addAll(overheadRatios.getOrDefault(key(c) + "|" + k, List.of()));
                    }
                }
                sb.append(" |\n");
            }
        }
        sb.append("| all, pooled | ");
        for (String cfg : cfgs) {
            for (String k : List.of("tracingOverhead", "tracingCpuOverhead")) {
                List<Double> l = pooled.getOrDefault(cfg + k, List.of());
                double[] i = Stats.medianInterval(l, 0.95);
                sb.append(" | ").append(i == null ? "–" : fmt("%.1f %%", Stats.median(l) * 100) + fmt(" [%.1f, ", i[0] * 100) + fmt("%.1f]", i[1] * 100));
            }
        }
        sb.append(" |\n\n");
        sb.append(fmt("Intervals hold the true median with at least %.0f %% confidence (order statistics of the rounds, no "
                + "assumption on their distribution; with fewer than 6 rounds, the least and the greatest). *all, pooled*: every "
                + "workload's and arch's rounds together, which is what a per-cent difference between whole commands can be "
                + "measured by on a shared machine.%n%n", Math.min(95, coverage * 100)));
    }

    private static String spread(Map<String, Object> c, String k) {
        if (c == null) return "–";
        if (!ok(c)) return "FAILED";
        if (!(c.get(k) instanceof Number m)) return "–";
        String med = fmt("%.0f %%", m.doubleValue() * 100);
        return c.get(k + "Low") instanceof Number lo && c.get(k + "High") instanceof Number hi
                ? med + fmt(" [%.0f, ", lo.doubleValue() * 100) + fmt("%.0f]", hi.doubleValue() * 100) : med;
    }

    /** Wall-time overhead, then CPU-time overhead in brackets (what the plugins cost a loaded machine). */
    private static String overhead(Map<String, Object> c) {
        String wall = percent(c, "tracingOverhead");
        return c != null && c.get("tracingCpuOverhead") instanceof Number ? wall + " (" + percent(c, "tracingCpuOverhead") + ")" : wall;
    }

    private static String fmt(String f, double d) { return Double.isNaN(d) ? "–" : String.format(Locale.ROOT, f, d); }
}
