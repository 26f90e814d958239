/**
 * The batch command line of abiscope.
 * <p>
 * {@code ./abiscope SUBCOMMAND ARGS...} starts the OSGi runtime and hands the command line to the
 * {@code emulator.launcher} bundle. It waits (bounded) for a {@link emulator.api.launch.BatchCommand}
 * service whose {@link emulator.api.launch.BatchCommand#name() name()} equals {@code SUBCOMMAND}, runs
 * it on the JVM's main thread and ends the process with its exit code. A bundle adds a subcommand by
 * registering a {@code BatchCommand} service, for example as a Declarative Services component.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package emulator.api.launch;
