package emulator.linuxuser.abi;

/**
 * A failed guest operation with the Linux errno the system call must return. Cheap (no stack
 * trace): the syscall layer throws and catches these on ordinary paths (ENOENT on every PATH probe).
 */
public class ErrnoException extends Exception {
    private static final long serialVersionUID = 1L;
    private final Errno errno;
    private final String detail;

    public ErrnoException(Errno errno) {
        this(errno, null);
    }

    /** @param detail extra context for logs (a guest path, say); may be null */
    public ErrnoException(Errno errno, String detail) {
        super(detail == null ? errno.name() + ": " + errno.message()
                : errno.name() + ": " + errno.message() + " (" + detail + ")", null, false, false);
        this.errno = errno;
        this.detail = detail;
    }

    /** The extra context given when thrown, or null. */
    public String detail() { return detail; }

    public Errno errno() { return errno; }
}
