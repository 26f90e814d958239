package emulator.api.instrument;

/** Which memory accesses a {@link MemCallback} wants. */
public enum MemAccessKind {
    /** Loads only. */
    READ,
    /** Stores only. */
    WRITE,
    /** Loads and stores. */
    READ_WRITE;

    /** Whether an access that is a store ({@code write}) or a load is selected. */
    public boolean includes(boolean write) {
        return this == READ_WRITE || (this == WRITE) == write;
    }
}
