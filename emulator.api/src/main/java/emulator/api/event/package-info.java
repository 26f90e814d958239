/**
 * EventAdmin topics and property keys by which the engine and plugins signal each other
 * (ARCHITECTURE §4). Plugins never import another plugin's classes: these constants are the
 * whole contract between them, with what reads them ({@link emulator.api.event.SyscallCallPairing},
 * {@link emulator.api.event.EventView}; 0.2.0 added the latter).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package emulator.api.event;
