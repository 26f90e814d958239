package emulator.linuxuser.kernel;

import emulator.core.exec.Vcpu;
import emulator.linuxuser.abi.Errno;
import emulator.linuxuser.abi.ErrnoException;
import emulator.linuxuser.abi.SyscallTable;
import emulator.linuxuser.fs.GuestRoot;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The process system calls: fork, vfork, clone, execve(at), exit(_group), wait4/waitpid/waitid,
 * the pid, process-group and session calls, getrusage and times. Registered into each process's
 * {@link LinuxSyscalls}.
 */
final class ProcessCalls {
    static final int WNOHANG = 1, WUNTRACED = 2, WEXITED = 4, WCONTINUED = 8, WNOWAIT = 0x0100_0000;
    static final int P_ALL = 0, P_PID = 1, P_PGID = 2;

    private final LinuxSystem system;
    private final LinuxSyscalls sys;
    private final GuestMem mem;

    private ProcessCalls(LinuxSystem system, LinuxSyscalls sys) {
        this.system = system;
        this.sys = sys;
        this.mem = sys.memory();
    }

    static void register(LinuxSystem system, LinuxSyscalls s) {
        ProcessCalls pc = new ProcessCalls(system, s);
        boolean i386 = s.abi == SyscallTable.Abi.I386;
        s.provide(name -> switch (name) {
            case "fork" -> (c, a) -> system.clone(t(c), Signals.SIGCHLD, 0, 0, 0, 0);
            case "vfork" -> (c, a) -> system.clone(t(c), LinuxSystem.CLONE_VFORK | Signals.SIGCHLD, 0, 0, 0, 0);
            case "clone" -> (c, a) -> i386
                    ? system.clone(t(c), a[0], a[1], a[2], a[4], a[3])    // i386: flags, sp, ptid, tls, ctid
                    : system.clone(t(c), a[0], a[1], a[2], a[3], a[4]); // x86-64: flags, sp, ptid, ctid, tls
            case "clone3" -> (c, a) -> pc.clone3(c, a[0], a[1]);
            case "execve" -> (c, a) -> pc.execve(c, LinuxSyscalls.AT_FDCWD, a[0], a[1], a[2], 0);
            case "execveat" -> (c, a) -> pc.execve(c, (int) a[0], a[1], a[2], a[3], (int) a[4]);
            case "exit" -> (c, a) -> { system.exit(t(c), (int) a[0], false); return 0; };
            case "exit_group" -> (c, a) -> { system.exit(t(c), (int) a[0], true); return 0; };
            case "wait4" -> (c, a) -> pc.wait4(c, (int) a[0], a[1], (int) a[2], a[3]);
            case "waitpid" -> (c, a) -> pc.wait4(c, (int) a[0], a[1], (int) a[2], 0);
            case "waitid" -> (c, a) -> pc.waitid(c, (int) a[0], (int) a[1], a[2], (int) a[3], a[4]);
            case "getpid" -> (c, a) -> t(c).proc.pid;
            case "gettid" -> (c, a) -> t(c).tid;
            case "getppid" -> (c, a) -> t(c).proc.ppid;
            case "getpgrp" -> (c, a) -> t(c).proc.pgid;
            case "getpgid" -> (c, a) -> pc.find(c, (int) a[0]).pgid;
            case "getsid" -> (c, a) -> pc.find(c, (int) a[0]).sid;
            case "setpgid" -> (c, a) -> pc.setpgid(c, (int) a[0], (int) a[1]);
            case "setsid" -> (c, a) -> pc.setsid(c);
            case "set_tid_address" -> (c, a) -> { t(c).clearChildTid = a[0]; return t(c).tid; };
            case "getrusage" -> (c, a) -> pc.getrusage(c, (int) a[0], a[1]);
            case "times" -> (c, a) -> pc.times(c, a[0]);
            default -> null;
        });
    }

    private static GuestThread t(Vcpu c) { return (GuestThread) c.kernelData; }

    private LinuxProcess find(Vcpu c, int pid) throws ErrnoException {
        if (pid == 0) return t(c).proc;
        LinuxProcess p = system.processes.get(pid);
        if (p == null || p.reaped) throw new ErrnoException(Errno.ESRCH);
        return p;
    }

    /** clone3: struct clone_args {flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid …}. */
    private long clone3(Vcpu c, long args, long size) throws ErrnoException {
        if (size < 64) throw new ErrnoException(Errno.EINVAL);
        long flags = mem.readU64(args), ctid = mem.readU64(args + 16), ptid = mem.readU64(args + 24);
        long exitSignal = mem.readU64(args + 32), stack = mem.readU64(args + 40), stackSize = mem.readU64(args + 48);
        long tls = mem.readU64(args + 56);
        if ((flags & 0xFF) != 0 || exitSignal > 64) throw new ErrnoException(Errno.EINVAL);
        if ((flags & 0x1000 /* CLONE_PIDFD */) != 0) throw new ErrnoException(Errno.EINVAL); // pidfds: not supported
        if (size >= 80 && mem.readU64(args + 72) != 0) throw new ErrnoException(Errno.EINVAL); // set_tid
        long sp = stack == 0 ? 0 : stack + stackSize;
        return system.clone(t(c), flags | exitSignal, sp, ptid, ctid, tls);
    }

    // ================================================================== exec

    private long execve(Vcpu c, int dirfd, long pathAddr, long argvAddr, long envpAddr, int flags) throws ErrnoException {
        if ((flags & ~(LinuxSyscalls.AT_EMPTY_PATH | LinuxSyscalls.AT_SYMLINK_NOFOLLOW)) != 0) throw new ErrnoException(Errno.EINVAL);
        GuestThread t = t(c);
        LinuxProcess p = t.proc;
        String path = mem.readCString(pathAddr, GuestRoot.PATH_MAX);
        if (path.isEmpty()) {
            if ((flags & LinuxSyscalls.AT_EMPTY_PATH) == 0) throw new ErrnoException(Errno.ENOENT);
            path = p.file(dirfd).link;
        } else if (!path.startsWith("/") && dirfd != LinuxSyscalls.AT_FDCWD) {
            String d = p.file(dirfd).directoryPath();
            if (d == null) throw new ErrnoException(Errno.ENOTDIR);
            path = d + "/" + path;
        }
        List<String> argv = strings(argvAddr), envp = strings(envpAddr);
        system.exec(t, path, argv, envp);
        return 0;
    }

    /** A NULL-terminated array of C strings (at most 128 KiB in total, as ARG_MAX-ish bound). */
    private List<String> strings(long addr) throws ErrnoException {
        List<String> out = new ArrayList<>();
        if (addr == 0) return out;
        long total = 0;
        for (int i = 0; ; i++) {
            long s = mem.readWord(addr + (long) i * mem.wordSize());
            if (s == 0) return out;
            String v = mem.readCString(s, 131072);
            total += v.length() + 1;
            if (total > 2 << 20 || i > 100_000) throw new ErrnoException(Errno.E2BIG);
            out.add(v);
        }
    }

    // ================================================================== wait

    private boolean matches(LinuxProcess self, LinuxProcess c, int idtype, int id) {
        return switch (idtype) {
            case P_ALL -> true;
            case P_PID -> c.pid == id;
            default -> c.pgid == (id == 0 ? self.pgid : id);
        };
    }

    /** Waits for a child to end; returns it (reaped unless {@code nowait}), or null with WNOHANG. */
    private LinuxProcess waitChild(GuestThread t, int idtype, int id, int options, boolean nowait) throws ErrnoException {
        LinuxProcess self = t.proc;
        synchronized (system.lock) {
            ErrnoException interrupted = null;
            while (true) {
                boolean any = false;
                for (LinuxProcess c : self.children) {
                    if (!matches(self, c, idtype, id) || c.reaped) continue;
                    any = true;
                    if (c.zombie) {
                        if (!nowait) {
                            Accounting.reaped(self, c);
                            c.reaped = true;
                            self.children.remove(c);
                            system.processes.remove(c.pid);
                        }
                        return c;
                    }
                }
                if (!any) throw new ErrnoException(Errno.ECHILD);
                if ((options & WNOHANG) != 0) return null;
                // A child's exit wakes us and posts SIGCHLD, which may arrive as an interrupt first:
                // like Linux, report a ready zombie before the signal (the loop above looked again).
                if (interrupted != null) throw interrupted;
                try {
                    GuestThread.await(system.lock, 0);
                } catch (ErrnoException e) {
                    if (e.errno() != Errno.EINTR) throw e;
                    interrupted = e;
                }
            }
        }
    }

    private long wait4(Vcpu c, int pid, long status, int options, long rusage) throws ErrnoException {
        if ((options & ~(WNOHANG | WUNTRACED | WCONTINUED | 0x2000_0000 | 0x4000_0000 | 0x8000_0000)) != 0)
            throw new ErrnoException(Errno.EINVAL);
        int idtype = pid == -1 ? P_ALL : pid > 0 ? P_PID : P_PGID;
        int id = pid < -1 ? -pid : pid > 0 ? pid : 0;
        LinuxProcess ch = waitChild(t(c), idtype, id, options, false);
        if (ch == null) return 0;
        if (status != 0) mem.writeU32(status, ch.waitStatus());
        if (rusage != 0) writeChildRusage(rusage, ch);
        return ch.pid;
    }

    private long waitid(Vcpu c, int idtype, int id, long infop, int options, long rusage) throws ErrnoException {
        if (idtype < P_ALL || idtype > P_PGID || (options & (WEXITED | WUNTRACED | WCONTINUED)) == 0)
            throw new ErrnoException(Errno.EINVAL);
        if ((options & WEXITED) == 0) { // only stop/continue events asked for: none ever happen here
            if ((options & WNOHANG) != 0) { if (infop != 0) mem.write(infop, new byte[128]); return 0; }
            throw new ErrnoException(Errno.ECHILD);
        }
        LinuxProcess ch = waitChild(t(c), idtype, id, options, (options & WNOWAIT) != 0);
        if (infop != 0) {
            if (ch == null) mem.write(infop, new byte[128]);
            else {
                int ws = ch.waitStatus();
                boolean killed = (ws & 0x7F) != 0;
                mem.write(infop, Signals.siginfo(new Signals.Info(Signals.SIGCHLD, killed ? Signals.CLD_KILLED : Signals.CLD_EXITED,
                        ch.pid, ch.uid, killed ? ws & 0x7F : ws >> 8, 0), mem.wordSize()));
            }
        }
        if (rusage != 0) {
            if (ch == null) mem.write(rusage, Accounting.rusage(0, 0, 0, mem.wordSize()));
            else writeChildRusage(rusage, ch);
        }
        return 0;
    }

    // ================================================================== groups and sessions

    private long setpgid(Vcpu c, int pid, int pgid) throws ErrnoException {
        if (pgid < 0) throw new ErrnoException(Errno.EINVAL);
        LinuxProcess self = t(c).proc;
        LinuxProcess p = find(c, pid);
        if (p != self && p.parent != self) throw new ErrnoException(Errno.ESRCH);
        if (p.sid != self.sid) throw new ErrnoException(Errno.EPERM);
        if (p.pid == p.sid) throw new ErrnoException(Errno.EPERM); // a session leader
        int g = pgid == 0 ? p.pid : pgid;
        if (g != p.pid) {
            boolean exists = false;
            for (LinuxProcess o : system.processes.values()) if (o.pgid == g && o.sid == self.sid && !o.reaped) exists = true;
            if (!exists) throw new ErrnoException(Errno.EPERM);
        }
        p.pgid = g;
        return 0;
    }

    private long setsid(Vcpu c) throws ErrnoException {
        LinuxProcess p = t(c).proc;
        for (LinuxProcess o : system.processes.values()) if (o.pgid == p.pid && !o.reaped) throw new ErrnoException(Errno.EPERM);
        p.sid = p.pid;
        p.pgid = p.pid;
        return p.pid;
    }

    // ================================================================== accounting

    /** wait4/waitid's rusage: the reaped child's own totals and its reaped children's. */
    private void writeChildRusage(long addr, LinuxProcess ch) throws ErrnoException {
        long[] c = Accounting.self(ch);
        mem.write(addr, Accounting.rusage(c[0] + ch.usage.childUserNs, c[1] + ch.usage.childSysNs,
                Math.max(ch.usage.maxRss, ch.usage.childMaxRss), mem.wordSize()));
    }

    private long getrusage(Vcpu c, int who, long addr) throws ErrnoException {
        LinuxProcess p = t(c).proc;
        Accounting.noteRss(p);
        byte[] r = switch (who) {
            case 0 -> { long[] s = Accounting.self(p); yield Accounting.rusage(s[0], s[1], p.usage.maxRss, mem.wordSize()); } // SELF
            case 1 -> { long[] s = Accounting.threadTimes(Thread.currentThread()); yield Accounting.rusage(s[0], s[1], p.usage.maxRss, mem.wordSize()); } // THREAD
            case -1 -> Accounting.rusage(p.usage.childUserNs, p.usage.childSysNs, p.usage.childMaxRss, mem.wordSize()); // CHILDREN
            default -> throw new ErrnoException(Errno.EINVAL);
        };
        mem.write(addr, r);
        return 0;
    }

    /** times: struct tms in clock ticks (100 Hz); the result is the elapsed-time clock in ticks. */
    private long times(Vcpu c, long addr) throws ErrnoException {
        LinuxProcess p = t(c).proc;
        if (addr != 0) {
            long[] s = Accounting.self(p);
            ByteBuffer b = GuestMem.buffer(4 * mem.wordSize());
            for (long ns : new long[] {s[0], s[1], p.usage.childUserNs, p.usage.childSysNs}) mem.putWord(b, ns / 10_000_000L);
            mem.write(addr, b);
        }
        return mem.word(System.nanoTime() / 10_000_000L);
    }
}
