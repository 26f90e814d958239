package testing.strace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the output of {@code strace -f -y} of a native run into whole system calls (an
 * {@code <unfinished ...>} line joined with its {@code <... resumed>} line, at the position of the
 * resumption, as the call completed there) and process exits. The reference the monitors are held to.
 */
public final class StraceLog {
    /** One completed call; {@code ret} is null for calls that never return ({@code = ?}). */
    public record Call(int lineNo, int pid, String name, List<String> args, Long ret, String retAnnotation) {}

    /** {@code +++ exited with N +++}. */
    public record Exited(int lineNo, int pid, int status) {}

    /** Calls and exits in log order ({@link Call} or {@link Exited}). */
    public final List<Object> entries = new ArrayList<>();

    private static final Pattern LINE = Pattern.compile("^(\\d+)\\s+(.*)$");
    private static final Pattern RESUMED = Pattern.compile("^<\\.\\.\\. (\\w+) resumed>(.*)$");
    private static final Pattern EXITED = Pattern.compile("^\\+\\+\\+ exited with (\\d+) \\+\\+\\+$");
    private static final Pattern ANNOTATED = Pattern.compile("^(-?\\d+)<(.*)>$");

    public static StraceLog parse(Path file) throws IOException {
        StraceLog log = new StraceLog();
        Map<Integer, String> unfinished = new HashMap<>();
        int lineNo = 0;
        for (String raw : Files.readAllLines(file)) {
            lineNo++;
            Matcher m = LINE.matcher(raw);
            if (!m.matches()) throw new IllegalArgumentException("strace line without a pid: " + raw);
            int pid = Integer.parseInt(m.group(1));
            String text = m.group(2);
            Matcher ex = EXITED.matcher(text);
            if (ex.matches()) { log.entries.add(new Exited(lineNo, pid, Integer.parseInt(ex.group(1)))); continue; }
            if (text.startsWith("+++") || text.startsWith("---")) continue;    // killed by a signal / signal delivery
            if (text.endsWith("<unfinished ...>")) {
                unfinished.put(pid, text.substring(0, text.length() - "<unfinished ...>".length()));
                continue;
            }
            Matcher rs = RESUMED.matcher(text);
            if (rs.matches()) {
                String head = unfinished.remove(pid);
                if (head == null) throw new IllegalArgumentException("resumed without its start, line " + lineNo);
                text = head + rs.group(2);
            }
            log.entries.add(call(lineNo, pid, text));
        }
        return log;
    }

    private static Call call(int lineNo, int pid, String text) {
        int open = text.indexOf('(');
        String name = text.substring(0, open);
        int close = matchingParen(text, open);
        List<String> args = splitArgs(text.substring(open + 1, close));
        String rest = text.substring(close + 1).trim();
        if (!rest.startsWith("=")) throw new IllegalArgumentException("no result at line " + lineNo + ": " + text);
        String ret = rest.substring(1).trim();
        if (ret.startsWith("?")) return new Call(lineNo, pid, name, args, null, null);
        String first = ret.split(" ")[0];
        if (first.equals("-1")) return new Call(lineNo, pid, name, args, (long) -errno(ret.split(" ")[1]), null);
        Matcher a = ANNOTATED.matcher(first);
        if (a.matches()) return new Call(lineNo, pid, name, args, Long.decode(a.group(1)), a.group(2));
        return new Call(lineNo, pid, name, args, Long.decode(first), null);
    }

    private static int matchingParen(String s, int open) {
        int depth = 0;
        boolean quoted = false;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) { if (c == '\\') i++; else if (c == '"') quoted = false; continue; }
            if (c == '"') quoted = true;
            else if (c == '(' || c == '[' || c == '{') depth++;
            else if (c == ')' || c == ']' || c == '}') { if (--depth == 0 && c == ')') return i; }
        }
        throw new IllegalArgumentException("unbalanced: " + s);
    }

    /** Top-level arguments, split at commas outside quotes, brackets, braces and fd annotations. */
    public static List<String> splitArgs(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0, start = 0;
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) { if (c == '\\') i++; else if (c == '"') quoted = false; continue; }
            switch (c) {
                case '"' -> quoted = true;
                case '(', '[', '{', '<' -> depth++;
                case ')', ']', '}', '>' -> depth--;
                case ',' -> { if (depth == 0) { out.add(s.substring(start, i).trim()); start = i + 1; } }
                default -> { }
            }
        }
        if (!s.isBlank()) out.add(s.substring(start).trim());
        return out;
    }

    /** Linux errno values (asm-generic/errno-base.h) of the failures the suite meets. */
    private static int errno(String name) {
        return switch (name) {
            case "EPERM" -> 1; case "ENOENT" -> 2; case "EINTR" -> 4; case "EBADF" -> 9; case "ECHILD" -> 10;
            case "EAGAIN" -> 11; case "EACCES" -> 13; case "EEXIST" -> 17; case "ENOTDIR" -> 20; case "EISDIR" -> 21;
            case "EINVAL" -> 22; case "ENOTTY" -> 25; case "ESPIPE" -> 29;
            default -> throw new IllegalArgumentException("errno not in the test's table: " + name);
        };
    }

    /** {@code 3</etc/hostname>} → 3. */
    public static long fd(String arg) {
        Matcher a = ANNOTATED.matcher(arg);
        return Long.decode(a.matches() ? a.group(1) : arg);
    }

    /** {@code 3</etc/hostname>} → /etc/hostname; null without an annotation. */
    public static String fdPath(String arg) {
        Matcher a = ANNOTATED.matcher(arg);
        return a.matches() ? a.group(2) : null;
    }

    /** A C string as strace quotes it: {@code "/etc/x"} → /etc/x. */
    public static String unquote(String q) {
        if (q.endsWith("...")) q = q.substring(0, q.length() - 3);
        if (!q.startsWith("\"") || !q.endsWith("\"")) throw new IllegalArgumentException("not a string: " + q);
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < q.length() - 1; i++) {
            char c = q.charAt(i);
            if (c != '\\') { sb.append(c); continue; }
            char n = q.charAt(++i);
            switch (n) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'x' -> { sb.append((char) Integer.parseInt(q.substring(i + 1, i + 3), 16)); i += 2; }
                default -> sb.append(n);
            }
        }
        return sb.toString();
    }

    /** {@code ["sh", "-c", "x"]} → its strings. */
    public static List<String> stringArray(String a) {
        List<String> out = new ArrayList<>();
        for (String s : splitArgs(a.substring(1, a.length() - 1))) out.add(unquote(s));
        return out;
    }
}
