package plugin.syscalls.linux.decode;

import java.util.HashMap;
import java.util.Map;

/** Linux errno numbers (asm-generic/errno*.h; the same on x86 and ARM) with the C library's messages. */
public final class Errno {
    private Errno() {}

    private record E(String name, String message) {}

    private static final Map<Integer, E> BY_NUMBER = new HashMap<>();

    private static void e(int n, String name, String msg) { BY_NUMBER.put(n, new E(name, msg)); }

    static {
        e(1, "EPERM", "Operation not permitted"); e(2, "ENOENT", "No such file or directory");
        e(3, "ESRCH", "No such process"); e(4, "EINTR", "Interrupted system call"); e(5, "EIO", "Input/output error");
        e(6, "ENXIO", "No such device or address"); e(7, "E2BIG", "Argument list too long");
        e(8, "ENOEXEC", "Exec format error"); e(9, "EBADF", "Bad file descriptor"); e(10, "ECHILD", "No child processes");
        e(11, "EAGAIN", "Resource temporarily unavailable"); e(12, "ENOMEM", "Cannot allocate memory");
        e(13, "EACCES", "Permission denied"); e(14, "EFAULT", "Bad address"); e(15, "ENOTBLK", "Block device required");
        e(16, "EBUSY", "Device or resource busy"); e(17, "EEXIST", "File exists"); e(18, "EXDEV", "Invalid cross-device link");
        e(19, "ENODEV", "No such device"); e(20, "ENOTDIR", "Not a directory"); e(21, "EISDIR", "Is a directory");
        e(22, "EINVAL", "Invalid argument"); e(23, "ENFILE", "Too many open files in system");
        e(24, "EMFILE", "Too many open files"); e(25, "ENOTTY", "Inappropriate ioctl for device");
        e(26, "ETXTBSY", "Text file busy"); e(27, "EFBIG", "File too large"); e(28, "ENOSPC", "No space left on device");
        e(29, "ESPIPE", "Illegal seek"); e(30, "EROFS", "Read-only file system"); e(31, "EMLINK", "Too many links");
        e(32, "EPIPE", "Broken pipe"); e(33, "EDOM", "Numerical argument out of domain");
        e(34, "ERANGE", "Numerical result out of range"); e(35, "EDEADLK", "Resource deadlock avoided");
        e(36, "ENAMETOOLONG", "File name too long"); e(37, "ENOLCK", "No locks available");
        e(38, "ENOSYS", "Function not implemented"); e(39, "ENOTEMPTY", "Directory not empty");
        e(40, "ELOOP", "Too many levels of symbolic links"); e(42, "ENOMSG", "No message of desired type");
        e(61, "ENODATA", "No data available"); e(62, "ETIME", "Timer expired");
        e(75, "EOVERFLOW", "Value too large for defined data type"); e(84, "EILSEQ", "Invalid or incomplete multibyte or wide character");
        e(88, "ENOTSOCK", "Socket operation on non-socket"); e(90, "EMSGSIZE", "Message too long");
        e(93, "EPROTONOSUPPORT", "Protocol not supported"); e(95, "EOPNOTSUPP", "Operation not supported");
        e(97, "EAFNOSUPPORT", "Address family not supported by protocol"); e(98, "EADDRINUSE", "Address already in use");
        e(99, "EADDRNOTAVAIL", "Cannot assign requested address"); e(100, "ENETDOWN", "Network is down");
        e(101, "ENETUNREACH", "Network is unreachable"); e(104, "ECONNRESET", "Connection reset by peer");
        e(105, "ENOBUFS", "No buffer space available"); e(106, "EISCONN", "Transport endpoint is already connected");
        e(107, "ENOTCONN", "Transport endpoint is not connected"); e(110, "ETIMEDOUT", "Connection timed out");
        e(111, "ECONNREFUSED", "Connection refused"); e(113, "EHOSTUNREACH", "No route to host");
        e(114, "EALREADY", "Operation already in progress"); e(115, "EINPROGRESS", "Operation now in progress");
        e(122, "EDQUOT", "Disk quota exceeded"); e(125, "ECANCELED", "Operation canceled");
        e(512, "ERESTARTSYS", "To be restarted if SA_RESTART is set"); e(513, "ERESTARTNOINTR", "To be restarted");
        e(514, "ERESTARTNOHAND", "To be restarted if no handler"); e(516, "ERESTART_RESTARTBLOCK", "Interrupted by signal");
    }

    /** Whether a raw return value is an error: -4095..-1, as the kernel ABI defines it. */
    public static boolean isError(long signedRet) {
        return signedRet < 0 && signedRet >= -4095;
    }

    /** {@code -1 ENOENT (No such file or directory)}. */
    public static String result(long signedRet) {
        int n = (int) -signedRet;
        E e = BY_NUMBER.get(n);
        return e == null ? "-1 E??? (errno " + n + ")" : "-1 " + e.name + " (" + e.message + ")";
    }

    /** The errno's name, e.g. {@code ENOENT}. */
    public static String name(int n) {
        E e = BY_NUMBER.get(n);
        return e == null ? "errno" + n : e.name;
    }
}
