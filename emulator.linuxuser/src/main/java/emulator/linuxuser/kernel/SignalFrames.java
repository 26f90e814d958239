package emulator.linuxuser.kernel;

import emulator.core.exec.Vcpu;
import emulator.linuxuser.abi.ErrnoException;

/** The architecture's signal frames: how a handler is entered and how sigreturn leaves it. */
public interface SignalFrames {
    /**
     * Pushes the frame for {@code sig} on the guest stack (or the alternate stack) and points the
     * registers at the handler. {@code savedMask} is the mask sigreturn restores.
     *
     * @throws ErrnoException EFAULT when the frame cannot be written (the kernel then forces SIGSEGV)
     */
    void setup(Vcpu cpu, GuestThread t, int sig, Signals.Info info, SigAction a, long savedMask) throws ErrnoException;

    /** sigreturn ({@code rt} false: i386's old frame) or rt_sigreturn: restores registers and mask from the frame. */
    void sigreturn(Vcpu cpu, GuestThread t, boolean rt) throws ErrnoException;

    /** Steps {@code cpu} back onto the system-call instruction and restores its number, to restart the call. */
    void restartSyscall(Vcpu cpu, long nr);
}
