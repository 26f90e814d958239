package emulator.linuxuser.fs;

/** Linux file types with their {@code S_IF*} mode bits and {@code DT_*} directory-entry codes. */
public enum FileType {
    FIFO(0010000, 1), CHAR_DEVICE(0020000, 2), DIRECTORY(0040000, 4), BLOCK_DEVICE(0060000, 6),
    REGULAR(0100000, 8), SYMLINK(0120000, 10), SOCKET(0140000, 12);

    public static final int S_IFMT = 0170000;
    public static final int DT_UNKNOWN = 0;

    private final int modeBits;
    private final int dtype;

    FileType(int modeBits, int dtype) {
        this.modeBits = modeBits;
        this.dtype = dtype;
    }

    /** The S_IF* value (e.g. 0100000 for a regular file). */
    public int modeBits() { return modeBits; }

    /** The d_type value getdents64 reports. */
    public int dtype() { return dtype; }

    /** The type of a full st_mode; null when the type bits are not a Linux type. */
    public static FileType ofMode(int mode) {
        int t = mode & S_IFMT;
        for (FileType f : values()) if (f.modeBits == t) return f;
        return null;
    }
}
