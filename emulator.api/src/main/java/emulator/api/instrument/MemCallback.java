package emulator.api.instrument;

import emulator.api.Cpu;
import org.osgi.annotation.versioning.ConsumerType;

/** Called after a guest memory access completes. */
@ConsumerType
@FunctionalInterface
public interface MemCallback {
    /**
     * @param cpu   the executing vCPU
     * @param pc    the instruction making the access
     * @param addr  guest virtual address
     * @param size  bytes accessed (1, 2, 4 or 8; wider accesses are reported in 8-byte parts)
     * @param value the value loaded or stored, zero-extended
     * @param write true for a store
     */
    void onAccess(Cpu cpu, long pc, long addr, int size, long value, boolean write);
}
