/**
 * The plugin contract of abiscope: the views of a virtual CPU and of guest memory that every
 * instrumentation callback receives. Instrumentation itself is in {@link emulator.api.instrument},
 * event topics in {@link emulator.api.event}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package emulator.api;
