package emulator.core.target;

/** Reads guest code bytes for a front end. */
@FunctionalInterface
public interface CodeFetch {
    /** The byte at {@code addr} (0–255), or -1 if it is not mapped executable. */
    int fetch(long addr);
}
