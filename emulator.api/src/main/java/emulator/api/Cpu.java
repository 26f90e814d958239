package emulator.api;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A view of one virtual CPU, handed to instrumentation callbacks and CPU event listeners.
 *
 * <p>Valid only during the call it was passed to, and only on the vCPU thread that made the call.
 * Registers are named as the architecture's manuals name them ({@code rax}, {@code eax}, {@code rip},
 * {@code rflags}, {@code fs_base}, {@code x0}, …). Reading a sub-register ({@code eax}, {@code ax},
 * {@code al}) gives the zero-extended part; writing one changes only that part.
 */
@ProviderType
public interface Cpu {
    /** Index of this vCPU in its machine, from 0. */
    int index();

    /** Architecture name: {@code i386}, {@code x86_64}, {@code arm}, {@code aarch64}. */
    String arch();

    /** Guest program counter of the instruction being executed (or about to be). */
    long pc();

    /** Value of a register by architectural name, zero-extended to 64 bits. */
    long reg(String name);

    /**
     * Changes a register. Takes effect for the guest only from callbacks registered with
     * {@link emulator.api.instrument.RegAccess#READ_WRITE} and from CPU event listeners.
     */
    void setReg(String name, long value);

    /** Names accepted by {@link #reg(String)}, the full-width ones first. */
    List<String> registerNames();

    /** Identifier of the current address space (a process in user mode, cr3/TTBR in system mode). */
    long asid();

    /** Current privilege: 0 is user mode (ring 3, EL0), greater values are kernel levels. */
    int privilege();

    /**
     * Guest instructions completed, as a clock that never runs backwards along the process tree: a
     * vCPU created by fork or clone starts from its creator's count at that moment. Exact in CPU event
     * listeners (system calls, exceptions); inside an instruction callback, the count at the start of
     * the current block.
     */
    long icount();

    /** Guest virtual memory of the current address space. */
    GuestMemory memory();
}
