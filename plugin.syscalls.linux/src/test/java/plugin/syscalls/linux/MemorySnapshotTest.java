package plugin.syscalls.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emulator.api.GuestMemory;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import plugin.syscalls.linux.decode.MemorySnapshot;

/** Guest memory copied at one instant: it answers as the live memory did, and counts what it was never asked to copy. */
class MemorySnapshotTest {
    /** Readable from 0x1000 to 0x2000, like a mapping between two unmapped pages. */
    final byte[] bytes = new byte[0x1000];
    final GuestMemory live = new GuestMemory() {
        public long asid() { return 1; }
        public boolean isReadable(long addr) { return addr >= 0x1000 && addr < 0x2000; }
        public int read(long addr, byte[] dst, int off, int len) {
            int n = 0;
            while (n < len && isReadable(addr + n)) { dst[off + n] = bytes[(int) (addr + n - 0x1000)]; n++; }
            return n;
        }
        public int write(long addr, byte[] src, int off, int len) { return 0; }
    };

    void poke(long addr, String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(b, 0, bytes, (int) (addr - 0x1000), b.length);
    }

    @Test
    void aCopiedRangeReadsAsTheLiveMemoryDidAndLaterChangesDoNotShow() {
        poke(0x1100, "abcdefgh");
        MemorySnapshot s = new MemorySnapshot(1);
        s.bytes(live, 0x1100, 8);
        poke(0x1100, "XXXXXXXX");
        byte[] b = new byte[8];
        assertEquals(8, s.read(0x1100, b, 0, 8));
        assertEquals("abcdefgh", new String(b, StandardCharsets.ISO_8859_1));
        assertEquals(OptionalLong.of(0x6665), s.readInt(0x1104, 2));
        assertEquals(0, s.misses());
        assertEquals(4, s.read(0x1104, b, 0, 8), "beyond what was copied: what there is…");
        assertEquals(1, s.misses(), "…and a miss, since more was readable: the capture plan copied too little");
        assertEquals(0, s.read(0x1800, b, 0, 1));
        assertEquals(2, s.misses(), "a range never copied");
    }

    @Test
    void theEndOfAMappingStaysUnreadableWithoutAMiss() {
        MemorySnapshot s = new MemorySnapshot(1);
        s.bytes(live, 0x1ffc, 16);
        s.bytes(live, 0x3000, 8); // unmapped
        byte[] b = new byte[16];
        assertEquals(4, s.read(0x1ffc, b, 0, 16), "the short count the live memory gives");
        assertEquals(OptionalLong.empty(), s.readInt(0x1ffe, 4));
        assertEquals(OptionalLong.empty(), s.readInt(0x3000, 8));
        assertEquals(0, s.misses());
    }

    @Test
    void aStringIsCopiedUpToItsNulAndReadsAsLongAsStringReadersLook() {
        poke(0x1200, "/etc/passwd\0garbage");
        poke(0x1ff0, "0123456789abcdef"); // runs into the unmapped page with no NUL
        MemorySnapshot s = new MemorySnapshot(1);
        s.cString(live, 0x1200, 4097);
        s.cString(live, 0x1ff0, 4097);
        s.cString(live, 0x5000, 4097);
        assertEquals(12 + 16, s.size(), "only up to the NUL, or to the unreadable byte");
        byte[] b = new byte[4097];
        assertEquals(12, s.read(0x1200, b, 0, 4097), "MemReader.cstring reads limit + 1 bytes and looks for the NUL");
        assertEquals(Optional.of("/etc/passwd"), s.readCString(0x1200, 4096));
        assertEquals(Optional.of("0123456789abcdef"), s.readCString(0x1ff0, 4096));
        assertEquals(Optional.empty(), s.readCString(0x5000, 4096));
        assertEquals(0, s.misses());
    }

    @Test
    void aPointerArrayIsCopiedThroughItsNull() {
        long[] words = {0x1111, 0x2222, 0};
        for (int i = 0; i < words.length; i++) for (int k = 0; k < 8; k++) bytes[0x300 + 8 * i + k] = (byte) (words[i] >>> (8 * k));
        MemorySnapshot s = new MemorySnapshot(1);
        s.pointerArray(live, 0x1300, 8, 100);
        assertEquals(24, s.size());
        assertEquals(OptionalLong.of(0x2222), s.capturedWord(0x1308, 8));
        assertEquals(OptionalLong.of(0), s.readInt(0x1310, 8));
        assertEquals(0, s.misses());
    }

    @Test
    void memoryThatCouldNotBeCopiedReadsAsUnreadableAndIsNoMiss() {
        MemorySnapshot s = MemorySnapshot.unavailable(1);
        assertEquals(0, s.read(0x1000, new byte[4], 0, 4));
        assertEquals(Optional.empty(), s.readCString(0x1000, 10));
        assertEquals(0, s.misses());
    }
}
