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
