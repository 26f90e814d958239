package emulator.api.instrument;

import emulator.api.Cpu;
import org.osgi.annotation.versioning.ConsumerType;

/** Called before or after one instruction. */
@ConsumerType
@FunctionalInterface
public interface InsnCallback {
    /**
     * @param cpu the executing vCPU
     * @param pc  the instruction's address
     */
    void onInsn(Cpu cpu, long pc);
}
