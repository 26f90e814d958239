package emulator.linuxuser.fs;

/**
 * What /proc/self shows about the calling guest process, supplied by the process model. Every
 * path it returns is a guest path. Methods may return null for "not available" (ENOENT).
 */
public interface ProcessView {
    int pid();

    /** /proc/self/exe: the program's guest path, e.g. "/bin/busybox". */
    String exe();

    /** /proc/self/cwd: the current directory's guest path. */
    String cwd();

    /** The open descriptors, ascending (for listing /proc/self/fd). */
    int[] fds();

    /**
     * /proc/self/fd/N's link text: a guest path ("/tmp/a"), or "pipe:[123]", "socket:[9]",
     * "anon_inode:[eventfd]", "/dev/pts/0"; null when fd N is not open.
     */
    String fdLink(int fd);

    /** /proc/self/maps text (the memory model knows it). */
    String maps();

    /** /proc/self/cmdline: the NUL-separated argument bytes; null for none. */
    default byte[] cmdline() { return null; }

    /** /proc/self/environ; null for none. */
    default byte[] environ() { return null; }

    /** Opens the controlling terminal for /dev/tty; only called when a terminal is attached. */
    default VirtualFile.Handle openTerminal() throws emulator.linuxuser.abi.ErrnoException {
        throw new emulator.linuxuser.abi.ErrnoException(emulator.linuxuser.abi.Errno.ENXIO);
    }
}
