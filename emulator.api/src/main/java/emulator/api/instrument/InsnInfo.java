package emulator.api.instrument;

import org.osgi.annotation.versioning.ProviderType;

/** One guest instruction of a block being translated. */
@ProviderType
public interface InsnInfo {
    /** Position in its block, from 0. */
    int index();

    /** Guest virtual address. */
    long pc();

    /** Length in bytes. */
    int length();

    /** A copy of the instruction's bytes. */
    byte[] bytes();

    /** Disassembly in the architecture's usual syntax (Intel syntax for x86). */
    String disassembly();

    /** What the instruction does to control flow. */
    InsnKind kind();
}
