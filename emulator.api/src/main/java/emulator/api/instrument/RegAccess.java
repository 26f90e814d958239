package emulator.api.instrument;

/** What a callback does with registers; lets the engine skip reloading them after the call. */
public enum RegAccess {
    /**
     * Uses no registers but the pc it is passed (as QEMU's plugin callbacks by default): the engine
     * need not store the registers it keeps in host registers before the call, which makes it the
     * cheapest callback. Registers read through {@link emulator.api.Cpu} from it hold values of an
     * earlier point of the block; writes are not seen by the guest.
     */
    NONE,
    /** Reads registers (the default); writes it makes are not seen by the guest. */
    READ,
    /** Reads and writes registers; the guest continues with the values it wrote. */
    READ_WRITE
}
