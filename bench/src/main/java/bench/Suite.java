package bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark suite behind {@code bench/run}: busybox workloads for i386 and x86-64 under every
 * configuration ({@link Config}), interleaved A B A B … per round so drift of a shared machine
 * hits every configuration alike; each emulated run's output is checked against the native one
 * (a wrong result is a failed cell, never a speed); then the engine micro-benchmarks (JMH,
 * {@link MicroRunner}). Writes {@code bench/results/suite.json} and {@code suite.md} and prints the
 * tables.
 *
 * <p>Usage: {@code Suite [--quick] [--rounds N] [--overhead-rounds N] [--scale F] [--configs NAME,...]
 * [--micro-only]}. {@code --micro-only}: the micro-benchmarks alone, written to {@code micro.md} and
 * {@code micro.json}. Exit status 0 when the harness ran (failed cells included), 1 when the harness
 * itself broke.
 *
 * <p>The tracing overhead is a difference of a few percent between two whole commands of 1–3 s, on a
 * machine where one run of the same command differs from the next by as much: the three OSGi
 * configurations get rounds of their own beyond {@code --rounds} ({@code --overhead-rounds}, 7 by
 * default), still interleaved with each other.
 */
public final class Suite {
    static final List<String> ARCHES = List.of("i386", "x86_64");
    /**
     * Runs of the plain configuration in one worker JVM: the cold one, the second, and three that give
     * the steady state. The second run is not steady yet: it installs the regions the first one chose
     * and the JIT compiles them during it (at 1.5 MiB, i386 gzip's second run took 0.555 s, its third to
     * sixth 0.40–0.47 s; i386 bzip2's 0.683 s against 0.42–0.50 s). So <i>steady</i> is the median of
     * runs three to five, and the second run is reported beside it.
     */
    static final int PLAIN_RUNS = 5;
    /** Runs of the other worker configurations: the cold one and the second. */
    static final int RUNS = 2;
    /** The first run counted as steady (0-based), when a worker makes more than two runs. */
    static final int STEADY_FROM = 2;

    /** work: inputs and the empty guest root, shared; scratch: this run's own files (runs may overlap). */
    final Path top, results, work, scratch;
    final boolean quick;
    final int rounds;
    /** Rounds of the OSGi configurations (plain, tracing, syscall tracing): at least {@link #rounds}. */
    int overheadRounds;
    final double scale;
    final String javaExe = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    final String classPath = System.getProperty("java.class.path");
    final List<Map<String, Object>> runs = new ArrayList<>();
    final Map<String, String[]> reference = new LinkedHashMap<>(); // workload|arch|bytes → native {sha256, length}
    Path osgiJar;
    String osgiProblem;
    List<String> tracingPlugins = List.of();
    String tracingNote = "";

    Suite(Path top, boolean quick, int rounds, double scale) {
        this.top = top;
        this.results = top.resolve("bench/results");
        this.work = results.resolve("work");
        this.scratch = work.resolve("run-" + ProcessHandle.current().pid());
        this.quick = quick;
        this.rounds = rounds;
        this.overheadRounds = rounds;
        this.scale = scale;
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        int rounds = -1, overheadRounds = -1;
        double scale = 1;
        List<String> only = List.of();
        boolean microOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--overhead-rounds" -> overheadRounds = Integer.parseInt(args[++i]);
                case "--scale" -> scale = Double.parseDouble(args[++i]);
                case "--configs" -> only = List.of(args[++i].split(","));
                case "--micro-only" -> microOnly = true;
                default -> usage();
            }
        }
        for (String c : only)
            if (Config.ALL.stream().noneMatch(x -> x.name().equals(c))) {
                System.err.println("bench/run: no configuration " + c + " (there are: "
                        + String.join(", ", Config.ALL.stream().map(Config::name).toList()) + ")");
                usage();
            }
        if (rounds < 0) rounds = quick ? 1 : 3;
        if (microOnly && !only.isEmpty()) usage();
        Suite s = new Suite(Path.of("").toAbsolutePath(), quick, rounds, scale);
        s.only = only;
        s.overheadRounds = Math.max(rounds, overheadRounds >= 0 ? overheadRounds : quick ? 1 : 7);
        if (microOnly) s.runMicroOnly();
        else s.run();
    }

    static void usage() {
        System.err.println("usage: bench/run [--quick] [--rounds N] [--overhead-rounds N] [--scale F] [--configs NAME,...] | [--quick] --micro-only");
        System.exit(2);
    }

    /** --configs: only these configurations (by name), and no micro-benchmarks; empty: all. */
    List<String> only = List.of();

    long bytesFor(Workload w, Config c) {
        long full = quick ? 16 << 10 : Math.round(w.fullBytes() * scale);
        return Math.max(4096, full / c.shrink());
    }

    Path busybox(String arch) {
        String cache = System.getenv("ABISCOPE_CACHE");
        Path base = cache != null && !cache.isEmpty() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache/abiscope");
        return base.resolve("guests").resolve(arch.equals("i386") ? "i386" : "amd64").resolve("busybox/busybox");
    }

    /** In --quick only the plain configurations run on every workload; the others on the first. */
    boolean selected(Workload w, Config c) {
        if (!only.isEmpty() && !only.contains(c.name())) return false;
        if (!quick) return true;
        return w == Workload.ALL.getFirst() || c == Config.NATIVE || c == Config.QEMU || c == Config.PLAIN;
    }

    void run() throws Exception {
        Files.createDirectories(scratch);
        Path root = Files.createDirectories(work.resolve("root"));
        for (String a : ARCHES) {
            if (!Files.isExecutable(busybox(a)))
                throw new IllegalStateException("no busybox at " + busybox(a)
                        + " (emulator.linuxuser/scripts/fetch-busybox.sh fetches it)");
        }
        long started = System.nanoTime();
        log("inputs: generating (seeded) in " + work);
        for (Workload w : Workload.ALL)
            for (Config c : Config.ALL) if (selected(w, c)) Workload.input(work, bytesFor(w, c));
        prepareOsgi(root);
        for (int round = 0; round < overheadRounds; round++) {
            for (Workload w : Workload.ALL) {
                for (String arch : ARCHES) {
                    for (Config c : Config.inRound(round)) {
                        if (!selected(w, c) || round >= (c.isOsgi() ? overheadRounds : rounds)) continue;
                        Map<String, Object> r = runCell(w, arch, c, round, root);
                        runs.add(r);
                        log(String.format(Locale.ROOT, "round %d  %-9s %-6s %-18s %s", round + 1, w.name(), arch,
                                c.name(), Boolean.TRUE.equals(r.get("ok"))
                                        ? String.format(Locale.ROOT, "%.3f s", ((Number) r.get("wholeNs")).longValue() / 1e9)
                                        : "FAILED: " + r.get("reason")));
                    }
                }
            }
            if (osgiJar != null && round < rounds) {
                runs.add(osgiStartup(round, root, false));
                if (!tracingPlugins.isEmpty()) runs.add(osgiStartup(round, root, true));
            }
        }
        Map<String, Object> micro = only.isEmpty() ? micro() : new LinkedHashMap<>();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("date", Instant.now().toString());
        doc.put("command", "bench/run" + (quick ? " --quick" : "") + (scale != 1 ? " --scale " + scale : "")
                + (rounds != (quick ? 1 : 3) ? " --rounds " + rounds : "")
                + (overheadRounds != Math.max(rounds, quick ? 1 : 7) ? " --overhead-rounds " + overheadRounds : "") + (only.isEmpty() ? "" : " --configs " + String.join(",", only)));
        doc.put("host", Host.describe());
        doc.put("rounds", rounds);
        doc.put("overheadRounds", overheadRounds);
        doc.put("tracingPlugins", tracingPlugins);
        doc.put("tracingNote", tracingNote);
        doc.put("osgiProblem", osgiProblem);
        Map<String, Object> sizes = new LinkedHashMap<>();
        for (Workload w : Workload.ALL) sizes.put(w.name(), bytesFor(w, Config.PLAIN));
        doc.put("inputBytes", sizes);
        doc.put("interpreterInputDivisor", Config.INTERPRETER.shrink());
        Report rep = new Report(doc, runs, micro, quick);
        doc.put("cells", rep.cells());
        doc.put("micro", micro);
        doc.put("runs", runs);
        doc.put("harnessSeconds", (System.nanoTime() - started) / 1e9);
        String md = rep.markdown();
        Files.writeString(results.resolve("suite.json"), Json.pretty(doc));
        Files.writeString(results.resolve("suite.md"), md);
        System.out.println();
        System.out.println(md);
        log("written: " + results.resolve("suite.md") + ", " + results.resolve("suite.json"));
        deleteTree(scratch);
    }

    // ---- one cell run

    Map<String, Object> runCell(Workload w, String arch, Config c, int round, Path root) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("workload", w.name());
        r.put("arch", arch);
        r.put("config", c.name());
        r.put("round", round);
        long bytes = bytesFor(w, c);
        r.put("inputBytes", bytes);
        Path input = Workload.input(work, bytes);
        Path dir = Files.createDirectories(scratch.resolve("run"));
        List<String> guest = new ArrayList<>();
        guest.add(busybox(arch).toString());
        guest.addAll(w.applet());
        List<String> cmd = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        Path traceDir = null;
        switch (c.kind()) {
            case NATIVE -> cmd.addAll(guest);
            case QEMU -> { cmd.add(arch.equals("i386") ? "qemu-i386" : "qemu-x86_64"); cmd.addAll(guest); }
            case WORKER -> {
                cmd.addAll(List.of(javaExe, "--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED", "-cp", classPath, "bench.GuestRun",
                        c.worker(), arch, input.toString(), String.valueOf(c == Config.PLAIN ? PLAIN_RUNS : RUNS), root.toString()));
                cmd.addAll(guest);
            }
            case OSGI, OSGI_TRACING, OSGI_SYSCALLS -> {
                if (osgiJar == null) return failed(r, "no OSGi runtime: " + osgiProblem);
                List<String> plugins = c.kind() == Config.Kind.OSGI_SYSCALLS
                        ? tracingPlugins.stream().filter("syscalls.linux"::equals).toList() : tracingPlugins;
                if (c.kind() != Config.Kind.OSGI && plugins.isEmpty())
                    return failed(r, "no tracing plugins in the runtime: " + tracingNote);
                env.put("ABISCOPE_JAR", osgiJar.toString());
                env.put("ABISCOPE_BUNDLES", Files.createDirectories(scratch.resolve("bundles")).toString());
                cmd.addAll(List.of(top.resolve("abiscope").toString(), "run", "--root", root.toString(), "--arch", arch));
                if (c.kind() != Config.Kind.OSGI) {
                    traceDir = freshTraceDir();
                    cmd.addAll(List.of("--plugins", String.join(",", plugins), "--trace-dir", traceDir.toString()));
                }
                cmd.add("--");
                cmd.addAll(guest);
            }
        }
        ProcessRun p = ProcessRun.run(cmd, env, input, dir, quick ? 120 : 1800);
        r.put("rssKb", p.rssKb);
        r.put("cpuNs", p.cpuNs);
        if (p.timedOut) return failed(r, "timed out");
        if (c.isWorker()) return workerResult(r, p, w, arch, c);
        if (p.exit != 0) return failed(r, "exit " + p.exit + ": " + p.stderrTail());
        String sha = p.stdoutSha256();
        if (traceDir != null) {
            // The plugins print their reports on stdout once the guest has ended: the guest's output
            // must be exactly the native output, followed only by those reports.
            long n = referenceBytes(w, arch, bytes);
            String after = p.stdoutText(n, 16);
            if (p.stdoutBytes() > n && !after.startsWith("plugin."))
                return failed(r, "output longer than native and not followed by a plugin report: '" + after + "'");
            sha = p.stdoutSha256(n);
            r.put("reportBytes", p.stdoutBytes() - n);
        }
        r.put("sha256", sha);
        r.put("wholeNs", p.wallNs);
        if (traceDir != null) r.put("traceBytes", treeSize(traceDir));
        return check(r, w, arch, c, sha);
    }

    Map<String, Object> workerResult(Map<String, Object> r, ProcessRun p, Workload w, String arch, Config c)
            throws Exception {
        List<Map<String, Object>> reps = new ArrayList<>();
        int junk = 0;
        // Latin-1: a guest that writes to the worker's own stdout must fail the cell, not the harness.
        for (String line : Files.readAllLines(p.stdout, java.nio.charset.StandardCharsets.ISO_8859_1)) {
            try {
                if (line.startsWith("{\"config\"") && Json.read(line) instanceof Map<?, ?> m) {
                    @SuppressWarnings("unchecked") Map<String, Object> rep = (Map<String, Object>) m;
                    reps.add(rep);
                    continue;
                }
            } catch (RuntimeException e) {
                // not one of GuestRun's lines
            }
            junk++;
        }
        if (p.exit != 0 || reps.isEmpty() || junk > 0)
            return failed(r, "worker exit " + p.exit + (junk > 0 ? ", " + junk + " stray lines on its stdout" : "") + ": " + p.stderrTail());
        Map<String, Object> cold = reps.getFirst();
        List<Long> warm = new ArrayList<>();
        int steadyFrom = reps.size() > STEADY_FROM ? STEADY_FROM : 1;
        long heap = 0, afterGc = -1;
        for (Map<String, Object> m : reps) {
            if (((Number) m.get("exit")).intValue() != 0)
                return failed(r, "guest exit " + m.get("exit") + ": " + p.stderrTail());
            if (!m.get("sha256").equals(cold.get("sha256")) || !m.get("icount").equals(cold.get("icount")))
                return failed(r, "runs in one JVM disagree (output or icount)");
            String extra = c.worker().equals("counter") ? "counted" : c.worker().equals("callback") ? "callbacks" : null;
            if (extra != null && !m.get(extra).equals(m.get("icount")))
                return failed(r, extra + " " + m.get(extra) + " != icount " + m.get("icount"));
            int rep = ((Number) m.get("rep")).intValue();
            // the heap of the runs every configuration makes (the plain one's later runs only add
            // garbage that a collection has not taken yet, and the kept state of five runs)
            if (rep < RUNS) {
                heap = Math.max(heap, ((Number) m.get("heapPeakBytes")).longValue());
                afterGc = Math.max(afterGc, ((Number) m.get("heapAfterGcBytes")).longValue());
            }
            if (rep == 1) r.put("secondNs", ((Number) m.get("ns")).longValue());
            if (rep >= steadyFrom) warm.add(((Number) m.get("ns")).longValue());
        }
        long coldNs = ((Number) cold.get("ns")).longValue(), startMs = ((Number) cold.get("jvmUptimeAtStartMs")).longValue();
        r.put("jvmStartMs", startMs);
        r.put("coldNs", coldNs);
        r.put("warmNs", warm);
        r.put("wholeNs", startMs * 1_000_000 + coldNs); // JVM start → end of the first (cold) run
        r.put("icount", cold.get("icount"));
        r.put("heapPeakBytes", heap);
        if (afterGc >= 0) r.put("heapAfterGcBytes", afterGc);
        return check(r, w, arch, c, (String) cold.get("sha256"));
    }

    /** The reference is the native run of the same input; a different output fails the cell. */
    Map<String, Object> check(Map<String, Object> r, Workload w, String arch, Config c, String sha) throws Exception {
        long bytes = ((Number) r.get("inputBytes")).longValue();
        String ref = reference(w, arch, bytes)[0];
        if (!ref.equals(sha)) {
            Path kept = keepFailedOutput(r);
            return failed(r, "output differs from native (sha256 " + sha.substring(0, 12) + "…, native "
                    + ref.substring(0, 12) + "…)" + (kept == null ? "" : "; kept in " + top.relativize(kept)));
        }
        r.put("ok", true);
        return r;
    }

    /** Keeps a wrong output (external configurations write it to a file) for whoever debugs it. */
    Path keepFailedOutput(Map<String, Object> r) throws IOException {
        Path out = scratch.resolve("run/stdout");
        if (r.get("config").toString().startsWith("abiscope") || r.get("config").equals("interpreter") || !Files.exists(out))
            return null; // GuestRun hashes the guest output as it streams; nothing to keep
        Path dir = Files.createDirectories(results.resolve("failed"));
        Path kept = dir.resolve(r.get("workload") + "-" + r.get("arch") + "-" + r.get("config") + "-round" + r.get("round") + ".out");
        Files.copy(out, kept, StandardCopyOption.REPLACE_EXISTING);
        return kept;
    }

    long referenceBytes(Workload w, String arch, long bytes) throws Exception {
        return Long.parseLong(reference(w, arch, bytes)[1]);
    }

    /** {sha256, length} of the native output for this input, from one extra native run. */
    String[] reference(Workload w, String arch, long bytes) throws Exception {
        String key = w.name() + "|" + arch + "|" + bytes;
        String[] ref = reference.get(key);
        if (ref == null) {
            List<String> nat = new ArrayList<>(List.of(busybox(arch).toString()));
            nat.addAll(w.applet());
            ProcessRun n = ProcessRun.run(nat, Map.of(), Workload.input(work, bytes),
                    Files.createDirectories(scratch.resolve("ref")), 600);
            if (n.exit != 0) throw new IllegalStateException("native reference run failed: " + n.stderrTail());
            ref = new String[] {n.stdoutSha256(), Long.toString(n.stdoutBytes())};
            reference.put(key, ref);
        }
        return ref;
    }

    static Map<String, Object> failed(Map<String, Object> r, String why) {
        r.put("ok", false);
        r.put("reason", why);
        return r;
    }

    // ---- the OSGi runtime

    /** Pins a copy of the runtime jar (others rebuild it while we measure) and picks the tracing plugins. */
    void prepareOsgi(Path root) throws Exception {
        Path built = top.resolve("run/target/abiscope.jar");
        if (!Files.exists(built)) {
            log("OSGi runtime: run/target/abiscope.jar missing, building it through ./abiscope version …");
            ProcessRun b = ProcessRun.run(List.of(top.resolve("abiscope").toString(), "version"), Map.of(),
                    Path.of("/dev/null"), Files.createDirectories(scratch.resolve("build")), 1200);
            if (b.exit != 0 || !Files.exists(built)) {
                osgiProblem = "./abiscope could not build run/target/abiscope.jar: " + b.stderrTail();
                log(osgiProblem);
                return;
            }
        }
        osgiJar = scratch.resolve("abiscope.jar");
        Files.copy(built, osgiJar, StandardCopyOption.REPLACE_EXISTING);
        List<String> wanted = List.of("syscalls.linux", "files", "processes");
        List<String> missing = new ArrayList<>();
        List<String> have = new ArrayList<>(wanted);
        // Try the full set; drop one plugin the runtime refuses at a time, so a plugin that lands later is used.
        while (!have.isEmpty()) {
            String problem = probeTracing(root, have);
            if (problem == null) break;
            String culprit = null;
            for (String p : have) if (problem.contains(p)) { culprit = p; break; }
            if (culprit == null) {
                tracingNote = "the tracing run fails with " + have + ": " + problem;
                have.clear();
                break;
            }
            have.remove(culprit);
            missing.add(culprit + " (" + problem + ")");
        }
        tracingPlugins = List.copyOf(have);
        if (!missing.isEmpty()) tracingNote = "not in the runtime, measured without: " + String.join("; ", missing);
        log("tracing plugins: " + tracingPlugins + (tracingNote.isEmpty() ? "" : " — " + tracingNote));
    }

    String probeTracing(Path root, List<String> plugins) throws Exception {
        Path trace = freshTraceDir();
        ProcessRun p = ProcessRun.run(List.of(top.resolve("abiscope").toString(), "run", "--root", root.toString(),
                        "--plugins", String.join(",", plugins), "--trace-dir", trace.toString(), "--",
                        busybox("x86_64").toString(), "true"),
                Map.of("ABISCOPE_JAR", osgiJar.toString(), "ABISCOPE_BUNDLES",
                        Files.createDirectories(scratch.resolve("bundles")).toString()),
                Path.of("/dev/null"), Files.createDirectories(scratch.resolve("probe")), 300);
        return p.exit == 0 ? null : p.stderrTail();
    }

    /** The scratch trace folder, emptied: each traced run starts with none of the last one's files. */
    Path freshTraceDir() throws IOException {
        Path trace = scratch.resolve("trace");
        deleteTree(trace);
        return Files.createDirectories(trace);
    }

    /**
     * The runtime's own cost: {@code ./abiscope run busybox true}; with {@code tracing}, the same with the
     * tracing plugins, whose difference is what tracing costs every command whatever it does (bringing
     * the plugins up and down) — the rest of a workload's tracing overhead grows with its calls.
     */
    Map<String, Object> osgiStartup(int round, Path root, boolean tracing) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("workload", "true");
        r.put("arch", "x86_64");
        r.put("config", tracing ? "osgi-startup+tracing" : "osgi-startup");
        r.put("round", round);
        List<String> cmd = new ArrayList<>(List.of(top.resolve("abiscope").toString(), "run", "--root", root.toString()));
        if (tracing) {
            cmd.addAll(List.of("--plugins", String.join(",", tracingPlugins), "--trace-dir", freshTraceDir().toString()));
        }
        cmd.addAll(List.of("--", busybox("x86_64").toString(), "true"));
        ProcessRun p = ProcessRun.run(cmd,
                Map.of("ABISCOPE_JAR", osgiJar.toString(), "ABISCOPE_BUNDLES", scratch.resolve("bundles").toString()),
                Path.of("/dev/null"), scratch.resolve("run"), 300);
        r.put("rssKb", p.rssKb);
        if (p.exit != 0) return failed(r, "exit " + p.exit + ": " + p.stderrTail());
        r.put("wholeNs", p.wallNs);
        r.put("ok", true);
        return r;
    }

    // ---- micro

    /** The JMH micro-benchmarks; a failure is reported in the map (ok=false), the suite goes on. */
    Map<String, Object> micro() throws IOException {
        Files.createDirectories(results);
        log("micro-benchmarks (JMH; its progress in " + results.resolve("jmh") + ") …");
        long t0 = System.nanoTime();
        Map<String, Object> m;
        try {
            m = MicroRunner.run(results, quick);
        } catch (LinkageError e) { // JMH missing from the class path: the workloads' results still count
            m = failed(new LinkedHashMap<>(), "JMH could not be loaded: " + e);
        }
        m.put("seconds", (System.nanoTime() - t0) / 1e9);
        log(String.format(Locale.ROOT, "micro-benchmarks: %s in %.0f s", Boolean.TRUE.equals(m.get("ok")) ? "done" : "FAILED: " + m.get("reason"),
                (double) m.get("seconds")));
        return m;
    }

    /** --micro-only: the micro-benchmarks without the workloads, to micro.md and micro.json. */
    void runMicroOnly() throws IOException {
        Map<String, Object> micro = micro();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("date", Instant.now().toString());
        doc.put("command", "bench/run" + (quick ? " --quick" : "") + " --micro-only");
        doc.put("host", Host.describe());
        doc.put("micro", micro);
        String md = "- Command: `" + doc.get("command") + "` — " + doc.get("date") + "\n\n"
                + new Report(doc, List.of(), micro, quick).microMarkdown();
        Files.writeString(results.resolve("micro.json"), Json.pretty(doc));
        Files.writeString(results.resolve("micro.md"), md);
        System.out.println();
        System.out.println(md);
        log("written: " + results.resolve("micro.md") + ", " + results.resolve("micro.json"));
    }

    // ---- helpers

    static void log(String s) { System.err.println("bench: " + s); }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }

    static long treeSize(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).mapToLong(q -> q.toFile().length()).sum();
        }
    }
}
