package plugin.syscalls.linux;

import java.util.HashSet;
import java.util.Set;

/**
 * Which calls are reported: include and exclude lists of names ({@code openat}) or classes
 * ({@code file}, {@code process}, {@code memory}, {@code network}, {@code signal}, {@code desc};
 * a leading {@code %} as in strace -e is accepted). An empty include list means all.
 */
final class CallFilter {
    static final Set<String> CLASSES = Set.of("file", "desc", "process", "memory", "network", "signal", "ipc", "other");
    private final Set<String> include = new HashSet<>(), exclude = new HashSet<>();

    CallFilter(String[] include, String[] exclude) {
        add(this.include, include);
        add(this.exclude, exclude);
        everything = this.include.isEmpty() && this.exclude.isEmpty();
    }

    /** No lists: every call (the common case, decided once). */
    private final boolean everything;

    private static void add(Set<String> to, String[] items) {
        if (items == null) return;
        for (String s : items) {
            for (String part : s.split(",")) {
                String p = part.strip();
                if (p.startsWith("%")) p = p.substring(1);
                if (!p.isEmpty()) to.add(p);
            }
        }
    }

    boolean accepts(Call c) {
        if (everything) return true;
        String cls = c.proto == null ? "other" : c.proto.traceClass();
        if (exclude.contains(c.name) || exclude.contains(cls)) return false;
        return include.isEmpty() || include.contains(c.name) || include.contains(cls);
    }

}
