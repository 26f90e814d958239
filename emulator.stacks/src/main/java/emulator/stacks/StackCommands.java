package emulator.stacks;

import emulator.api.stack.StackManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Gogo: {@code stack:apply FILE}, {@code stack:remove NAME}, {@code stack:list}, {@code stack:plugins}. */
// Registered as Object: Gogo finds commands by their osgi.command properties, and a class of this
// bundle's own would be one more class that every other bundle listening to service events fails to
// load at each event of this service (Felix checks that the listener could use it).
@Component(service = Object.class, immediate = true, property = {
        "osgi.command.scope=stack", "osgi.command.function=apply", "osgi.command.function=remove",
        "osgi.command.function=list", "osgi.command.function=plugins"})
public final class StackCommands {
    @Reference private Stacks stacks;

    /** Brings the stack up; returns once its plugins are active. */
    public String apply(String file) throws IOException {
        StackManager m = stacks;
        String name = m.apply(Path.of(file).toAbsolutePath());
        return "stack " + name + " applied\n" + String.join("\n", m.list());
    }

    /** Takes the stack down (by name, or by its file); returns once its plugins are deactivated. */
    public String remove(String name) throws IOException {
        String n = Path.of(name).getFileName().toString();
        if (n.endsWith(StackFile.SUFFIX)) n = n.substring(0, n.length() - StackFile.SUFFIX.length());
        stacks.remove(n);
        return "stack " + n + " removed";
    }

    /** The stacks applied now, each with its plugins and source. */
    public String list() {
        List<String> l = stacks.list();
        return l.isEmpty() ? "no stacks applied" : String.join("\n", l);
    }

    /** Every installed plugin with its settings (descriptions and defaults from metatype). */
    public String plugins() { return stacks.describePlugins(); }
}
