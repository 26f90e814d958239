/**
 * Analysis stacks: a stack is one file of configurations — which plugins, with which settings.
 * Plugins are Declarative Services components whose configuration PID is their bundle name
 * ({@code plugin.syscalls.linux}) and which require a configuration, so a plugin bundle sits idle
 * until a stack (or a {@code .cfg} file, or the shell) configures it.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package emulator.api.stack;
