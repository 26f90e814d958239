package emulator.stacks.it.counter;

import emulator.api.instrument.InlineCounter;
import emulator.api.instrument.InsnInfo;
import emulator.api.instrument.TranslationHook;
import java.util.Hashtable;
import java.util.function.LongConsumer;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * A plugin bundle the hot-plug test builds at run time (this class is its only content): every
 * instruction gets an inline counter and a before-instruction callback that reports the counter to the
 * test's sink (a {@link LongConsumer} service). While the plugin is active the sink must see 1, 2, 3, …
 * with no gap; after the bundle stops it must see nothing.
 */
public final class CounterPlugin implements BundleActivator {
    public static final String NAME = "it.counter";

    @Override
    public void start(BundleContext context) {
        ServiceReference<LongConsumer> ref = context.getServiceReference(LongConsumer.class);
        if (ref == null) throw new IllegalStateException("the test registered no sink");
        LongConsumer sink = context.getService(ref);
        InlineCounter counter = new InlineCounter();
        TranslationHook hook = (block, at) -> {
            for (InsnInfo insn : block.insns()) {
                at.countInsn(insn, counter);
                at.beforeInsn(insn, (cpu, pc) -> sink.accept(counter.get(cpu.index())));
            }
        };
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(TranslationHook.PLUGIN_NAME, NAME);
        context.registerService(TranslationHook.class, hook, props);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the hook; the engine returns from that only once no callback can run
    }
}
