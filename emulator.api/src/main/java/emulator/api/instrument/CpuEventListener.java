package emulator.api.instrument;

import emulator.api.Cpu;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service: CPU events. Called on the vCPU thread. In user mode, the emulated kernel
 * (the Linux personality) raises the same events a real kernel would cause, so a plugin works the
 * same in both modes: a system call is a {@link #onSyscall} followed, when the call returns, by a
 * privilege change from kernel to user.
 */
@ConsumerType
public interface CpuEventListener {
    /**
     * An exception or interrupt was delivered.
     *
     * @param vector the architecture's vector number (x86: 0 #DE, 6 #UD, 13 #GP, 14 #PF, 0x80 …)
     * @param fromPc where the guest was
     * @param toPc   where it continues (the handler, or the same pc when the emulated kernel resumes it)
     */
    default void onException(Cpu cpu, int vector, long fromPc, long toPc) {}

    /** The privilege level changed; {@code to == 0} with the user-mode registers visible is a return to user. */
    default void onPrivilegeChange(Cpu cpu, int from, int to) {}

    /** The vCPU switched address space (cr3 or TTBR write; a process switch or an exec in user mode). */
    default void onAddressSpaceSwitch(Cpu cpu, long oldAsid, long newAsid) {}

    /**
     * A system-call instruction executed; the registers hold the call's number and arguments and
     * {@link Cpu#pc()} is the address of the instruction after it.
     */
    default void onSyscall(Cpu cpu) {}

    /** Which address spaces this listener hears from. */
    default AddressSpaceFilter addressSpaces() {
        return AddressSpaceFilter.ALL;
    }
}
