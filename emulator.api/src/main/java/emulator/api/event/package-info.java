/**
 * EventAdmin topics and property keys by which the engine and plugins signal each other
 * (ARCHITECTURE §4). Plugins never import another plugin's classes: these constants are the
 * whole contract between them.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package emulator.api.event;
