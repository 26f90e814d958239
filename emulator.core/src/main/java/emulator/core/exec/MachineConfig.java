package emulator.core.exec;

/**
 * Settings of a machine.
 *
 * @param name            unique name, for events and the shell
 * @param backend         which backend runs blocks
 * @param compileThreshold interpreted runs of a block before it is compiled (tiered backend)
 * @param cacheCapacity   blocks per address space before the cache is flushed
 * @param maxBlockInsns   guest instructions per block at most
 * @param memoryLimit     guest memory cap in bytes per address space
 */
public record MachineConfig(String name, BackendKind backend, int compileThreshold, int cacheCapacity,
                            int maxBlockInsns, long memoryLimit) {
    /** How blocks run. */
    public enum BackendKind {
        /** Interpret first, compile to JVM bytecode once hot. */
        TIERED,
        /** Compile every block before its first run. */
        COMPILED,
        /** Only the IR interpreter. */
        INTERPRETED
    }

    public static MachineConfig defaults(String name) {
        return new MachineConfig(name, defaultBackend(), Integer.getInteger("abiscope.compileThreshold", 20),
                1 << 16, 200, 4L << 30);
    }

    /** The backend chosen by system property {@code abiscope.backend} (tiered, compiled, interpreted). */
    public static BackendKind defaultBackend() {
        String b = System.getProperty("abiscope.backend", "tiered");
        return BackendKind.valueOf(b.toUpperCase(java.util.Locale.ROOT));
    }

    public MachineConfig withBackend(BackendKind k) {
        return new MachineConfig(name, k, compileThreshold, cacheCapacity, maxBlockInsns, memoryLimit);
    }

    public MachineConfig withMemoryLimit(long bytes) {
        return new MachineConfig(name, backend, compileThreshold, cacheCapacity, maxBlockInsns, bytes);
    }
}
