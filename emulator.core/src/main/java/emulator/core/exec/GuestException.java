package emulator.core.exec;

/**
 * A guest-level exception raised while executing guest code: a memory fault, a divide error, or a
 * trap a front end raised ({@code #UD}, {@code int3}, …). Not a host error: the execution loop
 * delivers it to the guest (the kernel or personality decides what happens). No stack trace is
 * captured, so raising one is cheap.
 */
public final class GuestException extends RuntimeException {
    /** What happened, independent of the target's vector numbering. */
    public enum Kind {
        /** Access to an unmapped page or one without the needed permission; see {@link #address}. */
        PAGE_FAULT,
        /** Integer divide by zero in an IR divide. */
        DIVIDE_ERROR,
        /** A trap raised by the front end; see {@link #vector}. */
        TRAP,
        /**
         * Not a guest event: compiled code left an instruction before it changed anything (a memory
         * access missed the TLB), for the execution loop to run that one instruction on the slow path
         * ({@link #RESTART}).
         */
        RESTART
    }

    /** The one {@link Kind#RESTART} exception (it carries nothing: the loop re-runs the instruction at the pc). */
    public static final GuestException RESTART = new GuestException(Kind.RESTART, -1, 0, 0, 0, false, "restart the instruction");

    public final Kind kind;
    /** Target vector for TRAP; the target's number for the others is {@code Target#vectorOf}. */
    public final int vector;
    public final int errorCode;
    /** Faulting address for PAGE_FAULT. */
    public final long address;
    /** For PAGE_FAULT: 0 read, 1 write, 2 execute. */
    public final int access;
    /** True if the reported pc is the instruction after the one that trapped (int3, syscall). */
    public final boolean afterInsn;

    public GuestException(Kind kind, int vector, int errorCode, long address, int access, boolean afterInsn, String detail) {
        super(detail, null, false, false);
        this.kind = kind; this.vector = vector; this.errorCode = errorCode;
        this.address = address; this.access = access; this.afterInsn = afterInsn;
    }

    public static GuestException pageFault(long address, int access) {
        return new GuestException(Kind.PAGE_FAULT, -1, 0, address, access, false,
                (access == 1 ? "write to " : access == 2 ? "execute at " : "read from ") + "0x" + Long.toHexString(address));
    }

    public static GuestException divideError() {
        return new GuestException(Kind.DIVIDE_ERROR, -1, 0, 0, 0, false, "divide error");
    }

    public static GuestException trap(int vector, int errorCode, boolean afterInsn, String detail) {
        return new GuestException(Kind.TRAP, vector, errorCode, 0, 0, afterInsn, detail);
    }
}
