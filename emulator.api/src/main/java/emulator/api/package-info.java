/**
 * The plugin contract of abiscope: everything an analysis plugin compiles against.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package emulator.api;
