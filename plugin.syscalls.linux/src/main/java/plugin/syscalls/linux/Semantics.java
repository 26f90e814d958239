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
 *
 * <p>{@link #atEntry} and {@link #atExit} run on the trace writer's thread, on the memory captured
 * for the call. The few facts the {@link CallTracker} itself needs (an exec's image, whether a clone
 * makes a thread, the image /proc/self/exe names) are read on the vCPU thread by
 * {@link #trackerFactsAtEntry} and {@link #trackerFactsAtExit}, for those rare calls only.
 */
final class Semantics {
    private Semantics() {}

    static final long CLONE_THREAD = 0x10000;

    /** vCPU thread, at the entry: the facts the tracker pairs and names processes with. */
    static void trackerFactsAtEntry(Call c, GuestMemory mem) {
        long[] a = c.args;
        switch (c.name) {
            case "execve" -> c.image = mem.readCString(a[0], 4096).orElse(null);
            case "execveat" -> c.image = mem.readCString(a[1], 4096).orElse(null);
            case "clone" -> c.thread = (a[0] & CLONE_THREAD) != 0;
            case "clone3" -> {
                OptionalLong flags = mem.readInt(a[0], 8); // struct clone_args starts with the flags
                c.thread = flags.isPresent() && (flags.getAsLong() & CLONE_THREAD) != 0;
            }
            default -> { }
        }
    }

    /** vCPU thread, at the return ({@code c.ret} set): readlink("/proc/self/exe") names the process's image. */
    static void trackerFactsAtExit(Call c, GuestMemory mem) {
        if (c.ret > 0 && (c.name.equals("readlink") || c.name.equals("readlinkat"))) ownImage(c, mem);
    }

    static void atEntry(Call c, GuestMemory mem, Decoder decoder) {
        // The calls every program makes most, apart from the others: C1 compiles a method whole (at two
        // tiers while C2 is busy), and the long switch of the others was 2.8 KB of bytecode compiled
        // twice in each traced run; now it is rarely called often enough to be compiled at all.
        switch (c.name) {
            case "read", "pread64", "readv", "preadv", "preadv2" -> io(c, mem, "read");
            case "write", "pwrite64", "writev", "pwritev", "pwritev2" -> io(c, mem, "write");
            case "close" -> { c.semantics.put(Keys.FILE_OP, "close"); c.semantics.put(Keys.FILE_HANDLE, (long) (int) c.args[0]); }
            default -> otherAtEntry(c, mem, decoder);
        }
    }

    private static void otherAtEntry(Call c, GuestMemory mem, Decoder decoder) {
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
            // kernel-side copies: (out, in) for sendfile; (in, off, out, off, len) for splice and copy_file_range
            case "sendfile", "sendfile64" -> copy(c, a[1], a[0], a[3]);
            case "splice", "copy_file_range" -> copy(c, a[0], a[2], a[4]);
            case "dup", "dup2", "dup3" -> {
                s.put(Keys.FILE_OP, "dup");
                s.put(Keys.FILE_OLD_HANDLE, (long) (int) a[0]);
                // the new handle's close-on-exec flag is clear unless dup3 sets it (dup(2))
                s.put(Keys.FILE_CLOEXEC, c.name.equals("dup3") && (a[2] & OpenFlags.O_CLOEXEC) != 0);
            }
            case "fcntl", "fcntl64" -> {
                if (a[1] == F_DUPFD || a[1] == F_DUPFD_CLOEXEC) {
                    s.put(Keys.FILE_OP, "dup");
                    s.put(Keys.FILE_OLD_HANDLE, (long) (int) a[0]);
                    s.put(Keys.FILE_CLOEXEC, a[1] == F_DUPFD_CLOEXEC);
                } else if (a[1] == F_SETFD) {
                    cloexec(c, (a[2] & FD_CLOEXEC) != 0);
                }
            }
            case "ioctl" -> {
                if ((a[1] & 0xFFFF_FFFFL) == FIOCLEX) cloexec(c, true);
                else if ((a[1] & 0xFFFF_FFFFL) == FIONCLEX) cloexec(c, false);
            }
            case "pipe", "pipe2" -> anonymous(c, "<pipe>", c.name.equals("pipe2") && (a[1] & OpenFlags.O_CLOEXEC) != 0);
            case "socketpair" -> anonymous(c, "<socket>", (a[1] & OpenFlags.O_CLOEXEC) != 0); // SOCK_CLOEXEC == O_CLOEXEC
            case "socket" -> anonymous(c, "<socket>", (a[1] & OpenFlags.O_CLOEXEC) != 0);
            case "accept" -> anonymous(c, "<socket>", false);
            case "accept4" -> anonymous(c, "<socket>", (a[3] & OpenFlags.O_CLOEXEC) != 0);
            case "eventfd" -> anonymous(c, "<eventfd>", false);
            case "eventfd2" -> anonymous(c, "<eventfd>", (a[1] & OpenFlags.O_CLOEXEC) != 0);
            case "epoll_create" -> anonymous(c, "<epoll>", false);
            case "epoll_create1" -> anonymous(c, "<epoll>", (a[0] & OpenFlags.O_CLOEXEC) != 0);
            case "signalfd", "signalfd4" -> {
                // with fd -1 it makes a new handle; with an existing signalfd it only changes its mask
                if ((int) a[0] == -1) anonymous(c, "<signalfd>", c.name.equals("signalfd4") && (a[3] & OpenFlags.O_CLOEXEC) != 0);
            }
            case "timerfd_create" -> anonymous(c, "<timerfd>", (a[1] & OpenFlags.O_CLOEXEC) != 0);
            case "inotify_init" -> anonymous(c, "<inotify>", false);
            case "inotify_init1" -> anonymous(c, "<inotify>", (a[0] & OpenFlags.O_CLOEXEC) != 0);
            case "fanotify_init" -> anonymous(c, "<fanotify>", (a[0] & 1) != 0); // FAN_CLOEXEC
            case "userfaultfd" -> anonymous(c, "<userfaultfd>", (a[0] & OpenFlags.O_CLOEXEC) != 0);
            case "memfd_create" -> {
                String name = mem.readCString(a[0], 256).orElse("?");
                anonymous(c, "<memfd:" + name + ">", (a[1] & 1) != 0); // MFD_CLOEXEC
            }
            case "memfd_secret" -> anonymous(c, "<memfd_secret>", (a[0] & OpenFlags.O_CLOEXEC) != 0);
            case "pidfd_open" -> anonymous(c, "<pidfd>", true);    // a pidfd is always close-on-exec
            case "io_uring_setup" -> anonymous(c, "<io_uring>", true);
            case "perf_event_open" -> anonymous(c, "<perf_event>", (a[4] & 8) != 0); // PERF_FLAG_FD_CLOEXEC
            case "fork", "vfork", "clone", "clone3" -> { s.put(Keys.PROCESS_OP, "fork"); s.put(Keys.PROCESS_THREAD, c.thread); }
            case "execve", "execveat" -> {
                int p = c.name.equals("execveat") ? 1 : 0;
                s.put(Keys.PROCESS_OP, "exec");
                if (c.image != null) s.put(Keys.PROCESS_IMAGE, c.resolvedImage != null ? c.resolvedImage : c.image);
                s.put(Keys.PROCESS_ARGV, decoder.argvList(a[p + 1], mem).toArray(String[]::new));
                // an exec of /proc/self/exe: the image it loads, and the path as the caller wrote it
                if (c.resolvedImage != null) s.put(Keys.PROCESS_IMAGE_NAMED, c.image);
            }
            case "exit", "exit_group" -> { s.put(Keys.PROCESS_OP, "exit"); s.put(Keys.PROCESS_STATUS, (int) a[0] & 0xff); }
            default -> { }
        }
    }

    static final long F_DUPFD = 0, F_SETFD = 2, F_DUPFD_CLOEXEC = 1030, FD_CLOEXEC = 1, FIONCLEX = 0x5450, FIOCLEX = 0x5451;

    private static void copy(Call c, long from, long to, long length) {
        var s = c.semantics;
        s.put(Keys.FILE_OP, Keys.FILE_OP_COPY);
        s.put(Keys.FILE_SOURCE_HANDLE, (long) (int) from);
        s.put(Keys.FILE_HANDLE, (long) (int) to);
        s.put(Keys.FILE_LENGTH, c.arch.unsigned(length));
    }

    private static void cloexec(Call c, boolean on) {
        c.semantics.put(Keys.FILE_OP, Keys.FILE_OP_CLOEXEC);
        c.semantics.put(Keys.FILE_HANDLE, (long) (int) c.args[0]);
        c.semantics.put(Keys.FILE_CLOEXEC, on);
    }

    /**
     * A call that makes a handle to an object with no name in the file system. strace -y prints the
     * kernel's inode ({@code pipe:[1234]}); that is not in the ABI, so the kind stands for the name
     * and {@link Keys#FILE_ANONYMOUS} says so.
     */
    private static void anonymous(Call c, String kind, boolean cloexec) {
        c.semantics.put(Keys.FILE_OP, "open");
        c.semantics.put(Keys.FILE_PATH, kind);
        c.semantics.put(Keys.FILE_ANONYMOUS, true);
        c.semantics.put(Keys.FILE_ACCESS, "READ_WRITE");
        c.semantics.put(Keys.FILE_CLOEXEC, cloexec);
    }

    /** Calls that return their handles in an int[2] (the first argument for pipe, the fourth for socketpair). */
    private static int pairArgument(String name) {
        return switch (name) {
            case "pipe", "pipe2" -> 0;
            case "socketpair" -> 3;
            default -> -1;
        };
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

    static void atExit(Call c, GuestMemory mem) {
        var s = c.semantics;
        boolean ok = c.ret >= 0;
        Object op = s.get(Keys.FILE_OP);
        int pair = pairArgument(c.name);
        if (ok && pair >= 0) {
            OptionalLong first = mem.readInt(c.args[pair], 4), second = mem.readInt(c.args[pair] + 4, 4);
            if (first.isPresent() && second.isPresent()) {
                long[] handles = {(int) first.getAsLong(), (int) second.getAsLong()};
                s.put(Keys.FILE_HANDLE, handles[0]);
                s.put(Keys.FILE_HANDLES, handles);
                s.put(Keys.FILE_ACCESSES, c.name.startsWith("pipe") ? new String[] {"READ", "WRITE"} : new String[] {"READ_WRITE", "READ_WRITE"});
            } else {
                s.remove(Keys.FILE_OP); // the handles cannot be read: say nothing rather than something wrong
            }
        } else if (ok && ("open".equals(op) || "dup".equals(op))) {
            s.put(Keys.FILE_HANDLE, c.ret);
        }
        if (ok && "fork".equals(s.get(Keys.PROCESS_OP))) s.put(Keys.PROCESS_CHILD, (int) c.ret);
        if (c.ownImage != null) {
            s.put(Keys.PROCESS_OP, Keys.PROCESS_OP_IMAGE);
            s.put(Keys.PROCESS_IMAGE, c.ownImage);
        }
    }

    /** readlink("/proc/self/exe"): the process names its own image (the kernel's answer, read from its buffer). */
    private static void ownImage(Call c, GuestMemory mem) {
        int p = c.name.equals("readlinkat") ? 1 : 0;
        if (c.name.equals("readlinkat") && (int) c.args[0] != AT_FDCWD) return;
        String path = mem.readCString(c.args[p], 64).orElse(null);
        if (!isOwnExe(path, c.pid)) return;
        byte[] b = new byte[(int) Math.min(c.ret, 4096)];
        if (mem.read(c.args[p + 1], b, 0, b.length) != b.length) return;
        c.ownImage = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    static final int AT_FDCWD = -100;

    /** Whether {@code path} names the calling process's own executable ({@code /proc/self/exe} and its aliases). */
    static boolean isOwnExe(String path, int pid) {
        if (path == null) return false;
        return path.equals("/proc/self/exe") || path.equals("/proc/thread-self/exe") || pid > 0 && path.equals("/proc/" + pid + "/exe");
    }

    /** The pid named by {@code /proc/N/exe}, or -1. */
    static int procExePid(String path) {
        if (path == null || !path.startsWith("/proc/") || !path.endsWith("/exe")) return -1;
        String n = path.substring(6, path.length() - 4);
        if (n.isEmpty() || n.length() > 9 || !n.chars().allMatch(Character::isDigit)) return -1;
        return Integer.parseInt(n);
    }
}
