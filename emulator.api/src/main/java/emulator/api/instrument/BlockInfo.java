package emulator.api.instrument;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A translated block of guest code: a straight run of instructions with one entry. They are in
 * execution order, and usually consecutive in memory; not always: an i386 call to a PC thunk
 * ({@code mov reg, [esp]; ret}) is followed in its block by the thunk's two instructions, then by
 * the instruction after the call.
 */
@ProviderType
public interface BlockInfo {
    /** Guest virtual address of the first instruction. */
    long pc();

    /** Address space the block was translated in. */
    long asid();

    /** Architecture name, as {@link emulator.api.Cpu#arch()}. */
    String arch();

    /** The instructions in execution order. */
    List<InsnInfo> insns();
}
