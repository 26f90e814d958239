package emulator.core.exec;

import static org.junit.jupiter.api.Assertions.*;

import emulator.core.backend.Backend;
import emulator.core.exec.MachineConfig.BackendKind;
import emulator.core.mem.Prot;
import emulator.core.testing.Asm;
import emulator.core.testing.Rig;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A region's entry guards (PageGuards.atRegionEntry): a loop of two members reads and writes at one
 * register plus constants, the register written before the loop and never in it, so one guard made
 * before the first member covers the accesses of every turn. Each layout of the data runs under the
 * compiling backends and the IR interpreter (which tests every access on its own); registers, pc,
 * instruction count, faults and the data pages must come out the same. The loop that moves its
 * pointer each turn must form no entry guard, and the one that does not must form one, so the cases
 * test what they are about.
 */
class RegionEntryGuardTest {
    static final long CODE = 0x10000, LOOP = 0x10100, BODY = 0x10200, NEXT = 0x10300, DATA = 0x40000, TOP = 0xFFFFF000L;
    /** Where the first 3,000 turns run (a pointer that moves walks on to 24 KB further). */
    static final long FIRST = 0x80000;

    /** Where the pointer starts and what is mapped around it. */
    enum Layout {
        /** In the middle of a writable page. */
        INSIDE(DATA + 0x100, Prot.READ | Prot.WRITE, Prot.READ | Prot.WRITE),
        /** 16 bytes before the page's end: the range crosses into the next page, also writable. */
        ACROSS(DATA + 0xFF0, Prot.READ | Prot.WRITE, Prot.READ | Prot.WRITE),
        /** The same with nothing mapped after the page: the read at +16 faults. */
        INTO_A_HOLE(DATA + 0xFF0, Prot.READ | Prot.WRITE, 0),
        /** 24 bytes before the page's end: only the last access, the store at +24, lies in the next page. */
        LAST_ACROSS(DATA + 0xFE8, Prot.READ | Prot.WRITE, Prot.READ | Prot.WRITE),
        /** The same with nothing mapped after the page: the store at +24 faults. */
        LAST_INTO_A_HOLE(DATA + 0xFE8, Prot.READ | Prot.WRITE, 0),
        /** The same with a read-only page after it. */
        LAST_INTO_READ_ONLY(DATA + 0xFE8, Prot.READ | Prot.WRITE, Prot.READ),
        /** A read-only page: the first store faults. */
        READ_ONLY(DATA + 0x100, Prot.READ, Prot.READ),
        /** The last page below 4 GiB: the read at +16 is at 4 GiB, which nothing maps. */
        AT_THE_TOP(TOP + 0xFF0, Prot.READ | Prot.WRITE, -1),
        /** There, only the store at +24 is at 4 GiB. */
        LAST_AT_THE_TOP(TOP + 0xFE8, Prot.READ | Prot.WRITE, -1);

        final long pointer;
        final int page, next;

        Layout(long pointer, int page, int next) { this.pointer = pointer; this.page = page; this.next = next; }
    }

    /**
     * 3,000 turns of: r1 = [r5] + 1, [r5] = r1, r4 += byte [r5+9] + {@code salt}; then r6 = [r5+16] + r1,
     * [r5+24] = r6 (and, when {@code moves}, r5 += 8: then no entry guard may form). The first 3,000
     * turns run at {@link #FIRST}, on a page of their own, so that the loop is a region; then a system
     * call points r5 at the layout's pointer for 3,000 turns more, which that region's next run must
     * take as they come (the kernel writes r5, the region does not). The salt makes each backend's
     * loop code of its own: compiled code is shared by identical IR within the JVM, so a second
     * backend would find the first one's region and compile none.
     */
    static Asm loop(boolean moves, int salt) {
        Asm a = new Asm(CODE).loadi(0, 3_000).loadi(5, FIRST).jmp(LOOP);
        a.pad(LOOP).ld(1, 5, 0).addi(1, 1).st(5, 0, 1).ldb(3, 5, 9).add(4, 3).addi(4, salt).jnz(0, BODY).jmp(NEXT);
        a.pad(BODY).ld(6, 5, 16).add(6, 1).st(5, 24, 6).addi(0, -1);
        if (moves) a.addi(5, 8);
        a.jmp(LOOP);
        return a.pad(NEXT).sys().jmp(LOOP);
    }

    record Outcome(long[] regs, long pc, long icount, Object faults, byte[] data) {
        @Override public boolean equals(Object o) {
            return o instanceof Outcome x && Arrays.equals(regs, x.regs) && pc == x.pc && icount == x.icount && faults.equals(x.faults)
                    && Arrays.equals(data, x.data);
        }
        @Override public int hashCode() { return Long.hashCode(icount); }
        @Override public String toString() { return "pc=" + Long.toHexString(pc) + " icount=" + icount + " regs=" + Arrays.toString(Arrays.copyOf(regs, 8)) + " faults=" + faults; }
    }

    static Outcome run(BackendKind k, Layout l, boolean moves, int salt) {
        Rig r = new Rig(k).load(loop(moves, salt));
        byte[] fill = new byte[0x8000];
        new java.util.SplittableRandom(5).nextBytes(fill);
        r.space.map(FIRST, 0x8000, Prot.READ | Prot.WRITE);
        r.space.poke(FIRST, fill, 0, 0x8000);
        long page = l.pointer & ~0xFFFL;
        r.space.map(page, 0x1000, Prot.READ | Prot.WRITE);
        r.space.poke(page, fill, 0, 0x1000);
        r.space.protect(page, 0x1000, l.page);
        if (l.next > 0) {
            r.space.map(page + 0x1000, 0x1000, Prot.READ | Prot.WRITE);
            r.space.poke(page + 0x1000, fill, 0x1000, 0x1000);
            r.space.protect(page + 0x1000, 0x1000, l.next);
        }
        int[] calls = {0};
        r.kernel.onSyscall = c -> {
            if (calls[0]++ > 0) { c.stop(); return; }
            c.regs[5] = l.pointer;
            c.regs[0] = 3_000;
        };
        r.run(CODE);
        byte[] data = new byte[0xA000];
        r.space.peek(FIRST, data, 0, 0x8000);
        r.space.peek(page, data, 0x8000, l.next > 0 ? 0x2000 : 0x1000);
        return new Outcome(r.cpu.regs.clone(), r.cpu.pc, r.cpu.icount, List.copyOf(r.kernel.faults), data);
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"TIERED", "COMPILED"})
    void sameAsTheInterpreterInEveryLayout(BackendKind k) {
        for (boolean moves : new boolean[] {false, true}) {
            for (Layout l : Layout.values()) {
                long guardsBefore = Backend.entryGuardsEmitted();
                Outcome want = run(BackendKind.INTERPRETED, l, moves, k.ordinal()), got = run(k, l, moves, k.ordinal());
                assertEquals(want, got, l + (moves ? ", the pointer moving" : ""));
                long guards = Backend.entryGuardsEmitted() - guardsBefore;
                if (moves) assertEquals(0, guards, l + ": a pointer the loop writes got an entry guard");
                else if (l == Layout.INSIDE) assertTrue(guards > 0, "the loop formed a region with an entry guard");
            }
        }
    }
}
