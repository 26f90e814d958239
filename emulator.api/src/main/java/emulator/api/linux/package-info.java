/**
 * Facts of the Linux ABI that both the emulated kernel and ABI-based plugins need: system-call
 * numbers per architecture, generated from the kernel's UAPI headers. Data, not behaviour.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package emulator.api.linux;
