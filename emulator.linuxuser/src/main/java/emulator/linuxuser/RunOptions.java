package emulator.linuxuser;

import emulator.linuxuser.kernel.AddressLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of {@code run} and {@code vm:run}:
 * {@code [--arch i386|x86_64] [--root DIR] [--env K=V]... [--plugins LIST] [--stack FILE]
 * [--trace-dir DIR] [--memory-limit SIZE] [--layout compact|native] [--] PROGRAM [ARGS...]}.
 */
record RunOptions(String arch, Path root, Map<String, String> env, List<String> plugins, Path stack, Path traceDir,
                  long memoryLimit, AddressLayout layout, List<String> argv) {

    static final String USAGE = "[--arch i386|x86_64] [--root DIR] [--env K=V]... [--plugins LIST] [--stack FILE] "
            + "[--trace-dir DIR] [--memory-limit SIZE] [--layout compact|native] [--] PROGRAM [ARG...]";

    /**
     * Guest memory per process (address space) when --memory-limit is not given: 2 GiB, but never
     * more than half the JVM's heap — guest pages live on the heap, and a cap above it would let a
     * guest end the run with OutOfMemoryError instead of meeting ENOMEM.
     */
    static final long DEFAULT_MEMORY_LIMIT = Math.min(2L << 30, Math.max(64L << 20, Runtime.getRuntime().maxMemory() / 2));

    /** "64M", "2G", "65536", "512k" → bytes (K, M, G, T are powers of 1024); -1 when malformed. */
    static long parseSize(String v) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,15})([kKmMgGtT]?)(i?[bB])?").matcher(v.strip());
        if (!m.matches()) return -1;
        long n = Long.parseLong(m.group(1));
        int shift = switch (m.group(2).toUpperCase(java.util.Locale.ROOT)) {
            case "K" -> 10; case "M" -> 20; case "G" -> 30; case "T" -> 40; default -> 0;
        };
        return n > (Long.MAX_VALUE >> shift) ? -1 : n << shift;
    }

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
        long memory = DEFAULT_MEMORY_LIMIT;
        AddressLayout layout = AddressLayout.COMPACT;
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
                case "--memory-limit" -> {
                    memory = parseSize(v);
                    if (memory < (1L << 20)) throw new BadUsage("--memory-limit needs a size of at least 1M (e.g. 512M, 2G), not " + v);
                }
                case "--layout" -> {
                    layout = AddressLayout.parse(v);
                    if (layout == null) throw new BadUsage("--layout must be compact or native, not " + v);
                }
                default -> throw new BadUsage("unknown option " + a);
            }
            k++;
        }
        if (k >= args.size()) throw new BadUsage("no PROGRAM given");
        if (arch != null && !List.of("i386", "x86_64", "i686", "amd64").contains(arch))
            throw new BadUsage("--arch must be i386 or x86_64");
        if (traceDir != null && plugins.isEmpty()) throw new BadUsage("--trace-dir needs --plugins (a --stack file sets its own)");
        return new RunOptions(arch, root, env, List.copyOf(plugins), stack, traceDir, memory, layout, List.copyOf(args.subList(k, args.size())));
    }
}
