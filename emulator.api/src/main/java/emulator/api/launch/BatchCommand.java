package emulator.api.launch;

import java.io.PrintStream;
import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A subcommand of the {@code abiscope} batch command line, registered as an OSGi service.
 * <p>
 * {@code ./abiscope NAME ARG...} runs the service whose {@link #name()} is {@code NAME} on the main
 * thread and exits the process with the value {@link #run(List, PrintStream, PrintStream) run}
 * returns. {@code ./abiscope help} lists every registered command with its {@link #summary()} and
 * {@link #usage()}.
 * <p>
 * Implementations are provided by bundles (consumer type): adding a method here is a major change.
 */
@ConsumerType
public interface BatchCommand {

    /**
     * The subcommand word the user types, for example {@code "run"}.
     *
     * @return a non-empty name without white space, unique among registered commands
     *         ({@code help} and {@code shell} are reserved by the launcher)
     */
    String name();

    /**
     * One line for the command list printed by {@code ./abiscope help}.
     *
     * @return a short sentence without a line break, e.g. "Run a Linux ELF program in user mode"
     */
    String summary();

    /**
     * The synopsis and options, printed by {@code ./abiscope help NAME} and when the arguments are
     * wrong.
     *
     * @return one or more lines, starting with the synopsis, e.g. {@code "run [--trace] ELF [ARG...]"}
     */
    String usage();

    /**
     * Runs the command on the launcher's main thread; the process exits with the returned value once
     * the method returns.
     *
     * @param args the command-line arguments after the subcommand word, never {@code null}
     * @param out where results go (the process's standard output)
     * @param err where diagnostics go (the process's standard error)
     * @return the process exit code: 0 for success, 2 for a usage error (print {@link #usage()} to
     *         {@code err}), any other non-zero value for a failure
     * @throws Exception on an unexpected failure; the launcher reports it on {@code err} and exits
     *         with 1
     */
    int run(List<String> args, PrintStream out, PrintStream err) throws Exception;
}
