package emulator.core.exec;

import static org.junit.jupiter.api.Assertions.*;

import emulator.api.instrument.BlockCallback;
import emulator.api.instrument.InlineCounter;
import emulator.api.instrument.InsnCallback;
import emulator.api.instrument.MemCallback;
import emulator.core.exec.MachineConfig.BackendKind;
import emulator.core.ir.CallbackRef;
import emulator.core.spi.BlockEditor;
import emulator.core.mem.Prot;
import emulator.core.testing.Asm;
import emulator.core.testing.Rig;
import emulator.core.testing.TestKernel;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * Compiled code leaves an instruction whose memory access misses its fast path to the execution loop
 * ({@link GuestException#RESTART}), which runs it alone in the interpreter (an access across pages, a
 * write to a page holding code, a fault). A
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

    static Rig run(BackendKind kind, int iterations) { return run(kind, iterations, null); }

    static Rig run(BackendKind kind, int iterations, java.util.function.Consumer<BlockEditor> instrument) {
        Rig r = new Rig(kind).load(program(iterations));
        if (instrument != null) r.machine.setInstrumentation(new TestInstrumentation(instrument));
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
            assertTrue(got.cpu.restarts > 0, what + "some accesses left to the loop: " + got.cpu.restarts);
            assertEquals(0, ref.cpu.restarts, what + "the interpreter never restarts");
        }
    }

    /**
     * Counts of every instruction (and nothing else) leave restarts on: an instruction's count waits
     * past its restartable accesses, so one left to a restart counts once, when it runs again,
     * whether in compiled code or alone in the interpreter. The counts must equal the interpreter's,
     * which never restarts, with the program ending as there.
     */
    @Test
    void countsOfEveryInstructionStayExactAcrossRestarts() {
        for (int iterations : new int[] {12, 240}) {
            InlineCounter refCount = new InlineCounter(), gotCount = new InlineCounter();
            Rig ref = run(BackendKind.INTERPRETED, iterations, ed -> ed.insns().forEach(i -> ed.countInsn(i.index(), refCount)));
            Rig got = run(BackendKind.COMPILED, iterations, ed -> ed.insns().forEach(i -> ed.countInsn(i.index(), gotCount)));
            String what = iterations + " iterations: ";
            assertArrayEquals(ref.cpu.regs, got.cpu.regs, what + "registers");
            assertEquals(ref.kernel.faults, got.kernel.faults, what + "the fault");
            // every instruction that completed, and the faulting ld, which counts as it starts
            assertEquals(ref.cpu.icount + 1, refCount.sum(), what + "the interpreter's count");
            assertEquals(refCount.sum(), gotCount.sum(), what + "instructions counted");
            assertTrue(got.cpu.restarts > 0, what + "some accesses left to the loop: " + got.cpu.restarts);
        }
    }

    /**
     * Instrumentation of the block as a whole (a count as it starts, a count at its exit, a callback
     * before it) or callbacks turn restarts off in its code: a restart from the middle of a block
     * would start a block there (counted or called again) and never reach the first one's exit. No
     * restart happens, and the counts and calls are the interpreter's.
     */
    @Test
    void blockInstrumentationAndCallbacksTurnRestartsOff() {
        List<BiConsumer<BlockEditor, Hooked>> kinds = List.of(
                (ed, h) -> ed.countBlockEntry(h.counter),
                (ed, h) -> ed.countBlock(h.counter),
                (ed, h) -> ed.beforeBlock(h.blockCallback()),
                (ed, h) -> ed.insns().forEach(i -> ed.onMemory(i.index(), h.memCallback(), emulator.api.instrument.MemAccessKind.READ_WRITE)));
        for (int kind = 0; kind < kinds.size(); kind++) {
            for (int iterations : new int[] {12, 240}) {
                Hooked ref = new Hooked(), got = new Hooked();
                var hook = kinds.get(kind);
                Rig r = run(BackendKind.INTERPRETED, iterations, ed -> hook.accept(ed, ref));
                Rig g = run(BackendKind.COMPILED, iterations, ed -> hook.accept(ed, got));
                String what = "hook " + kind + ", " + iterations + " iterations: ";
                assertArrayEquals(r.cpu.regs, g.cpu.regs, what + "registers");
                assertEquals(r.kernel.faults, g.kernel.faults, what + "the fault");
                assertTrue(ref.counter.sum() + ref.calls[0] > iterations, what + "the hook ran: " + ref.counter.sum() + " + " + ref.calls[0]);
                assertEquals(ref.counter.sum(), got.counter.sum(), what + "counted");
                assertEquals(ref.calls[0], got.calls[0], what + "callbacks");
                assertEquals(0, g.cpu.restarts, what + "restarts");
            }
        }
    }

    /** A counter and a callback that counts its calls, for one run. */
    static final class Hooked {
        final InlineCounter counter = new InlineCounter();
        final long[] calls = {0};

        CallbackRef blockCallback() {
            BlockCallback cb = (cpu, pc, insns) -> calls[0]++;
            return new CallbackRef(cb, "t", false, false);
        }

        CallbackRef memCallback() {
            MemCallback cb = (cpu, pc, address, size, value, write) -> calls[0]++;
            return new CallbackRef(cb, "t", false, false);
        }
    }

    static String dump(Rig r, long page) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < 0x1000; k++) sb.append(String.format("%02x", r.space.readByte(page + k, false)));
        return sb.toString();
    }
}
