package plugin.instructions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emulator.api.Cpu;
import emulator.api.GuestMemory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceLogTest {
    @TempDir Path dir;

    @Test
    void lineFormat() {
        byte[] line = TraceLog.encode(0x401000, 3, new byte[] {0x48, (byte) 0x83, (byte) 0xec, 0x08}, "sub rsp, 0x8");
        assertEquals("0x401000 3 4883ec08 sub rsp, 0x8", new String(line, StandardCharsets.UTF_8));
    }

    @Test
    void everyKthAndFirstNThenTheLimitCallbackOnce() throws Exception {
        AtomicInteger limit = new AtomicInteger();
        try (TraceLog log = new TraceLog(dir, false, 3, 2, limit::incrementAndGet)) {
            for (int i = 1; i <= 20; i++) log.executed(null, ("i" + i).getBytes(StandardCharsets.US_ASCII));
            assertTrue(log.limitReached());
        }
        assertEquals(List.of("# pc asid bytes disassembly", "i2", "i4", "i6"), Files.readAllLines(dir.resolve(TraceLog.FILE)));
        assertEquals(1, limit.get());
    }

    @Test
    void registersAreTheGeneralOnesAndTheFlags() throws Exception {
        try (TraceLog log = new TraceLog(dir, true, 0, 1, () -> {})) {
            log.executed(new FakeCpu(), "x".getBytes(StandardCharsets.US_ASCII));
        }
        assertEquals("x | eax=0x1 ecx=0x2 edx=0x3 ebx=0x4 esp=0x5 ebp=0x6 esi=0x7 edi=0x8 eflags=0x202",
                Files.readAllLines(dir.resolve(TraceLog.FILE)).get(1));
    }

    @Test
    void nothingIsWrittenAfterClose() throws Exception {
        TraceLog log = new TraceLog(dir, false, 0, 1, () -> {});
        log.executed(null, "a".getBytes(StandardCharsets.US_ASCII));
        log.close();
        log.executed(null, "b".getBytes(StandardCharsets.US_ASCII));
        assertEquals(List.of("# pc asid bytes disassembly", "a"), Files.readAllLines(dir.resolve(TraceLog.FILE)));
    }

    @Test
    void ranges() {
        AddressRanges r = AddressRanges.parse(new String[] {"0x1000-0x2000", "ffff0000-0xffff0010"});
        assertTrue(r.includes(0x1000));
        assertTrue(r.includes(0x1fff));
        assertFalse(r.includes(0x2000));
        assertTrue(r.includes(0xffff000fL));
        assertTrue(AddressRanges.parse(new String[0]).includes(42));
        assertEquals("ranges: '0x2000-0x1000' ends before it starts",
                assertThrows(IllegalArgumentException.class, () -> AddressRanges.parse(new String[] {"0x2000-0x1000"})).getMessage());
        assertEquals("ranges: '0x1000-zz': 'zz' is not a hex address",
                assertThrows(IllegalArgumentException.class, () -> AddressRanges.parse(new String[] {"0x1000-zz"})).getMessage());
        assertEquals("ranges: '0x1000' is not START-END (hex)",
                assertThrows(IllegalArgumentException.class, () -> AddressRanges.parse(new String[] {"0x1000"})).getMessage());
    }

    /** An i386 vCPU as the engine names its registers: full-width first, then sub-registers, then flags. */
    private static final class FakeCpu implements Cpu {
        private static final List<String> NAMES = List.of("eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
                "ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "al", "eflags", "fs_base");

        public int index() { return 0; }
        public String arch() { return "i386"; }
        public long pc() { return 0; }
        public long reg(String name) { return name.equals("eflags") ? 0x202 : NAMES.indexOf(name) + 1; }
        public void setReg(String name, long value) {}
        public List<String> registerNames() { return NAMES; }
        public long asid() { return 1; }
        public int privilege() { return 0; }
        public long icount() { return 0; }
        public GuestMemory memory() { return null; }
    }
}
