package emulator.api.instrument;

import emulator.api.Cpu;
import org.osgi.annotation.versioning.ConsumerType;

/** Called when a block starts executing. */
@ConsumerType
@FunctionalInterface
public interface BlockCallback {
    /**
     * @param cpu   the executing vCPU
     * @param pc    the block's first instruction
     * @param insns the number of instructions in the block
     */
    void onBlock(Cpu cpu, long pc, int insns);
}
