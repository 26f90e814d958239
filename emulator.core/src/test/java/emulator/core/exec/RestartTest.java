package emulator.core.exec;

import static org.junit.jupiter.api.Assertions.*;

import emulator.core.exec.MachineConfig.BackendKind;
import emulator.core.mem.Prot;
import emulator.core.testing.Asm;
import emulator.core.testing.Rig;
import emulator.core.testing.TestKernel;
import org.junit.jupiter.api.Test;

/**
 * Compiled code leaves an instruction whose memory access misses the TLB to the execution loop
 * ({@link GuestException#RESTART}): the loop caches the page and runs on from that instruction, or runs
 * it alone in the interpreter (an access across pages, a write to a page holding code, a fault). A
 * program that does all of these from the middle of blocks and of a region must end exactly as under
 * the IR interpreter, which never restarts: registers, memory, its own rewritten code, the fault it
 * ends with (pc, instruction count, address).
 */
class RestartTest {
    static final long CODE = 0x1000, LOOP = 0x1100, BUILD = 0x1400, PATCH = 0x1800, TAIL = 0x1900;
    static final long DATA = 0x20000, DATA_PAGES = 64, HOLE = 0x70000;

    /** {@code iterations} of a loop over DATA (stride 1021: accesses across pages), a store into its own code, a read of HOLE. */
    static Asm program(int iterations) {
        byte[] patched = new Asm(0).loadi(8, 0x77).bytes(); // replaces the loadi r8, 0x11 at PATCH
        long patchWord = 0;
        for (int k = 7; k >= 0; k--) patchWord = (patchWord << 8) | (patched[k] & 0xFF);
        Asm a = new Asm(CODE)
                .loadi(2, DATA).loadi(0, iterations).loadi(6, PATCH).loadi(7, HOLE)
                .loadi(10, patchWord & 0xFFFFFFFFL).loadi(11, patchWord >>> 32)
                .loadi(15, LOOP).jmp(PATCH); // the instruction at PATCH is translated before it is rewritten
        a.pad(LOOP)
                .addi(5, 1)          // a register written before the block's accesses
                .ld(3, 2, 0).add(1, 3)
                .st(2, 8, 1)
                .ldb(4, 2, 4090).add(1, 4)
                .stb(2, 4093, 1)
                .ld(9, 2, 4093).add(1, 9) // across pages whenever r2 is not 4 bytes before a page's end
                .addi(2, 1021)
                .addi(0, -1)
                .jnz(0, LOOP)
                .jmp(BUILD);
        // Builds the patch word in r12 (low | high << 32), stores it over the instruction at PATCH, runs it.
        a.pad(BUILD).loadi(12, 0).add(12, 11);
        for (int k = 0; k < 32; k++) a.add(12, 12);
        a.add(12, 10).st(6, 0, 12).loadi(15, TAIL).jmp(PATCH);
        a.pad(PATCH).loadi(8, 0x11).add(13, 8).jr(15);
        a.pad(TAIL).addi(13, 3).ld(14, 7, 0).halt(); // faults at the ld, after the addi
        return a;
    }

    static Rig run(BackendKind kind, int iterations) {
        Rig r = new Rig(kind).load(program(iterations));
        r.space.map(DATA, DATA_PAGES << 12, Prot.RW);
        byte[] fill = new byte[(int) (DATA_PAGES << 12)];
        for (int k = 0; k < fill.length; k++) fill[k] = (byte) (k * 131 + (k >>> 9));
        r.space.poke(DATA, fill, 0, fill.length);
        r.run(CODE);
        return r;
    }

    @Test
    void missesFromBlocksAndARegionEndAsInTheInterpreter() {
        for (int iterations : new int[] {12, 240}) { // 240: the loop becomes a region after 200 runs
            Rig ref = run(BackendKind.INTERPRETED, iterations);
            Rig got = run(BackendKind.COMPILED, iterations);
            String what = iterations + " iterations: ";
            assertArrayEquals(ref.cpu.regs, got.cpu.regs, what + "registers");
            assertEquals(0x77, got.cpu.regs[8], what + "the rewritten instruction ran");
            assertEquals(0x11 + 0x77 + 3, got.cpu.regs[13], what + "the instruction ran before and after it was rewritten");
            for (long p = DATA; p < DATA + (DATA_PAGES << 12); p += 0x1000)
                assertEquals(dump(ref, p), dump(got, p), what + "page 0x" + Long.toHexString(p));
            assertEquals(dump(ref, PATCH & ~0xFFFL), dump(got, PATCH & ~0xFFFL), what + "the code page");
            assertEquals(ref.kernel.faults, got.kernel.faults, what + "the fault");
            assertEquals(1, got.kernel.faults.size());
            TestKernel.Fault f = got.kernel.faults.get(0);
            assertEquals(HOLE, f.address());
            assertEquals(TAIL + 8, f.pc(), what + "at the ld");
            assertTrue(got.cpu.restarts > got.cpu.restartSteps, what + "misses restarted: " + got.cpu.restarts);
            assertTrue(got.cpu.restartSteps > 0, what + "some ran alone: " + got.cpu.restartSteps);
            assertEquals(0, ref.cpu.restarts, what + "the interpreter never restarts");
        }
    }

    static String dump(Rig r, long page) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < 0x1000; k++) sb.append(String.format("%02x", r.space.readByte(page + k, false)));
        return sb.toString();
    }
}
