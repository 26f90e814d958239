package emulator.linuxuser.fs;

/** One getdents64 record's content: name, inode number and d_type ({@link FileType#dtype()}). */
public record DirEntry(String name, long ino, int dtype) {}
