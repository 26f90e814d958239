package emulator.api.output;

import java.util.Map;

/**
 * Writes one JSON object per line from an ordered map of Strings, Numbers, Booleans, String arrays and
 * nulls, and JSON strings. Called for every traced system call and file operation: plain type tests
 * and whole runs of characters that need no escape appended at once, nothing allocated but the result.
 */
public final class Json {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Json() {}

    /** The JSON object of {@code fields}, in their order. */
    public static String object(Map<String, ?> fields) {
        StringBuilder sb = new StringBuilder(192).append('{');
        boolean first = true;
        for (Map.Entry<String, ?> e : fields.entrySet()) {
            if (!first) sb.append(',');
            first = false;
            string(sb, e.getKey());
            sb.append(':');
            value(sb, e.getValue());
        }
        return sb.append('}').toString();
    }

    private static void value(StringBuilder sb, Object v) {
        if (v == null) sb.append("null");
        else if (v instanceof Long n) sb.append(n.longValue());
        else if (v instanceof Integer n) sb.append(n.intValue());
        else if (v instanceof Number n) sb.append(n);
        else if (v instanceof Boolean b) sb.append(b.booleanValue());
        else if (v instanceof String[] a) {
            sb.append('[');
            for (int i = 0; i < a.length; i++) {
                if (i > 0) sb.append(',');
                string(sb, a[i]);
            }
            sb.append(']');
        } else string(sb, v.toString());
    }

    /** Appends {@code s} as a JSON string (quoted, escaped); returns {@code sb}. */
    public static StringBuilder string(StringBuilder sb, String s) {
        sb.append('"');
        int from = 0, n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') continue;
            sb.append(s, from, i);
            escape(sb, c);
            from = i + 1;
        }
        return sb.append(s, from, n).append('"');
    }

    private static void escape(StringBuilder sb, char c) {
        switch (c) {
            case '"' -> sb.append("\\\"");
            case '\\' -> sb.append("\\\\");
            case '\n' -> sb.append("\\n");
            case '\r' -> sb.append("\\r");
            case '\t' -> sb.append("\\t");
            default -> sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);   // the other controls, below 0x20
        }
    }
}
