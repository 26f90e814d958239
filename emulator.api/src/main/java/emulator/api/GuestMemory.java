package emulator.api;

import java.util.Optional;
import java.util.OptionalLong;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Guest virtual memory of one address space, as a plugin sees it. An unmapped or unreadable address
 * is an ordinary result (an empty optional or a short count), never an exception. Integers are
 * read in the guest's byte order (little-endian on every target so far).
 */
@ProviderType
public interface GuestMemory {
    /** The address space this view reads. */
    long asid();

    /** Whether the byte at {@code addr} is mapped and readable. */
    boolean isReadable(long addr);

    /**
     * Copies up to {@code len} bytes starting at {@code addr}; stops at the first unreadable byte.
     *
     * @return the number of bytes copied
     */
    int read(long addr, byte[] dst, int off, int len);

    /**
     * Writes up to {@code len} bytes at {@code addr} (ignoring page write protection, as a debugger
     * would); stops at the first unmapped byte.
     *
     * @return the number of bytes written
     */
    int write(long addr, byte[] src, int off, int len);

    /** Reads an unsigned integer of {@code size} bytes (1, 2, 4 or 8). */
    default OptionalLong readInt(long addr, int size) {
        byte[] b = new byte[size];
        if (read(addr, b, 0, size) != size) return OptionalLong.empty();
        long v = 0;
        for (int i = size - 1; i >= 0; i--) v = (v << 8) | (b[i] & 0xFF);
        return OptionalLong.of(v);
    }

    /** Reads a NUL-terminated byte string (ISO-8859-1 decoded, one char per byte), at most {@code max} bytes. */
    default Optional<String> readCString(long addr, int max) {
        StringBuilder sb = new StringBuilder();
        byte[] one = new byte[1];
        for (int i = 0; i < max; i++) {
            if (read(addr + i, one, 0, 1) != 1) return i == 0 ? Optional.empty() : Optional.of(sb.toString());
            if (one[0] == 0) return Optional.of(sb.toString());
            sb.append((char) (one[0] & 0xFF));
        }
        return Optional.of(sb.toString());
    }

    /** Reads a NUL-terminated UTF-16LE string of at most {@code maxChars} characters. */
    default Optional<String> readUtf16(long addr, int maxChars) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < maxChars; i++) {
            OptionalLong c = readInt(addr + 2L * i, 2);
            if (c.isEmpty()) return i == 0 ? Optional.empty() : Optional.of(sb.toString());
            if (c.getAsLong() == 0) return Optional.of(sb.toString());
            sb.append((char) c.getAsLong());
        }
        return Optional.of(sb.toString());
    }
}
