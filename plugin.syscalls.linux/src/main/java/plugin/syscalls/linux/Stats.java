package plugin.syscalls.linux;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Per-name counts and guest instructions spent between entry and exit, and the last lines traced. */
final class Stats {
    static final int TAIL_LINES = 1000;
    /** A hash map: added to at every call (a tree map compared names there); the table sorts once. */
    private final Map<String, long[]> byName = new HashMap<>();
    private final ArrayDeque<String> tail = new ArrayDeque<>();

    synchronized void add(Call c) {
        long[] v = byName.computeIfAbsent(c.name, n -> new long[2]);
        v[0]++;
        v[1] += Math.max(0, c.icountExit - c.icountEnter);
    }

    synchronized void line(String line) {
        tail.addLast(line);
        if (tail.size() > TAIL_LINES) tail.removeFirst();
    }

    synchronized String table() {
        StringBuilder sb = new StringBuilder(String.format("%-24s %10s %14s%n", "syscall", "calls", "guest insns"));
        long calls = 0, insns = 0;
        List<Map.Entry<String, long[]>> rows = new ArrayList<>(byName.entrySet());
        rows.sort((a, b) -> a.getValue()[0] != b.getValue()[0] ? Long.compare(b.getValue()[0], a.getValue()[0]) : a.getKey().compareTo(b.getKey()));
        for (Map.Entry<String, long[]> e : rows) {
            sb.append(String.format("%-24s %10d %14d%n", e.getKey(), e.getValue()[0], e.getValue()[1]));
            calls += e.getValue()[0];
            insns += e.getValue()[1];
        }
        return sb.append(String.format("%-24s %10d %14d%n", "total", calls, insns)).toString();
    }

    synchronized long count(String name) {
        long[] v = byName.get(name);
        return v == null ? 0 : v[0];
    }

    synchronized List<String> tail(int n) {
        List<String> all = new ArrayList<>(tail);
        return all.subList(Math.max(0, all.size() - n), all.size());
    }
}
