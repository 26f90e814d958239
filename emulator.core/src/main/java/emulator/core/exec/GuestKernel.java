package emulator.core.exec;

/**
 * What runs when guest code leaves user mode: the Linux personality in user mode, the raw-mode
 * runner, and (later) the whole-system board's exception delivery. Called on the vCPU thread.
 */
public interface GuestKernel {
    /** A system-call instruction completed; {@code cpu.pc} is the instruction after it. */
    void syscall(Vcpu cpu);

    /**
     * A guest exception; {@code cpu.pc} is the faulting instruction (or the next one for
     * {@link GuestException#afterInsn} traps). Deliver it (e.g. a signal), or stop the vCPU.
     */
    void exception(Vcpu cpu, GuestException e);

    /**
     * Called at a block boundary after someone set {@link Vcpu#exitRequest} (from any thread): the
     * guest state is complete and consistent, so asynchronous events — a signal sent to a thread that
     * makes no system call — can be delivered here. Runs on the vCPU's thread.
     */
    default void safePoint(Vcpu cpu) {}

    /** The block asked to stop at {@code cpu.pc} (instruction limit or breakpoint). */
    default void stopRequested(Vcpu cpu) { cpu.stop(); }
}
