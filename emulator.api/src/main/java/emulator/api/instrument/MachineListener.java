package emulator.api.instrument;

import org.osgi.annotation.versioning.ConsumerType;

/** Whiteboard service: machine lifecycle. */
@ConsumerType
public interface MachineListener {
    /** The lifecycle transitions of a machine. */
    enum Transition { STARTED, PAUSED, RESUMED, STOPPED, RESET }

    /**
     * @param machine the machine's name (unique while it runs)
     * @param arch    its architecture
     */
    void onMachine(String machine, String arch, Transition transition);
}
