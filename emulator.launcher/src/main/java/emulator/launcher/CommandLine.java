package emulator.launcher;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import emulator.api.launch.BatchCommand;

/**
 * Parses the abiscope command line and runs one {@link BatchCommand} on the calling (main) thread.
 * <p>
 * Exit codes: the command's own; 0 for {@code help}; 2 for an unknown command or option (usage on
 * stderr); 1 when a command throws.
 */
final class CommandLine implements Callable<Integer> {

    /** Seconds to wait for a named command's service (system property {@value}). */
    static final String TIMEOUT_PROPERTY = "abiscope.command.timeout";
    /** Give up waiting for an unknown command once the runtime was quiet this long. */
    static final long QUIET_MILLIS = 1500;

    static final String SHELL = "shell";
    static final String HELP = "help";

    private final List<String> args;
    private final CommandRegistry registry;
    private final PrintStream out;
    private final PrintStream err;

    CommandLine(String[] args, CommandRegistry registry, PrintStream out, PrintStream err) {
        this.args = List.of(args);
        this.registry = registry;
        this.out = out;
        this.err = err;
    }

    /** True for the interactive mode: no arguments, or exactly {@code shell}. */
    static boolean isShell(String[] args) {
        return args.length == 0 || (args.length == 1 && SHELL.equals(args[0]));
    }

    @Override
    public Integer call() {
        try {
            return run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("abiscope: interrupted");
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private int run() throws InterruptedException {
        String first = args.get(0);
        List<String> rest = args.subList(1, args.size());
        if (first.equals("--help") || first.equals("-h") || first.equals(HELP)) {
            return help(first.equals(HELP) ? rest : List.of());
        }
        if (first.startsWith("-")) {
            return usageError("unknown option '" + first + "'");
        }
        if (first.equals(SHELL)) {
            return usageError("'shell' takes no arguments");
        }
        Optional<BatchCommand> command = registry.await(first, timeoutMillis(), QUIET_MILLIS);
        if (command.isEmpty()) {
            return usageError("unknown command '" + first + "'");
        }
        try {
            return command.get().run(List.copyOf(rest), out, err);
        } catch (Exception | LinkageError e) {
            err.println("abiscope " + first + ": " + e);
            e.printStackTrace(err);
            return 1;
        }
    }

    private int help(List<String> topic) throws InterruptedException {
        registry.settle(3000, 300);
        if (topic.size() > 1) {
            return usageError("help takes at most one command name");
        }
        if (topic.size() == 1) {
            String name = topic.get(0);
            switch (name) {
                case SHELL -> out.println(SHELL_USAGE);
                case HELP -> out.println(HELP_USAGE);
                default -> {
                    Optional<BatchCommand> c = registry.find(name);
                    if (c.isEmpty()) {
                        return usageError("unknown command '" + name + "'");
                    }
                    out.println(name + " - " + c.get().summary());
                    out.println();
                    out.println(indent(c.get().usage()));
                }
            }
            return 0;
        }
        printUsage(out);
        return 0;
    }

    private int usageError(String message) {
        err.println("abiscope: " + message);
        printUsage(err);
        return 2;
    }

    private void printUsage(PrintStream s) {
        s.println("usage: abiscope [--bundles DIR] [COMMAND [ARG...]]");
        s.println();
        s.println("Commands:");
        s.printf("  %-12s %s%n", SHELL, "interactive OSGi shell (Gogo, prompt g!) with every bundle active (the default)");
        s.printf("  %-12s %s%n", HELP, "list the commands, or show one command's usage: help COMMAND (also --help)");
        for (BatchCommand c : registry.all()) {
            String name = CommandRegistry.safeName(c);
            if (name.equals(SHELL) || name.equals(HELP) || name.isEmpty()) {
                continue;
            }
            s.printf("  %-12s %s%n", name, c.summary());
        }
        s.println();
        s.println("Options:");
        s.println("  --bundles DIR  hot-deploy folder watched for plugin jars and .cfg files");
        s.println("                 (default: the bundles/ folder of the abiscope checkout)");
        s.println();
        s.println("Run 'abiscope help COMMAND' for a command's usage.");
    }

    private static final String SHELL_USAGE = """
            shell - interactive OSGi shell (Gogo)

              abiscope [shell]
              Starts every bundle and opens the g! prompt on this terminal; 'lb' lists bundles,
              'help' lists shell commands, Ctrl-D or 'felix:stop 0' quits. Without a terminal on stdin
              the runtime runs headless until stopped.""";

    private static final String HELP_USAGE = """
            help - list the commands or show one command's usage

              abiscope help [COMMAND]
              abiscope --help""";

    private static String indent(String text) {
        return Arrays.stream(text.split("\\R")).map(l -> "  " + l).reduce((a, b) -> a + "\n" + b).orElse("");
    }

    private static long timeoutMillis() {
        String v = System.getProperty(TIMEOUT_PROPERTY, "10");
        try {
            return (long) (Double.parseDouble(v) * 1000);
        } catch (NumberFormatException e) {
            return 10_000;
        }
    }
}
