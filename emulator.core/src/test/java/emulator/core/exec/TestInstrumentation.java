package emulator.core.exec;

import emulator.core.spi.BlockEditor;
import emulator.core.spi.Instrumentation;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** An instrumentation engine for tests: a hook per block, and a record of failed callbacks. */
final class TestInstrumentation implements Instrumentation {
    final Consumer<BlockEditor> hook;
    final List<Object> failedOwners = new CopyOnWriteArrayList<>();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();

    TestInstrumentation(Consumer<BlockEditor> hook) { this.hook = hook; }

    @Override public void instrument(BlockEditor block) { hook.accept(block); }
    @Override public CpuEvents events() { return CpuEvents.NONE; }
    @Override public void callbackFailed(Object owner, Throwable error) { failedOwners.add(owner); failures.add(error); }
}
