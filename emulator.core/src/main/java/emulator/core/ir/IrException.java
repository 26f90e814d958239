package emulator.core.ir;

/** A malformed IR block: a bug in a front end or a pass, reported with the guest pc. */
public final class IrException extends RuntimeException {
    public IrException(String message) { super(message); }
}
