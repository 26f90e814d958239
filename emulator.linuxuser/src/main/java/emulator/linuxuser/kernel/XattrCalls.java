package emulator.linuxuser.kernel;

import emulator.linuxuser.abi.Errno;
import emulator.linuxuser.abi.ErrnoException;
import emulator.linuxuser.fs.GuestRoot;
import emulator.linuxuser.fs.Resolved;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Reading extended attributes: getxattr/lgetxattr/fgetxattr and the listxattr family. The guest
 * sees the host file's "user." attributes (what Java can read); any other name is ENODATA, as on
 * a file that has none — host security labels and ACLs never reach the guest. (ls -l asks for
 * security.selinux and system.posix_acl_access on every file and takes ENODATA as "none".)
 * Setting and removing attributes are not implemented (ENOSYS, reported once).
 */
final class XattrCalls {
    private static final int XATTR_NAME_MAX = 255, XATTR_SIZE_MAX = 65536;

    private final LinuxProcess proc;
    private final GuestMem mem;

    private XattrCalls(LinuxSyscalls s) {
        this.proc = s.process();
        this.mem = s.memory();
    }

    static void register(LinuxSyscalls s) {
        XattrCalls x = new XattrCalls(s);
        s.provide(name -> switch (name) {
            case "getxattr" -> (c, a) -> x.get(x.path(a[0], true), a[1], a[2], a[3]);
            case "lgetxattr" -> (c, a) -> x.get(x.path(a[0], false), a[1], a[2], a[3]);
            case "fgetxattr" -> (c, a) -> x.get(x.fd((int) a[0]), a[1], a[2], a[3]);
            case "listxattr" -> (c, a) -> x.list(x.path(a[0], true), a[1], a[2]);
            case "llistxattr" -> (c, a) -> x.list(x.path(a[0], false), a[1], a[2]);
            case "flistxattr" -> (c, a) -> x.list(x.fd((int) a[0]), a[1], a[2]);
            default -> null;
        });
    }

    private Map<String, byte[]> path(long addr, boolean follow) throws ErrnoException {
        String p = mem.readCString(addr, GuestRoot.PATH_MAX);
        if (p.isEmpty()) throw new ErrnoException(Errno.ENOENT);
        Resolved r = proc.root.resolveExisting(p.startsWith("/") ? "/" : proc.cwd, p, follow ? GuestRoot.FOLLOW : GuestRoot.NOFOLLOW);
        if (r.kind() == Resolved.Kind.FD_LINK) return fd(r.fd().getAsInt());
        return proc.root.userXattrs(r);
    }

    private Map<String, byte[]> fd(int fd) throws ErrnoException {
        Resolved r = proc.file(fd).node();
        return r == null ? Map.of() : proc.root.userXattrs(r); // pipes, terminals, /proc: no attributes
    }

    private long get(Map<String, byte[]> attrs, long nameAddr, long value, long size) throws ErrnoException {
        String name = mem.readCString(nameAddr, XATTR_NAME_MAX + 1);
        if (name.isEmpty() || name.length() > XATTR_NAME_MAX) throw new ErrnoException(Errno.ERANGE);
        byte[] v = attrs.get(name);
        if (v == null) throw new ErrnoException(Errno.ENODATA);
        if (size == 0) return v.length;
        if (size < v.length) throw new ErrnoException(Errno.ERANGE);
        mem.write(value, v);
        return v.length;
    }

    private long list(Map<String, byte[]> attrs, long buf, long size) throws ErrnoException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (String n : attrs.keySet()) {
            o.writeBytes(n.getBytes(StandardCharsets.UTF_8));
            o.write(0);
        }
        byte[] b = o.toByteArray();
        if (size == 0) return b.length;
        if (size < b.length || b.length > XATTR_SIZE_MAX) throw new ErrnoException(Errno.ERANGE);
        mem.write(buf, b);
        return b.length;
    }
}
