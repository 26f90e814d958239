package emulator.linuxuser.fs;

import emulator.linuxuser.abi.Errno;
import emulator.linuxuser.abi.ErrnoException;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.OptionalInt;

/**
 * A node the emulator makes up instead of a host file: /proc entries, /dev devices. The syscall
 * layer treats it like a host file through these calls. Only {@link #type()} and {@link #stat()}
 * are required; the rest default to the errno Linux gives for the wrong kind of node.
 */
public interface VirtualFile {

    FileType type();

    StatInfo stat();

    /** A symlink's target as readlink(2) returns it. Followed targets are guest paths, resolved inside the root. */
    default String readlink() throws ErrnoException {
        throw new ErrnoException(Errno.EINVAL);
    }

    /**
     * For a "magic" link such as /proc/self/fd/3: the descriptor it stands for. When such a link is
     * the final component of an opened path and its {@link #readlink()} text is not an absolute
     * path (pipe:[…], socket:[…]), resolution stops here and the syscall layer duplicates the fd.
     */
    default OptionalInt fdTarget() {
        return OptionalInt.empty();
    }

    /** A directory's child, or null when there is none. */
    default VirtualFile lookup(String name) throws ErrnoException {
        throw new ErrnoException(Errno.ENOTDIR);
    }

    /** A directory's entries without "." and "..". */
    default List<DirEntry> list() throws ErrnoException {
        throw new ErrnoException(Errno.ENOTDIR);
    }

    /** Opens for reading and/or writing. */
    default Handle open(boolean read, boolean write) throws ErrnoException {
        throw new ErrnoException(type() == FileType.DIRECTORY ? Errno.EISDIR : Errno.ENXIO);
    }

    /** An open virtual file. Positions are the caller's file offsets (ignored by devices). */
    interface Handle extends AutoCloseable {
        /** Like pread: bytes read into dst (0 at end of file). */
        int read(long position, ByteBuffer dst) throws ErrnoException;

        /** Like pwrite: bytes consumed from src. */
        default int write(long position, ByteBuffer src) throws ErrnoException {
            throw new ErrnoException(Errno.EBADF);
        }

        /** Current size for SEEK_END; 0 for devices. */
        default long size() { return 0; }

        /** Whether lseek is meaningful (false for character devices, which report ESPIPE only for ttys). */
        default boolean seekable() { return true; }

        @Override
        default void close() {}
    }
}
