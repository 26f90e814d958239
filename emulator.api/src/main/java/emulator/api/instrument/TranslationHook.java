package emulator.api.instrument;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service: called each time a block of guest code is translated. Register the callbacks
 * the block needs on the given {@link Instrumenter}; code that gets none pays nothing.
 *
 * <p>Translation is cached: the hook is not called again for a block until the cache is flushed
 * (which happens whenever the set of plugins changes).
 */
@ConsumerType
public interface TranslationHook {
    /** Service property naming the plugin in logs and {@code instr:list}; defaults to the bundle name. */
    String PLUGIN_NAME = "abiscope.plugin";

    /**
     * Service property ({@code true}), on any service a plugin registers (a CPU listener, an event
     * handler): the plugin's code runs beside the guest, at system calls and other events or on
     * threads of its own, never at each instruction or memory access. The instrumentation engine
     * then keeps the registering bundle's classes out of the JVM's optimizing compiler (C2; C1
     * still compiles them), whose one thread on a small machine the guest's hot code waits for: a
     * syscall tracer's methods, called thousands of times, otherwise reach it with their decoding
     * and text inlined, and their compilations took the guest's place in that queue.
     *
     * <p>Not for a plugin whose callbacks run at each instruction: generated code calls them, and
     * that compiler inlines them into it.
     */
    String BESIDE_GUEST = "abiscope.plugin.besideGuest";

    /**
     * Called on the vCPU thread that translates the block.
     *
     * @param block the block's instructions
     * @param at    where to register callbacks for this block
     */
    void onTranslate(BlockInfo block, Instrumenter at);

    /**
     * The address spaces this hook instruments; the engine applies it so callbacks never run in
     * others (in user mode by not instrumenting their blocks at all).
     */
    default AddressSpaceFilter addressSpaces() {
        return AddressSpaceFilter.ALL;
    }
}
