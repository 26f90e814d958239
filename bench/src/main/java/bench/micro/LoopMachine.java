package bench.micro;

import emulator.core.exec.GuestException;
import emulator.core.exec.GuestKernel;
import emulator.core.exec.Machine;
import emulator.core.exec.MachineConfig;
import emulator.core.exec.MachineConfig.BackendKind;
import emulator.core.exec.Vcpu;
import emulator.core.mem.AddressSpace;
import emulator.core.mem.Prot;
import emulator.x86.X86Target;

/**
 * A machine with the {@link GuestLoop} mapped, run again and again. A vCPU that reached the
 * {@code hlt} is stopped for good, so every run gets a fresh vCPU on the same machine and address
 * space: it finds the code cache the earlier runs filled (translations, compiled blocks and the
 * JIT's work on them), which is the steady state the benchmarks measure.
 */
final class LoopMachine {
    final Machine machine;
    private final X86Target target = new X86Target(true);
    private final AddressSpace space = new AddressSpace(1 << 30);

    /**
     * @param onHalt runs on the vCPU's thread when the guest reaches its {@code hlt} (or faults),
     *               before the vCPU stops
     */
    LoopMachine(byte[] code, BackendKind backend, Runnable onHalt) {
        GuestKernel stopAtHalt = new GuestKernel() {
            public void syscall(Vcpu c) { c.stop(); } // the loop makes none: ends the run, and the count check fails it
            public void exception(Vcpu c, GuestException e) {
                onHalt.run();
                c.stop();
            }
        };
        machine = new Machine(MachineConfig.defaults("micro").withBackend(backend), target, stopAtHalt);
        space.map(GuestLoop.CODE, 4096, Prot.RWX);
        space.poke(GuestLoop.CODE, code, 0, code.length);
    }

    LoopMachine(byte[] code, BackendKind backend) {
        this(code, backend, () -> {});
    }

    /** A new vCPU at the loop's start with the target's reset registers; not yet running. */
    Vcpu freshVcpu() {
        Vcpu cpu = machine.newVcpu(space);
        target.reset(cpu);
        cpu.pc = GuestLoop.CODE;
        return cpu;
    }

    /** Fails loudly when a run did not complete exactly the instructions it should have: no number for a wrong run. */
    static void expectCount(String what, long expected, long actual) {
        if (actual != expected)
            throw new IllegalStateException(what + ": " + actual + " instead of " + expected);
    }
}
