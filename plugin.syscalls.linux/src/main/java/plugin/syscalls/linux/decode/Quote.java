package plugin.syscalls.linux.decode;

/** Byte strings quoted and escaped the way strace prints them. */
public final class Quote {
    private Quote() {}

    /**
     * {@code "..."}: printable ASCII as is, C escapes for \t \n \v \f \r, \" and \\, other bytes as
     * octal (three digits when an octal digit follows, so the escape stays unambiguous), or every
     * byte as {@code \xNN} when {@code hex}.
     */
    public static String quote(byte[] b, int off, int len, boolean hex) {
        StringBuilder sb = new StringBuilder(len + 2).append('"');
        for (int i = off; i < off + len; i++) {
            int c = b[i] & 0xFF;
            if (hex) {
                sb.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
                continue;
            }
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case 0x0B -> sb.append("\\v");
                case '\f' -> sb.append("\\f");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c >= 0x20 && c < 0x7F) {
                        sb.append((char) c);
                    } else {
                        boolean digitNext = i + 1 < off + len && b[i + 1] >= '0' && b[i + 1] <= '7';
                        sb.append('\\');
                        if (digitNext || c >= 0100) sb.append((char) ('0' + (c >> 6)));
                        if (digitNext || c >= 010) sb.append((char) ('0' + ((c >> 3) & 7)));
                        sb.append((char) ('0' + (c & 7)));
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** A Java string of one char per byte (ISO-8859-1), quoted. */
    public static String quote(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        return quote(b, 0, b.length, false);
    }
}
