package emulator.linuxuser.fs;

/**
 * The fields of Linux {@code struct stat} / {@code statx}, architecture-neutral: the syscall
 * layer packs them into each ABI's struct layout. {@code mode} includes the S_IF* type bits;
 * {@code dev} and {@code rdev} use the kernel's new_encode_dev encoding of (major, minor).
 */
public record StatInfo(long dev, long ino, int mode, long nlink, int uid, int gid, long rdev, long size,
                       int blksize, long blocks, long atimeSec, int atimeNsec, long mtimeSec, int mtimeNsec,
                       long ctimeSec, int ctimeNsec) {

    public FileType type() { return FileType.ofMode(mode); }

    /** The permission bits (07777). */
    public int permissions() { return mode & 07777; }

    /** Linux's {@code new_encode_dev(MKDEV(major, minor))}, what st_dev / st_rdev carry. */
    public static long encodeDev(long major, long minor) {
        return (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xffL) << 12);
    }

    /** glibc's {@code major()} of a dev_t (the host's st_dev as Java's unix:dev reports it). */
    public static long major(long dev) { return ((dev >>> 32) & 0xfffff000L) | ((dev >>> 8) & 0xfff); }

    /** glibc's {@code minor()} of a dev_t. */
    public static long minor(long dev) { return ((dev >>> 12) & 0xffffff00L) | (dev & 0xff); }
}
