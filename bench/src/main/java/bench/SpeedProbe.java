package bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A quick, repeatable engine-speed probe for working on the engine (not part of bench/run): runs one
 * busybox applet under abiscope several times in this JVM and prints each run's guest MIPS, then the
 * median of the warm runs (all but the first). The output's SHA-256 is compared with a native run of
 * the same busybox, so a speed-up that breaks the result shows as WRONG, never as a number.
 *
 * <p>Usage: {@code SpeedProbe ARCH APPLET MIB REPS [WORKDIR]}, e.g. {@code SpeedProbe amd64 gzip 4 5}.
 * {@code -Dprobe.config=counter} (or {@code callback}) runs {@link GuestRun}'s instrumented
 * configuration instead of the plain one; with the counter, a count that differs from the vCPU's
 * instruction count fails the probe as a wrong output does.
 */
public final class SpeedProbe {
    public static void main(String[] args) throws Exception {
        String arch = args[0], applet = args[1];
        long bytes = (long) (Double.parseDouble(args[2]) * (1 << 20));
        int reps = Integer.parseInt(args[3]);
        Path work = Files.createDirectories(Path.of(args.length > 4 ? args[4] : "/tmp/abiscope-speedprobe"));
        Path input = Workload.input(work, bytes);
        Path root = Files.createDirectories(work.resolve("root"));
        Path busybox = Path.of(System.getProperty("user.home"), ".cache/abiscope/guests", arch, "busybox/busybox");
        List<String> argv = new ArrayList<>(List.of(busybox.toString(), applet));
        if (applet.equals("gzip") || applet.equals("bzip2")) argv.add("-c");
        String expected = nativeDigest(argv, input);
        GuestRun.HeapSampler heap = new GuestRun.HeapSampler();
        heap.start();
        // The machine is shared: wall time includes waiting for a core. Process CPU time (all threads:
        // the guest's, the JIT's, the GC's) is the work done, and shows less of the other users' load.
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        var gcs = java.lang.management.ManagementFactory.getGarbageCollectorMXBeans();
        List<Double> mips = new ArrayList<>(), cpuMips = new ArrayList<>();
        for (int rep = 0; rep < reps; rep++) {
            long cpu0 = os.getProcessCpuTime(), jit0 = jit.getTotalCompilationTime(), gc0 = gcTime(gcs);
            // CLOCK_MONOTONIC, as perf's timestamps: lets a profile of the whole process be cut per run
            if (Boolean.getBoolean("bench.marks")) System.out.printf("run %d starts at monotonic %.6f s%n", rep, System.nanoTime() / 1e9);
            Map<String, Object> r = GuestRun.runOnce(System.getProperty("probe.config", "plain"), arch, input, root, argv, heap);
            long cpuNs = os.getProcessCpuTime() - cpu0;
            // JIT time is the compiler threads' elapsed time (it grows when they wait for a core)
            long jitMs = jit.getTotalCompilationTime() - jit0, gcMs = gcTime(gcs) - gc0;
            long ns = (Long) r.get("ns"), ic = (Long) r.get("icount");
            double m = ic * 1e3 / ns, cm = ic * 1e3 / cpuNs;
            boolean ok = expected.equals(r.get("sha256"));
            System.out.printf("%s %s run %d: %.3f s, %d insns, %.1f MIPS wall, %.1f MIPS per CPU second (JIT %d ms, GC %d ms) %s%n", arch, applet,
                    rep, ns / 1e9, ic, m, cm, jitMs, gcMs, ok ? "ok" : "WRONG OUTPUT sha256=" + r.get("sha256") + " expected " + expected);
            if (!ok) System.exit(3);
            if (r.containsKey("counted") && !r.get("counted").equals(ic)) {
                System.out.printf("WRONG COUNT: the inline counter counted %s of %d instructions%n", r.get("counted"), ic);
                System.exit(3);
            }
            if (rep > 0) { mips.add(m); cpuMips.add(cm); }
        }
        heap.interrupt();
        mips.sort(null);
        cpuMips.sort(null);
        if (!mips.isEmpty()) System.out.printf("%s %s warm runs: median %.1f MIPS wall (best %.1f), median %.1f MIPS per CPU second%n",
                arch, applet, mips.get(mips.size() / 2), mips.get(mips.size() - 1), cpuMips.get(cpuMips.size() / 2));
    }

    private static long gcTime(List<java.lang.management.GarbageCollectorMXBean> gcs) {
        long t = 0;
        for (var g : gcs) t += Math.max(0, g.getCollectionTime());
        return t;
    }

    private static String nativeDigest(List<String> argv, Path input) throws Exception {
        Process p = new ProcessBuilder(argv).redirectInput(input.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        GuestRun.DigestStream d = new GuestRun.DigestStream();
        p.getInputStream().transferTo(d);
        if (p.waitFor() != 0) throw new IllegalStateException("native run failed: " + argv);
        return d.hex();
    }
}
