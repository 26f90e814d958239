package emulator.core.ir;

/**
 * A plugin callback inserted into a block: the callback object (an emulator.api interface), the
 * owner that gets blamed if it throws, and whether it may change registers.
 */
public record CallbackRef(Object callback, Object owner, boolean writesRegs) {}
