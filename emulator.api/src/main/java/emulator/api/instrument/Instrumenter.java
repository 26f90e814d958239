package emulator.api.instrument;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Registers callbacks for one block during {@link TranslationHook#onTranslate}. Only valid during
 * that call. Callbacks receive a {@link emulator.api.Cpu} view whose registers are up to date.
 */
@ProviderType
public interface Instrumenter {
    /** Calls {@code cb} each time the block starts executing. */
    void beforeBlock(BlockCallback cb);

    /** Calls {@code cb} before {@code insn} executes; registers are read-only for it. */
    default void beforeInsn(InsnInfo insn, InsnCallback cb) {
        beforeInsn(insn, cb, RegAccess.READ);
    }

    /** Calls {@code cb} before {@code insn} executes, with the given register access. */
    void beforeInsn(InsnInfo insn, InsnCallback cb, RegAccess access);

    /**
     * Calls {@code cb} after {@code insn} completes and falls through or branches; not called when
     * the instruction faults. The pc passed (and {@link emulator.api.Cpu#pc()}) is the instruction's
     * own address.
     */
    void afterInsn(InsnInfo insn, InsnCallback cb);

    /** Calls {@code cb} after each memory access {@code insn} makes, for the kinds selected. */
    void onMemory(InsnInfo insn, MemAccessKind kinds, MemCallback cb);

    /** Adds the block's instruction count to {@code counter} each time the block completes, with no call. */
    void countBlock(InlineCounter counter);

    /** Adds 1 to {@code counter} each time {@code insn} is reached, with no call. */
    void countInsn(InsnInfo insn, InlineCounter counter);
}
