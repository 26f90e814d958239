package emulator.linuxuser;

import emulator.api.stack.StackManager;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The analysis stack of one run (--stack, --plugins), applied on a thread of its own while the runner
 * loads the program. Bringing the plugins up (ConfigAdmin, SCR, their activation: 50–100 ms) and
 * loading the guest (about 100 ms, mostly class loading) used to take turns on the main thread; now
 * they overlap, and the guest's first instruction still waits for every plugin ({@link #await}), so
 * no call goes untraced. {@link #finish} (always called, however the run ended) waits for the thread
 * before removing what it applied, so nothing is left configured behind the run.
 */
final class StackStart {
    private final StackManager sm;
    private final RunOptions options;
    private final Thread thread;
    /** Written by the thread, read after joining it. */
    private final List<String> applied = new ArrayList<>();
    private String problem;
    private boolean reported;

    private StackStart(StackManager sm, RunOptions options) {
        this.sm = sm;
        this.options = options;
        this.thread = Thread.ofPlatform().name("abiscope-run-stack").daemon().unstarted(this::apply);
    }

    /** Starts applying the stack of {@code o} (which {@link RunOptions#wantsStack wants} one). */
    static StackStart begin(StackManager sm, RunOptions o) {
        StackStart s = new StackStart(sm, o);
        s.thread.start();
        return s;
    }

    private void apply() {
        try {
            if (options.stack() != null) applied.add(sm.apply(options.stack()));
            if (!options.plugins().isEmpty()) {
                Map<String, Object> settings = options.traceDir() == null ? Map.of()
                        : Map.of(StackManager.TRACE_DIR, options.traceDir().toAbsolutePath().toString());
                applied.add(sm.applyPlugins("run", options.plugins(), settings));
            }
        } catch (IOException | IllegalArgumentException e) {
            problem = e.getMessage();
        } catch (RuntimeException | Error e) {
            problem = "applying the analysis stack failed: " + e;
        }
    }

    /**
     * Waits until the stack is applied.
     *
     * @return null when every plugin is up, else what went wrong (see {@link #report})
     */
    String await() {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join(); // bounded: the stack service gives up on a plugin after its own timeout
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the thread cannot be cut short; keep the interrupt for the caller
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        return problem;
    }

    /** Prints the problem of a failed apply once; returns whether there was one. */
    boolean report(PrintStream err) {
        if (await() == null) return false;
        if (!reported) {
            reported = true;
            err.println("abiscope: run: " + problem);
        }
        return true;
    }

    /** Waits for the apply to end, then removes whatever it applied (the plugins close their logs). */
    void finish(PrintStream err) {
        await();
        for (String n : applied.reversed()) {
            try {
                sm.remove(n);
            } catch (IOException | RuntimeException e) {
                err.println("abiscope: run: removing stack " + n + ": " + e.getMessage());
            }
        }
    }
}
