package bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the numbers were measured on. */
final class Host {
    private Host() {}

    static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpu", cpuModel());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("loadAverageAtEnd", read("/proc/loadavg").split(" ")[0]);
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("qemu", firstLine("qemu-x86_64", "--version"));
        m.put("shared", "the machine is shared with other engineers' builds and tests while this runs");
        return m;
    }

    static String cpuModel() {
        for (String l : read("/proc/cpuinfo").split("\n"))
            if (l.startsWith("model name")) return l.substring(l.indexOf(':') + 1).strip();
        return "unknown";
    }

    static String read(String p) {
        try {
            return Files.readString(Path.of(p));
        } catch (IOException e) {
            return "";
        }
    }

    static String firstLine(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            return s.lines().findFirst().orElse("").strip();
        } catch (IOException | InterruptedException e) {
            return "not found";
        }
    }
}
