package emulator.core.backend;

import static org.junit.jupiter.api.Assertions.*;

import emulator.core.exec.CompiledBlock;
import emulator.core.exec.GuestException;
import emulator.core.exec.MachineConfig.BackendKind;
import emulator.core.exec.Vcpu;
import emulator.core.ir.IrBuilder;
import emulator.core.ir.Type;
import emulator.core.mem.Prot;
import emulator.core.testing.Rig;
import emulator.core.testing.ToyTarget;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * LOAD/STORE of every size and signedness, page-crossing, and faults, on both backends; compiled
 * code both as 64-bit code and as 32-bit code (the flat fast paths below 4 GiB,
 * {@link emulator.core.mem.MemOps}' Low and R methods). Here, below 4 GiB, every path reaches flat
 * memory ({@link emulator.core.mem.FlatMemoryTest} covers the paged memory of other JVMs).
 */
class MemoryAccessTest {
    static final long PC = 0x1000, NEXT = 0x2000;
    static final long RAM = 0x10000;         // two RW pages: 0x10000..0x12000
    static final long RO = 0x12000;          // read-only, right after RAM
    static final long HOLE = 0x13000;        // unmapped
    static final long NONE = 0x14000;        // mapped, no access
    static final long WO = 0x15000;          // write-only
    static final long RAM2 = 0x16000;        // RW
    static final long HOLE2 = 0x17000;       // unmapped
    static final int[] SIZES = {1, 2, 4, 8};

    Rig rig(BackendKind k, byte[] ram) {
        Rig r = new Rig(k);
        r.space.map(RAM, 0x2000, Prot.RW);
        r.space.map(NONE, 0x1000, 0);
        r.space.map(RO, 0x1000, Prot.READ);
        r.space.map(WO, 0x1000, Prot.WRITE);
        r.space.map(RAM2, 0x1000, Prot.RW);
        r.space.poke(RAM, ram, 0, ram.length);
        r.space.poke(RO, ram, 0, 0x1000);
        return r;
    }

    static long le(byte[] mem, int off, int size) {
        long v = 0;
        for (int k = size - 1; k >= 0; k--) v = (v << 8) | (mem[off + k] & 0xFF);
        return v;
    }

    /** insn 0 sets r5; insn 1 loads from [r0] into r2. */
    static CompiledBlock loadBlock(BackendKind k, boolean low, Type t, int size, boolean signed) {
        IrBuilder ir = new IrBuilder(PC, ToyTarget.SLOTS);
        ir.setLowAddresses(low);
        ir.beginInsn(PC);
        ir.setReg(5, ir.c64(0x55));
        ir.beginInsn(PC + 8);
        ir.setReg(2, ir.load(t, ir.getReg(0, Type.I64), size, signed));
        ir.exit(NEXT);
        return Rig.prepare(ir.finish(), k);
    }

    static CompiledBlock storeBlock(BackendKind k, boolean low, Type t, int size) {
        IrBuilder ir = new IrBuilder(PC, ToyTarget.SLOTS);
        ir.setLowAddresses(low);
        ir.beginInsn(PC);
        ir.setReg(5, ir.c64(0x55));
        ir.beginInsn(PC + 8);
        ir.store(ir.getReg(0, Type.I64), ir.getReg(1, t), size);
        ir.setReg(6, ir.c64(0x66));
        ir.exit(NEXT);
        return Rig.prepare(ir.finish(), k);
    }

    @ParameterizedTest
    @CsvSource({"INTERPRETED,false", "COMPILED,false", "COMPILED,true"})
    void loads(BackendKind k, boolean low) {
        byte[] ram = new byte[0x2000];
        new SplittableRandom(1).nextBytes(ram);
        Rig r = rig(k, ram);
        Vcpu cpu = r.cpu;
        SplittableRandom rnd = new SplittableRandom(2);
        for (Type t : Type.values()) for (int size : SIZES) for (boolean signed : new boolean[] {false, true}) {
            if (size * 8 > t.bits) continue;
            CompiledBlock code = loadBlock(k, low, t, size, signed);
            for (int n = 0; n < 600; n++) {
                int off = n < 40 ? 0x1000 - 20 + n : rnd.nextInt(0x2000 - size + 1); // first ones around the page boundary
                if (off > 0x2000 - size) continue;
                cpu.regs[0] = RAM + off;
                code.exec(cpu);
                long want = Ref.ext(signed, 64, t.bits, size * 8, le(ram, off, size));
                assertEquals(want, cpu.regs[2], "load" + size + (signed ? "s " : "u ") + t + " at +0x" + Integer.toHexString(off));
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"INTERPRETED,false", "COMPILED,false", "COMPILED,true"})
    void stores(BackendKind k, boolean low) {
        byte[] ram = new byte[0x2000];
        new SplittableRandom(3).nextBytes(ram);
        Rig r = rig(k, ram);
        Vcpu cpu = r.cpu;
        SplittableRandom rnd = new SplittableRandom(4);
        for (Type t : Type.values()) for (int size : SIZES) {
            if (size * 8 > t.bits) continue;
            CompiledBlock code = storeBlock(k, low, t, size);
            CompiledBlock load = loadBlock(k, low, Type.I64, size, false);
            for (int n = 0; n < 600; n++) {
                int off = n < 40 ? 0x1000 - 20 + n : rnd.nextInt(0x2000 - size + 1);
                if (off > 0x2000 - size) continue;
                long v = rnd.nextLong();
                cpu.regs[0] = RAM + off; cpu.regs[1] = v;
                code.exec(cpu);
                for (int b = 0; b < size; b++) ram[off + b] = (byte) (v >>> (8 * b));
                byte[] now = new byte[0x2000];
                r.space.peek(RAM, now, 0, now.length);
                assertArrayEquals(ram, now, "store" + size + " " + t + " at +0x" + Integer.toHexString(off));
                load.exec(cpu);
                assertEquals(size == 8 ? v : v & ((1L << (8 * size)) - 1), cpu.regs[2], "read back");
            }
        }
    }

    void expectFault(Vcpu cpu, CompiledBlock code, long addr, long wantAddr, int access, String what) {
        cpu.regs[0] = addr; cpu.regs[2] = 0xDEAD; cpu.regs[5] = 0; cpu.regs[6] = 0; cpu.icount = 1000; cpu.pc = 0;
        GuestException e = assertThrows(GuestException.class, () -> code.exec(cpu), what);
        assertEquals(GuestException.Kind.PAGE_FAULT, e.kind, what);
        assertEquals(wantAddr, e.address, what + ": fault address");
        assertEquals(access, e.access, what + ": access kind");
        assertEquals(PC + 8, cpu.pc, what + ": pc of the faulting instruction");
        assertEquals(1001, cpu.icount, what + ": icount");
        assertEquals(0x55, cpu.regs[5], what + ": state of the earlier instruction");
        assertEquals(0xDEAD, cpu.regs[2], what + ": destination untouched");
        assertEquals(0, cpu.regs[6], what + ": later state untouched");
    }

    @ParameterizedTest
    @CsvSource({"INTERPRETED,false", "COMPILED,false", "COMPILED,true"})
    void loadFaults(BackendKind k, boolean low) {
        Rig r = rig(k, new byte[0x2000]);
        for (int size : SIZES) for (boolean signed : new boolean[] {false, true}) {
            CompiledBlock code = loadBlock(k, low, Type.I64, size, signed);
            String s = "load" + size;
            expectFault(r.cpu, code, HOLE + 8, HOLE + 8, 0, s + " unmapped");
            expectFault(r.cpu, code, NONE + 0x10, NONE + 0x10, 0, s + " no access");
            expectFault(r.cpu, code, WO + 0x20, WO + 0x20, 0, s + " write-only");
            if (size > 1) expectFault(r.cpu, code, HOLE - 1, HOLE, 0, s + " crossing into an unmapped page");
            if (size > 1) expectFault(r.cpu, code, NONE - 1, NONE - 1, 0, s + " crossing out of an unmapped page");
            // a TLB hit first, then the fault: run a good load before a bad one
            r.cpu.regs[0] = RAM + 8;
            code.exec(r.cpu);
            expectFault(r.cpu, code, HOLE + 16, HOLE + 16, 0, s + " after a TLB fill");
        }
    }

    @ParameterizedTest
    @CsvSource({"INTERPRETED,false", "COMPILED,false", "COMPILED,true"})
    void storeFaults(BackendKind k, boolean low) {
        byte[] ram = new byte[0x2000];
        new SplittableRandom(5).nextBytes(ram);
        Rig r = rig(k, ram);
        for (int size : SIZES) {
            CompiledBlock code = storeBlock(k, low, Type.I64, size);
            String s = "store" + size;
            r.cpu.regs[1] = -1;
            expectFault(r.cpu, code, HOLE + 8, HOLE + 8, 1, s + " unmapped");
            expectFault(r.cpu, code, NONE + 8, NONE + 8, 1, s + " no access");
            expectFault(r.cpu, code, RO + 8, RO + 8, 1, s + " read-only");
            if (size > 1) {
                expectFault(r.cpu, code, HOLE2 - 1, HOLE2, 1, s + " crossing into an unmapped page");
                expectFault(r.cpu, code, RO - 1, RO, 1, s + " crossing into a read-only page");
                expectFault(r.cpu, code, HOLE - 1, HOLE - 1, 1, s + " crossing from a read-only page");
            }
            byte[] now = new byte[0x2000];
            r.space.peek(RAM, now, 0, now.length);
            assertArrayEquals(ram, now, s + ": a faulting store writes nothing");
            byte[] ro = new byte[0x1000];
            r.space.peek(RO, ro, 0, ro.length);
            assertArrayEquals(java.util.Arrays.copyOf(ram, 0x1000), ro, s + ": read-only page unchanged");
        }
    }

    /** A store to a write-only page must not make the page readable through the TLB. */
    @ParameterizedTest
    @CsvSource({"INTERPRETED,false", "COMPILED,false", "COMPILED,true"})
    void writeOnlyPageStaysUnreadable(BackendKind k, boolean low) {
        Rig r = rig(k, new byte[0x2000]);
        CompiledBlock st = storeBlock(k, low, Type.I64, 8);
        r.cpu.regs[0] = WO + 0x40; r.cpu.regs[1] = 42;
        st.exec(r.cpu);
        expectFault(r.cpu, loadBlock(k, low, Type.I64, 8, false), WO + 0x40, WO + 0x40, 0, "load after store to a write-only page");
    }

    // ---- the untagged entries of 32-bit code follow every change of the address space

    /** Fills the untagged entries, changes the mapping, and checks the next access sees the change. */
    @Test
    void lowEntriesFollowProtectAndUnmap() {
        Rig r = rig(BackendKind.COMPILED, new byte[0x2000]);
        CompiledBlock ld = loadBlock(BackendKind.COMPILED, true, Type.I64, 4, false);
        CompiledBlock st = storeBlock(BackendKind.COMPILED, true, Type.I64, 4);
        r.cpu.regs[0] = RAM + 0x10; r.cpu.regs[1] = 7;
        st.exec(r.cpu);
        ld.exec(r.cpu);
        assertEquals(7, r.cpu.regs[2]);
        r.space.protect(RAM, 0x1000, Prot.READ);
        r.cpu.tlb.sync(r.space);
        expectFault(r.cpu, st, RAM + 0x10, RAM + 0x10, 1, "store after mprotect to read-only");
        r.cpu.regs[0] = RAM + 0x10;
        ld.exec(r.cpu);
        assertEquals(7, r.cpu.regs[2], "still readable");
        r.space.unmap(RAM, 0x1000);
        r.cpu.tlb.sync(r.space);
        expectFault(r.cpu, ld, RAM + 0x10, RAM + 0x10, 0, "load after munmap");
        r.space.map(RAM, 0x1000, Prot.RW);
        r.cpu.tlb.sync(r.space);
        r.cpu.regs[0] = RAM + 0x10;
        ld.exec(r.cpu);
        assertEquals(0, r.cpu.regs[2], "a new mapping reads as zeros, not the old page's bytes");
    }

    /** More pages cached than a flush's fill log holds: the flush must clear all of them. */
    @Test
    void lowEntriesFlushedPastTheFillLog() {
        Rig r = new Rig(BackendKind.COMPILED);
        long base = 0x4000_0000L;
        int pages = 5000;
        r.space.map(base, (long) pages << 12, Prot.RW);
        CompiledBlock ld = loadBlock(BackendKind.COMPILED, true, Type.I64, 8, false);
        CompiledBlock st = storeBlock(BackendKind.COMPILED, true, Type.I64, 8);
        for (int p = 0; p < pages; p++) {
            r.cpu.regs[0] = base + ((long) p << 12) + 8; r.cpu.regs[1] = p + 1;
            st.exec(r.cpu);
        }
        r.space.unmap(base, (long) pages << 12);
        r.cpu.tlb.sync(r.space);
        for (int p : new int[] {0, 1, 4095, 4096, 4097, pages - 1}) {
            long a = base + ((long) p << 12) + 8;
            expectFault(r.cpu, ld, a, a, 0, "load from unmapped page " + p);
            r.cpu.regs[1] = 1;
            expectFault(r.cpu, st, a, a, 1, "store to unmapped page " + p);
        }
    }

    /** A write entry must not outlive the page becoming code: the write must reach the slow path. */
    @Test
    void lowWriteEntryDroppedWhenThePageBecomesCode() {
        Rig r = rig(BackendKind.COMPILED, new byte[0x2000]);
        java.util.List<Long> changed = new java.util.ArrayList<>();
        r.space.setCodeWriteListener(changed::add);
        CompiledBlock st = storeBlock(BackendKind.COMPILED, true, Type.I64, 4);
        r.cpu.regs[0] = RAM + 0x100; r.cpu.regs[1] = 1;
        st.exec(r.cpu);
        r.space.markCode(RAM);            // as the translator does for a page it translates from
        r.cpu.tlb.invalidatePage(RAM);
        r.cpu.regs[0] = RAM + 0x104; r.cpu.regs[1] = 2;
        st.exec(r.cpu);
        assertEquals(java.util.List.of(RAM), changed, "the write to a code page was seen");
    }

    /** 32-bit code that still forms an address above 4 GiB (a base plus an offset) is served by the tagged entries. */
    @Test
    void addressAbove4GiBIn32BitCode() {
        Rig r = new Rig(BackendKind.COMPILED);
        long high = 0x1_0000_0000L;
        r.space.map(high - 0x1000, 0x2000, Prot.RW);
        byte[] b = new byte[0x2000];
        new SplittableRandom(6).nextBytes(b);
        r.space.poke(high - 0x1000, b, 0, b.length);
        CompiledBlock ld = loadBlock(BackendKind.COMPILED, true, Type.I64, 8, false);
        for (long a : new long[] {high - 8, high - 4, high, high + 0x10, high - 0x1000}) {
            r.cpu.regs[0] = a;
            ld.exec(r.cpu);
            assertEquals(le(b, (int) (a - (high - 0x1000)), 8), r.cpu.regs[2], "load8 at 0x" + Long.toHexString(a));
        }
    }
}
