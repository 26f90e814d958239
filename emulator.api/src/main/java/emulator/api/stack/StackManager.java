package emulator.api.stack;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/** Service: brings analysis stacks up and down through ConfigAdmin. */
@ProviderType
public interface StackManager {
    /** The setting every shipped plugin understands: the folder its output files go to. */
    String TRACE_DIR = "traceDir";

    /**
     * Applies a stack file: creates or updates the configuration of each plugin it names, checks
     * every setting against the plugin's metatype, and returns once the plugins are active.
     *
     * @return the stack's name (for {@link #remove})
     * @throws IllegalArgumentException with one clear message naming the file and key of a bad setting
     */
    String apply(Path stackFile) throws IOException;

    /**
     * Applies an ad-hoc stack: the plugins named by short name ({@code syscalls.linux} for bundle
     * {@code plugin.syscalls.linux}), each with the given settings (e.g. {@link #TRACE_DIR}).
     *
     * @return the stack's name
     */
    String applyPlugins(String name, List<String> plugins, Map<String, Object> settings) throws IOException;

    /** Takes a stack down: deletes its configurations; returns once its plugins are deactivated. */
    void remove(String name) throws IOException;

    /** Names of the stacks applied now, each with its plugins, one line each. */
    List<String> list();
}
