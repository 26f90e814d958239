package emulator.api.instrument;

import java.util.Set;

/** Which address spaces (asids) instrumentation applies to: a primitive of the engine. */
@FunctionalInterface
public interface AddressSpaceFilter {
    /** Every address space. */
    AddressSpaceFilter ALL = asid -> true;

    /** Whether code running in address space {@code asid} is instrumented. */
    boolean includes(long asid);

    /** Exactly the given address spaces. */
    static AddressSpaceFilter of(Set<Long> asids) {
        Set<Long> copy = Set.copyOf(asids);
        return copy::contains;
    }
}
