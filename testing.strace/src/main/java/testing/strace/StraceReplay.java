package testing.strace;

import emulator.api.event.Keys;
import emulator.api.event.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.osgi.service.event.Event;

/**
 * Plays the OS syscall plugin's part for a native run traced by strace: each call becomes an ENTER
 * and an EXIT event carrying the normalized {@code file.*} / {@code process.*} semantics of Keys, and
 * nothing else the kernel knew. In particular the paths strace's {@code -y} prints beside each fd are
 * stripped: they are the reference the file monitor's handle table is checked against.
 */
public final class StraceReplay {
    /** One file operation as fed, with the kernel's own name for its handle (null if none). */
    public record FileOp(String op, int pid, long handle, String kernelPath) {}

    public static final String TRACE = "openat,open,creat,pipe,pipe2,read,write,close,dup,dup2,dup3,fcntl,clone,clone3,fork,vfork,execve,exit_group,exit";

    public final List<Event> events = new ArrayList<>();
    public final List<FileOp> fileOps = new ArrayList<>();
    private final Set<Integer> seen = new HashSet<>();
    private final Map<Integer, Integer> execs = new HashMap<>();
    /** Each child's parent, from the fork results: the tracer names it on the child's own return. */
    private final Map<Integer, Integer> parentOf = new HashMap<>();

    public StraceReplay(StraceLog log) {
        for (Object e : log.entries) {
            if (e instanceof StraceLog.Call c && c.name().matches("clone3?|v?fork") && c.ret() != null && c.ret() > 0) parentOf.put(c.ret().intValue(), c.pid());
        }
        for (Object e : log.entries) if (e instanceof StraceLog.Call c) call(c);
    }

    private void call(StraceLog.Call c) {
        long icount = c.lineNo() * 1000L;
        if (seen.add(c.pid()) && !seen.isEmpty() && events.size() > 0) {
            // A new process's first appearance: the tracer reports its return of 0 from fork or clone.
            Map<String, Object> child = base(c.pid(), icount - 1);
            child.put(Keys.PROCESS_OP, "fork");
            child.put(Keys.RET, 0L);
            if (parentOf.containsKey(c.pid())) child.put(Keys.PPID, parentOf.get(c.pid()));
            events.add(new Event(Topics.SYSCALL_EXIT, child));
        }
        Map<String, Object> enter = base(c.pid(), icount), exit = base(c.pid(), icount + 1);
        if (c.ret() != null) exit.put(Keys.RET, c.ret());
        List<String> a = c.args();
        switch (c.name()) {
            case "open", "openat", "creat" -> {
                int p = c.name().equals("openat") ? 1 : 0;
                String flags = c.name().equals("creat") ? "O_WRONLY|O_CREAT|O_TRUNC" : a.get(p + 1);
                enter.put(Keys.FILE_OP, "open");
                enter.put(Keys.FILE_PATH, StraceLog.unquote(a.get(p)));
                enter.put(Keys.FILE_ACCESS, flags.contains("O_RDWR") ? "READ_WRITE" : flags.contains("O_WRONLY") ? "WRITE" : "READ");
                enter.put(Keys.FILE_CLOEXEC, flags.contains("O_CLOEXEC"));
                if (c.ret() != null && c.ret() >= 0) exit.put(Keys.FILE_HANDLE, c.ret());
                if (c.ret() != null) fileOps.add(new FileOp("open", c.pid(), c.ret(), c.retAnnotation()));
            }
            case "pipe", "pipe2" -> {
                // the syscall plugin's anonymous open: both ends, READ and WRITE; strace -y shows pipe:[inode]
                enter.put(Keys.FILE_OP, "open");
                enter.put(Keys.FILE_PATH, "<pipe>");
                enter.put(Keys.FILE_ANONYMOUS, true);
                enter.put(Keys.FILE_ACCESS, "READ_WRITE");
                enter.put(Keys.FILE_CLOEXEC, c.name().equals("pipe2") && a.get(1).contains("O_CLOEXEC"));
                if (c.ret() != null && c.ret() == 0) {
                    List<String> ends = StraceLog.splitArgs(a.get(0).substring(1, a.get(0).length() - 1));
                    long[] handles = {StraceLog.fd(ends.get(0)), StraceLog.fd(ends.get(1))};
                    exit.put(Keys.FILE_HANDLE, handles[0]);
                    exit.put(Keys.FILE_HANDLES, handles);
                    exit.put(Keys.FILE_ACCESSES, new String[] {"READ", "WRITE"});
                    fileOps.add(new FileOp("open", c.pid(), handles[0], StraceLog.fdPath(ends.get(0))));
                    fileOps.add(new FileOp("open", c.pid(), handles[1], StraceLog.fdPath(ends.get(1))));
                } else {
                    fileOps.add(new FileOp("open", c.pid(), -1, null));
                }
            }
            case "read", "write" -> {
                enter.put(Keys.FILE_OP, c.name());
                enter.put(Keys.FILE_HANDLE, StraceLog.fd(a.get(0)));
                enter.put(Keys.FILE_BUFFER, 0L);    // strace shows the bytes, not the address
                enter.put(Keys.FILE_LENGTH, Long.decode(a.get(2)));
                fileOps.add(new FileOp(c.name(), c.pid(), StraceLog.fd(a.get(0)), StraceLog.fdPath(a.get(0))));
            }
            case "close" -> {
                enter.put(Keys.FILE_OP, "close");
                enter.put(Keys.FILE_HANDLE, StraceLog.fd(a.get(0)));
                fileOps.add(new FileOp("close", c.pid(), StraceLog.fd(a.get(0)), StraceLog.fdPath(a.get(0))));
            }
            case "dup", "dup2", "dup3" -> dup(c, enter, exit, c.name().equals("dup3") && a.get(2).contains("O_CLOEXEC"));
            case "fcntl" -> {
                String cmd = a.get(1);
                if (cmd.equals("F_DUPFD") || cmd.equals("F_DUPFD_CLOEXEC")) dup(c, enter, exit, cmd.equals("F_DUPFD_CLOEXEC"));
                else if (cmd.equals("F_SETFD")) {
                    enter.put(Keys.FILE_OP, "cloexec");
                    enter.put(Keys.FILE_HANDLE, StraceLog.fd(a.get(0)));
                    enter.put(Keys.FILE_CLOEXEC, a.get(2).contains("FD_CLOEXEC"));
                }
            }
            case "clone", "clone3", "fork", "vfork" -> {
                enter.put(Keys.PROCESS_OP, "fork");
                enter.put(Keys.PROCESS_THREAD, a.stream().anyMatch(s -> s.contains("CLONE_THREAD")));
                if (c.ret() != null && c.ret() > 0) exit.put(Keys.PROCESS_CHILD, c.ret().intValue());
            }
            case "execve" -> {
                enter.put(Keys.PROCESS_OP, "exec");
                enter.put(Keys.PROCESS_IMAGE, StraceLog.unquote(a.get(0)));
                enter.put(Keys.PROCESS_ARGV, StraceLog.stringArray(a.get(1)).toArray(String[]::new));
                if (c.ret() != null && c.ret() == 0) {
                    // A successful exec returns in a new address space.
                    execs.merge(c.pid(), 1, Integer::sum);
                    exit.put(Keys.ASID, asid(c.pid()));
                }
            }
            case "exit_group", "exit" -> {
                enter.put(Keys.PROCESS_OP, "exit");
                enter.put(Keys.PROCESS_STATUS, Integer.decode(a.get(0)));
                if (c.name().equals("exit")) enter.put(Keys.PROCESS_THREAD, true);
                events.add(new Event(Topics.SYSCALL_ENTER, enter));
                return;    // never returns
            }
            default -> throw new IllegalArgumentException("not traced: " + c.name());
        }
        events.add(new Event(Topics.SYSCALL_ENTER, enter));
        events.add(new Event(Topics.SYSCALL_EXIT, exit));
    }

    private void dup(StraceLog.Call c, Map<String, Object> enter, Map<String, Object> exit, boolean cloexec) {
        String old = c.args().get(0);
        enter.put(Keys.FILE_OP, "dup");
        enter.put(Keys.FILE_OLD_HANDLE, StraceLog.fd(old));
        enter.put(Keys.FILE_CLOEXEC, cloexec);
        if (c.ret() != null && c.ret() >= 0) exit.put(Keys.FILE_HANDLE, c.ret());
        fileOps.add(new FileOp("dup", c.pid(), StraceLog.fd(old), StraceLog.fdPath(old)));
    }

    private Map<String, Object> base(int pid, long icount) {
        Map<String, Object> p = new HashMap<>();
        p.put(Keys.OS, "linux");
        p.put(Keys.PID, pid);
        p.put(Keys.TID, pid);
        p.put(Keys.ASID, asid(pid));
        p.put(Keys.ICOUNT, icount);
        return p;
    }

    private long asid(int pid) { return ((long) pid << 8) + execs.getOrDefault(pid, 0); }
}
