package emulator.linuxuser.elf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Host tools the tests use as references: gcc, readelf, the busybox fetch script. */
final class Native {
    private Native() {}

    static final Path MODULE = findModule();
    static final Path TARGET = MODULE.resolve("target/native");

    private static Path findModule() {
        Path p = Path.of("").toAbsolutePath();
        if (Files.isDirectory(p.resolve("scripts")) && p.endsWith("emulator.linuxuser")) return p;
        Path q = p.resolve("emulator.linuxuser");
        return Files.isDirectory(q) ? q : p;
    }

    record Result(int exit, String out, String err) {}

    static Result run(List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Process pr = pb.start();
        pr.getOutputStream().close();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread t = Thread.ofVirtual().start(() -> {
            try (InputStream in = pr.getErrorStream()) { in.transferTo(err); } catch (IOException ignored) { }
        });
        String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        if (!pr.waitFor(300, TimeUnit.SECONDS)) { pr.destroyForcibly(); throw new IOException("timeout: " + cmd); }
        t.join();
        return new Result(pr.exitValue(), out, err.toString(StandardCharsets.UTF_8));
    }

    static Result runOk(List<String> cmd) throws IOException, InterruptedException {
        Result r = run(cmd);
        if (r.exit() != 0) throw new IOException(cmd + " exited " + r.exit() + ": " + r.err());
        return r;
    }

    static boolean has(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
            if (Files.isExecutable(Path.of(dir, tool))) return true;
        return false;
    }

    /** Compiles a C resource from src/test/resources/native with gcc (cached per flags). */
    static Path compile(String source, String name, String... flags) throws IOException, InterruptedException {
        assumeTrue(has("gcc"), "gcc not installed");
        Files.createDirectories(TARGET);
        Path src = MODULE.resolve("src/test/resources/native").resolve(source);
        Path out = TARGET.resolve(name);
        if (Files.exists(out) && Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(src)) > 0) return out;
        List<String> cmd = new ArrayList<>(List.of("gcc", "-O1", "-o", out.toString()));
        cmd.addAll(List.of(flags));
        cmd.add(src.toString());
        Result r = run(cmd);
        assumeTrue(r.exit() == 0, "gcc " + String.join(" ", flags) + " failed (multilib missing?): " + r.err());
        return out;
    }

    /**
     * Debian's busybox-static for an architecture from the cache the fetch script fills; runs the
     * script when the binary is absent. Null when it cannot be had (no apt, offline).
     */
    static Path busybox(String arch) throws IOException, InterruptedException {
        String cache = System.getenv("ABISCOPE_CACHE");
        Path base = cache != null ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache", "abiscope");
        Path bin = base.resolve("guests").resolve(arch).resolve("busybox").resolve("busybox");
        if (Files.isRegularFile(bin)) return bin;
        Result r = run(List.of("sh", MODULE.resolve("scripts/fetch-busybox.sh").toString(), arch));
        if (r.exit() != 0) return null;
        Path got = Path.of(r.out().strip());
        return Files.isRegularFile(got) ? got : null;
    }
}
