package emulator.core.exec;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The running machines of this JVM, so that the instrumentation engine and the shell find them
 * without the code that created a machine knowing about either.
 */
public final class Machines {
    private Machines() {}

    /** Told when a machine starts running guest code and when it has stopped. */
    public interface Listener {
        void started(Machine m);

        void stopped(Machine m);
    }

    private static final List<Machine> RUNNING = new CopyOnWriteArrayList<>();
    private static final List<Listener> LISTENERS = new CopyOnWriteArrayList<>();

    public static List<Machine> running() { return List.copyOf(RUNNING); }

    /** Adds a listener and tells it about the machines already running. */
    public static void addListener(Listener l) {
        LISTENERS.add(l);
        for (Machine m : RUNNING) l.started(m);
    }

    public static void removeListener(Listener l) { LISTENERS.remove(l); }

    /** Called by whoever runs a machine, before its first vCPU starts. */
    public static void started(Machine m) {
        RUNNING.add(m);
        for (Listener l : LISTENERS) {
            try { l.started(m); } catch (RuntimeException e) { System.err.println("abiscope: machine listener failed: " + e); }
        }
    }

    /** Called once the machine's last vCPU has ended. */
    public static void stopped(Machine m) {
        if (!RUNNING.remove(m)) return;
        for (Listener l : LISTENERS) {
            try { l.stopped(m); } catch (RuntimeException e) { System.err.println("abiscope: machine listener failed: " + e); }
        }
    }
}
