package plugin.syscalls.linux;

import emulator.core.exec.CpuEvents;
import emulator.core.exec.Machine;
import emulator.core.exec.Machines;
import emulator.core.exec.Vcpu;
import emulator.core.spi.BlockEditor;
import emulator.core.spi.Instrumentation;
import emulator.linuxuser.LinuxUserRunner;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a guest on the Linux personality with the tracer attached the way the instrumentation
 * engine attaches a CpuEventListener: through the core's Instrumentation SPI, installed on the
 * machine (at start, or later for hot loading).
 */
final class GuestHarness {
    record Result(int exit, String out, String err) {}

    /** Forwards the core's CPU events to the tracer, as the engine does. */
    static final class Adapter implements Instrumentation, CpuEvents {
        final Tracer tracer;
        volatile Throwable failure;

        Adapter(Tracer t) { this.tracer = t; }

        @Override public void instrument(BlockEditor block) { }
        @Override public CpuEvents events() { return this; }
        @Override public void callbackFailed(Object owner, Throwable error) { failure = error; }
        @Override public void syscall(Vcpu cpu) { guard(() -> tracer.onSyscall(cpu)); }
        @Override public void privilegeChange(Vcpu cpu, int from, int to) { guard(() -> tracer.onPrivilegeChange(cpu, from, to)); }

        private void guard(Runnable r) {
            try { r.run(); } catch (RuntimeException e) { if (failure == null) failure = e; throw e; }
        }
    }

    /** Runs to the end with the tracer on from the first instruction. */
    static Result run(Path root, String arch, List<String> argv, Tracer tracer, byte[] stdin) {
        Adapter a = new Adapter(tracer);
        Machines.Listener l = new Machines.Listener() {
            @Override public void started(Machine m) { m.setInstrumentation(a); }
            @Override public void stopped(Machine m) { }
        };
        Machines.addListener(l);
        try {
            Result r = plain(root, arch, argv, stdin);
            if (a.failure != null) throw new AssertionError("tracer threw", a.failure);
            return r;
        } finally {
            Machines.removeListener(l);
        }
    }

    static Result plain(Path root, String arch, List<String> argv, byte[] stdin) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = new LinuxUserRunner().run(root, arch, argv, Map.of(), new ByteArrayInputStream(stdin), out, err);
        return new Result(rc, out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.UTF_8));
    }

    /** Starts a guest with no instrumentation; the machine is handed over once it runs. */
    static CompletableFuture<Result> start(Path root, String arch, List<String> argv, AtomicReference<Machine> machine) {
        CompletableFuture<Machine> started = new CompletableFuture<>();
        Machines.Listener l = new Machines.Listener() {
            @Override public void started(Machine m) { started.complete(m); }
            @Override public void stopped(Machine m) { }
        };
        Machines.addListener(l);
        CompletableFuture<Result> result = new CompletableFuture<>();
        Thread.ofPlatform().name("guest-runner").start(() -> {
            try { result.complete(plain(root, arch, argv, new byte[0])); } catch (Throwable t) { result.completeExceptionally(t); }
        });
        CompletableFuture.anyOf(started, result).join(); // a guest that fails before starting ends the wait too
        Machines.removeListener(l);
        if (!started.isDone()) throw new AssertionError("the guest never started: " + result.join());
        machine.set(started.join());
        return result;
    }
}
