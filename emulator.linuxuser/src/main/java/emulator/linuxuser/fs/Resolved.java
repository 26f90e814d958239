package emulator.linuxuser.fs;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * The outcome of resolving a guest path: an existing host file, an existing virtual node, a
 * missing final component (for O_CREAT, mkdir, symlink, rename targets), or a magic fd link.
 *
 * <p>A host result's path is inside the root by construction: it is the root's real path joined
 * with guest components each of which was checked (no-follow) to be a directory, and no
 * component is ".", ".." or contains '/'. {@link GuestRoot} re-verifies the parent with
 * {@code toRealPath} before any host operation.
 */
public final class Resolved {
    /** What kind of result. */
    public enum Kind { HOST, VIRTUAL, MISSING, FD_LINK }

    private final Kind kind;
    private final List<String> parent;
    private final String name;
    private final Path hostPath;
    private final VirtualFile virtual;
    private final FileType type;
    private final boolean trailingSlash;
    private final int fd;
    private final boolean inVirtualDir;

    Resolved(Kind kind, List<String> parent, String name, Path hostPath, VirtualFile virtual, FileType type,
             boolean trailingSlash, int fd) {
        this(kind, parent, name, hostPath, virtual, type, trailingSlash, fd, false);
    }

    Resolved(Kind kind, List<String> parent, String name, Path hostPath, VirtualFile virtual, FileType type,
             boolean trailingSlash, int fd, boolean inVirtualDir) {
        this.inVirtualDir = inVirtualDir;
        this.kind = kind;
        this.parent = List.copyOf(parent);
        this.name = name;
        this.hostPath = hostPath;
        this.virtual = virtual;
        this.type = type;
        this.trailingSlash = trailingSlash;
        this.fd = fd;
    }

    public Kind kind() { return kind; }

    public boolean exists() { return kind == Kind.HOST || kind == Kind.VIRTUAL; }

    /**
     * VIRTUAL, FD_LINK, or a MISSING name inside /proc or /dev (then {@link #virtual()} and
     * {@link #hostPath()} are null: nothing can be created there).
     */
    public boolean isVirtual() { return kind == Kind.VIRTUAL || kind == Kind.FD_LINK || inVirtualDir; }

    /** Canonical guest path (symlinks resolved except a final one not followed), "/" for the root. */
    public String guestPath() {
        if (name == null) return parent.isEmpty() ? "/" : "/" + String.join("/", parent);
        return parentGuestPath().equals("/") ? "/" + name : parentGuestPath() + "/" + name;
    }

    /** Guest path of the containing directory. */
    public String parentGuestPath() {
        return parent.isEmpty() ? "/" : "/" + String.join("/", parent);
    }

    /** Canonical components of the containing directory. */
    public List<String> parentComponents() { return parent; }

    /** Final component name; null when the result is the root directory itself. */
    public String name() { return name; }

    /** Host path for HOST and MISSING (where the new file would go); null for virtual results (and names missing in /proc, /dev). */
    public Path hostPath() { return hostPath; }

    /** The virtual node for VIRTUAL and FD_LINK results. */
    public VirtualFile virtual() { return virtual; }

    /** Type of an existing node (SYMLINK only when the final link was not followed); null when MISSING. */
    public FileType type() { return type; }

    /** The path ended in '/', "/." or "/.." (Linux: the final component must be a directory). */
    public boolean trailingSlash() { return trailingSlash; }

    /** For FD_LINK: the descriptor a /proc/self/fd/N link stands for. */
    public OptionalInt fd() { return kind == Kind.FD_LINK ? OptionalInt.of(fd) : OptionalInt.empty(); }

    @Override
    public String toString() {
        return kind + " " + guestPath() + (hostPath != null ? " -> " + hostPath : "") + (type != null ? " " + type : "");
    }
}
