/** The guest-instruction trace: pc, address space, bytes, disassembly and optionally registers. */
package plugin.instructions;
