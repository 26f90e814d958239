package plugin.syscalls.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Temporary folders and files for the tests of this module, all under one folder of this test JVM
 * that is deleted when the JVM exits: the guest roots hold a busybox each, and thousands of them
 * used to stay behind in /tmp.
 */
public final class Scratch {
    private static final Path BASE = create();

    private Scratch() {}

    /** A new empty folder, named after {@code prefix}. */
    public static Path dir(String prefix) throws IOException { return Files.createTempDirectory(BASE, prefix); }

    /** A new empty file, named after {@code prefix} and {@code suffix}. */
    public static Path file(String prefix, String suffix) throws IOException { return Files.createTempFile(BASE, prefix, suffix); }

    private static Path create() {
        try {
            Path base = Files.createTempDirectory("abiscope-tests-syscalls");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(base), "scratch-cleanup"));
            return base;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path base) {
        try (Stream<Path> all = Files.walk(base)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("scratch: could not delete " + base + ": " + e);
        }
    }
}
