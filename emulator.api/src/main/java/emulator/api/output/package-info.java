/**
 * What plugins write for their users: one JSON object per line ({@link emulator.api.output.Json}),
 * the same escaping in every plugin's log.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package emulator.api.output;
