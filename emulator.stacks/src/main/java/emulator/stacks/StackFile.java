package emulator.stacks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed stack file. The format (documented in docs/plugins.md):
 *
 * <pre>
 * # comment
 * traceDir = trace          settings before the first section apply to every plugin that declares them
 * [plugin.syscalls.linux]   a plugin, by configuration PID (its bundle name)
 * key = value               one setting; a list setting takes comma-separated values
 * </pre>
 *
 * @param name     the stack's name: the file name without {@code .stack}
 * @param source   where it was read from (for error messages)
 * @param common   settings for every plugin that declares them
 * @param plugins  PID → its own settings, in file order
 */
record StackFile(String name, String source, Map<String, Setting> common, Map<String, Map<String, Setting>> plugins) {
    /** One {@code key = value} line. */
    record Setting(String key, String value, int line) {}

    static final String SUFFIX = ".stack";

    static StackFile read(Path file) throws IOException {
        String fileName = file.getFileName().toString();
        String name = fileName.endsWith(SUFFIX) ? fileName.substring(0, fileName.length() - SUFFIX.length()) : fileName;
        return parse(name, file.toString(), Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    /** @throws StackException naming the file and line of the first malformed line */
    static StackFile parse(String name, String source, List<String> lines) {
        Map<String, Setting> common = new LinkedHashMap<>();
        Map<String, Map<String, Setting>> plugins = new LinkedHashMap<>();
        Map<String, Setting> current = common;
        for (int n = 1; n <= lines.size(); n++) {
            String line = lines.get(n - 1).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            if (line.startsWith("[")) {
                if (!line.endsWith("]") || line.length() < 3)
                    throw new StackException(source + ":" + n + ": a section is [PLUGIN-PID], not '" + line + "'");
                String pid = line.substring(1, line.length() - 1).strip();
                if (plugins.containsKey(pid))
                    throw new StackException(source + ":" + n + ": plugin " + pid + " appears twice");
                current = new LinkedHashMap<>();
                plugins.put(pid, current);
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) throw new StackException(source + ":" + n + ": expected 'key = value' or '[PLUGIN-PID]', not '" + line + "'");
            String key = line.substring(0, eq).strip();
            if (current.containsKey(key)) throw new StackException(source + ":" + n + ": key " + key + " is set twice");
            current.put(key, new Setting(key, line.substring(eq + 1).strip(), n));
        }
        if (plugins.isEmpty()) throw new StackException(source + ": names no plugin (add a [PLUGIN-PID] section)");
        return new StackFile(name, source, common, plugins);
    }
}
