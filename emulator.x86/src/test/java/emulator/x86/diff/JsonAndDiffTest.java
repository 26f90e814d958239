package emulator.x86.diff;

import static emulator.x86.diff.MachineState.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** JSON form, StateDiff and Assembler without the CPU oracle (except where stated). */
class JsonAndDiffTest {

    @Test
    void jsonRoundTripOfNativeResults() {
        for (int bits : new int[] {32, 64}) {
            try (NativeCpu cpu = new NativeCpu(bits)) {
                MachineState init = MachineState.initial(bits).set(RAX, 0x1234).setXmmDoubles(3, 1.5, -0.0);
                MachineState s = cpu.run(TestCase.asm(bits, "fldpi\nfld1\npush eax\nud2".replace("eax", bits == 64 ? "rax" : "eax"), init));
                assertNotNull(s.fault);
                String json = s.toJson();
                MachineState p = MachineState.fromJson(json);
                StateDiff.exact().assertSame(s, p, "JSON round trip");
                assertEquals(json, p.toJson());
                assertTrue(json.startsWith(bits == 64 ? "{\"arch\":\"x86_64\",\"regs\":{\"rax\":\"0x1234\""
                        : "{\"arch\":\"i386\",\"regs\":{\"eax\":\"0x1234\""), json);
                assertTrue(json.contains(bits == 64 ? "\"rip\":\"0x20000005\"" : "\"eip\":\"0x20000005\""), json);
                assertTrue(json.contains("\"fault\":{\"kind\":\"signal\",\"signal\":4,"), json);
                assertTrue(json.contains("\"st\":[\"0x3fff8000000000000000\",\"0x4000c90fdaa22168c235\""), json);
            }
        }
    }

    @Test
    void parsesHandWrittenEmulatorJson() {
        String json = """
                { "arch": "x86_64",
                  "regs": {"rax": "0x10", "rcx": "0xffffffffffffffff", "r15": "0x1", "rip": "0x20000003",
                           "rflags": "0x246", "fs_base": "0x0", "gs_base": "0x0"},
                  "xmm": ["0x000000000000000100000000000000ff", "0x0"],
                  "mxcsr": "0x1f80",
                  "x87": {"fcw": "0x37f", "fsw": "0x3800", "ftw": "0x80", "st": ["0x3fff8000000000000000"]},
                  "memory": [{"addr": "0x10000000", "hex": "00ff10"}],
                  "fault": {"signal": 11, "addr": "0xff0"} }
                """;
        MachineState s = MachineState.fromJson(json);
        assertEquals(64, s.bits);
        assertEquals(0x10, s.get(RAX));
        assertEquals(-1L, s.get("rcx"));
        assertEquals(1, s.get(R15));
        assertEquals(0x20000003L, s.rip);
        assertTrue(s.flag(ZF) && s.flag(PF));
        assertEquals(0xFF, s.xmm[0][0]);
        assertEquals(1, s.xmm[0][1]);
        assertEquals(7, s.top());
        assertEquals(1.0, s.st[0].toDouble());
        assertEquals((byte) 0xFF, s.readByte(0x10000001L));
        assertEquals(Fault.SIGSEGV, s.fault.signal());
        assertEquals(0xFF0, s.fault.addr());
        assertThrows(IllegalArgumentException.class, () -> MachineState.fromJson("{\"arch\":\"x86_64\""));
    }

    @Test
    void stateDiffReportsNamedDifferencesAndMasksFlags() {
        MachineState a = MachineState.initial(32).set(RAX, 0x10).setFlags(CF | AF);
        a.rip = 0x20000002L;
        MachineState b = a.copy();
        assertTrue(StateDiff.standard().diff(a, b).isEmpty());
        b.set(RAX, 0x11);
        b.rflags = 2 | CF;
        b.write(NativeCpu.DATA_BASE + 0x20, 2, 0xBEEF);
        b.st[1] = Float80.fromDouble(2.0); // empty slot: ignored by default
        b.setXmmFloats(7, 1, 0, 0, 0);
        List<String> d = StateDiff.standard().diff(a, b);
        assertEquals(List.of(
                "eax: expected 0x10 actual 0x11",
                "eflags: expected 0x13 [CF AF] actual 0x3 [CF] (differing: AF)",
                "xmm7: expected 0x00000000000000000000000000000000 actual 0x0000000000000000000000003f800000",
                "mem[0x10000020..0x10000021]: expected 0000 actual efbe"), d);
        List<String> d2 = StateDiff.standard().ignoreFlags(AF).ignoreGprs(RAX).withoutXmm().withoutMemory().diff(a, b);
        assertTrue(d2.isEmpty(), d2::toString);
        assertEquals(1, StateDiff.standard().withX87EmptySlots().withoutMemory().withoutXmm().ignoreGprs(RAX)
                .ignoreFlags(AF).diff(a, b).size());
        b.fault = Fault.signal(Fault.SIGSEGV, 0x8);
        assertTrue(StateDiff.standard().diff(a, b).contains("fault: expected none actual " + b.fault));
        AssertionError e = assertThrows(AssertionError.class, () -> StateDiff.standard().assertSame(a, b, "ctx"));
        assertTrue(e.getMessage().startsWith("ctx: 5 difference(s)"), e.getMessage());
    }

    @Test
    void float80FromDouble() {
        assertEquals(new Float80(0x3FFF, 0x8000_0000_0000_0000L), Float80.fromDouble(1.0));
        assertEquals(new Float80(0xC000, 0xC000_0000_0000_0000L), Float80.fromDouble(-3.0));
        assertEquals(Double.MIN_VALUE, Float80.fromDouble(Double.MIN_VALUE).toDouble());
        assertEquals(new Float80(0x3FFF - 1074, 0x8000_0000_0000_0000L), Float80.fromDouble(Double.MIN_VALUE));
        assertEquals(Float80.parseHex("0x4000c90fdaa22168c235"), new Float80(0x4000, 0xC90FDAA22168C235L));
    }

    @Test
    void assemblerBatchesAndPlacesCodeAtCodeBase() {
        List<String> src = new ArrayList<>();
        for (int i = 0; i < 50; i++) src.add("mov eax, " + (i * 1000 + 7));
        src.add("mov eax, foo\nfoo: jmp foo");
        List<byte[]> out = Assembler.assembleAll(32, src);
        assertEquals(51, out.size());
        assertArrayEquals(new byte[] {(byte) 0xB8, 7, 0, 0, 0}, out.get(0));
        assertArrayEquals(new byte[] {(byte) 0xB8, 0x6F, (byte) 0xBF, 0, 0}, out.get(49)); // 49007
        assertArrayEquals(new byte[] {(byte) 0xB8, 5, 0, 0, 0x20, (byte) 0xEB, (byte) 0xFE}, out.get(50));
        // duplicate global labels across snippets: falls back to one nasm run each
        List<byte[]> dup = Assembler.assembleAll(64, List.of("top: nop\njmp top", "top: jmp top"));
        assertArrayEquals(new byte[] {(byte) 0x90, (byte) 0xEB, (byte) 0xFD}, dup.get(0));
        assertArrayEquals(new byte[] {(byte) 0xEB, (byte) 0xFE}, dup.get(1));
        assertArrayEquals(new byte[] {0x48, 0x01, (byte) 0xD8}, Assembler.assemble(64, "add rax, rbx"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Assembler.assemble(64, "frobnicate eax"));
        assertTrue(e.getMessage().contains("frobnicate"), e.getMessage());
    }
}
