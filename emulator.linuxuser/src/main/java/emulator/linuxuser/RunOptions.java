package emulator.linuxuser;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of {@code run} and {@code vm:run}:
 * {@code [--arch i386|x86_64] [--root DIR] [--env K=V]... [--plugins LIST] [--stack FILE]
 * [--trace-dir DIR] [--] PROGRAM [ARGS...]}.
 */
record RunOptions(String arch, Path root, Map<String, String> env, List<String> plugins, Path stack, Path traceDir,
                  List<String> argv) {

    static final String USAGE = "[--arch i386|x86_64] [--root DIR] [--env K=V]... [--plugins LIST] [--stack FILE] "
            + "[--trace-dir DIR] [--] PROGRAM [ARG...]";

    /** A usage error: one line for the user. */
    static final class BadUsage extends Exception {
        BadUsage(String m) { super(m); }
    }

    boolean wantsStack() { return !plugins.isEmpty() || stack != null; }

    static RunOptions parse(List<String> args) throws BadUsage {
        String arch = null;
        Path root = null, stack = null, traceDir = null;
        Map<String, String> env = new LinkedHashMap<>();
        List<String> plugins = new ArrayList<>();
        int k = 0;
        for (; k < args.size(); k++) {
            String a = args.get(k);
            if (a.equals("--")) { k++; break; }
            if (!a.startsWith("--")) break;
            String v = k + 1 < args.size() ? args.get(k + 1) : null;
            if (v == null && !a.equals("--")) throw new BadUsage(a + " needs a value");
            switch (a) {
                case "--arch" -> arch = v;
                case "--root" -> root = Path.of(v);
                case "--env" -> {
                    if (v.indexOf('=') <= 0) throw new BadUsage("--env needs K=V");
                    env.put(v.substring(0, v.indexOf('=')), v.substring(v.indexOf('=') + 1));
                }
                case "--plugins" -> {
                    for (String p : v.split(",")) if (!p.isBlank()) plugins.add(p.strip());
                    if (plugins.isEmpty()) throw new BadUsage("--plugins needs a comma-separated list");
                }
                case "--stack" -> stack = Path.of(v);
                case "--trace-dir" -> traceDir = Path.of(v);
                default -> throw new BadUsage("unknown option " + a);
            }
            k++;
        }
        if (k >= args.size()) throw new BadUsage("no PROGRAM given");
        if (arch != null && !List.of("i386", "x86_64", "i686", "amd64").contains(arch))
            throw new BadUsage("--arch must be i386 or x86_64");
        if (traceDir != null && plugins.isEmpty()) throw new BadUsage("--trace-dir needs --plugins (a --stack file sets its own)");
        return new RunOptions(arch, root, env, List.copyOf(plugins), stack, traceDir, List.copyOf(args.subList(k, args.size())));
    }
}
