package plugin.syscalls.linux.decode;

import java.util.HashMap;
import java.util.Map;

/**
 * Argument kinds of the Linux system calls, from their prototypes (man 2 pages, include/linux/syscalls.h).
 * One line per call: {@code name class result arg...}. Class is strace's trace class (file, desc,
 * process, memory, network, signal, ipc, other); result is {@code d} decimal, {@code x} hex,
 * {@code o} octal, {@code q} none ({@code = ?}). Argument kinds are listed in {@link Decoder}.
 */
public final class Prototypes {
    private Prototypes() {}

    /** One call's shape. */
    public record Proto(String name, String traceClass, char result, String[] args) {}

    private static final String TABLE = """
            read desc d fd bufout ulong
            write desc d fd bufin:2 ulong
            pread64 desc d fd bufout ulong long
            pwrite64 desc d fd bufin:2 ulong long
            readv desc d fd iovout:2 int
            writev desc d fd iovin:2 int
            open file d path oflags omode:1
            openat file d dirfd path oflags omode:2
            creat file d path oct
            close desc d fd
            dup desc d fd
            dup2 desc d fd fd
            dup3 desc d fd fd pipeflags
            fcntl desc d fd fcntl fcntlarg
            fcntl64 desc d fd fcntl fcntlarg
            ioctl desc d fd ioctl ioctlarg
            lseek desc d fd long whence
            _llseek desc d fd llseek skip loffout whence
            stat file d path stat
            lstat file d path stat
            fstat desc d fd stat
            newfstatat file d dirfd path stat atflags
            fstatat64 file d dirfd path stat atflags
            stat64 file d path stat
            lstat64 file d path stat
            fstat64 desc d fd stat
            oldstat file d path oldstat
            oldfstat desc d fd oldstat
            oldlstat file d path oldstat
            statx file d dirfd path statxflags statxmask statx
            access file d path accmode
            faccessat file d dirfd path accmode
            faccessat2 file d dirfd path accmode accatflags
            readlink file d path strout ulong
            readlinkat file d dirfd path strout ulong
            getcwd file d cwdout ulong
            chdir file d path
            fchdir desc d fd
            mkdir file d path oct
            mkdirat file d dirfd path oct
            rmdir file d path
            unlink file d path
            unlinkat file d dirfd path atflags
            rename file d path path
            renameat file d dirfd path dirfd path
            renameat2 file d dirfd path dirfd path renameflags
            link file d path path
            linkat file d dirfd path dirfd path atflags
            symlink file d str path
            symlinkat file d str dirfd path
            chmod file d path oct
            fchmod desc d fd oct
            fchmodat file d dirfd path oct
            chown file d path int int
            lchown file d path int int
            fchown desc d fd int int
            chown32 file d path int int
            lchown32 file d path int int
            fchown32 desc d fd int int
            fchownat file d dirfd path int int atflags
            truncate file d path long
            ftruncate desc d fd long
            truncate64 file d path long64
            ftruncate64 desc d fd long64
            utimensat file d dirfd path utimes atflags
            umask other o oct
            getdents desc d fd dents ulong
            getdents64 desc d fd dents64 ulong
            sendfile desc d fd fd offinout ulong
            sendfile64 desc d fd fd offinout64 ulong
            pipe desc d pipeout
            pipe2 desc d pipeout pipeflags
            fsync desc d fd
            fdatasync desc d fd
            flock desc d fd flock
            poll desc d pollfds uint int
            select desc d int ptr ptr ptr ptr
            sync other d
            brk memory x ptr
            mmap memory x ptr ulong prot mapflags fd hex
            mmap2 memory x ptr ulong prot mapflags fd pgoff
            munmap memory d ptr ulong
            mprotect memory d ptr ulong prot
            mremap memory x ptr ulong ulong mremapflags mremapnew
            madvise memory d ptr ulong madv
            execve process d path argv envp
            execveat process d dirfd path argv envp atflags
            exit process q int
            exit_group process q int
            fork process d
            vfork process d
            clone process d clone
            clone3 process d ptr ulong
            wait4 process d pid wstatus waitopts ptr
            waitpid process d pid wstatus waitopts
            kill signal d pid sig
            tkill signal d pid sig
            tgkill signal d pid pid sig
            rt_sigaction signal d sig sigactin sigactout ulong
            rt_sigprocmask signal d how sigsetin:3 sigsetout:3 ulong
            rt_sigreturn signal d
            sigreturn signal d
            sigaltstack signal d ptr ptr
            pause signal d
            alarm other d uint
            getpid other d
            getppid other d
            gettid other d
            getuid other d
            geteuid other d
            getgid other d
            getegid other d
            getuid32 other d
            geteuid32 other d
            getgid32 other d
            getegid32 other d
            setuid other d int
            setgid other d int
            setuid32 other d int
            setgid32 other d int
            getgroups other d int groups
            getgroups32 other d int groups32
            getpgrp other d
            getpgid other d pid
            setpgid other d pid pid
            getsid other d pid
            setsid other d
            set_tid_address other d ptr
            set_robust_list other d ptr ulong
            rseq other d ptr hex int hex
            arch_prctl other d archprctl archprctlarg
            set_thread_area other d userdesc
            get_thread_area other d ptr
            prctl other d prctl prctlarg prctlrest prctlrest prctlrest
            prlimit64 other d pid rlimres rlimin64 rlimout64
            getrlimit other d rlimres rlimoutw
            ugetrlimit other d rlimres rlimoutw
            setrlimit other d rlimres rlimin
            getrandom other d bufouthex ulong grnd
            uname other d utsname
            sysinfo other d sysinfo
            times other d ptr
            time other d timeout
            gettimeofday other d tvout ptr
            clock_gettime other d clockid tsout
            clock_gettime64 other d clockid tsout64
            clock_getres other d clockid tsout
            nanosleep other d tsin tsout
            clock_nanosleep other d clockid int tsin tsout
            futex other d ptr futex uint ptr ptr uint
            sched_yield other d
            sched_getaffinity other d pid uint ptr
            getpriority other d prio pid
            setpriority other d prio pid int
            getcpu other d ptr ptr ptr
            membarrier other d int int int
            socket network d sockfam socktype int
            connect network d fd ptr int
            bind network d fd ptr int
            listen network d fd int
            accept network d fd ptr ptr
            accept4 network d fd ptr ptr pipeflags
            sendto network d fd bufin:2 ulong int ptr int
            recvfrom network d fd bufout ulong int ptr ptr
            shutdown network d fd shutdown
            socketpair network d sockfam socktype int ptr
            setsockopt network d fd int int ptr int
            getsockopt network d fd int int ptr ptr
            getsockname network d fd ptr ptr
            getpeername network d fd ptr ptr
            sendmsg network d fd ptr int
            recvmsg network d fd ptr int
            """;

    private static final Map<String, Proto> BY_NAME = new HashMap<>();

    static {
        for (String line : TABLE.split("\n")) {
            String[] f = line.strip().split(" ");
            if (f.length < 3) continue;
            String[] args = new String[f.length - 3];
            System.arraycopy(f, 3, args, 0, args.length);
            BY_NAME.put(f[0], new Proto(f[0], f[1], f[2].charAt(0), args));
        }
    }

    /** The prototype of a call, or null when the table has none (the call is then printed with raw arguments). */
    public static Proto of(String name) {
        return BY_NAME.get(name);
    }
}
