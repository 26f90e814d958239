/** Part of the engine core shared with the target, personality and instrumentation bundles (not a plugin API). */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package emulator.core.target;
