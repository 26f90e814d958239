package bench;

import emulator.api.instrument.BlockCallback;
import emulator.core.exec.CpuEvents;
import emulator.core.exec.GuestException;
import emulator.core.exec.GuestKernel;
import emulator.core.exec.Machine;
import emulator.core.exec.MachineConfig;
import emulator.core.exec.Vcpu;
import emulator.core.ir.CallbackRef;
import emulator.core.mem.AddressSpace;
import emulator.core.mem.Prot;
import emulator.core.spi.BlockEditor;
import emulator.core.spi.Instrumentation;
import emulator.x86.X86Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Engine micro-benchmarks on raw x86-64 guest loops, printed as one JSON object:
 * <ul>
 * <li>the per-instruction cost of an inline counter and of a callback (from {@link EngineBench}:
 *     the same loop with and without the instrumentation, interleaved, medians);</li>
 * <li>hot-plug latency: an instrumentation is installed into a machine whose guest is looping
 *     (compiled code), and the time from the install call to the first callback is taken;</li>
 * <li>guest stall per cache flush: the loop runs a fixed number of instructions with and without
 *     another thread calling {@link Machine#flushAll()} every few milliseconds; the extra time
 *     divided by the number of flushes is what one flush costs the guest (the safe-point stop plus
 *     re-translating and re-compiling the blocks it runs).</li>
 * </ul>
 * Usage: {@code MicroBench [--quick]}.
 */
public final class MicroBench {
    static final long CODE = 0x400000;

    public static void main(String[] args) throws Exception {
        boolean quick = args.length > 0 && args[0].equals("--quick");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("insnCost", insnCost(quick));
        out.put("hotPlug", hotPlug(quick ? 5 : 20));
        out.put("flushStall", flushStall(quick));
        System.out.println(Json.write(out));
    }

    /** Inline counter and callback cost on the EngineBench loop, ns per guest instruction. */
    static Map<String, Object> insnCost(boolean quick) throws Exception {
        // long enough (about 0.3 s a run) that the JIT's work on fresh code does not dominate
        long iters = quick ? 500_000 : 200_000_000;
        int rounds = quick ? 2 : 5;
        byte[] code = EngineBench.assemble(loop(iters));
        String[] configs = {"tiered", "tiered+inline-counter", "tiered+callback", "tiered+callback-noregs", "interpreted", "compiled"};
        List<List<Double>> ns = new ArrayList<>();
        for (String c : configs) ns.add(new ArrayList<>());
        long insns = 0;
        for (int r = 0; r < rounds + 1; r++) {
            for (int k = 0; k < configs.length; k++) {
                long[] o = EngineBench.run(code, configs[k]);
                insns = o[1];
                if (r > 0) ns.get(k).add((double) o[0] / o[1]); // the first round warms the JIT
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loopInsns", insns);
        m.put("rounds", rounds);
        for (int k = 0; k < configs.length; k++) m.put(configs[k] + "NsPerInsn", Stats.median(ns.get(k)));
        double base = Stats.median(ns.get(0));
        m.put("inlineCounterNsPerInsn", Stats.median(ns.get(1)) - base);
        m.put("callbackNsPerInsn", Stats.median(ns.get(2)) - base);
        m.put("callbackNoRegsNsPerInsn", Stats.median(ns.get(3)) - base);
        return m;
    }

    static String loop(long iters) {
        return """
                BITS 64
                mov rcx, %d
                l: add eax, ecx
                xor ebx, eax
                imul edx, ebx, 3
                add esi, edx
                sub rcx, 1
                jnz l
                hlt
                """.formatted(iters);
    }

    /** A machine running {@code code} on its own thread until hlt or stop. */
    record Running(Machine machine, Vcpu cpu, Thread thread) {
        static Running start(byte[] code) {
            X86Target t = new X86Target(true);
            GuestKernel stop = new GuestKernel() {
                public void syscall(Vcpu c) { c.stop(); }
                public void exception(Vcpu c, GuestException e) { c.stop(); }
            };
            Machine m = new Machine(MachineConfig.defaults("micro"), t, stop);
            AddressSpace as = new AddressSpace(1 << 30);
            as.map(CODE, 4096, Prot.RWX);
            as.poke(CODE, code, 0, code.length);
            Vcpu cpu = m.newVcpu(as);
            t.reset(cpu);
            cpu.pc = CODE;
            Thread th = new Thread(cpu::run, "micro-vcpu");
            th.start();
            return new Running(m, cpu, th);
        }

        void stop() throws InterruptedException {
            machine.stop();
            thread.join(10_000);
        }
    }

    static Instrumentation instrumentation(BlockCallback cb) {
        return new Instrumentation() {
            public void instrument(BlockEditor b) { b.beforeBlock(new CallbackRef(cb, "micro", false)); }
            public CpuEvents events() { return CpuEvents.NONE; }
            public void callbackFailed(Object owner, Throwable error) { throw new IllegalStateException(error); }
        };
    }

    /** Install → first callback, and install → the install call returned, in microseconds. */
    static Map<String, Object> hotPlug(int samples) throws Exception {
        Running r = Running.start(EngineBench.assemble(loop(1L << 50)));
        try {
            Thread.sleep(300); // the loop's block is compiled and the JIT has warmed the dispatch loop
            List<Double> toFirst = new ArrayList<>(), toReturn = new ArrayList<>();
            for (int i = 0; i < samples; i++) {
                long[] first = {0};
                BlockCallback cb = (c, pc, n) -> { if (first[0] == 0) first[0] = System.nanoTime(); };
                long t0 = System.nanoTime();
                r.machine.setInstrumentation(instrumentation(cb));
                long returned = System.nanoTime();
                long deadline = t0 + 5_000_000_000L;
                while (first[0] == 0 && System.nanoTime() < deadline) Thread.onSpinWait();
                if (first[0] == 0) throw new IllegalStateException("no callback within 5 s of the install");
                toFirst.add((first[0] - t0) / 1e3);
                toReturn.add((returned - t0) / 1e3);
                r.machine.setInstrumentation(null);
                Thread.sleep(50); // back to compiled code without hooks
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("samples", samples);
            m.put("installToFirstCallbackUsMedian", Stats.median(toFirst));
            m.put("installToFirstCallbackUsMax", toFirst.stream().mapToDouble(d -> d).max().orElse(Double.NaN));
            m.put("installCallReturnsUsMedian", Stats.median(toReturn));
            return m;
        } finally {
            r.stop();
        }
    }

    /** Extra guest time per flushAll() while the guest loops. */
    static Map<String, Object> flushStall(boolean quick) throws Exception {
        long iters = quick ? 20_000_000 : 200_000_000;
        int rounds = quick ? 2 : 5;
        int periodMs = 5;
        byte[] code = EngineBench.assemble(loop(iters));
        List<Double> plain = new ArrayList<>(), flushed = new ArrayList<>(), perFlush = new ArrayList<>();
        long flushesTotal = 0;
        for (int round = 0; round < rounds + 1; round++) {
            long a = timeLoop(code, 0)[0];
            long[] b = timeLoop(code, periodMs);
            if (round == 0) continue; // warm-up
            plain.add(a / 1e6);
            flushed.add(b[0] / 1e6);
            flushesTotal += b[1];
            if (b[1] > 0) perFlush.add((b[0] - a) / 1e3 / b[1]);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loopInsns", iters * 6);
        m.put("flushEveryMs", periodMs);
        m.put("plainMsMedian", Stats.median(plain));
        m.put("withFlushesMsMedian", Stats.median(flushed));
        m.put("flushes", flushesTotal);
        m.put("stallPerFlushUsMedian", Stats.median(perFlush));
        return m;
    }

    /** Runs the loop to its hlt, flushing every {@code periodMs} (0: never); {nanoseconds, flushes}. */
    static long[] timeLoop(byte[] code, int periodMs) throws Exception {
        long t0 = System.nanoTime();
        Running r = Running.start(code);
        long flushes = 0;
        if (periodMs > 0) {
            while (r.thread.isAlive()) {
                r.thread.join(periodMs);
                if (!r.thread.isAlive()) break;
                r.machine.flushAll();
                flushes++;
            }
        }
        r.thread.join();
        return new long[] {System.nanoTime() - t0, flushes};
    }
}
