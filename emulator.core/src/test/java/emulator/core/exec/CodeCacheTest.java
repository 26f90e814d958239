package emulator.core.exec;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A block that leaves the cache must leave it invalid: the execution loop keeps blocks in its own
 * table and links ({@code Vcpu.recent}, {@link TranslatedBlock#successor}) and runs them as long as
 * they are valid, so a block dropped from the cache while still valid escapes every later flush and
 * code write. (It happened: a flush's clear() dropped a block put by a translation that had just
 * begun after that flush, so the next flush, which installed instrumentation, never reached it and
 * the vCPU ran without hooks for good — {@code SafePointTest} timed out waiting for callbacks, about
 * one run in three on a loaded machine.)
 */
class CodeCacheTest {
    static final int PAGES = 8;

    @Test
    void putsRacingFlushesLeaveEveryValidBlockInTheCacheAndTracked() throws Exception {
        CodeCache cache = new CodeCache(1 << 22);
        List<TranslatedBlock> made = new ArrayList<>();
        AtomicBoolean done = new AtomicBoolean();
        Thread flusher = new Thread(() -> {
            while (!done.get()) {
                cache.flush();
                java.util.concurrent.locks.LockSupport.parkNanos(10_000); // let puts take the lock between flushes
            }
        }, "flusher");
        flusher.start();
        try {
            for (int k = 0; k < 400_000; k++) {
                long pc = 0x10_0000L + 16L * k;
                TranslatedBlock b = new TranslatedBlock(pc, 0, null, new long[] {(k % PAGES) * 0x1000L}, null, null);
                assertTrue(cache.put(b));
                made.add(b);
            }
        } finally {
            done.set(true);
            flusher.join();
        }
        int escaped = 0;
        for (TranslatedBlock b : made) if (b.valid && cache.get(b.pc, b.mode) != b) escaped++;
        assertEquals(0, escaped, "valid blocks no longer in the cache");
        for (int p = 0; p < PAGES; p++) cache.invalidatePage(p * 0x1000L);
        int untracked = 0;
        for (TranslatedBlock b : made) if (b.valid) untracked++;
        assertEquals(0, untracked, "valid blocks a write to their page does not reach");
    }
}
