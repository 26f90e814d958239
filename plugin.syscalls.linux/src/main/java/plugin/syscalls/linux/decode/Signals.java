package plugin.syscalls.linux.decode;

import java.util.ArrayList;
import java.util.List;

/** Signal numbers (the same on x86, arm and aarch64) and signal sets, printed as strace does. */
public final class Signals {
    private Signals() {}

    private static final String[] NAMES = {null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL",
            "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
            "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};
    /** Signals the kernel knows (_NSIG). */
    public static final int NSIG = 64;

    /** Name without the SIG prefix, as in sets: {@code CHLD}, {@code RTMIN}, {@code RT_3}. */
    static String shortName(int sig) {
        if (sig > 0 && sig < NAMES.length) return NAMES[sig];
        if (sig == 32) return "RTMIN";
        if (sig > 32 && sig <= NSIG) return "RT_" + (sig - 32);
        return null;
    }

    /** A signal number as an argument: {@code SIGCHLD}, or the number when it is none. */
    public static String name(long sig) {
        String s = sig >= 0 && sig <= NSIG ? shortName((int) sig) : null;
        return s == null ? Long.toString((int) sig) : "SIG" + s;
    }

    /**
     * A set of {@code bytes} bytes, as strace prints it: {@code [INT CHLD]}, or {@code ~[...]} with
     * the signals not in the set when more than half of them are.
     */
    public static String set(long bits, int bytes) {
        int n = Math.min(bytes * 8, NSIG);
        int count = 0;
        for (int i = 0; i < n; i++) if ((bits >>> i & 1) != 0) count++;
        boolean complement = count * 2 > n;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean in = (bits >>> i & 1) != 0;
            if (in != complement) names.add(shortName(i + 1) == null ? Integer.toString(i + 1) : shortName(i + 1));
        }
        return (complement ? "~[" : "[") + String.join(" ", names) + "]";
    }
}
