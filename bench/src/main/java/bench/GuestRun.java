package bench;

import emulator.api.instrument.InlineCounter;
import emulator.api.instrument.InsnCallback;
import emulator.core.exec.CpuEvents;
import emulator.core.exec.Machine;
import emulator.core.exec.MachineConfig;
import emulator.core.exec.MachineConfig.BackendKind;
import emulator.core.exec.Machines;
import emulator.core.ir.CallbackRef;
import emulator.core.spi.BlockEditor;
import emulator.core.spi.Instrumentation;
import emulator.linuxuser.LinuxUserRunner;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One benchmark process for the in-process abiscope configurations: runs a Linux program under
 * {@link LinuxUserRunner} {@code reps} times in this JVM (the first run is the cold one, the others
 * show the steady state) and prints one JSON line per run on stdout: time, guest instructions
 * (the machine's own icount), peak heap, exit status and the SHA-256 of the guest's stdout.
 *
 * <p>Usage: {@code GuestRun CONFIG ARCH INPUT REPS ROOT PROGRAM [ARG...]}, CONFIG one of
 * {@code plain} (tiered backend, no instrumentation), {@code counter} (an inline counter on every
 * instruction), {@code callback} (a callback before every instruction), {@code interpreted}
 * (the IR interpreter only). The counter and callback are installed through the core's
 * instrumentation SPI when the machine starts, as the instrumentation engine would.
 */
public final class GuestRun {
    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println("usage: GuestRun plain|counter|callback|interpreted ARCH INPUT REPS ROOT PROGRAM [ARG...]");
            System.exit(2);
        }
        String config = args[0], arch = args[1];
        Path input = Path.of(args[2]);
        int reps = Integer.parseInt(args[3]);
        Path root = Path.of(args[4]);
        List<String> argv = List.of(args).subList(5, args.length);
        HeapSampler heap = new HeapSampler();
        heap.start();
        for (int rep = 0; rep < reps; rep++) {
            long uptimeMs = ManagementFactory.getRuntimeMXBean().getUptime();
            Map<String, Object> r = runOnce(config, arch, input, root, argv, heap);
            r.put("rep", rep);
            r.put("jvmUptimeAtStartMs", uptimeMs);
            System.out.println(Json.write(r));
            System.out.flush();
        }
        heap.interrupt();
    }

    static Map<String, Object> runOnce(String config, String arch, Path input, Path root, List<String> argv,
                                       HeapSampler heap) throws Exception {
        MachineConfig mc = MachineConfig.defaults("bench");
        if (config.equals("interpreted")) mc = mc.withBackend(BackendKind.INTERPRETED);
        else if (!config.equals("plain") && !config.equals("counter") && !config.equals("callback"))
            throw new IllegalArgumentException("unknown configuration " + config);
        InlineCounter counter = new InlineCounter();
        AtomicLong machineIcount = new AtomicLong(-1);
        long[] calls = new long[1];
        Instrumentation instr = config.equals("counter") ? perInsn(b -> {
            for (var insn : b.insns()) b.countInsn(insn.index(), counter);
        }) : config.equals("callback") ? perInsn(new CallbackEveryInsn(calls)) : null;
        Machines.Listener listener = new Machines.Listener() {
            public void started(Machine m) { if (instr != null) m.setInstrumentation(instr); }
            public void stopped(Machine m) {
                machineIcount.set(m.icount());
                if (Boolean.getBoolean("bench.engineStats")) {
                    var be = m.translator().backend();
                    System.err.printf("engine: %d blocks translated (%d reused) in %d ms, %d compiled, %d regions of %d blocks, %d traces, %d shared, %.1f insns per dispatch, %d restarts%n",
                            m.translator().blocksTranslated(), m.translator().translationsReused(), m.translator().translateNanos() / 1_000_000, be.blocksCompiled(), be.regionsCompiled(), be.regionMembers(), be.tracesCompiled(), be.sharedCodeHits(),
                            (double) m.icount() / Math.max(1, m.dispatches()), m.restarts());
                }
            }
        };
        Machines.addListener(listener);
        DigestStream out = new DigestStream();
        int exit;
        long t0, t1;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(input), 1 << 16)) {
            heap.reset();
            t0 = System.nanoTime();
            exit = new LinuxUserRunner().config(mc).run(root, arch, argv, Map.of(), in, out, System.err);
            t1 = System.nanoTime();
        } finally {
            Machines.removeListener(listener);
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("config", config);
        r.put("ns", t1 - t0);
        r.put("icount", machineIcount.get());
        if (config.equals("counter")) r.put("counted", counter.sum());
        if (config.equals("callback")) r.put("callbacks", calls[0]);
        r.put("heapPeakBytes", heap.peak());
        r.put("heapAfterGcBytes", heap.afterGcPeak());
        r.put("exit", exit);
        r.put("outBytes", out.length());
        r.put("sha256", out.hex());
        return r;
    }

    /** A callback before every instruction; it counts, so the JIT cannot drop it. */
    record CallbackEveryInsn(long[] calls) implements java.util.function.Consumer<BlockEditor> {
        public void accept(BlockEditor b) {
            InsnCallback cb = (c, pc) -> calls[0]++;
            CallbackRef ref = new CallbackRef(cb, "bench", false);
            for (var insn : b.insns()) b.beforeInsn(insn.index(), ref);
        }
    }

    static Instrumentation perInsn(java.util.function.Consumer<BlockEditor> edit) {
        return new Instrumentation() {
            public void instrument(BlockEditor block) { edit.accept(block); }
            public CpuEvents events() { return CpuEvents.NONE; }
            public void callbackFailed(Object owner, Throwable error) { throw new IllegalStateException(error); }
        };
    }

    /** The guest's stdout, hashed as it is written (nothing kept, so it does not count in the heap). */
    static final class DigestStream extends OutputStream {
        private final java.security.MessageDigest md;
        private long n;

        DigestStream() throws Exception { md = java.security.MessageDigest.getInstance("SHA-256"); }

        @Override public void write(int b) { md.update((byte) b); n++; }
        @Override public void write(byte[] b, int off, int len) { md.update(b, off, len); n += len; }
        long length() { return n; }
        String hex() { return java.util.HexFormat.of().formatHex(md.digest()); }
    }

    /**
     * Peak used heap, sampled every 5 ms (used = live objects plus garbage not yet collected; the
     * JVM grows its heap lazily, so this is what the process really held, not the live set); and the
     * most heap still in use right after a collection (what the run kept: garbage the collector has
     * not reached yet, in the old generation, included), -1 when no collection ran.
     */
    static final class HeapSampler extends Thread {
        private volatile long peak, afterGcPeak = -1;

        HeapSampler() {
            super("heap-sampler");
            setDaemon(true);
            java.util.Set<String> heapPools = new java.util.HashSet<>();
            for (var p : ManagementFactory.getMemoryPoolMXBeans())
                if (p.getType() == java.lang.management.MemoryType.HEAP) heapPools.add(p.getName());
            for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (!(gc instanceof javax.management.NotificationEmitter e)) continue;
                e.addNotificationListener((n, h) -> {
                    if (!n.getType().equals(com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) return;
                    var info = com.sun.management.GarbageCollectionNotificationInfo.from((javax.management.openmbean.CompositeData) n.getUserData());
                    long used = 0;
                    for (var u : info.getGcInfo().getMemoryUsageAfterGc().entrySet())
                        if (heapPools.contains(u.getKey())) used += u.getValue().getUsed();
                    if (used > afterGcPeak) afterGcPeak = used;
                }, null, null);
            }
        }

        void reset() { peak = used(); afterGcPeak = -1; }
        long peak() { return Math.max(peak, used()); }
        long afterGcPeak() { return afterGcPeak; }

        private static long used() { return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(); }

        @Override public void run() {
            while (!isInterrupted()) {
                long u = used();
                if (u > peak) peak = u;
                try { Thread.sleep(5); } catch (InterruptedException e) { return; }
            }
        }
    }
}
