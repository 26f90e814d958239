/**
 * Raw mode, Unicorn-style: map bytes at addresses, set registers, run until {@code hlt}, an address or
 * an instruction limit, and get the final state. For instruction-level tests and shellcode.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package emulator.api.raw;
