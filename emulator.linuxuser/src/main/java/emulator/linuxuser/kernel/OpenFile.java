package emulator.linuxuser.kernel;

import emulator.linuxuser.abi.Errno;
import emulator.linuxuser.abi.ErrnoException;
import emulator.linuxuser.fs.DirEntry;
import emulator.linuxuser.fs.FileType;
import emulator.linuxuser.fs.GuestRoot;
import emulator.linuxuser.fs.Resolved;
import emulator.linuxuser.fs.StatInfo;
import emulator.linuxuser.fs.VirtualFile;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.List;

/**
 * An open file description (what a descriptor points at; {@code dup} shares it): its status
 * flags, position and the object behind it.
 */
public abstract class OpenFile {
    public static final int O_ACCMODE = 3, O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2;
    public static final int O_APPEND = 02000, O_NONBLOCK = 04000;
    /** Flags F_SETFL may change. */
    public static final int SETFL_MASK = O_APPEND | O_NONBLOCK | 040000 /* O_DIRECT */ | 01000000 /* O_NOATIME */ | 020000 /* O_ASYNC */;

    /** Status flags as F_GETFL reports them (access mode included). */
    public int flags;
    /** /proc/self/fd/N text: a guest path, "pipe:[N]", or a terminal name. */
    public final String link;
    private int refs = 1;

    protected OpenFile(int flags, String link) {
        this.flags = flags;
        this.link = link;
    }

    public boolean readable() { return (flags & O_ACCMODE) != O_WRONLY; }
    public boolean writable() { return (flags & O_ACCMODE) != O_RDONLY; }

    public int read(ByteBuffer dst) throws ErrnoException { throw new ErrnoException(Errno.EINVAL); }
    public int write(ByteBuffer src) throws ErrnoException { throw new ErrnoException(Errno.EINVAL); }
    public int pread(ByteBuffer dst, long pos) throws ErrnoException { throw new ErrnoException(Errno.ESPIPE); }
    public int pwrite(ByteBuffer src, long pos) throws ErrnoException { throw new ErrnoException(Errno.ESPIPE); }
    public long seek(long offset, int whence) throws ErrnoException { throw new ErrnoException(Errno.ESPIPE); }
    public abstract StatInfo stat() throws ErrnoException;
    public List<DirEntry> list() throws ErrnoException { throw new ErrnoException(Errno.ENOTDIR); }
    /** For directory descriptors: the canonical guest path (dirfd base, fchdir). */
    public String directoryPath() { return null; }
    /** Whether it is the host terminal (isatty). */
    public boolean isTerminal() { return false; }
    /** Host channel for file-backed mmap, or null. */
    public FileChannel channel() { return null; }

    /** The node this description was opened on (host files and folders), for fchown/futimens/fstatfs; null otherwise. */
    public Resolved node() { return null; }

    /**
     * FIONREAD: bytes readable without waiting (files: size − position; pipes: what is buffered;
     * host streams: what the host says is available). ENOTTY where Linux has no answer either.
     */
    public long readableNow() throws ErrnoException {
        FileChannel ch = channel();
        if (ch == null) throw new ErrnoException(Errno.ENOTTY);
        try { return Math.max(0, ch.size() - ch.position()); } catch (IOException e) { throw GuestRoot.errno(e, link); }
    }

    /** poll(2) readiness: POLLIN 1, POLLOUT 4, POLLERR 8, POLLHUP 0x10. Files and devices are always ready. */
    public int pollMask() { return 1 | 4; }
    /** getdents position (an index into {@link #list()}). */
    public int dirIndex;

    public synchronized void retain() { refs++; }

    /** Drops one reference; closes the object when the last descriptor goes. */
    public void release() {
        boolean last;
        synchronized (this) { last = --refs == 0; }
        if (last) closeNow();
    }

    protected void closeNow() {}

    static long newPosition(long pos, long size, long offset, int whence) throws ErrnoException {
        long p = switch (whence) {
            case 0 -> offset;
            case 1 -> pos + offset;
            case 2 -> size + offset;
            default -> throw new ErrnoException(Errno.EINVAL);
        };
        if (p < 0) throw new ErrnoException(Errno.EINVAL);
        return p;
    }

    // ------------------------------------------------------------------ host regular files

    /** A host regular file inside the guest root. */
    public static final class HostFile extends OpenFile {
        private final FileChannel ch;
        private final GuestRoot root;
        private final Resolved resolved;

        public HostFile(FileChannel ch, int flags, GuestRoot root, Resolved resolved) {
            super(flags, resolved.guestPath());
            this.ch = ch;
            this.root = root;
            this.resolved = resolved;
        }

        @Override public Resolved node() { return resolved; }

        @Override public int read(ByteBuffer dst) throws ErrnoException {
            try {
                int n = ch.read(dst);
                return Math.max(n, 0);
            } catch (IOException e) { throw GuestRoot.errno(e, link); }
        }

        @Override public int write(ByteBuffer src) throws ErrnoException {
            try {
                if ((flags & O_APPEND) != 0) ch.position(ch.size());
                int n = 0;
                while (src.hasRemaining()) n += ch.write(src);
                return n;
            } catch (IOException e) { throw GuestRoot.errno(e, link); }
        }

        @Override public int pread(ByteBuffer dst, long pos) throws ErrnoException {
            try {
                return Math.max(ch.read(dst, pos), 0);
            } catch (IOException e) { throw GuestRoot.errno(e, link); }
        }

        @Override public int pwrite(ByteBuffer src, long pos) throws ErrnoException {
            try {
                int n = 0;
                while (src.hasRemaining()) n += ch.write(src, pos + n);
                return n;
            } catch (IOException e) { throw GuestRoot.errno(e, link); }
        }

        @Override public long seek(long offset, int whence) throws ErrnoException {
            try {
                long p = newPosition(ch.position(), ch.size(), offset, whence);
                ch.position(p);
                return p;
            } catch (IOException e) { throw GuestRoot.errno(e, link); }
        }

        @Override public StatInfo stat() throws ErrnoException { return root.stat(resolved); }

        @Override public FileChannel channel() { return ch; }

        @Override protected void closeNow() {
            try { ch.close(); } catch (IOException ignored) { }
        }
    }

    // ------------------------------------------------------------------ directories

    /** An open directory (O_RDONLY / O_DIRECTORY / O_PATH on a directory): for getdents64 and *at() calls. */
    public static final class DirFile extends OpenFile {
        private final GuestRoot root;
        private final Resolved resolved;
        private List<DirEntry> entries;

        public DirFile(int flags, GuestRoot root, Resolved resolved) {
            super(flags, resolved.guestPath());
            this.root = root;
            this.resolved = resolved;
        }

        @Override public Resolved node() { return resolved; }

        @Override public int read(ByteBuffer dst) throws ErrnoException { throw new ErrnoException(Errno.EISDIR); }
        @Override public int write(ByteBuffer src) throws ErrnoException { throw new ErrnoException(Errno.EBADF); }
        @Override public StatInfo stat() throws ErrnoException { return root.stat(resolved); }

        @Override public List<DirEntry> list() throws ErrnoException {
            if (entries == null) entries = root.list(resolved);
            return entries;
        }

        @Override public long seek(long offset, int whence) throws ErrnoException {
            if (whence != 0 || offset < 0) throw new ErrnoException(Errno.EINVAL);
            dirIndex = (int) Math.min(offset, Integer.MAX_VALUE);
            if (offset == 0) entries = null; // rewinddir re-reads
            return offset;
        }

        @Override public String directoryPath() { return resolved.guestPath(); }
    }

    // ------------------------------------------------------------------ /proc, /dev

    /** An opened {@link VirtualFile}. */
    public static final class Virtual extends OpenFile {
        private final VirtualFile file;
        private final VirtualFile.Handle handle;
        private long pos;

        public Virtual(int flags, String path, VirtualFile file, VirtualFile.Handle handle) {
            super(flags, path);
            this.file = file;
            this.handle = handle;
        }

        /** /proc files are regular files of size 0 (FIONREAD 0); devices such as /dev/null have no FIONREAD. */
        @Override public long readableNow() throws ErrnoException {
            if (stat().type() != FileType.REGULAR) throw new ErrnoException(Errno.ENOTTY);
            return 0;
        }
        @Override public int read(ByteBuffer dst) throws ErrnoException {
            int n = handle.read(pos, dst);
            pos += n;
            return n;
        }

        @Override public int write(ByteBuffer src) throws ErrnoException {
            int n = handle.write(pos, src);
            pos += n;
            return n;
        }

        @Override public int pread(ByteBuffer dst, long p) throws ErrnoException { return handle.read(p, dst); }
        @Override public int pwrite(ByteBuffer src, long p) throws ErrnoException { return handle.write(p, src); }

        @Override public long seek(long offset, int whence) throws ErrnoException {
            if (!handle.seekable()) throw new ErrnoException(Errno.ESPIPE);
            if (file.type() == FileType.CHAR_DEVICE) return 0; // /dev/null, /dev/zero: lseek succeeds, position stays 0
            pos = newPosition(pos, handle.size(), offset, whence);
            return pos;
        }

        @Override public StatInfo stat() { return file.stat(); }

        @Override protected void closeNow() { handle.close(); }
    }

    // ------------------------------------------------------------------ the runner's streams

    /** Standard input from a host stream. */
    public static final class InStream extends OpenFile {
        private final InputStream in;
        private final boolean terminal;

        public InStream(InputStream in, boolean terminal) {
            super(O_RDONLY, terminal ? "/dev/pts/0" : "pipe:[1]");
            this.in = in;
            this.terminal = terminal;
        }

        @Override public int read(ByteBuffer dst) throws ErrnoException {
            if (!dst.hasRemaining()) return 0;
            try {
                int n = in.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
                if (n <= 0) return 0;
                dst.position(dst.position() + n);
                return n;
            } catch (IOException e) { throw new ErrnoException(Errno.EIO, e.getMessage()); }
        }

        @Override public int write(ByteBuffer src) throws ErrnoException { throw new ErrnoException(Errno.EBADF); }
        @Override public int pollMask() {
            if (!terminal) return 1; // a host pipe or file: a read does not wait long (data or end of file)
            try { return in.available() > 0 ? 1 : 0; } catch (IOException e) { return 8; }
        }
        @Override public StatInfo stat() { return streamStat(terminal, 1); }
        @Override public boolean isTerminal() { return terminal; }
        @Override public long readableNow() {
            try { return in.available(); } catch (IOException e) { return 0; }
        }
    }

    /** Standard output or error to a host stream. */
    public static final class OutStream extends OpenFile {
        private final OutputStream out;
        private final boolean terminal;

        public OutStream(OutputStream out, boolean terminal, int id) {
            super(O_WRONLY, terminal ? "/dev/pts/0" : "pipe:[" + id + "]");
            this.out = out;
            this.terminal = terminal;
        }

        @Override public int read(ByteBuffer dst) throws ErrnoException { throw new ErrnoException(Errno.EBADF); }

        @Override public int write(ByteBuffer src) throws ErrnoException {
            int n = src.remaining();
            try {
                out.write(src.array(), src.arrayOffset() + src.position(), n);
                out.flush();
            } catch (IOException e) { throw new ErrnoException(Errno.EPIPE, e.getMessage()); }
            src.position(src.position() + n);
            return n;
        }

        @Override public StatInfo stat() { return streamStat(terminal, 2); }
        @Override public boolean isTerminal() { return terminal; }
        /** The write end of a host pipe or terminal: what is unread on the other side is not known here. */
        @Override public long readableNow() { return 0; }
    }

    /** What fstat says about a host stream: a pty (136:0) when it is the terminal, otherwise a pipe. */
    static StatInfo streamStat(boolean terminal, long ino) {
        long now = System.currentTimeMillis() / 1000;
        return terminal
                ? new StatInfo(StatInfo.encodeDev(0, 25), 3, FileType.CHAR_DEVICE.modeBits() | 0620, 1, 0, 0,
                        StatInfo.encodeDev(136, 0), 0, 1024, 0, now, 0, now, 0, now, 0)
                : new StatInfo(StatInfo.encodeDev(0, 14), ino, FileType.FIFO.modeBits() | 0600, 1, 0, 0,
                        0, 0, 4096, 0, now, 0, now, 0, now, 0);
    }

    // ------------------------------------------------------------------ pipes

    /** One end of an in-process pipe. */
    public static final class PipeEnd extends OpenFile {
        private final Pipe pipe;
        private final boolean reader;

        public PipeEnd(Pipe pipe, boolean reader, int extraFlags) {
            super((reader ? O_RDONLY : O_WRONLY) | extraFlags, "pipe:[" + pipe.id + "]");
            this.pipe = pipe;
            this.reader = reader;
            pipe.open(reader);
        }

        @Override public int read(ByteBuffer dst) throws ErrnoException {
            if (!reader) throw new ErrnoException(Errno.EBADF);
            return pipe.read(dst, (flags & O_NONBLOCK) != 0);
        }

        @Override public int write(ByteBuffer src) throws ErrnoException {
            if (reader) throw new ErrnoException(Errno.EBADF);
            return pipe.write(src, (flags & O_NONBLOCK) != 0);
        }

        @Override public long readableNow() { return pipe.available(); }
        @Override public StatInfo stat() {
            long now = System.currentTimeMillis() / 1000;
            return new StatInfo(StatInfo.encodeDev(0, 14), pipe.id, FileType.FIFO.modeBits() | 0600, 1, 0, 0, 0,
                    pipe.available(), 4096, 0, now, 0, now, 0, now, 0);
        }

        @Override protected void closeNow() { pipe.close(reader); }

        @Override public int pollMask() { return pipe.pollMask(reader); }
    }

    /** A pipe buffer of 64 KiB, as Linux's default. */
    public static final class Pipe {
        private static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong(100000);
        public static final int CAPACITY = 65536;
        final long id = IDS.incrementAndGet();
        private final byte[] buf = new byte[CAPACITY];
        private int head, count, readers, writers;

        synchronized void open(boolean reader) { if (reader) readers++; else writers++; }

        synchronized void close(boolean reader) {
            if (reader) readers--; else writers--;
            notifyAll();
        }

        synchronized int available() { return count; }

        synchronized int pollMask(boolean reader) {
            if (reader) return (count > 0 ? 1 : 0) | (writers == 0 ? 0x10 : 0);
            return readers == 0 ? 8 : count < CAPACITY ? 4 : 0;
        }

        synchronized int read(ByteBuffer dst, boolean nonblock) throws ErrnoException {
            if (!dst.hasRemaining()) return 0;
            while (count == 0) {
                if (writers == 0) return 0;
                if (nonblock) throw new ErrnoException(Errno.EAGAIN);
                waitInterruptibly();
            }
            int n = Math.min(count, dst.remaining());
            for (int i = 0; i < n; i++) dst.put(buf[(head + i) % CAPACITY]);
            head = (head + n) % CAPACITY;
            count -= n;
            notifyAll();
            return n;
        }

        synchronized int write(ByteBuffer src, boolean nonblock) throws ErrnoException {
            int done = 0;
            while (src.hasRemaining()) {
                if (readers == 0) {
                    if (done > 0) return done;
                    throw new ErrnoException(Errno.EPIPE);
                }
                if (count == CAPACITY) {
                    if (nonblock) {
                        if (done > 0) return done;
                        throw new ErrnoException(Errno.EAGAIN);
                    }
                    waitInterruptibly();
                    continue;
                }
                int n = Math.min(CAPACITY - count, src.remaining());
                for (int i = 0; i < n; i++) buf[(head + count + i) % CAPACITY] = src.get();
                count += n;
                done += n;
                notifyAll();
            }
            return done;
        }

        private void waitInterruptibly() throws ErrnoException {
            GuestThread.await(this, 0); // EINTR when a signal arrives
        }
    }
}
