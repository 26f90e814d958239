/** x86 target package, shared with the personality bundles (not a plugin API). */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package emulator.x86.decode;
