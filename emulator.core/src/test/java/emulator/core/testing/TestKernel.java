package emulator.core.testing;

import emulator.core.exec.GuestException;
import emulator.core.exec.GuestKernel;
import emulator.core.exec.Vcpu;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Records system calls and exceptions; stops the vCPU on an exception unless told otherwise. */
public final class TestKernel implements GuestKernel {
    public record Fault(GuestException.Kind kind, int vector, long pc, long icount, long address, int access) {}
    public record Sys(long pc, long icount, long r0) {}

    public final List<Fault> faults = new CopyOnWriteArrayList<>();
    public final List<Sys> syscalls = new CopyOnWriteArrayList<>();
    public volatile Consumer<Vcpu> onSyscall = c -> {};
    public int stops;

    @Override public void syscall(Vcpu cpu) {
        syscalls.add(new Sys(cpu.pc, cpu.icount, cpu.regs[0]));
        onSyscall.accept(cpu);
    }

    @Override public void exception(Vcpu cpu, GuestException e) {
        faults.add(new Fault(e.kind, e.vector, cpu.pc, cpu.icount, e.address, e.access));
        cpu.stop();
    }

    @Override public void stopRequested(Vcpu cpu) { stops++; cpu.stop(); }
}
