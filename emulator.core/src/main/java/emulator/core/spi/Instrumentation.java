package emulator.core.spi;

import emulator.core.exec.CpuEvents;

/**
 * The translation SPI through which an instrumentation engine (the emulator.instrumentation
 * bundle) inserts plugin callbacks. The core never imports that bundle: the engine registers an
 * implementation with {@link emulator.core.exec.Machine#setInstrumentation}, and the core calls it
 * for each block it translates.
 */
public interface Instrumentation {
    /** Called for every block translated while this is installed and {@link #instrumentsBlocks}; add callbacks through the editor. */
    void instrument(BlockEditor block);

    /**
     * Whether {@link #instrument} may change blocks now. An engine with only CPU-event listeners (a
     * system-call tracer) changes none: the core then translates as with no instrumentation, and
     * shares translations with other machines as then. A change of the answer must come with a flush
     * ({@link emulator.core.exec.Machine#setInstrumentation} again).
     */
    default boolean instrumentsBlocks() { return true; }

    /** Where the core sends CPU events. */
    CpuEvents events();

    /**
     * A callback inserted by this engine threw. Called on the vCPU thread; the guest continues.
     * The engine should report it once and make sure the owner's hooks are disabled (it may ask the
     * machine for a flush).
     */
    void callbackFailed(Object owner, Throwable error);
}
