package testing.strace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs busybox natively under {@code strace -f -y}: the reference run. Fails loudly when it cannot. */
public final class NativeStrace {
    private NativeStrace() {}

    public static Path busybox() {
        Path bb = Path.of(System.getProperty("user.home"), ".cache/abiscope/guests/amd64/busybox/busybox");
        if (!Files.isExecutable(bb)) {
            throw new IllegalStateException("no busybox at " + bb + ": run emulator.linuxuser/scripts/fetch-busybox.sh");
        }
        return bb;
    }

    /** Runs {@code busybox sh -c script} in {@code dir} and returns strace's log. */
    public static StraceLog run(Path dir, String script, String trace) throws IOException, InterruptedException {
        Path log = dir.resolve("strace.txt");
        List<String> cmd = new ArrayList<>(List.of("strace", "-f", "-y", "-q", "-s", "256", "-e", "signal=none",
                "-e", "trace=" + trace, "-o", log.toString(),
                busybox().toString(), "sh", "-c", script));
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().clear();
            pb.environment().put("PATH", "/usr/bin:/bin");
            p = pb.directory(dir.toFile())
                   .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("strace is needed for this test (apt-get install strace): " + e.getMessage(), e);
        }
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS)) { p.destroyForcibly(); throw new IllegalStateException("native run hung: " + script); }
        String err = Files.readString(dir.resolve("stderr.txt"));
        if (err.contains("strace:")) throw new IllegalStateException("strace failed (ptrace not allowed?): " + err);
        return StraceLog.parse(log);
    }
}
