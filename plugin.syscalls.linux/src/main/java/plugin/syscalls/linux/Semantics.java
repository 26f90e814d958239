package plugin.syscalls.linux;

import emulator.api.GuestMemory;
import emulator.api.event.Keys;
import java.util.OptionalLong;
import plugin.syscalls.linux.decode.Decoder;
import plugin.syscalls.linux.decode.OpenFlags;

/**
 * Translates Linux calls into the platform-independent semantics of ARCHITECTURE §4 (the ABI
 * paper's split): {@code file.op} open/read/write/close/dup and {@code process.op} fork/exec/exit,
 * so that plugin.files and plugin.processes need no Linux knowledge.
 */
final class Semantics {
    private Semantics() {}

    static final long CLONE_THREAD = 0x10000;

    static void atEntry(Call c, GuestMemory mem, Decoder decoder) {
        var s = c.semantics;
        long[] a = c.args;
        switch (c.name) {
            case "open", "openat", "creat" -> {
                int p = c.name.equals("openat") ? 1 : 0;
                long flags = c.name.equals("creat") ? 01101 : a[p + 1];
                s.put(Keys.FILE_OP, "open");
                mem.readCString(a[p], 4096).ifPresent(path -> s.put(Keys.FILE_PATH, path));
                s.put(Keys.FILE_ACCESS, OpenFlags.access(flags));
                s.put(Keys.FILE_CLOEXEC, (flags & OpenFlags.O_CLOEXEC) != 0);
            }
            case "read", "pread64", "readv", "preadv", "preadv2" -> io(c, mem, "read");
            case "write", "pwrite64", "writev", "pwritev", "pwritev2" -> io(c, mem, "write");
            case "close" -> { s.put(Keys.FILE_OP, "close"); s.put(Keys.FILE_HANDLE, (long) (int) a[0]); }
            case "dup", "dup2", "dup3" -> {
                s.put(Keys.FILE_OP, "dup");
                s.put(Keys.FILE_OLD_HANDLE, (long) (int) a[0]);
                if (c.name.equals("dup3")) s.put(Keys.FILE_CLOEXEC, (a[2] & OpenFlags.O_CLOEXEC) != 0);
            }
            case "fcntl", "fcntl64" -> {
                if (a[1] == 0 || a[1] == 1030) { // F_DUPFD, F_DUPFD_CLOEXEC
                    s.put(Keys.FILE_OP, "dup");
                    s.put(Keys.FILE_OLD_HANDLE, (long) (int) a[0]);
                    s.put(Keys.FILE_CLOEXEC, a[1] == 1030);
                }
            }
            case "fork", "vfork" -> { s.put(Keys.PROCESS_OP, "fork"); s.put(Keys.PROCESS_THREAD, false); }
            case "clone" -> { s.put(Keys.PROCESS_OP, "fork"); s.put(Keys.PROCESS_THREAD, (a[0] & CLONE_THREAD) != 0); }
            case "clone3" -> {
                s.put(Keys.PROCESS_OP, "fork");
                OptionalLong flags = mem.readInt(a[0], 8); // struct clone_args starts with the flags
                s.put(Keys.PROCESS_THREAD, flags.isPresent() && (flags.getAsLong() & CLONE_THREAD) != 0);
            }
            case "execve", "execveat" -> {
                int p = c.name.equals("execveat") ? 1 : 0;
                s.put(Keys.PROCESS_OP, "exec");
                mem.readCString(a[p], 4096).ifPresent(path -> s.put(Keys.PROCESS_IMAGE, path));
                s.put(Keys.PROCESS_ARGV, decoder.argvList(a[p + 1], mem).toArray(String[]::new));
            }
            case "exit", "exit_group" -> { s.put(Keys.PROCESS_OP, "exit"); s.put(Keys.PROCESS_STATUS, (int) a[0] & 0xff); }
            default -> { }
        }
    }

    private static void io(Call c, GuestMemory mem, String op) {
        var s = c.semantics;
        s.put(Keys.FILE_OP, op);
        s.put(Keys.FILE_HANDLE, (long) (int) c.args[0]);
        s.put(Keys.FILE_BUFFER, c.arch.unsigned(c.args[1]));
        if (c.name.endsWith("v") || c.name.endsWith("v2")) { // the buffer is an iovec array: the length is the sum
            long total = 0;
            int w = c.arch.wordSize;
            for (int i = 0; i < Math.min(c.args[2], 1024); i++) total += mem.readInt(c.args[1] + (2L * i + 1) * w, w).orElse(0);
            s.put(Keys.FILE_LENGTH, total);
        } else {
            s.put(Keys.FILE_LENGTH, c.arch.unsigned(c.args[2]));
        }
    }

    static void atExit(Call c) {
        var s = c.semantics;
        boolean ok = c.ret >= 0;
        Object op = s.get(Keys.FILE_OP);
        if (ok && ("open".equals(op) || "dup".equals(op))) s.put(Keys.FILE_HANDLE, c.ret);
        if (ok && "fork".equals(s.get(Keys.PROCESS_OP))) s.put(Keys.PROCESS_CHILD, (int) c.ret);
    }

    static boolean isForkFamily(String name) {
        return switch (name) {
            case "fork", "vfork", "clone", "clone3" -> true;
            default -> false;
        };
    }
}
