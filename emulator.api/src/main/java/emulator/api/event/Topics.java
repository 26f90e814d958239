package emulator.api.event;

/** EventAdmin topic names. Subscribe with a trailing {@code *} for a family, e.g. {@code abiscope/file/*}. */
public final class Topics {
    private Topics() {}

    /** Prefix of every abiscope topic. */
    public static final String ROOT = "abiscope/";

    /** Machine lifecycle, published by the core; properties {@link Keys#MACHINE}, {@link Keys#ARCH}. */
    public static final String VM_STARTED = "abiscope/vm/STARTED";
    /** See {@link #VM_STARTED}. */
    public static final String VM_PAUSED = "abiscope/vm/PAUSED";
    /** See {@link #VM_STARTED}. */
    public static final String VM_RESUMED = "abiscope/vm/RESUMED";
    /** See {@link #VM_STARTED}. */
    public static final String VM_STOPPED = "abiscope/vm/STOPPED";

    /** A system call entered; published by the OS syscall plugins. */
    public static final String SYSCALL_ENTER = "abiscope/syscall/ENTER";
    /** A system call returned (or, for calls that never return, was completed). */
    public static final String SYSCALL_EXIT = "abiscope/syscall/EXIT";

    /** Platform-independent file operations, published by plugin.files. */
    public static final String FILE_OPEN = "abiscope/file/OPEN";
    /** See {@link #FILE_OPEN}. */
    public static final String FILE_READ = "abiscope/file/READ";
    /** See {@link #FILE_OPEN}. */
    public static final String FILE_WRITE = "abiscope/file/WRITE";
    /** See {@link #FILE_OPEN}. */
    public static final String FILE_CLOSE = "abiscope/file/CLOSE";

    /** Processes, published by plugin.processes. */
    public static final String PROCESS_CREATE = "abiscope/process/CREATE";
    /** See {@link #PROCESS_CREATE}. */
    public static final String PROCESS_EXEC = "abiscope/process/EXEC";
    /** See {@link #PROCESS_CREATE}. */
    public static final String PROCESS_EXIT = "abiscope/process/EXIT";
}
