package bench.micro;

import emulator.api.instrument.BlockCallback;
import emulator.core.exec.CpuEvents;
import emulator.core.exec.MachineConfig.BackendKind;
import emulator.core.ir.CallbackRef;
import emulator.core.spi.BlockEditor;
import emulator.core.spi.Instrumentation;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Hot-plug latency: a block hook is installed ({@link emulator.core.exec.Machine#setInstrumentation})
 * into a machine whose guest loops, in compiled code, on a thread of its own. One sample per
 * invocation (single-shot); before each, outside the measured time, the hook is removed and the
 * guest given {@value #SETTLE_MS} ms to run hook-free compiled code again.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 30)
@Fork(value = 1, jvmArgsAppend = {"--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class HotPlugBench {
    static final long SETTLE_MS = 50;
    /** A callback that never comes within this is a failure, not a sample. */
    static final long CALLBACK_TIMEOUT_NS = 5_000_000_000L;

    private LoopMachine loop;
    private Thread guest;

    @Setup(Level.Trial)
    public void startGuest() throws InterruptedException {
        loop = new LoopMachine(GuestLoop.assemble(1L << 50), BackendKind.TIERED); // runs for days
        guest = new Thread(loop.freshVcpu()::run, "hot-plug-guest");
        guest.setDaemon(true);
        guest.start();
        Thread.sleep(300); // the loop gets compiled before the first (warm-up) sample
    }

    @Setup(Level.Invocation)
    public void unplugAndSettle() throws InterruptedException {
        loop.machine.setInstrumentation(null);
        Thread.sleep(SETTLE_MS);
        if (!guest.isAlive()) throw new IllegalStateException("the looping guest ended");
    }

    @TearDown(Level.Trial)
    public void stopGuest() throws InterruptedException {
        loop.machine.stop();
        guest.join(10_000);
    }

    /** Install → the guest's first call into the new hook (seen by this thread spinning on it). */
    @Benchmark
    public void installToFirstCallback() {
        FirstCall first = new FirstCall();
        loop.machine.setInstrumentation(beforeEveryBlock(first));
        long deadline = System.nanoTime() + CALLBACK_TIMEOUT_NS;
        while (!first.called) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("no callback within 5 s of the install");
            Thread.onSpinWait();
        }
    }

    /** Install → the install call returns (it waits until no vCPU can run a block translated before it). */
    @Benchmark
    public void installCallReturns() {
        loop.machine.setInstrumentation(beforeEveryBlock(new FirstCall()));
    }

    /** Notes the first call; later ones (the guest goes on looping) change nothing. */
    static final class FirstCall implements BlockCallback {
        volatile boolean called;

        @Override
        public void onBlock(emulator.api.Cpu cpu, long pc, int insns) {
            if (!called) called = true;
        }
    }

    static Instrumentation beforeEveryBlock(BlockCallback cb) {
        CallbackRef ref = new CallbackRef(cb, "hot-plug", false);
        return new Instrumentation() {
            public void instrument(BlockEditor b) { b.beforeBlock(ref); }
            public CpuEvents events() { return CpuEvents.NONE; }
            public void callbackFailed(Object owner, Throwable error) { throw new IllegalStateException(error); }
        };
    }
}
