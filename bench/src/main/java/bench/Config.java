package bench;

/**
 * One way of running a workload.
 *
 * @param name     the column/row name in the results
 * @param kind     how it is run
 * @param worker   for {@link Kind#WORKER}: the {@link GuestRun} configuration
 * @param shrink   the input is divided by this (the interpreter is too slow for the full size)
 */
record Config(String name, Kind kind, String worker, int shrink) {
    enum Kind {
        /** busybox on the host CPU. */
        NATIVE,
        /** Debian's qemu-user. */
        QEMU,
        /** A fresh JVM running {@link GuestRun}: whole-command and in-process steady-state times. */
        WORKER,
        /** {@code ./abiscope run} in the OSGi runtime, without plugins. */
        OSGI,
        /** {@code ./abiscope run --plugins …} in the OSGi runtime: the syscall, file and process plugins. */
        OSGI_TRACING,
        /** {@code ./abiscope run --plugins syscalls.linux} alone (issue 6's own target). */
        OSGI_SYSCALLS
    }

    static final Config NATIVE = new Config("native", Kind.NATIVE, null, 1);
    static final Config QEMU = new Config("qemu", Kind.QEMU, null, 1);
    static final Config PLAIN = new Config("abiscope", Kind.WORKER, "plain", 1);
    static final Config COUNTER = new Config("abiscope+counter", Kind.WORKER, "counter", 1);
    static final Config CALLBACK = new Config("abiscope+callback", Kind.WORKER, "callback", 1);
    static final Config INTERPRETER = new Config("interpreter", Kind.WORKER, "interpreted", 16);
    static final Config OSGI = new Config("osgi", Kind.OSGI, null, 1);
    static final Config OSGI_TRACING = new Config("osgi+tracing", Kind.OSGI_TRACING, null, 1);
    static final Config OSGI_SYSCALLS = new Config("osgi+syscalls", Kind.OSGI_SYSCALLS, null, 1);

    static final java.util.List<Config> ALL = java.util.List.of(NATIVE, QEMU, PLAIN, COUNTER, CALLBACK, INTERPRETER,
            OSGI, OSGI_TRACING, OSGI_SYSCALLS);

    /**
     * The configurations in the order round {@code round} runs them: {@link #ALL}'s, with the three
     * OSGi ones (the last three) rotated by the round. Their differences are the tracing overhead,
     * a few per cent; in a fixed order the syscall plugin always ran last in a cell and the plain
     * runtime always right after the in-process interpreter run, and a position's own effect on a
     * busy machine (the 2026-11-22 run had the syscall plugin alone at 7.3 % pooled, above the three
     * plugins' 5.2 %, which include it) passed for the plugins' cost.
     */
    static java.util.List<Config> inRound(int round) {
        java.util.List<Config> order = new java.util.ArrayList<>(ALL);
        java.util.Collections.rotate(order.subList(ALL.size() - 3, ALL.size()), -(round % 3));
        return order;
    }

    boolean isWorker() { return kind == Kind.WORKER; }

    /** Through {@code ./abiscope run}: the configurations whose differences are the tracing overhead. */
    boolean isOsgi() { return kind == Kind.OSGI || kind == Kind.OSGI_TRACING || kind == Kind.OSGI_SYSCALLS; }
}
