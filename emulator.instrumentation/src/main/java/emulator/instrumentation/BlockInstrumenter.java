package emulator.instrumentation;

import emulator.api.instrument.BlockCallback;
import emulator.api.instrument.InlineCounter;
import emulator.api.instrument.InsnCallback;
import emulator.api.instrument.InsnInfo;
import emulator.api.instrument.Instrumenter;
import emulator.api.instrument.MemAccessKind;
import emulator.api.instrument.MemCallback;
import emulator.api.instrument.RegAccess;
import emulator.core.ir.CallbackRef;
import emulator.core.spi.BlockEditor;

/**
 * The {@link Instrumenter} a hook gets for one block: forwards to the core's {@link BlockEditor},
 * tagging every callback with its plugin (so a throw is blamed on it) and counting calls inline.
 */
final class BlockInstrumenter implements Instrumenter {
    private final BlockEditor ed;
    private final Plugin plugin;

    BlockInstrumenter(BlockEditor ed, Plugin plugin) {
        this.ed = ed;
        this.plugin = plugin;
    }

    private CallbackRef ref(Object cb, boolean writes) { return ref(cb, writes, true); }

    private CallbackRef ref(Object cb, boolean writes, boolean reads) {
        if (cb == null) throw new IllegalArgumentException("callback is null");
        plugin.callbacksRegistered++;
        return new CallbackRef(cb, plugin, writes, reads);
    }

    @Override public void beforeBlock(BlockCallback cb) {
        ed.beforeBlock(ref(cb, false));
        ed.countBlockEntry(plugin.calls);
    }

    @Override public void beforeInsn(InsnInfo insn, InsnCallback cb, RegAccess access) {
        ed.beforeInsn(insn.index(), ref(cb, access == RegAccess.READ_WRITE, access != RegAccess.NONE));
        ed.countInsn(insn.index(), plugin.calls);
    }

    @Override public void afterInsn(InsnInfo insn, InsnCallback cb) {
        ed.afterInsn(insn.index(), ref(cb, false));
        ed.countInsn(insn.index(), plugin.calls);
    }

    @Override public void onMemory(InsnInfo insn, MemAccessKind kinds, MemCallback cb) {
        ed.onMemory(insn.index(), ref(cb, false), kinds);
    }

    @Override public void countBlock(InlineCounter counter) { ed.countBlock(counter); }

    @Override public void countInsn(InsnInfo insn, InlineCounter counter) { ed.countInsn(insn.index(), counter); }
}
