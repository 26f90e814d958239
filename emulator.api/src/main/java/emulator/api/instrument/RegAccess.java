package emulator.api.instrument;

/** What a callback does with registers; lets the engine skip reloading them after the call. */
public enum RegAccess {
    /** Reads registers (the default); writes it makes are not seen by the guest. */
    READ,
    /** Reads and writes registers; the guest continues with the values it wrote. */
    READ_WRITE
}
