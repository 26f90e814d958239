package emulator.linuxuser.kernel;

/**
 * One signal's disposition as the kernel's {@code struct sigaction} holds it: handler (0 SIG_DFL,
 * 1 SIG_IGN, else an address), SA_* flags, restorer and the mask added while the handler runs.
 */
public record SigAction(long handler, long flags, long restorer, long mask) {
    public static final long SIG_DFL = 0, SIG_IGN = 1;
    public static final long SA_NOCLDSTOP = 1, SA_NOCLDWAIT = 2, SA_SIGINFO = 4, SA_RESTORER = 0x0400_0000L,
            SA_ONSTACK = 0x0800_0000L, SA_RESTART = 0x1000_0000L, SA_NODEFER = 0x4000_0000L, SA_RESETHAND = 0x8000_0000L;
    public static final SigAction DEFAULT = new SigAction(SIG_DFL, 0, 0, 0);

    /** Index 1..64; index 0 unused. */
    public static SigAction[] defaults() {
        SigAction[] a = new SigAction[65];
        java.util.Arrays.fill(a, DEFAULT);
        return a;
    }

    public boolean has(long flag) { return (flags & flag) != 0; }
    public boolean isHandler() { return handler != SIG_DFL && handler != SIG_IGN; }
}
