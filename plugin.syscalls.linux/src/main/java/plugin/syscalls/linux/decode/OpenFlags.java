package plugin.syscalls.linux.decode;

import plugin.syscalls.linux.table.Arch;

/**
 * open(2) flags. Four bits differ between x86 and ARM (O_DIRECTORY, O_NOFOLLOW, O_DIRECT,
 * O_LARGEFILE); the order of names is the one strace prints.
 */
public final class OpenFlags {
    private OpenFlags() {}

    public static final int O_ACCMODE = 3, O_CREAT = 0100, O_CLOEXEC = 02000000, TMPFILE_BIT = 020000000;

    private static final Xlat X86 = table(0200000, 0400000, 040000, 0100000);
    private static final Xlat ARM = table(040000, 0100000, 0200000, 0400000);

    private static Xlat table(int directory, int nofollow, int direct, int largefile) {
        return Xlat.of("O_CREAT", 0100, "O_EXCL", 0200, "O_NOCTTY", 0400, "O_TRUNC", 01000, "O_APPEND", 02000,
                "O_NONBLOCK", 04000, "O_SYNC", 04010000, "O_DSYNC", 010000, "O_DIRECT", direct, "O_LARGEFILE", largefile,
                "O_NOFOLLOW", nofollow, "O_NOATIME", 01000000, "O_CLOEXEC", 02000000, "O_PATH", 010000000,
                "O_TMPFILE", 020000000 | directory, "O_DIRECTORY", directory, "FASYNC", 020000);
    }

    /** The flags as strace prints them: the access mode first ({@code O_RDONLY} even when zero). */
    public static String format(Arch arch, long flags) {
        String mode = switch ((int) (flags & O_ACCMODE)) {
            case 0 -> "O_RDONLY";
            case 1 -> "O_WRONLY";
            case 2 -> "O_RDWR";
            default -> "O_ACCMODE";
        };
        Xlat t = arch.isX86() ? X86 : ARM;
        return Xlat.join(mode, t.flags(flags & ~O_ACCMODE & 0xFFFF_FFFFL, ""));
    }

    /** Whether open takes a mode argument with these flags (O_CREAT or O_TMPFILE). */
    public static boolean takesMode(long flags) {
        return (flags & (O_CREAT | TMPFILE_BIT)) != 0;
    }

    /** READ, WRITE or READ_WRITE for the normalized file events. */
    public static String access(long flags) {
        return switch ((int) (flags & O_ACCMODE)) {
            case 0 -> "READ";
            case 1 -> "WRITE";
            default -> "READ_WRITE";
        };
    }
}
