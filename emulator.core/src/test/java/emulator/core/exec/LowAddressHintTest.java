package emulator.core.exec;

import static org.junit.jupiter.api.Assertions.*;

import emulator.core.exec.MachineConfig.BackendKind;
import emulator.core.mem.AddressSpace;
import emulator.core.mem.Prot;
import emulator.core.testing.Asm;
import emulator.core.testing.Rig;
import org.junit.jupiter.api.Test;

/**
 * The translator asks for the TLB's untagged entries (IrBlock.lowAddresses) only while the address
 * space has nothing mapped above 4 GiB: code that reaches both halves must keep the tagged lookups
 * (with both compiled into every access, C2 took seconds on our regions).
 */
class LowAddressHintTest {
    @Test
    void lowWhileNothingIsMappedAbove4GiB() {
        Rig r = new Rig(BackendKind.COMPILED).load(ExecutionLoopTest.countdown(10));
        assertTrue(r.machine.translator().translate(r.cpu, ExecutionLoopTest.CODE, 0).ir.lowAddresses, "all below 4 GiB");

        r.space.map(0xFFFF_F000L, 0x1000, Prot.RW);
        assertFalse(r.space.mappedAbove4GiB(), "a page ending at 4 GiB is below it");
        assertTrue(r.machine.translator().translate(r.cpu, ExecutionLoopTest.CODE, 0).ir.lowAddresses);

        r.space.map(0x1_0000_0000L, 0x1000, Prot.RW);
        assertTrue(r.space.mappedAbove4GiB());
        assertFalse(r.machine.translator().translate(r.cpu, ExecutionLoopTest.CODE, 0).ir.lowAddresses, "a page at 4 GiB");

        r.space.unmap(0x1_0000_0000L, 0x1000);
        assertTrue(r.space.mappedAbove4GiB(), "never cleared");
        AddressSpace child = r.space.copy();
        assertTrue(child.mappedAbove4GiB(), "a fork's copy keeps it");
    }

    /**
     * A loop translated and compiled while everything was below 4 GiB (untagged lookups) runs right
     * on data mapped above 4 GiB later (MemoryAccessTest covers every size, fault and page crossing).
     */
    @Test
    void codeTranslatedLowStillReachesHighPages() {
        long low = 0x8000, high = 0x7FFF_0000_0000L;
        // r2 = data; loop: r3 = [r2]; r1 += r3; [r2 + 8] = r1; r0 -= 1; jnz r0 loop; halt
        Asm a = new Asm(ExecutionLoopTest.CODE).jmp(ExecutionLoopTest.LOOP);
        a.pad(ExecutionLoopTest.LOOP).ld(3, 2, 0).add(1, 3).st(2, 8, 1).addi(0, -1).jnz(0, ExecutionLoopTest.LOOP).halt();
        Rig r = new Rig(BackendKind.COMPILED).load(a);
        sumHundredTimes(r, low, 5);
        long translated = r.machine.translator().blocksTranslated();
        sumHundredTimes(r, high, 7);
        assertEquals(translated, r.machine.translator().blocksTranslated(), "the blocks of the first run served the second");
    }

    /** Maps a page at {@code data} holding {@code value}, runs the loop 100 times over it and checks the sum, in r1 and stored at data + 8. */
    private static void sumHundredTimes(Rig r, long data, int value) {
        r.space.map(data, 0x1000, Prot.RW);
        r.space.poke(data, new byte[] {(byte) value}, 0, 1);
        r.cpu.regs[0] = 100; r.cpu.regs[1] = 0; r.cpu.regs[2] = data;
        r.run(ExecutionLoopTest.CODE);
        assertEquals(100 * value, r.cpu.regs[1]);
        assertEquals(100 * value, r.space.readByte(data + 8, false) + (r.space.readByte(data + 9, false) << 8));
    }
}
