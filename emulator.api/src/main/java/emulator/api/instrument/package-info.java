/**
 * Instrumentation, the way QEMU's TCG plugins do it and more: a {@link TranslationHook} sees each
 * block as it is translated and registers callbacks (before a block, before or after an instruction,
 * on memory access) and inline counters; {@link CpuEventListener} and {@link MachineListener} see
 * CPU and machine events. Plugins publish these as OSGi whiteboard services and may come and go
 * while the guest runs.
 *
 * <p>Threading: callbacks run on the vCPU thread that executes the guest code and must stay short;
 * slow work belongs in an EventAdmin handler.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package emulator.api.instrument;
