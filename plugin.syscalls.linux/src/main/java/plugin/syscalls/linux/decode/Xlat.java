package plugin.syscalls.linux.decode;

import java.util.ArrayList;
import java.util.List;

/**
 * A table of named constants (Linux UAPI values, which are facts) printed the way strace prints
 * them: as one name for an enumeration, or as names joined with {@code |} for a bit set, in the
 * table's order, with any bits left over in hex.
 */
public final class Xlat {
    private final String[] names;
    private final long[] values;

    private Xlat(String[] names, long[] values) {
        this.names = names;
        this.values = values;
    }

    /** Alternating name, value pairs: {@code of("O_CREAT", 0100, "O_EXCL", 0200)}. */
    public static Xlat of(Object... pairs) {
        String[] n = new String[pairs.length / 2];
        long[] v = new long[pairs.length / 2];
        for (int i = 0; i < n.length; i++) {
            n[i] = (String) pairs[2 * i];
            v[i] = ((Number) pairs[2 * i + 1]).longValue();
        }
        return new Xlat(n, v);
    }

    /** The name of {@code v}, or null. */
    public String name(long v) {
        for (int i = 0; i < values.length; i++) if (values[i] == v) return names[i];
        return null;
    }

    /** {@code v} as one name, or {@code fallback} formatted when none matches. */
    public String enumName(long v, String fallback) {
        String n = name(v);
        return n != null ? n : fallback;
    }

    /**
     * {@code v} as names joined by {@code |}; a table entry matches when all its bits are set (so a
     * multi-bit entry listed first wins over its parts). Leftover bits are printed in hex;
     * zero prints as {@code zero}.
     */
    public String flags(long v, String zero) {
        if (v == 0) return zero;
        List<String> parts = new ArrayList<>();
        long left = v;
        for (int i = 0; i < values.length; i++) {
            long b = values[i];
            if (b != 0 && (left & b) == b) {
                parts.add(names[i]);
                left &= ~b;
            }
        }
        if (left != 0) parts.add("0x" + Long.toHexString(left));
        return String.join("|", parts);
    }

    /** Flags after a leading part (an access mode, a mapping type) that has been printed already. */
    public static String join(String head, String tail) {
        return tail.isEmpty() ? head : head + "|" + tail;
    }
}
