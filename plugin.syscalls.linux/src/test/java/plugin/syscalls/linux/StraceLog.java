package plugin.syscalls.linux;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code strace -f -o} output (and the tracer's syscalls.log, which has the same format) into
 * calls per process, in order. Joins {@code <unfinished ...>} with its {@code <... resumed>} line;
 * signal lines ({@code ---}) and exit lines ({@code +++}) are kept apart.
 */
final class StraceLog {
    record Line(String name, String args, String result) {
        String text() { return name + "(" + args + ") = " + result; }
    }

    /** Calls of each pid, pids in order of first appearance. */
    final Map<Integer, List<Line>> byPid = new LinkedHashMap<>();
    final Map<Integer, List<String>> exits = new HashMap<>();
    final List<String> signals = new ArrayList<>();

    private static final Pattern PID = Pattern.compile("^(\\d+)\\s+(.*)$");
    private static final Pattern CALL = Pattern.compile("^(\\w+)\\((.*)\\)\\s+= (.*)$");

    static StraceLog parse(List<String> lines) {
        StraceLog log = new StraceLog();
        Map<Integer, String> unfinished = new HashMap<>();
        for (String raw : lines) {
            Matcher m = PID.matcher(raw);
            if (!m.matches()) continue;
            int pid = Integer.parseInt(m.group(1));
            String rest = m.group(2);
            if (rest.startsWith("+++")) { log.exits.computeIfAbsent(pid, p -> new ArrayList<>()).add(rest); continue; }
            if (rest.startsWith("---")) { log.signals.add(pid + " " + rest); continue; }
            if (rest.endsWith(" <unfinished ...>")) {
                unfinished.put(pid, rest.substring(0, rest.length() - " <unfinished ...>".length()));
                continue;
            }
            if (rest.startsWith("<... ")) {
                int close = rest.indexOf(" resumed>");
                String before = unfinished.remove(pid);
                if (before == null || close < 0) continue;
                rest = before + rest.substring(close + " resumed>".length());
            }
            Matcher c = CALL.matcher(rest);
            if (!c.matches()) {
                if (rest.endsWith("= ?")) { // exit_group(0) = ? has no padding issue; anything else unparsed is kept verbatim
                    int p = rest.indexOf('(');
                    c = CALL.matcher(rest.substring(0, rest.length() - 3).strip() + " = ?");
                    if (!c.matches()) { log.add(pid, new Line(rest.substring(0, Math.max(p, 0)), rest, "?")); continue; }
                } else {
                    log.add(pid, new Line("?", rest, "?"));
                    continue;
                }
            }
            log.add(pid, new Line(c.group(1), c.group(2), c.group(3).strip()));
        }
        return log;
    }

    private void add(int pid, Line l) {
        byPid.computeIfAbsent(pid, p -> new ArrayList<>()).add(l);
    }
}
