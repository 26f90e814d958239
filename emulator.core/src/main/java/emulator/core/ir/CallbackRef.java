package emulator.core.ir;

/**
 * A plugin callback inserted into a block: the callback object (an emulator.api interface), the
 * owner that gets blamed if it throws, whether it may change registers, and whether it reads them
 * (when it neither reads nor writes them, compiled code need not store registers before the call).
 */
public record CallbackRef(Object callback, Object owner, boolean writesRegs, boolean readsRegs) {
    /** A callback that reads registers, and writes them if {@code writesRegs}. */
    public CallbackRef(Object callback, Object owner, boolean writesRegs) { this(callback, owner, writesRegs, true); }
}
