package emulator.linuxuser.fs;

import emulator.linuxuser.abi.Errno;
import emulator.linuxuser.abi.ErrnoException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The guest's file system: a host folder that is the guest's "/", plus the virtual /proc and
 * /dev of {@link VirtualFs}. This class is the sandbox boundary.
 *
 * <h2>Resolution</h2>
 * Guest paths are resolved here, component by component, never by the host: each component is
 * looked up with a no-follow {@code lstat}; a symlink is read and its target spliced into the
 * remaining components, an absolute target restarting at the guest root; ".." at the root stays at
 * the root; 40 links → ELOOP; a non-directory in the middle → ENOTDIR; a missing component →
 * ENOENT (or a {@link Resolved.Kind#MISSING} result for the final one). The host path of a result
 * is the root's real path joined with components that were each seen to be real directories, so
 * it cannot name anything outside the root. Before every host operation the parent is re-checked
 * with {@code toRealPath} and the operation uses {@code NOFOLLOW_LINKS} on the final component.
 *
 * <h2>Residual risk</h2>
 * Java has no {@code openat}/{@code O_BENEATH}: between the re-check and the host call, a
 * <em>host</em> process that can write inside the root could swap a checked directory for a
 * symlink. Guest threads cannot race this way: every mutation made through this class holds the
 * write lock, and resolution plus the operation hold the read lock. Files that are not regular
 * files, directories or symlinks (host device nodes, FIFOs, sockets inside the root) are never
 * opened. Bind mounts inside the root folder are the operator's responsibility.
 *
 * <h2>Strings</h2>
 * Guest paths are C strings; the syscall layer decodes them (UTF-8) and a NUL cannot occur. A Java
 * string containing NUL is a caller bug and gets EINVAL. Lengths are checked in UTF-8 bytes:
 * ENAMETOOLONG for a path of 4096 bytes or more (PATH_MAX counts the NUL) or a component over
 * 255. Non-UTF-8 host file names are not representable (the JVM needs a UTF-8 sun.jnu.encoding).
 */
public final class GuestRoot {
    /** Resolution flags. */
    public static final int FOLLOW = 0, NOFOLLOW = 1, DIRECTORY = 2;
    public static final int PATH_MAX = 4096, NAME_MAX = 255, MAXSYMLINKS = 40;

    private final Path root;
    private final VirtualFs virtualFs;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    /**
     * @param hostRoot  the folder that is the guest's "/" (must exist)
     * @param virtualFs /proc and /dev; null to use the folder's own (still inside the root)
     */
    public GuestRoot(Path hostRoot, VirtualFs virtualFs) throws IOException {
        this.root = hostRoot.toRealPath();
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) throw new NotDirectoryException(root.toString());
        this.virtualFs = virtualFs;
    }

    /** The real host path of the root folder. */
    public Path hostRoot() { return root; }

    public VirtualFs virtualFs() { return virtualFs; }

    // ------------------------------------------------------------------ resolution

    /**
     * Resolves {@code path} (absolute, or relative to the guest directory {@code base}).
     *
     * @param base  canonical guest path of the starting directory (cwd or a dirfd's path); ignored for absolute paths
     * @param flags {@link #NOFOLLOW} (do not follow a final symlink), {@link #DIRECTORY} (final must be a directory)
     */
    public Resolved resolve(String base, String path, int flags) throws ErrnoException {
        lock.readLock().lock();
        try {
            return walk(base, path, flags);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Resolves and requires the result to exist. */
    public Resolved resolveExisting(String base, String path, int flags) throws ErrnoException {
        Resolved r = resolve(base, path, flags);
        if (!r.exists() && r.kind() != Resolved.Kind.FD_LINK) throw new ErrnoException(Errno.ENOENT, path);
        return r;
    }

    private static void checkPath(String path) throws ErrnoException {
        if (path == null) throw new ErrnoException(Errno.EFAULT);
        if (path.indexOf('\0') >= 0) throw new ErrnoException(Errno.EINVAL, "NUL in path");
        if (path.isEmpty()) throw new ErrnoException(Errno.ENOENT, "empty path");
        if (utf8Length(path) >= PATH_MAX) throw new ErrnoException(Errno.ENAMETOOLONG);
    }

    private static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) n++;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c)) { n += 4; i++; }
            else n += 3;
        }
        return n;
    }

    private static void splitInto(Deque<String> front, String path) {
        // pushes the components of path in front of what is pending, in order
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            String p = parts[i];
            if (!p.isEmpty() && !p.equals(".")) front.addFirst(p);
        }
    }

    private static boolean endsAsDirectory(String path) {
        return path.endsWith("/") || path.endsWith("/.") || path.endsWith("/..") || path.equals(".") || path.equals("..");
    }

    /** A looked-up node. */
    private record Node(FileType type, Path host, VirtualFile virtual) {}

    private Resolved walk(String base, String path, int flags) throws ErrnoException {
        checkPath(path);
        List<String> cur = new ArrayList<>();
        Deque<String> todo = new ArrayDeque<>();
        splitInto(todo, path);
        if (!path.startsWith("/")) {
            if (base == null || !base.startsWith("/")) throw new ErrnoException(Errno.EINVAL, "relative path without a base");
            splitInto(todo, base);
        }
        boolean trailing = endsAsDirectory(path);
        boolean mustBeDir = trailing || (flags & DIRECTORY) != 0;
        boolean followLast = (flags & NOFOLLOW) == 0 || trailing;
        int links = 0;
        Node dirNode = null; // node of cur when it is virtual (null: host directory or root)
        while (!todo.isEmpty()) {
            String name = todo.pollFirst();
            if (name.equals("..")) {
                if (!cur.isEmpty()) cur.removeLast();
                dirNode = virtualDirOf(cur);
                continue;
            }
            if (utf8Length(name) > NAME_MAX) throw new ErrnoException(Errno.ENAMETOOLONG, name);
            boolean last = todo.isEmpty();
            Node node = lookup(cur, dirNode, name);
            if (node == null) {
                if (!last) throw new ErrnoException(Errno.ENOENT, name);
                if (dirNode != null) // nothing can be created in /proc or /dev: a MISSING result without a host path
                    return new Resolved(Resolved.Kind.MISSING, cur, name, null, null, null, trailing, -1, true);
                return new Resolved(Resolved.Kind.MISSING, cur, name, hostOf(cur).resolve(name), null, null, trailing, -1);
            }
            if (node.type() == FileType.SYMLINK && (!last || followLast)) {
                if (++links > MAXSYMLINKS) throw new ErrnoException(Errno.ELOOP, path);
                String target;
                if (node.virtual() != null) {
                    target = node.virtual().readlink();
                    if (node.virtual().fdTarget().isPresent() && !target.startsWith("/")) {
                        // pipe:[..], socket:[..]: not a path; only the syscall layer can reopen it
                        if (!last) throw new ErrnoException(Errno.ENOTDIR, name);
                        return new Resolved(Resolved.Kind.FD_LINK, cur, name, null, node.virtual(), FileType.SYMLINK, trailing,
                                node.virtual().fdTarget().getAsInt());
                    }
                } else {
                    target = readHostLink(node.host());
                }
                if (target.isEmpty() || target.indexOf('\0') >= 0) throw new ErrnoException(Errno.ENOENT, name);
                if (target.startsWith("/")) { cur.clear(); dirNode = null; }
                if (last && endsAsDirectory(target)) mustBeDir = true;
                splitInto(todo, target);
                continue;
            }
            if (!last) {
                if (node.type() != FileType.DIRECTORY) throw new ErrnoException(Errno.ENOTDIR, name);
                cur.add(name);
                dirNode = node.virtual() != null ? node : null;
                continue;
            }
            if (mustBeDir && node.type() != FileType.DIRECTORY && node.type() != FileType.SYMLINK)
                throw new ErrnoException(Errno.ENOTDIR, name);
            if (node.virtual() != null)
                return new Resolved(Resolved.Kind.VIRTUAL, cur, name, null, node.virtual(), node.type(), trailing, -1);
            return new Resolved(Resolved.Kind.HOST, cur, name, node.host(), null, node.type(), trailing, -1);
        }
        // The path named a directory through "/", "..", or a link to one: the result is cur itself.
        if (cur.isEmpty()) return new Resolved(Resolved.Kind.HOST, cur, null, root, null, FileType.DIRECTORY, trailing, -1);
        List<String> parent = cur.subList(0, cur.size() - 1);
        String name = cur.getLast();
        if (dirNode != null)
            return new Resolved(Resolved.Kind.VIRTUAL, parent, name, null, dirNode.virtual(), FileType.DIRECTORY, trailing, -1);
        return new Resolved(Resolved.Kind.HOST, parent, name, hostOf(cur), null, FileType.DIRECTORY, trailing, -1);
    }

    private Path hostOf(List<String> components) {
        Path p = root;
        for (String c : components) p = p.resolve(c);
        return p;
    }

    /** The virtual node of a canonical directory path, or null when it is a host directory. */
    private Node virtualDirOf(List<String> cur) throws ErrnoException {
        if (cur.isEmpty() || virtualFs == null) return null;
        VirtualFile f = virtualFs.mount(cur.getFirst());
        if (f == null) return null;
        for (int i = 1; i < cur.size() && f != null; i++) f = f.lookup(cur.get(i));
        if (f == null || f.type() != FileType.DIRECTORY) throw new ErrnoException(Errno.ENOENT, String.join("/", cur));
        return new Node(FileType.DIRECTORY, null, f);
    }

    private Node lookup(List<String> cur, Node dirNode, String name) throws ErrnoException {
        if (dirNode != null) {
            VirtualFile f = dirNode.virtual().lookup(name);
            return f == null ? null : new Node(f.type(), null, f);
        }
        if (cur.isEmpty() && virtualFs != null) {
            VirtualFile m = virtualFs.mount(name);
            if (m != null) return new Node(m.type(), null, m);
        }
        Path p = hostOf(cur).resolve(name);
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return new Node(typeOf(p, a), p, null);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw errno(e, name);
        }
    }

    private static FileType typeOf(Path p, BasicFileAttributes a) throws IOException {
        if (a.isSymbolicLink()) return FileType.SYMLINK;
        if (a.isDirectory()) return FileType.DIRECTORY;
        if (a.isRegularFile()) return FileType.REGULAR;
        Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        FileType t = FileType.ofMode((Integer) mode);
        return t == null ? FileType.REGULAR : t;
    }

    private static String readHostLink(Path p) throws ErrnoException {
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException e) {
            throw errno(e, p.getFileName().toString());
        }
    }

    /**
     * The host path for an operation on {@code r}, after re-checking that its parent's real path
     * is exactly the checked one (defeats a directory swapped for a symlink since resolution).
     */
    private Path verified(Resolved r) throws ErrnoException {
        if (r.isVirtual()) throw new IllegalArgumentException("not a host path: " + r);
        Path parent = hostOf(r.parentComponents());
        try {
            Path real = parent.toRealPath();
            if (!real.equals(parent) || !real.startsWith(root))
                throw new ErrnoException(Errno.EACCES, "sandbox: " + r.parentGuestPath() + " changed during resolution");
        } catch (IOException e) {
            throw errno(e, r.parentGuestPath());
        }
        return r.name() == null ? root : parent.resolve(r.name());
    }

    // ------------------------------------------------------------------ queries

    /** stat (or lstat, when {@code r} is an unfollowed symlink). */
    public StatInfo stat(Resolved r) throws ErrnoException {
        if (r.kind() == Resolved.Kind.MISSING) throw new ErrnoException(Errno.ENOENT, r.guestPath());
        if (r.isVirtual()) return r.virtual().stat();
        lock.readLock().lock();
        try {
            Map<String, Object> a = Files.readAttributes(verified(r), "unix:*", LinkOption.NOFOLLOW_LINKS);
            return statOf(a);
        } catch (IOException e) {
            throw errno(e, r.guestPath());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Linux stat fields from Java's unix:* attributes. st_blocks is estimated from the size. */
    static StatInfo statOf(Map<String, Object> a) {
        long size = (Long) a.get("size");
        Instant at = ((FileTime) a.get("lastAccessTime")).toInstant();
        Instant mt = ((FileTime) a.get("lastModifiedTime")).toInstant();
        Instant ct = ((FileTime) a.get("ctime")).toInstant();
        return new StatInfo((Long) a.get("dev"), (Long) a.get("ino"), (Integer) a.get("mode"), (Integer) a.get("nlink"),
                (Integer) a.get("uid"), (Integer) a.get("gid"), (Long) a.get("rdev"), size, 4096,
                (size + 4095) / 4096 * 8, at.getEpochSecond(), at.getNano(), mt.getEpochSecond(), mt.getNano(),
                ct.getEpochSecond(), ct.getNano());
    }

    /**
     * The host file's extended attributes in the "user." namespace (the only one Java exposes), by
     * full name ("user.x" → value); empty for virtual files, symlinks and file systems without them.
     * Other namespaces (security., system., trusted.) are never shown to the guest.
     */
    public Map<String, byte[]> userXattrs(Resolved r) throws ErrnoException {
        if (r.kind() == Resolved.Kind.MISSING) throw new ErrnoException(Errno.ENOENT, r.guestPath());
        Map<String, byte[]> out = new java.util.TreeMap<>();
        if (r.isVirtual() || r.type() == FileType.SYMLINK) return out;
        lock.readLock().lock();
        try {
            var view = Files.getFileAttributeView(verified(r), java.nio.file.attribute.UserDefinedFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (view == null) return out;
            for (String n : view.list()) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(view.size(n));
                view.read(n, b);
                out.put("user." + n, java.util.Arrays.copyOf(b.array(), b.position()));
            }
            return out;
        } catch (UnsupportedOperationException e) {
            return out;
        } catch (IOException e) {
            if (e instanceof FileSystemException f && f.getReason() != null && f.getReason().contains("not supported")) return out;
            throw errno(e, r.guestPath());
        } finally {
            lock.readLock().unlock();
        }
    }

    /** readlink(2) of an unfollowed symlink (resolve with NOFOLLOW). */
    public String readlink(Resolved r) throws ErrnoException {
        if (r.kind() == Resolved.Kind.MISSING) throw new ErrnoException(Errno.ENOENT, r.guestPath());
        if (r.type() != FileType.SYMLINK) throw new ErrnoException(Errno.EINVAL, r.guestPath());
        if (r.isVirtual()) return r.virtual().readlink();
        lock.readLock().lock();
        try {
            return readHostLink(verified(r));
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The entries of a directory for getdents64: "." and ".." first, then the directory's
     * entries with their inode numbers and d_type. ".." of the root is the root.
     */
    public List<DirEntry> list(Resolved dir) throws ErrnoException {
        if (!dir.exists()) throw new ErrnoException(Errno.ENOENT, dir.guestPath());
        if (dir.type() != FileType.DIRECTORY) throw new ErrnoException(Errno.ENOTDIR, dir.guestPath());
        List<DirEntry> out = new ArrayList<>();
        long self = stat(dir).ino();
        out.add(new DirEntry(".", self, FileType.DIRECTORY.dtype()));
        long up = dir.name() == null ? self : stat(resolve("/", dir.parentGuestPath(), FOLLOW)).ino();
        out.add(new DirEntry("..", up, FileType.DIRECTORY.dtype()));
        if (dir.isVirtual()) {
            out.addAll(dir.virtual().list());
            return out;
        }
        lock.readLock().lock();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(verified(dir))) {
            boolean atRoot = dir.name() == null;
            Set<String> shadowed = new HashSet<>();
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (atRoot && virtualFs != null && virtualFs.mount(name) != null) { shadowed.add(name); continue; }
                try {
                    Map<String, Object> a = Files.readAttributes(p, "unix:ino,mode", LinkOption.NOFOLLOW_LINKS);
                    FileType t = FileType.ofMode((Integer) a.get("mode"));
                    out.add(new DirEntry(name, (Long) a.get("ino"), t == null ? FileType.DT_UNKNOWN : t.dtype()));
                } catch (NoSuchFileException gone) {
                    // removed while listing: skip, as getdents would
                }
            }
            if (atRoot && virtualFs != null)
                for (String m : List.of("dev", "proc")) {
                    VirtualFile f = virtualFs.mount(m);
                    out.add(new DirEntry(m, f.stat().ino(), FileType.DIRECTORY.dtype()));
                }
        } catch (IOException e) {
            throw errno(e, dir.guestPath());
        } finally {
            lock.readLock().unlock();
        }
        return out;
    }

    // ------------------------------------------------------------------ opening

    /**
     * Opens a host regular file. {@code r} may be MISSING when {@code create} is set; then the file
     * is created with exactly {@code mode} (the caller has applied the umask).
     *
     * @throws ErrnoException EISDIR for directories (open them through {@link #list}), EACCES for
     *                        host device nodes, FIFOs and sockets, EEXIST for create+exclusive on an existing name
     */
    public FileChannel open(Resolved r, boolean read, boolean write, boolean create, boolean exclusive,
                            boolean truncate, boolean append, int mode) throws ErrnoException {
        if (r.isVirtual() && !r.exists() && r.kind() == Resolved.Kind.MISSING) throw new ErrnoException(Errno.ENOENT, r.guestPath());
        if (r.isVirtual()) throw new IllegalArgumentException("virtual node: use VirtualFile.open");
        if (r.exists() && create && exclusive) throw new ErrnoException(Errno.EEXIST, r.guestPath());
        if (r.kind() == Resolved.Kind.MISSING) {
            if (!create) throw new ErrnoException(Errno.ENOENT, r.guestPath());
            if (r.trailingSlash()) throw new ErrnoException(Errno.EISDIR, r.guestPath());
        } else if (r.type() == FileType.DIRECTORY) {
            throw new ErrnoException(Errno.EISDIR, r.guestPath());
        } else if (r.type() == FileType.SYMLINK) {
            throw new ErrnoException(Errno.ELOOP, r.guestPath());   // O_NOFOLLOW on a symlink
        } else if (r.type() != FileType.REGULAR) {
            throw new ErrnoException(Errno.EACCES, "sandbox: host special file " + r.guestPath());
        }
        Set<OpenOption> opts = new HashSet<>();
        opts.add(LinkOption.NOFOLLOW_LINKS);
        if (read || !write) opts.add(StandardOpenOption.READ);
        if (write) opts.add(StandardOpenOption.WRITE);
        if (append) opts.add(StandardOpenOption.APPEND);
        if (truncate && write) opts.add(StandardOpenOption.TRUNCATE_EXISTING);
        boolean creating = r.kind() == Resolved.Kind.MISSING;
        if (creating) { opts.add(StandardOpenOption.CREATE_NEW); opts.add(StandardOpenOption.WRITE); }
        (creating ? lock.writeLock() : lock.readLock()).lock();
        try {
            Path p = verified(r);
            FileChannel ch = FileChannel.open(p, opts);
            if (creating) {
                try {
                    Files.setAttribute(p, "unix:mode", mode & 07777, LinkOption.NOFOLLOW_LINKS);
                } catch (IOException e) {
                    ch.close();
                    throw e;
                }
                if (!write) {
                    // created for reading only (O_CREAT|O_RDONLY): reopen read-only
                    ch.close();
                    ch = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
                }
            }
            return ch;
        } catch (IOException e) {
            throw errno(e, r.guestPath());
        } finally {
            (creating ? lock.writeLock() : lock.readLock()).unlock();
        }
    }

    // ------------------------------------------------------------------ mutations

    private Resolved forMutation(String base, String path) throws ErrnoException {
        Resolved r = walk(base, path, NOFOLLOW);
        if (r.isVirtual()) throw new ErrnoException(Errno.EPERM, "read-only virtual file system: " + r.guestPath());
        return r;
    }

    /** mkdir(2): {@code mode} is applied exactly. */
    public void mkdir(String base, String path, int mode) throws ErrnoException {
        lock.writeLock().lock();
        try {
            Resolved r = forMutation(base, path);
            if (r.exists()) throw new ErrnoException(Errno.EEXIST, r.guestPath());
            Path p = verified(r);
            Files.createDirectory(p);
            Files.setAttribute(p, "unix:mode", mode & 07777, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw errno(e, path);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** rmdir(2). */
    public void rmdir(String base, String path) throws ErrnoException {
        lock.writeLock().lock();
        try {
            String trimmed = path;
            while (trimmed.length() > 1 && trimmed.endsWith("/")) trimmed = trimmed.substring(0, trimmed.length() - 1);
            if (trimmed.equals(".") || trimmed.endsWith("/.")) throw new ErrnoException(Errno.EINVAL, path);
            if (trimmed.equals("..") || trimmed.endsWith("/..")) throw new ErrnoException(Errno.ENOTEMPTY, path);
            Resolved r = forMutation(base, path);
            if (!r.exists()) throw new ErrnoException(Errno.ENOENT, r.guestPath());
            if (r.name() == null) throw new ErrnoException(Errno.EBUSY, "/");
            if (r.type() != FileType.DIRECTORY) throw new ErrnoException(Errno.ENOTDIR, r.guestPath());
            Files.delete(verified(r));
        } catch (IOException e) {
            throw errno(e, path);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** unlink(2): never follows a final symlink; EISDIR for directories. */
    public void unlink(String base, String path) throws ErrnoException {
        lock.writeLock().lock();
        try {
            Resolved r = forMutation(base, path);
            if (!r.exists()) throw new ErrnoException(Errno.ENOENT, r.guestPath());
            if (r.type() == FileType.DIRECTORY) throw new ErrnoException(Errno.EISDIR, r.guestPath());
            Files.delete(verified(r));
        } catch (IOException e) {
            throw errno(e, path);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** symlink(2): the target text is stored verbatim; following it later resolves inside the root. */
    public void symlink(String target, String base, String linkPath) throws ErrnoException {
        if (target == null || target.isEmpty()) throw new ErrnoException(Errno.ENOENT, "empty symlink target");
        if (target.indexOf('\0') >= 0) throw new ErrnoException(Errno.EINVAL, "NUL in symlink target");
        if (utf8Length(target) >= PATH_MAX) throw new ErrnoException(Errno.ENAMETOOLONG);
        lock.writeLock().lock();
        try {
            Resolved r = forMutation(base, linkPath);
            if (r.exists()) throw new ErrnoException(Errno.EEXIST, r.guestPath());
            if (r.trailingSlash()) throw new ErrnoException(Errno.ENOENT, r.guestPath());
            Files.createSymbolicLink(verified(r), Path.of(target));
        } catch (IOException e) {
            throw errno(e, linkPath);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** link(2) / linkat without AT_SYMLINK_FOLLOW: both names resolve inside the root. */
    public void link(String oldBase, String oldPath, String newBase, String newPath, boolean followOld) throws ErrnoException {
        lock.writeLock().lock();
        try {
            Resolved from = walk(oldBase, oldPath, followOld ? FOLLOW : NOFOLLOW);
            if (from.isVirtual()) throw new ErrnoException(Errno.EXDEV, from.guestPath());
            if (!from.exists()) throw new ErrnoException(Errno.ENOENT, from.guestPath());
            if (from.type() == FileType.DIRECTORY) throw new ErrnoException(Errno.EPERM, from.guestPath());
            Resolved to = forMutation(newBase, newPath);
            if (to.exists()) throw new ErrnoException(Errno.EEXIST, to.guestPath());
            Files.createLink(verified(to), verified(from));
        } catch (IOException e) {
            throw errno(e, newPath);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** rename(2): atomic, replaces an existing target as Linux does; EXDEV for virtual nodes. */
    public void rename(String oldBase, String oldPath, String newBase, String newPath) throws ErrnoException {
        lock.writeLock().lock();
        try {
            Resolved from = walk(oldBase, oldPath, NOFOLLOW);
            Resolved to = walk(newBase, newPath, NOFOLLOW);
            if (from.isVirtual() || to.isVirtual()) throw new ErrnoException(Errno.EXDEV);
            if (!from.exists()) throw new ErrnoException(Errno.ENOENT, from.guestPath());
            if (from.name() == null || to.name() == null) throw new ErrnoException(Errno.EBUSY, "/");
            if (to.trailingSlash() && from.type() != FileType.DIRECTORY) throw new ErrnoException(Errno.ENOTDIR, to.guestPath());
            String fp = from.guestPath() + "/", tp = to.guestPath() + "/";
            if (from.type() == FileType.DIRECTORY && tp.startsWith(fp) && !tp.equals(fp))
                throw new ErrnoException(Errno.EINVAL, "rename a directory into itself");
            if (to.exists()) {
                if (from.type() == FileType.DIRECTORY && to.type() != FileType.DIRECTORY) throw new ErrnoException(Errno.ENOTDIR);
                if (from.type() != FileType.DIRECTORY && to.type() == FileType.DIRECTORY) throw new ErrnoException(Errno.EISDIR);
            }
            Files.move(verified(from), verified(to), StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new ErrnoException(Errno.EXDEV, newPath);
        } catch (IOException e) {
            throw errno(e, newPath);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** chmod(2) on a resolved (followed) node; symlinks themselves cannot be chmod-ed (EOPNOTSUPP as fchmodat). */
    public void chmod(Resolved r, int mode) throws ErrnoException {
        if (r.isVirtual()) throw new ErrnoException(Errno.EPERM, r.guestPath());
        if (!r.exists()) throw new ErrnoException(Errno.ENOENT, r.guestPath());
        if (r.type() == FileType.SYMLINK) throw new ErrnoException(Errno.EOPNOTSUPP, r.guestPath());
        lock.writeLock().lock();
        try {
            Files.setAttribute(verified(r), "unix:mode", mode & 07777, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw errno(e, r.guestPath());
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** chown(2) on a resolved node (-1 keeps an id); the host decides whether it is allowed (EPERM otherwise). */
    public void chown(Resolved r, int uid, int gid) throws ErrnoException {
        if (r.isVirtual()) throw new ErrnoException(Errno.EPERM, r.guestPath());
        if (!r.exists()) throw new ErrnoException(Errno.ENOENT, r.guestPath());
        lock.writeLock().lock();
        try {
            Path p = verified(r);
            if (uid != -1 && uid != (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS))
                Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
            if (gid != -1 && gid != (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS))
                Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw errno(e, r.guestPath());
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** truncate(2): shrinks or extends (with zeros) a regular file. */
    public void truncate(Resolved r, long length) throws ErrnoException {
        if (length < 0) throw new ErrnoException(Errno.EINVAL);
        if (r.isVirtual()) throw new ErrnoException(Errno.EACCES, r.guestPath());
        if (!r.exists()) throw new ErrnoException(Errno.ENOENT, r.guestPath());
        if (r.type() == FileType.DIRECTORY) throw new ErrnoException(Errno.EISDIR, r.guestPath());
        if (r.type() != FileType.REGULAR) throw new ErrnoException(Errno.EINVAL, r.guestPath());
        lock.writeLock().lock();
        try (FileChannel ch = FileChannel.open(verified(r), StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            setLength(ch, length);
        } catch (IOException e) {
            throw errno(e, r.guestPath());
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** ftruncate semantics on an open channel: shrink, or extend with zeros. */
    public static void setLength(FileChannel ch, long length) throws IOException {
        long size = ch.size();
        if (length < size) ch.truncate(length);
        else if (length > size) ch.write(ByteBuffer.wrap(new byte[1]), length - 1);
    }

    /** utimensat(2) on a resolved node; null leaves a time unchanged. */
    public void setTimes(Resolved r, Instant atime, Instant mtime) throws ErrnoException {
        if (r.isVirtual()) throw new ErrnoException(Errno.EPERM, r.guestPath());
        if (!r.exists()) throw new ErrnoException(Errno.ENOENT, r.guestPath());
        lock.writeLock().lock();
        try {
            java.nio.file.attribute.BasicFileAttributeView v = Files.getFileAttributeView(verified(r),
                    java.nio.file.attribute.BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            v.setTimes(mtime == null ? null : FileTime.from(mtime), atime == null ? null : FileTime.from(atime), null);
        } catch (IOException e) {
            throw errno(e, r.guestPath());
        } finally {
            lock.writeLock().unlock();
        }
    }

    // ------------------------------------------------------------------ errors

    /** The Linux errno for a host I/O failure (Java reports the host's strerror text as the reason). */
    public static ErrnoException errno(IOException e, String detail) {
        Errno n;
        if (e instanceof NoSuchFileException) n = Errno.ENOENT;
        else if (e instanceof FileAlreadyExistsException) n = Errno.EEXIST;
        else if (e instanceof DirectoryNotEmptyException) n = Errno.ENOTEMPTY;
        else if (e instanceof NotDirectoryException) n = Errno.ENOTDIR;
        else if (e instanceof NotLinkException) n = Errno.EINVAL;
        else if (e instanceof FileSystemLoopException) n = Errno.ELOOP;
        else if (e instanceof FileSystemException fse && fse.getReason() != null) {
            n = byMessage(fse.getReason());
            if (n == null) n = e instanceof AccessDeniedException ? Errno.EACCES : Errno.EIO;
        } else if (e instanceof AccessDeniedException) n = Errno.EACCES;
        else {
            // Plain IOExceptions carry the strerror text first, e.g.
            // "Too many levels of symbolic links (NOFOLLOW_LINKS specified)".
            String m = e.getMessage();
            n = null;
            if (m != null) for (Errno x : Errno.values()) if (m.startsWith(x.message())) { n = x; break; }
            if (n == null) n = Errno.EIO;
        }
        return new ErrnoException(n, detail);
    }

    private static Errno byMessage(String reason) {
        for (Errno x : Errno.values()) if (x.message().equals(reason)) return x;
        return null;
    }
}
