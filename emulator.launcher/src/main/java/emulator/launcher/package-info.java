/**
 * The batch command line of abiscope (private package; bundles add subcommands through
 * {@link emulator.api.launch.BatchCommand}).
 */
package emulator.launcher;
