package emulator.api.event;

/** Event property keys. Values are Strings, Longs, Integers, Booleans or String arrays as noted. */
public final class Keys {
    private Keys() {}

    /** Machine name (String). */
    public static final String MACHINE = "machine";
    /** Architecture name (String). */
    public static final String ARCH = "arch";
    /** Operating system: {@code linux} or {@code windows} (String). */
    public static final String OS = "os";
    /** Address-space id (Long). */
    public static final String ASID = "asid";
    /** Guest process id, where known (Integer). */
    public static final String PID = "pid";
    /** Guest thread id (Integer). */
    public static final String TID = "tid";
    /** Parent process id (Integer). */
    public static final String PPID = "ppid";
    /** Stack pointer at the system call (Long). */
    public static final String SP = "sp";
    /** Program counter (Long). */
    public static final String PC = "pc";
    /** System-call number (Integer). */
    public static final String NUMBER = "number";
    /** System-call name (String). */
    public static final String NAME = "name";
    /** Raw arguments (long[]). */
    public static final String ARGS = "args";
    /** Arguments decoded for display (String[]). */
    public static final String ARGS_TEXT = "args.text";
    /** Return value (Long; negative errno on Linux failure). */
    public static final String RET = "ret";
    /** Result as a tracer prints it (String). */
    public static final String RESULT = "result";
    /** Guest instruction count of the vCPU at the event (Long). */
    public static final String ICOUNT = "icount";

    /** Normalized file operation: {@code open}, {@code read}, {@code write}, {@code close}, {@code dup} (String). */
    public static final String FILE_OP = "file.op";
    /** File path (String). */
    public static final String FILE_PATH = "file.path";
    /** File handle (Long): fd on Linux, HANDLE on Windows; for dup, the new handle. */
    public static final String FILE_HANDLE = "file.handle";
    /** For dup: the handle duplicated (Long). */
    public static final String FILE_OLD_HANDLE = "file.oldHandle";
    /** Access mode: {@code READ}, {@code WRITE}, {@code READ_WRITE} (String). */
    public static final String FILE_ACCESS = "file.access";
    /** Guest buffer address (Long). */
    public static final String FILE_BUFFER = "file.buffer";
    /** Requested length (Long). */
    public static final String FILE_LENGTH = "file.length";
    /** Whether the handle closes on exec (Boolean). */
    public static final String FILE_CLOEXEC = "file.cloexec";

    /** Normalized process operation: {@code fork}, {@code exec}, {@code exit} (String). */
    public static final String PROCESS_OP = "process.op";
    /** Child process or thread id (Integer). */
    public static final String PROCESS_CHILD = "process.child";
    /** Whether the child is a thread of the same process (Boolean). */
    public static final String PROCESS_THREAD = "process.thread";
    /** Executable image path (String). */
    public static final String PROCESS_IMAGE = "process.image";
    /** Argument vector (String[]). */
    public static final String PROCESS_ARGV = "process.argv";
    /** Exit status (Integer). */
    public static final String PROCESS_STATUS = "process.status";

    /**
     * Whether the handle names no file in the file system (Boolean): a pipe, socket, eventfd, epoll
     * instance and the like. Its {@link #FILE_PATH} is then the kind in angle brackets
     * ({@code <pipe>}, {@code <socket>}): an ABI-only tracer cannot know the kernel's object id.
     */
    public static final String FILE_ANONYMOUS = "file.anonymous";
    /**
     * Every handle one call created, when it creates more than one (long[]): pipe and socketpair
     * give two. {@link #FILE_HANDLE} is the first of them.
     */
    public static final String FILE_HANDLES = "file.handles";
    /** The access mode of each of {@link #FILE_HANDLES}, in the same order (String[]): a pipe's READ and WRITE ends. */
    public static final String FILE_ACCESSES = "file.accesses";
    /**
     * {@link #FILE_OP} value: a handle's close-on-exec flag was set or cleared ({@link #FILE_HANDLE},
     * {@link #FILE_CLOEXEC}); Linux fcntl F_SETFD, ioctl FIOCLEX/FIONCLEX.
     */
    public static final String FILE_OP_CLOEXEC = "cloexec";
    /**
     * {@link #PROCESS_OP} value: the process said which image it runs (Linux: a readlink of
     * {@code /proc/self/exe}); {@link #PROCESS_IMAGE} holds it. No state change: the image it had.
     */
    public static final String PROCESS_OP_IMAGE = "image";
    /**
     * For exec: the image path as the caller named it, when the OS plugin resolved it to another
     * {@link #PROCESS_IMAGE} (Linux: {@code /proc/self/exe} is the caller's own image) (String).
     */
    public static final String PROCESS_IMAGE_NAMED = "process.image.named";
    /**
     * {@link #FILE_OP} value: the kernel copied data from one handle to another without a user buffer
     * (Linux sendfile, splice, copy_file_range): read from {@link #FILE_SOURCE_HANDLE}, written to
     * {@link #FILE_HANDLE}; the return value is the byte count.
     */
    public static final String FILE_OP_COPY = "copy";
    /** For {@link #FILE_OP_COPY}: the handle read from (Long). */
    public static final String FILE_SOURCE_HANDLE = "file.sourceHandle";
}
