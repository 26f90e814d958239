package bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The driver of {@code bench/ab}: an interleaved A/B of two engine builds (or of two sets of JVM
 * options). Round {@code r} runs every workload on both sides, the side that goes first alternating
 * from round to round, so a host that slows down during the A/B slows both sides alike. Each round
 * pairs the two sides' times: the change is the median of the rounds' ratios (working tree ÷ base)
 * with a distribution-free interval, and the count of rounds the working tree was faster in — the
 * form every before/after number in the issue notes takes.
 *
 * <p>Two kinds of run: {@link SpeedProbe} in a fresh JVM (the engine alone, several runs: first and
 * steady), or with {@code --whole} one {@code ./abiscope run} command (the OSGi runtime, JVM start
 * and, with {@code --plugins}, the tracing plugins included: wall and CPU time). With
 * {@code --overhead} as well, each side runs each command plain and traced in every round, and what is
 * compared is the tracing overhead itself (traced ÷ plain − 1 of the same side and round): the cost
 * the plugins add is a few per cent of a command, so two traced commands alone cannot show a change
 * of it apart from one of the plain command.
 *
 * <p>Arguments come from the script (library folders and names) and from the user (see
 * {@code bench/ab --help}).
 */
public final class Ab {
    /** One side of the comparison: where its jars are, and the JVM options it runs with. */
    record Side(String name, Path lib, List<String> jvmOptions) {}

    /** One workload on one arch, at {@code bytes} of input. */
    record Probe(String arch, Workload workload, long bytes) {
        String applet() { return workload.name(); }

        String label() { return arch + " " + applet(); }

        /** busybox and the applet's arguments, as bench/run runs them ({@link Workload#applet}). */
        List<String> argv(Path busybox) {
            List<String> a = new ArrayList<>(List.of(busybox.toString()));
            a.addAll(workload.applet());
            return a;
        }
    }

    /**
     * One JVM's runs: each run's wall seconds; the guest instructions of the first (SpeedProbe; −1
     * for a whole command); the process's CPU seconds (a whole command; NaN for SpeedProbe).
     */
    record Runs(List<Double> seconds, long insns, double cpu) {
        double first() { return seconds.getFirst(); }

        /** bench/run's steady: the median of the runs from the third on ({@link Suite#STEADY_FROM}), or from the second when fewer. */
        double steady() {
            int from = seconds.size() > Suite.STEADY_FROM ? Suite.STEADY_FROM : Math.min(1, seconds.size() - 1);
            return Stats.median(seconds.subList(from, seconds.size()));
        }
    }

    private static final Pattern RUN = Pattern.compile(" run (\\d+): ([0-9.]+) s, (\\d+) insns");
    private static final long JVM_TIMEOUT_SEC = 900;

    public static void main(String[] args) throws Exception {
        try {
            System.exit(new Ab().run(args));
        } catch (IllegalArgumentException e) {
            System.err.println("bench/ab: " + e.getMessage() + " (bench/ab --help)");
            System.exit(2);
        } catch (IllegalStateException e) {
            System.err.println("bench/ab: " + e.getMessage());
            System.exit(1);
        }
    }

    private String java;
    private Path out, abiscope, inputs;
    private int rounds = 10, runs = 5;
    private double scale = 0.25;
    private boolean whole, overhead;
    private List<String> plugins = List.of();
    private final List<Probe> probes = new ArrayList<>();
    /** Native busybox's output digest per probe (whole commands are checked against it). */
    private final Map<Probe, String> nativeDigests = new HashMap<>();

    private int run(String[] args) throws IOException, InterruptedException {
        Map<String, String> o = new LinkedHashMap<>();
        List<String> workloads = new ArrayList<>();
        boolean quick = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--quick")) quick = true;
            else if (a.equals("--whole")) whole = true;
            else if (a.equals("--overhead")) overhead = true;
            else if (a.startsWith("--")) {
                if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
                o.put(a, args[++i]);
            } else workloads.add(a);
        }
        java = need(o, "--java");
        out = Path.of(need(o, "--out"));
        abiscope = Path.of(need(o, "--abiscope"));
        Side base = new Side(need(o, "--base-name"), Path.of(need(o, "--base-lib")), options(o.remove("--base-opts")));
        Side work = new Side(need(o, "--work-name"), Path.of(need(o, "--work-lib")), options(o.remove("--opts")));
        if (quick) { rounds = 1; runs = 3; scale = 1.0 / 64; }
        if (o.containsKey("--rounds")) rounds = positive(o.remove("--rounds"), "--rounds");
        if (o.containsKey("--runs")) runs = positive(o.remove("--runs"), "--runs");
        if (o.containsKey("--scale")) {
            String s = o.remove("--scale");
            try {
                scale = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                scale = Double.NaN;
            }
            if (!(scale > 0)) throw new IllegalArgumentException("--scale must be a number above 0, not " + s);
        }
        if (o.containsKey("--plugins")) {
            if (!whole) throw new IllegalArgumentException("--plugins needs --whole (plugins run in the OSGi runtime)");
            plugins = List.of(o.remove("--plugins").split(","));
        }
        if (overhead && plugins.isEmpty())
            throw new IllegalArgumentException("--overhead needs --whole --plugins LIST (the plugins whose overhead is compared)");
        for (String k : List.of("--java", "--out", "--abiscope", "--base-name", "--base-lib", "--work-name", "--work-lib")) o.remove(k);
        if (!o.isEmpty()) throw new IllegalArgumentException("unknown option " + o.keySet().iterator().next());
        if (workloads.isEmpty()) workloads = List.of("i386:gzip", "amd64:gzip", "i386:bzip2", "amd64:bzip2");
        for (String w : workloads) probes.add(probe(w));

        inputs = Files.createDirectories(out.resolve("ab-inputs"));
        String what = overhead
                ? "whole commands, each plain and with --plugins " + String.join(",", plugins) + " (the tracing overhead)"
                : whole ? "whole commands (./abiscope run" + (plugins.isEmpty() ? "" : " --plugins " + String.join(",", plugins)) + ")"
                : runs + " runs per JVM (SpeedProbe)";
        String head = String.format(Locale.ROOT, "%s against %s: %d round(s) of %s, inputs at %s of bench/run's full size",
                work.name() + opts(work), base.name() + opts(base), rounds, what, scale);
        System.out.println("bench/ab: " + head);
        if (whole) {
            // each runtime jar's first command makes its startup cache (about 10 s): not in a round
            for (Side s : List.of(base, work)) {
                if (s == work && base.lib().equals(work.lib())) break;
                System.out.println("  warming up " + s.name() + " (its startup cache)");
                whole(s, probes.getFirst(), 0, !plugins.isEmpty());
            }
        }
        if (overhead) return overheadRounds(head, base, work);

        Map<Probe, List<Runs[]>> results = new LinkedHashMap<>(); // per probe, per round: {base, work}
        for (Probe p : probes) results.put(p, new ArrayList<>());
        for (int r = 0; r < rounds; r++) {
            for (Probe p : probes) {
                Side[] order = r % 2 == 0 ? new Side[] {base, work} : new Side[] {work, base};
                Runs[] pair = new Runs[2];
                for (Side s : order) {
                    Runs x = whole ? whole(s, p, p.bytes(), !plugins.isEmpty()) : speedProbe(s, p);
                    pair[s == base ? 0 : 1] = x;
                    System.out.printf(Locale.ROOT, "  round %d %s %-5s %s%n", r + 1, p.label(), s == base ? "base" : "work",
                            whole ? String.format(Locale.ROOT, "%.3f s, CPU %.3f s", x.first(), x.cpu())
                                  : String.format(Locale.ROOT, "first %.3f s, steady %.3f s", x.first(), x.steady()));
                }
                results.get(p).add(pair);
            }
        }
        return writeOut(report(head, results), json(base, work, results));
    }

    /** Prints the table and writes it, and the JSON, to the results folder. */
    private int writeOut(String md, Map<String, Object> json) throws IOException {
        System.out.println();
        System.out.print(md);
        Files.writeString(out.resolve("ab.md"), md);
        Files.writeString(out.resolve("ab.json"), Json.pretty(json));
        System.out.println("bench/ab: written to " + out.resolve("ab.md") + " and ab.json");
        return 0;
    }

    private static String opts(Side s) {
        return s.jvmOptions().isEmpty() ? "" : " [" + String.join(" ", s.jvmOptions()) + "]";
    }

    private static Path busybox(String arch) {
        return Path.of(System.getProperty("user.home"), ".cache/abiscope/guests", arch, "busybox/busybox");
    }

    /** One fresh JVM of {@code side} running {@code p} {@link #runs} times; stops the A/B on a wrong output. */
    private Runs speedProbe(Side side, Probe p) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(java, "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(side.jvmOptions());
        cmd.addAll(List.of("-cp", classPath(side.lib()), "bench.SpeedProbe", p.arch(), p.applet(),
                String.valueOf(p.bytes() / (double) (1 << 20)), String.valueOf(runs), inputs.toString()));
        return inScratch(dir -> {
            ProcessRun pr = ProcessRun.run(cmd, Map.of(), Path.of("/dev/null"), dir, JVM_TIMEOUT_SEC);
            String stdout = Files.readString(pr.stdout);
            if (pr.timedOut || pr.exit != 0) {
                String why = pr.timedOut ? "timed out after " + JVM_TIMEOUT_SEC + " s" : "exit " + pr.exit
                        + (pr.exit == 3 ? " (its output differed from native busybox's)" : "");
                throw new IllegalStateException(side.name() + ", " + p.label() + ": SpeedProbe " + why + "\n" + tail(stdout) + tail(pr.stderr));
            }
            List<Double> secs = new ArrayList<>();
            long insns = -1;
            Matcher m = RUN.matcher(stdout);
            while (m.find()) {
                if (Integer.parseInt(m.group(1)) != secs.size()) break;
                secs.add(Double.parseDouble(m.group(2)));
                if (insns < 0) insns = Long.parseLong(m.group(3));
            }
            if (secs.size() != runs)
                throw new IllegalStateException(side.name() + ", " + p.label() + ": SpeedProbe reported " + secs.size() + " of " + runs + " runs\n" + tail(stdout));
            return new Runs(secs, insns, Double.NaN);
        });
    }

    /**
     * One {@code ./abiscope run} of {@code p} on {@code bytes} of input with the side's runtime jar
     * (its own hot-deploy folder, and trace folder when traced); its output must be native busybox's.
     */
    private Runs whole(Side side, Probe p, long bytes, boolean traced) throws IOException, InterruptedException {
        Path input = bytes == 0 ? Path.of("/dev/null") : Workload.input(inputs, bytes);
        String expected = bytes == 0 ? null : nativeDigest(p, input);
        return inScratch(dir -> {
            List<String> cmd = new ArrayList<>(List.of(abiscope.toString(), "run", "--arch", p.arch().equals("amd64") ? "x86_64" : "i386"));
            if (traced) cmd.addAll(List.of("--plugins", String.join(",", plugins), "--trace-dir", dir.resolve("trace").toString()));
            cmd.add("--");
            cmd.addAll(bytes == 0 ? List.of(busybox(p.arch()).toString(), "true") : p.argv(busybox(p.arch())));
            Map<String, String> env = Map.of("ABISCOPE_JAR", side.lib().resolve("abiscope.runtime").toString(),
                    "ABISCOPE_BUNDLES", Files.createDirectories(dir.resolve("bundles")).toString(),
                    "ABISCOPE_JAVA_OPTS", String.join(" ", side.jvmOptions()));
            ProcessRun pr = ProcessRun.run(cmd, env, input, dir, JVM_TIMEOUT_SEC);
            String problem = pr.timedOut ? "timed out after " + JVM_TIMEOUT_SEC + " s"
                    : pr.exit != 0 ? "exit " + pr.exit
                    : expected != null && !expected.equals(pr.stdoutSha256()) ? "its output differed from native busybox's"
                    : pr.cpuNs == null ? "no CPU time (is /usr/bin/time installed?)" : null;
            if (problem != null) throw new IllegalStateException(side.name() + ", " + p.label() + ": ./abiscope run: " + problem + "\n" + tail(pr.stderr));
            return new Runs(List.of(pr.wallNs / 1e9), -1, pr.cpuNs / 1e9);
        });
    }

    /** The four commands of a round of {@code --overhead}, in the order of {@link #OVERHEAD_ORDERS}. */
    private static final int BASE_PLAIN = 0, BASE_TRACED = 1, WORK_PLAIN = 2, WORK_TRACED = 3;
    /**
     * The order of the four commands, by round: each side's pair stays together (its plain and traced
     * commands are what its overhead compares), and which pair goes first, and which of a pair, turn
     * from round to round, so drift within a round favours none of them.
     */
    private static final int[][] OVERHEAD_ORDERS = {
            {BASE_PLAIN, BASE_TRACED, WORK_TRACED, WORK_PLAIN}, {WORK_PLAIN, WORK_TRACED, BASE_TRACED, BASE_PLAIN},
            {BASE_TRACED, BASE_PLAIN, WORK_PLAIN, WORK_TRACED}, {WORK_TRACED, WORK_PLAIN, BASE_PLAIN, BASE_TRACED}};

    private int overheadRounds(String head, Side base, Side work) throws IOException, InterruptedException {
        Map<Probe, List<Runs[]>> results = new LinkedHashMap<>(); // per probe, per round: the four commands
        for (Probe p : probes) results.put(p, new ArrayList<>());
        String[] names = {"base plain", "base traced", "work plain", "work traced"};
        for (int r = 0; r < rounds; r++) {
            for (Probe p : probes) {
                Runs[] four = new Runs[4];
                for (int k : OVERHEAD_ORDERS[r % OVERHEAD_ORDERS.length]) {
                    Side s = k < WORK_PLAIN ? base : work;
                    four[k] = whole(s, p, p.bytes(), k == BASE_TRACED || k == WORK_TRACED);
                    System.out.printf(Locale.ROOT, "  round %d %s %-11s %.3f s, CPU %.3f s%n", r + 1, p.label(), names[k],
                            four[k].first(), four[k].cpu());
                }
                results.get(p).add(four);
            }
        }
        return writeOut(overheadReport(head, results), overheadJson(base, work, results));
    }

    /** A side's overhead in one round: traced ÷ plain − 1, in per cent. */
    private static double overheadOf(Runs[] four, boolean work, ToDoubleFunction<Runs> f) {
        int plain = work ? WORK_PLAIN : BASE_PLAIN, traced = work ? WORK_TRACED : BASE_TRACED;
        return (f.applyAsDouble(four[traced]) / f.applyAsDouble(four[plain]) - 1) * 100;
    }

    private String overheadReport(String head, Map<Probe, List<Runs[]>> results) {
        StringBuilder sb = new StringBuilder("# bench/ab\n\n").append(head).append(".\n\n");
        sb.append("| workload | base plain s | base overhead [interval] | work overhead [interval] | overhead change, points [interval] "
                + "| work lower | CPU: base overhead | CPU: work overhead | CPU: change, points [interval] |\n");
        sb.append("|---|---:|---|---|---|---:|---|---|---|\n");
        List<Runs[]> all = new ArrayList<>();
        for (var e : results.entrySet()) {
            all.addAll(e.getValue());
            overheadRow(sb, e.getKey().label(), e.getValue(), true);
        }
        if (results.size() > 1) overheadRow(sb, "all, pooled", all, false);
        sb.append("""

                Each round runs every command four times, one `./abiscope run` each: each side plain and \
                traced, the pairs' order and the order within them turning from round to round. *overhead*: the \
                median over the rounds of traced ÷ plain − 1 of the same side and round, with the interval that \
                holds the true median at 95 % (or the widest the rounds allow, with its coverage in brackets). \
                *overhead change*: the median over the rounds of the work overhead minus the base overhead, in \
                percentage points (negative: the working tree's plugins cost less); *work lower*: the rounds in \
                which they did. An interval that holds 0 shows no change. CPU: the same of user + system time \
                of the whole process tree.
                """);
        return sb.toString();
    }

    private static void overheadRow(StringBuilder sb, String label, List<Runs[]> rs, boolean withPlain) {
        List<Double> bw = new ArrayList<>(), ww = new ArrayList<>(), dw = new ArrayList<>(), bc = new ArrayList<>(),
                wc = new ArrayList<>(), dc = new ArrayList<>();
        int lower = 0;
        for (Runs[] four : rs) {
            double b = overheadOf(four, false, Runs::first), w = overheadOf(four, true, Runs::first);
            bw.add(b); ww.add(w); dw.add(w - b);
            if (w < b) lower++;
            double cb = overheadOf(four, false, Runs::cpu), cw = overheadOf(four, true, Runs::cpu);
            bc.add(cb); wc.add(cw); dc.add(cw - cb);
        }
        String plain = "";
        if (withPlain) {
            List<Double> p = new ArrayList<>();
            for (Runs[] four : rs) p.add(four[BASE_PLAIN].first());
            plain = String.format(Locale.ROOT, "%.3f", Stats.median(p));
        }
        sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %d of %d | %s | %s | %s |%n", label, plain,
                points(bw, "%"), points(ww, "%"), points(dw, ""), lower, rs.size(), points(bc, "%"), points(wc, "%"), points(dc, "")));
    }

    /** The median of {@code v} with its 95 % interval (the coverage in brackets when the rounds are too few). */
    private static String points(List<Double> v, String unit) {
        double[] iv = Stats.medianInterval(v, 0.95);
        String s = String.format(Locale.ROOT, "%+.1f%s [%+.1f, %+.1f]", Stats.median(v), unit.isEmpty() ? "" : " " + unit, iv[0], iv[1]);
        return iv[2] < 0.95 ? s + String.format(Locale.ROOT, " (%.0f %%)", iv[2] * 100) : s;
    }

    private Map<String, Object> overheadJson(Side base, Side work, Map<Probe, List<Runs[]>> results) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("base", Map.of("name", base.name(), "jvmOptions", base.jvmOptions()));
        j.put("work", Map.of("name", work.name(), "jvmOptions", work.jvmOptions()));
        j.put("kind", "tracing overhead, whole commands");
        j.put("plugins", plugins);
        j.put("rounds", rounds);
        j.put("scale", scale);
        j.put("host", Host.describe());
        List<Object> ws = new ArrayList<>();
        String[] keys = {"basePlain", "baseTraced", "workPlain", "workTraced"};
        for (var e : results.entrySet()) {
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("arch", e.getKey().arch());
            w.put("applet", e.getKey().applet());
            w.put("inputBytes", e.getKey().bytes());
            for (int k = 0; k < 4; k++) {
                List<Object> wall = new ArrayList<>(), cpu = new ArrayList<>();
                for (Runs[] four : e.getValue()) { wall.add(four[k].first()); cpu.add(four[k].cpu()); }
                w.put(keys[k] + "Seconds", wall);
                w.put(keys[k] + "CpuSeconds", cpu);
            }
            ws.add(w);
        }
        j.put("workloads", ws);
        return j;
    }

    private String nativeDigest(Probe p, Path input) throws IOException, InterruptedException {
        String d = nativeDigests.get(p);
        if (d != null) return d;
        d = inScratch(dir -> {
            ProcessRun pr = ProcessRun.run(p.argv(busybox(p.arch())), Map.of(), input, dir, JVM_TIMEOUT_SEC);
            if (pr.exit != 0) throw new IllegalStateException("native " + p.label() + " failed: exit " + pr.exit + "\n" + tail(pr.stderr));
            return pr.stdoutSha256();
        });
        nativeDigests.put(p, d);
        return d;
    }

    private interface InDir<T> { T apply(Path dir) throws IOException, InterruptedException; }

    /** Runs {@code f} in a fresh folder under the results, deleted afterwards. */
    private <T> T inScratch(InDir<T> f) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(out, "ab-run");
        try {
            return f.apply(dir);
        } finally {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path q : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
            }
        }
    }

    private static String classPath(Path lib) throws IOException {
        try (var s = Files.list(lib)) {
            return String.join(":", s.filter(f -> f.toString().endsWith(".jar")).sorted().map(Path::toString).toList());
        }
    }

    private static String tail(String s) {
        String[] lines = s.strip().split("\n");
        return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 15), lines.length)) + "\n";
    }

    /** The Markdown table: medians of each side, and the paired change with its interval. */
    private String report(String head, Map<Probe, List<Runs[]>> results) {
        StringBuilder sb = new StringBuilder("# bench/ab\n\n").append(head).append(".\n\n");
        if (whole) {
            sb.append("| workload | base s | work s | change [interval] | work faster | base CPU s | work CPU s | CPU change [interval] |\n");
            sb.append("|---|---:|---:|---|---:|---:|---:|---|\n");
        } else {
            sb.append("| workload | base first s | work first s | first: change [interval] | base steady s | work steady s | steady: change [interval] | work faster (steady) | guest insns base / work |\n");
            sb.append("|---|---:|---:|---|---:|---:|---|---:|---|\n");
        }
        for (var e : results.entrySet()) {
            List<Runs[]> rs = e.getValue();
            String label = e.getKey().label();
            if (whole) {
                sb.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %s | %s | %.3f | %.3f | %s |%n", label,
                        median(rs, 0, Runs::first), median(rs, 1, Runs::first), change(rs, Runs::first), faster(rs, Runs::first),
                        median(rs, 0, Runs::cpu), median(rs, 1, Runs::cpu), change(rs, Runs::cpu)));
            } else {
                Runs b = rs.getLast()[0], w = rs.getLast()[1];
                String insns = b.insns() == w.insns() ? "same (" + b.insns() + ")" : b.insns() + " / " + w.insns();
                sb.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %s | %.3f | %.3f | %s | %s | %s |%n", label,
                        median(rs, 0, Runs::first), median(rs, 1, Runs::first), change(rs, Runs::first),
                        median(rs, 0, Runs::steady), median(rs, 1, Runs::steady), change(rs, Runs::steady), faster(rs, Runs::steady), insns));
            }
        }
        sb.append(whole ? """

                Each cell: one `./abiscope run` per round and side (JVM start, the OSGi runtime and the \
                startup cache included, as a user runs it); CPU: user + system of the whole process tree. \
                """ : """

                *first*: the first run in a fresh JVM (translation and JIT warm-up included); *steady*: the \
                median of the third and later runs in that JVM (bench/run's steady: with the default five \
                runs, the third to fifth). \
                """);
        sb.append("""
                *change*: the median over the rounds of work ÷ base − 1 (negative: the working tree is faster), \
                with the interval that holds the true median at 95 %, or the widest the rounds allow (their \
                extremes, with its coverage in brackets: 6 rounds are needed for 95 %). A change whose interval \
                holds 0 is not shown to be one.
                """);
        return sb.toString();
    }

    private static double median(List<Runs[]> rs, int side, ToDoubleFunction<Runs> f) {
        List<Double> v = new ArrayList<>();
        for (Runs[] pair : rs) v.add(f.applyAsDouble(pair[side]));
        return Stats.median(v);
    }

    private static String faster(List<Runs[]> rs, ToDoubleFunction<Runs> f) {
        int n = 0;
        for (Runs[] pair : rs) if (f.applyAsDouble(pair[1]) < f.applyAsDouble(pair[0])) n++;
        return n + " of " + rs.size();
    }

    private static String change(List<Runs[]> rs, ToDoubleFunction<Runs> f) {
        List<Double> ratios = new ArrayList<>();
        for (Runs[] pair : rs) ratios.add(f.applyAsDouble(pair[1]) / f.applyAsDouble(pair[0]));
        double[] iv = Stats.medianInterval(ratios, 0.95);
        String c = String.format(Locale.ROOT, "%+.1f %% [%+.1f, %+.1f]", (Stats.median(ratios) - 1) * 100, (iv[0] - 1) * 100, (iv[1] - 1) * 100);
        // too few rounds for a 95 % interval: say how sure the widest one is
        return iv[2] < 0.95 ? c + String.format(Locale.ROOT, " (%.0f %%)", iv[2] * 100) : c;
    }

    private Map<String, Object> json(Side base, Side work, Map<Probe, List<Runs[]>> results) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("base", Map.of("name", base.name(), "jvmOptions", base.jvmOptions()));
        j.put("work", Map.of("name", work.name(), "jvmOptions", work.jvmOptions()));
        j.put("kind", whole ? "whole commands" : "SpeedProbe");
        j.put("plugins", plugins);
        j.put("rounds", rounds);
        j.put("runsPerJvm", whole ? 1 : runs);
        j.put("scale", scale);
        j.put("host", Host.describe());
        List<Object> ws = new ArrayList<>();
        for (var e : results.entrySet()) {
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("arch", e.getKey().arch());
            w.put("applet", e.getKey().applet());
            w.put("inputBytes", e.getKey().bytes());
            List<Object> b = new ArrayList<>(), k = new ArrayList<>(), bc = new ArrayList<>(), kc = new ArrayList<>();
            for (Runs[] pair : e.getValue()) {
                b.add(pair[0].seconds());
                k.add(pair[1].seconds());
                bc.add(pair[0].cpu());
                kc.add(pair[1].cpu());
            }
            w.put("baseSeconds", b);
            w.put("workSeconds", k);
            if (whole) {
                w.put("baseCpuSeconds", bc);
                w.put("workCpuSeconds", kc);
            }
            ws.add(w);
        }
        j.put("workloads", ws);
        return j;
    }

    private static String need(Map<String, String> o, String k) {
        String v = o.get(k);
        if (v == null) throw new IllegalArgumentException("missing " + k);
        return v;
    }

    private static List<String> options(String s) {
        return s == null || s.isBlank() ? List.of() : List.of(s.trim().split("\\s+"));
    }

    private static int positive(String s, String what) {
        try {
            int n = Integer.parseInt(s);
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(what + " must be a whole number above 0, not " + s);
    }

    private Probe probe(String w) {
        int c = w.indexOf(':');
        String arch = c < 0 ? "" : w.substring(0, c), applet = c < 0 ? w : w.substring(c + 1);
        if (!arch.equals("i386") && !arch.equals("amd64"))
            throw new IllegalArgumentException("a workload is ARCH:APPLET with ARCH i386 or amd64, not " + w);
        for (Workload wl : Workload.ALL)
            if (wl.name().equals(applet)) return new Probe(arch, wl, Math.max(4096, Math.round(wl.fullBytes() * scale)));
        throw new IllegalArgumentException("no workload " + applet + " (one of gzip, bzip2, sha256sum, md5sum, sort)");
    }
}
