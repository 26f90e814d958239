package bench.micro;

import emulator.api.instrument.InlineCounter;
import emulator.api.instrument.InsnCallback;
import emulator.core.exec.CpuEvents;
import emulator.core.exec.MachineConfig.BackendKind;
import emulator.core.exec.Vcpu;
import emulator.core.ir.CallbackRef;
import emulator.core.spi.BlockEditor;
import emulator.core.spi.Instrumentation;

/**
 * The guest loop under one configuration of {@link GuestLoopBench}, ready to run to its {@code hlt}
 * any number of times. The configurations:
 * <ul>
 * <li>{@code tiered}, {@code compiled}, {@code interpreted}: the backend alone;</li>
 * <li>{@code tiered+inline-counter}: an {@link InlineCounter} bumped by every instruction;</li>
 * <li>{@code tiered+callback}: an {@link InsnCallback} before every instruction, which may read the
 *     registers (so they are written back to the vCPU before each call);</li>
 * <li>{@code tiered+callback-noregs}: the same callback declared as touching no register
 *     ({@code RegAccess.NONE}, QEMU's default kind of callback).</li>
 * </ul>
 */
final class LoopRun {
    private final String config;
    private final long expectedInsns;
    private final LoopMachine loop;
    private final InlineCounter counter = new InlineCounter();
    /** Callbacks made; only the vCPU's thread (the benchmark's) touches it. */
    private long callbacks;
    private Vcpu cpu;
    private long countedBefore, callbacksBefore;

    LoopRun(String config, long iterations) {
        this.config = config;
        this.expectedInsns = GuestLoop.insns(iterations);
        this.loop = new LoopMachine(GuestLoop.assemble(iterations), backend(config));
        Instrumentation hooks = instrumentation(config);
        if (hooks != null) loop.machine.setInstrumentation(hooks);
    }

    private static BackendKind backend(String config) {
        if (config.startsWith("interpreted")) return BackendKind.INTERPRETED;
        if (config.startsWith("compiled")) return BackendKind.COMPILED;
        if (config.startsWith("tiered")) return BackendKind.TIERED;
        throw new IllegalArgumentException("no loop configuration " + config);
    }

    /** The hooks of {@code config}, or null for none. */
    private Instrumentation instrumentation(String config) {
        boolean counting = config.endsWith("+inline-counter");
        boolean calling = config.endsWith("+callback") || config.endsWith("+callback-noregs");
        if (!counting && !calling) return null;
        InsnCallback count = (c, pc) -> callbacks++;
        CallbackRef callback = new CallbackRef(count, "micro", false, !config.endsWith("-noregs"));
        return new Instrumentation() {
            public void instrument(BlockEditor b) {
                for (var insn : b.insns()) {
                    if (counting) b.countInsn(insn.index(), counter);
                    else b.beforeInsn(insn.index(), callback);
                }
            }
            public CpuEvents events() { return CpuEvents.NONE; }
            public void callbackFailed(Object owner, Throwable error) { throw new IllegalStateException(error); }
        };
    }

    /** A fresh vCPU for the next run (outside the measured time). */
    void prepare() {
        cpu = loop.freshVcpu();
        countedBefore = counter.sum();
        callbacksBefore = callbacks;
    }

    /** Runs the loop to its {@code hlt} on this thread and checks what ran; returns the instructions run. */
    long runAndCheck() {
        cpu.run();
        long ran = cpu.icount();
        LoopMachine.expectCount(config + ": guest instructions", expectedInsns, ran);
        long hooked = ran + GuestLoop.HOOKED_NOT_COMPLETED;
        if (config.endsWith("+inline-counter"))
            LoopMachine.expectCount(config + ": inline counter", hooked, counter.sum() - countedBefore);
        if (config.contains("+callback"))
            LoopMachine.expectCount(config + ": callbacks", hooked, callbacks - callbacksBefore);
        return ran;
    }
}
