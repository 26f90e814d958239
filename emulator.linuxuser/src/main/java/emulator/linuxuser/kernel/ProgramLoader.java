package emulator.linuxuser.kernel;

import emulator.linuxuser.abi.Errno;
import emulator.linuxuser.abi.ErrnoException;
import emulator.linuxuser.elf.ElfException;
import emulator.linuxuser.elf.ElfFile;
import emulator.linuxuser.fs.FileType;
import emulator.linuxuser.fs.GuestRoot;
import emulator.linuxuser.fs.Resolved;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds what execve runs, inside the guest root: an ELF file, or a {@code #!} script whose
 * interpreter is then run with the script's path (at most 4 levels, as Linux).
 */
public final class ProgramLoader {
    private ProgramLoader() {}

    /** The ELF image to load, the path the guest sees (AT_EXECFN, /proc/self/exe) and the final argv. */
    public record Program(ElfFile elf, String guestPath, List<String> argv) {}

    public static Program find(GuestRoot root, String cwd, String path, List<String> argv) throws ErrnoException {
        return find(root, cwd, path, argv, 0);
    }

    private static Program find(GuestRoot root, String cwd, String path, List<String> argv, int depth) throws ErrnoException {
        if (depth > 4) throw new ErrnoException(Errno.ELOOP);
        if (path.isEmpty()) throw new ErrnoException(Errno.ENOENT);
        Resolved r = root.resolveExisting(path.startsWith("/") ? "/" : cwd, path, GuestRoot.FOLLOW);
        if (r.type() == FileType.DIRECTORY || r.isVirtual()) throw new ErrnoException(Errno.EACCES);
        if (r.type() != FileType.REGULAR) throw new ErrnoException(Errno.EACCES);
        if ((root.stat(r).permissions() & 0111) == 0) throw new ErrnoException(Errno.EACCES);
        try (FileChannel ch = root.open(r, true, false, false, false, false, false, 0)) {
            ByteBuffer head = ByteBuffer.allocate(256);
            while (head.hasRemaining() && ch.read(head, head.position()) > 0) { }
            head.flip();
            if (head.remaining() >= 2 && head.get(0) == '#' && head.get(1) == '!') return script(root, cwd, path, argv, head, depth);
            ElfFile elf = ElfFile.parse(ch);
            return new Program(elf, r.guestPath(), argv);
        } catch (ElfException e) {
            throw new ErrnoException(Errno.ENOEXEC, e.getMessage());
        } catch (IOException e) {
            throw GuestRoot.errno(e, path);
        }
    }

    private static Program script(GuestRoot root, String cwd, String path, List<String> argv, ByteBuffer head, int depth)
            throws ErrnoException {
        byte[] b = new byte[head.remaining()];
        head.get(b);
        String first = new String(b, StandardCharsets.ISO_8859_1);
        int nl = first.indexOf('\n');
        if (nl < 0 && b.length == 256) throw new ErrnoException(Errno.ENOEXEC);
        String line = (nl < 0 ? first : first.substring(0, nl)).substring(2).strip();
        if (line.isEmpty()) throw new ErrnoException(Errno.ENOEXEC);
        int sp = line.indexOf(' ');
        String interp = sp < 0 ? line : line.substring(0, sp);
        String arg = sp < 0 ? null : line.substring(sp + 1).strip();
        List<String> a = new ArrayList<>();
        a.add(interp);
        if (arg != null && !arg.isEmpty()) a.add(arg);
        a.add(path);
        if (argv.size() > 1) a.addAll(argv.subList(1, argv.size()));
        return find(root, cwd, interp, a, depth + 1);
    }
}
