package emulator.core.testing;

import emulator.core.backend.BytecodeCompiler;
import emulator.core.backend.Interpreter;
import emulator.core.exec.CompiledBlock;
import emulator.core.exec.Machine;
import emulator.core.exec.MachineConfig;
import emulator.core.exec.MachineConfig.BackendKind;
import emulator.core.exec.Vcpu;
import emulator.core.ir.IrBlock;
import emulator.core.ir.IrVerifier;
import emulator.core.mem.AddressSpace;
import emulator.core.mem.Prot;

/** A machine with the toy target, one address space and one vCPU. */
public final class Rig {
    public final ToyTarget target = new ToyTarget();
    public final TestKernel kernel = new TestKernel();
    public final Machine machine;
    public final AddressSpace space = new AddressSpace(1L << 30);
    public final Vcpu cpu;

    public Rig(BackendKind kind) { this(kind, 20, 1 << 16, 200); }

    public Rig(BackendKind kind, int threshold, int capacity, int maxInsns) {
        machine = new Machine(new MachineConfig("test", kind, threshold, capacity, maxInsns, 1L << 30), target, kernel);
        cpu = machine.newVcpu(space);
    }

    /** Maps RWX pages over the code and pokes it in. */
    public Rig load(Asm a) {
        byte[] b = a.bytes();
        long start = AddressSpace.pageOf(a.origin);
        space.map(start, a.origin + b.length - start, Prot.RWX);
        space.poke(a.origin, b, 0, b.length);
        return this;
    }

    /** Runs the vCPU on this thread from {@code pc} until it stops. */
    public Rig run(long pc) {
        cpu.pc = pc;
        cpu.run();
        return this;
    }

    /** Verifies and runs one block directly on the given backend. */
    public static long exec(IrBlock b, Vcpu cpu, BackendKind k) {
        return prepare(b, k).exec(cpu);
    }

    public static CompiledBlock prepare(IrBlock b, BackendKind k) {
        IrVerifier.verify(b);
        if (k == BackendKind.INTERPRETED) {
            return new CompiledBlock() {
                @Override public long exec(Vcpu c) { return Interpreter.run(b, c); }
            };
        }
        return new BytecodeCompiler().compile(b);
    }
}
