package example.plugin;

import emulator.api.instrument.BlockInfo;
import emulator.api.instrument.InlineCounter;
import emulator.api.instrument.Instrumenter;
import emulator.api.instrument.MachineListener;
import emulator.api.instrument.TranslationHook;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Counts the guest instructions executed in each address space (a process, in user mode) with inline
 * counters — no call per instruction, so the guest runs at nearly full speed — and prints the counts
 * when a machine stops, when the plugin stops, and on the Gogo command {@code example:counts}.
 *
 * <p>Works with no configuration at all (so dropping the jar into bundles/ starts it); a
 * {@code example.plugin.cfg} file or a stack section {@code [example.plugin]} can change its settings.
 */
@Component(service = {TranslationHook.class, MachineListener.class, InstructionsPerAddressSpace.class},
        immediate = true, configurationPid = "example.plugin", property = {
        TranslationHook.PLUGIN_NAME + "=example.plugin",
        "osgi.command.scope=example", "osgi.command.function=counts"})
@Designate(ocd = InstructionsPerAddressSpace.Config.class)
public final class InstructionsPerAddressSpace implements TranslationHook, MachineListener {

    @ObjectClassDefinition(name = "Instructions per address space")
    public @interface Config {
        @AttributeDefinition(description = "Print only address spaces with at least this many instructions", min = "0")
        long minimum() default 0;
    }

    /** One counter per address space; created on the vCPU thread at translation, read by anyone. */
    private final Map<Long, InlineCounter> counters = new ConcurrentHashMap<>();
    private long minimum;

    @Activate
    void activate(Config config) {
        minimum = config.minimum();
        System.out.println("example.plugin: counting instructions per address space");
    }

    @Deactivate
    void deactivate() {
        // The engine returned from removing our hook only once none of our code can run again.
        System.out.print(counts());
    }

    /** Called once per translated block (on a vCPU thread): keep it short, do the work in generated code. */
    @Override
    public void onTranslate(BlockInfo block, Instrumenter at) {
        at.countBlock(counters.computeIfAbsent(block.asid(), asid -> new InlineCounter()));
    }

    @Override
    public void onMachine(String machine, String arch, Transition transition) {
        if (transition == Transition.STOPPED) System.out.print("machine " + machine + " stopped\n" + counts());
    }

    /** Gogo: example:counts. */
    public String counts() {
        StringBuilder sb = new StringBuilder("instructions per address space:\n");
        new TreeMap<>(counters).forEach((asid, c) -> {
            long n = c.sum();
            if (n >= minimum) sb.append(String.format("  asid %-6d %,d%n", asid, n));
        });
        return sb.toString();
    }
}
