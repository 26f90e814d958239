package bench;

import emulator.api.instrument.InlineCounter;
import emulator.api.instrument.InsnCallback;
import emulator.core.exec.CpuEvents;
import emulator.core.exec.GuestException;
import emulator.core.exec.GuestKernel;
import emulator.core.exec.Machine;
import emulator.core.exec.MachineConfig;
import emulator.core.exec.MachineConfig.BackendKind;
import emulator.core.exec.Vcpu;
import emulator.core.ir.CallbackRef;
import emulator.core.mem.AddressSpace;
import emulator.core.mem.Prot;
import emulator.core.spi.BlockEditor;
import emulator.core.spi.Instrumentation;
import emulator.x86.X86Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Engine micro-benchmarks on a guest loop (x86-64 integer code): guest instructions per second for
 * each backend, and the cost per guest instruction of a per-instruction callback and of an inline
 * counter, interleaved A B A B … and reported as medians. Not a test: numbers only.
 */
public final class EngineBench {
    static final long CODE = 0x400000;

    public static void main(String[] args) throws Exception {
        boolean quick = args.length > 0 && args[0].equals("--quick");
        long iters = quick ? 200_000 : 20_000_000;
        int rounds = quick ? 1 : 5;
        byte[] code = assemble("""
                BITS 64
                mov ecx, %d
                l: add eax, ecx
                xor ebx, eax
                imul edx, ebx, 3
                add esi, edx
                sub ecx, 1
                jnz l
                hlt
                """.formatted(iters));
        String[] configs = {"interpreted", "compiled", "tiered", "tiered+inline-counter", "tiered+callback"};
        List<List<Double>> ns = new ArrayList<>();
        for (String c : configs) ns.add(new ArrayList<>());
        long insns = 0;
        for (int r = 0; r < rounds + 1; r++) {
            for (int k = 0; k < configs.length; k++) {
                long[] out = run(code, configs[k]);
                insns = out[1];
                if (r > 0 || quick) ns.get(k).add((double) out[0] / out[1]);
            }
        }
        System.out.printf(Locale.ROOT, "guest loop: %,d guest instructions per run, median of %d runs%n", insns, rounds);
        System.out.printf(Locale.ROOT, "%-24s %12s %12s%n", "configuration", "ns/insn", "M insn/s");
        double base = median(ns.get(2));
        for (int k = 0; k < configs.length; k++) {
            double m = median(ns.get(k));
            System.out.printf(Locale.ROOT, "%-24s %12.3f %12.1f%n", configs[k], m, 1e3 / m);
        }
        System.out.printf(Locale.ROOT, "inline counter cost: %.3f ns/insn; callback cost: %.3f ns/insn%n",
                median(ns.get(3)) - base, median(ns.get(4)) - base);
    }

    static double median(List<Double> l) {
        List<Double> s = new ArrayList<>(l);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    /** Runs the loop once; returns {nanoseconds, guest instructions}. */
    static long[] run(byte[] code, String config) {
        BackendKind kind = config.startsWith("interpreted") ? BackendKind.INTERPRETED
                : config.startsWith("compiled") ? BackendKind.COMPILED : BackendKind.TIERED;
        X86Target t = new X86Target(true);
        GuestKernel stop = new GuestKernel() {
            public void syscall(Vcpu c) { c.stop(); }
            public void exception(Vcpu c, GuestException e) { c.stop(); }
        };
        Machine m = new Machine(MachineConfig.defaults("bench").withBackend(kind), t, stop);
        AddressSpace as = new AddressSpace(1 << 30);
        as.map(CODE, 4096, Prot.RWX);
        as.poke(CODE, code, 0, code.length);
        Vcpu cpu = m.newVcpu(as);
        t.reset(cpu);
        cpu.pc = CODE;
        InlineCounter counter = new InlineCounter();
        long[] sink = new long[1];
        InsnCallback cb = (c, pc) -> sink[0]++;
        if (config.endsWith("inline-counter") || config.contains("callback")) {
            boolean counting = config.endsWith("inline-counter");
            boolean readsRegs = !config.endsWith("noregs"); // RegAccess.NONE: QEMU's default kind of callback
            m.setInstrumentation(new Instrumentation() {
                public void instrument(BlockEditor b) {
                    for (var insn : b.insns()) {
                        if (counting) b.countInsn(insn.index(), counter);
                        else b.beforeInsn(insn.index(), new CallbackRef(cb, "bench", false, readsRegs));
                    }
                }
                public CpuEvents events() { return CpuEvents.NONE; }
                public void callbackFailed(Object owner, Throwable error) { throw new IllegalStateException(error); }
            });
        }
        long t0 = System.nanoTime();
        cpu.run();
        long dt = System.nanoTime() - t0;
        return new long[] {dt, cpu.icount};
    }

    static byte[] assemble(String src) throws Exception {
        Path dir = Files.createTempDirectory("bench");
        Path s = dir.resolve("b.asm"), o = dir.resolve("b.bin");
        Files.writeString(s, src);
        Process p = new ProcessBuilder("nasm", "-f", "bin", "-o", o.toString(), s.toString()).inheritIO().start();
        if (p.waitFor() != 0) throw new IllegalStateException("nasm failed");
        return Files.readAllBytes(o);
    }
}
