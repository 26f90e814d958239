package emulator.core.mem;

import static org.junit.jupiter.api.Assertions.*;

import emulator.core.exec.GuestException;
import emulator.core.exec.MachineConfig.BackendKind;
import emulator.core.exec.Vcpu;
import emulator.core.testing.Rig;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Guest memory below 4 GiB in {@link FlatMemory}: the address space's rules hold for accesses through
 * the flat fast paths ({@link MemOps}' Low methods, what compiled 32-bit code calls) as they do for
 * the paged memory a JVM without native access gets, and the host memory goes back.
 * ({@link emulator.core.backend.MemoryAccessTest} covers sizes, signedness, page crossings and faults
 * of every access kind; the x86 suites compare whole instructions with the host CPU.)
 */
class FlatMemoryTest {
    static final long A = 0x40000;

    @Test
    void usedUnderTheSettingsAbiscopeRunsWith() {
        assertTrue(FlatMemory.AVAILABLE, "surefire's argLine must pass --enable-native-access=ALL-UNNAMED, as ./abiscope does");
        assertTrue(MemOps.FLAT);
        assertTrue(new AddressSpace(1 << 20).isFlat());
    }

    /**
     * The scenario holds in flat memory here; a JVM without native access falls back to paged
     * memory with one line on stderr that says what it lacks (no restricted-method warning), and
     * reads the same.
     */
    @Test
    void pagedWithoutNativeAccess() throws Exception {
        String flat = scenario();
        assertTrue(flat.endsWith(" ok"), flat);
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(java, "--sun-misc-unsafe-memory-access=allow", "-cp", System.getProperty("java.class.path"),
                FlatMemoryTest.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertEquals(0, p.waitFor(), out);
        assertEquals("abiscope: flat guest memory is off, it needs native access for mmap (--enable-native-access=ALL-UNNAMED);"
                + " guest memory runs on the slower paged memory\nflat=false " + flat, out, "the child's stdout and stderr");
    }

    /** The child JVM of {@link #pagedWithoutNativeAccess}. */
    public static void main(String[] args) {
        System.out.println("flat=" + new AddressSpace(1 << 20).isFlat() + " " + scenario());
    }

    /**
     * Maps, writes, protects, remaps, marks code and forks, checking each rule through the flat fast
     * paths; returns a digest of what was read, ending in "ok", or the first broken rule.
     */
    static String scenario() {
        Rig r = new Rig(BackendKind.INTERPRETED);
        AddressSpace s = r.space;
        Vcpu c = r.cpu;
        long base = MemOps.base(c);
        StringBuilder digest = new StringBuilder();
        s.map(A, 0x3000, Prot.RW);
        SplittableRandom rnd = new SplittableRandom(11);
        for (int k = 0; k < 2000; k++) MemOps.st32Low(c, base, A + 4L * rnd.nextInt(0x3000 / 4), rnd.nextInt());
        byte[] all = new byte[0x3000];
        s.peek(A, all, 0, all.length);
        digest.append(Arrays.hashCode(all)).append(' ');
        // a value written by the fast path is what the slow path and the byte copies see, and back
        MemOps.st64Low(c, base, A + 0x1ffc, 0x1122334455667788L); // across two pages: the slow path
        if (MemOps.ld64Low(c, base, A + 0x1ffc) != 0x1122334455667788L) return "a store across pages reads back";
        if (s.readByte(A + 0x2000, false) != 0x44) return "the second page's first byte: " + s.readByte(A + 0x2000, false);
        s.poke(A + 0x10, new byte[] {1, 2, 3, 4}, 0, 4);
        if (MemOps.ld32Low(c, base, A + 0x10) != 0x04030201) return "poke then fast load";
        // read-only (flat memory: at once; paged: from the vCPU's next safe point, as after the system call)
        s.protect(A, 0x1000, Prot.READ);
        c.tlb.sync(s);
        if (!faults(() -> { MemOps.st8Low(c, base, A + 8, 1); return 0; })) return "a store to a page made read-only";
        if (MemOps.ld32Low(c, base, A + 0x10) != 0x04030201) return "reads of the read-only page";
        s.protect(A, 0x1000, 0);
        c.tlb.sync(s);
        if (!faults(() -> MemOps.ld8Low(c, base, A))) return "a load from a page made inaccessible";
        // unmapped, then mapped again: zero-filled
        s.unmap(A + 0x1000, 0x1000);
        c.tlb.sync(s);
        if (!faults(() -> MemOps.ld32Low(c, base, A + 0x1010))) return "a load from an unmapped page";
        s.map(A + 0x1000, 0x1000, Prot.RW);
        for (int off = 0; off < 0x1000; off += 8) if (MemOps.ld64Low(c, base, A + 0x1000 + off) != 0) return "a remapped page is not zero at " + off;
        // mapped over (MAP_FIXED): zero-filled too
        MemOps.st32Low(c, base, A + 0x2100, 0x7777);
        s.map(A + 0x2000, 0x1000, Prot.RW);
        c.tlb.sync(s);
        if (MemOps.ld32Low(c, base, A + 0x2100) != 0) return "a page mapped over is not zero";
        // a page holding translated code: stores take the slow path, which reports the change once
        List<Long> changed = new ArrayList<>();
        s.setCodeWriteListener(changed::add);
        s.protect(A, 0x1000, Prot.RWX);
        s.markCode(A);
        c.tlb.sync(s);
        MemOps.st8Low(c, base, A + 0x20, 9);
        MemOps.st8Low(c, base, A + 0x21, 9);
        if (!changed.equals(List.of(A))) return "code write reports: " + changed;
        if (MemOps.ld16Low(c, base, A + 0x20) != 0x0909) return "the stores to the code page";
        // fork: the copy has the contents; writes on either side stay there
        MemOps.st32Low(c, base, A + 0x2200, 0xabcd);
        AddressSpace child = s.copy();
        Rig other = new Rig(BackendKind.INTERPRETED);
        other.cpu.setSpace(child);
        long childBase = MemOps.base(other.cpu);
        if (MemOps.ld32Low(other.cpu, childBase, A + 0x2200) != 0xabcd) return "the copy's contents";
        MemOps.st32Low(other.cpu, childBase, A + 0x2200, 1);
        if (MemOps.ld32Low(c, base, A + 0x2200) != 0xabcd) return "the copy's write reached the original";
        if (MemOps.ld16Low(other.cpu, childBase, A + 0x20) != 0x0909) return "the copy of the code page";
        // pages above 4 GiB, and an access across the 4 GiB line
        s.map(0xFFFFF000L, 0x2000, Prot.RW);
        MemOps.st64(c, 0xFFFFFFFCL, 0x0102030405060708L);
        if (MemOps.ld64(c, 0xFFFFFFFCL) != 0x0102030405060708L) return "across 4 GiB";
        if (MemOps.ld32Low(c, base, 0x1_0000_0000L) != 0x01020304) return "above 4 GiB through the flat path's fallback";
        // released: nothing mapped, nothing readable
        s.release();
        c.tlb.sync(s);
        if (!faults(() -> MemOps.ld32Low(c, base, A + 0x2200))) return "a load after release";
        if (s.mappedBytes() != 0 || !s.regions().isEmpty()) return "mapped after release";
        digest.append(MemOps.ld32Low(other.cpu, childBase, A + 0x2200)).append(' ');
        return digest + "ok";
    }

    static boolean faults(Supplier<Object> access) {
        try {
            access.get();
            return false;
        } catch (GuestException e) {
            return true;
        }
    }

    /** Address spaces that become garbage give their 4 GiB reservations back. */
    @Test
    void reservationsOfDeadSpacesAreReleased() throws Exception {
        long before = vmSizeKiB();
        List<AddressSpace> spaces = new ArrayList<>();
        for (int k = 0; k < 16; k++) spaces.add(new AddressSpace(1 << 20));
        assertTrue(vmSizeKiB() - before >= 16L * (4 << 20), "16 reservations of 4 GiB");
        spaces.clear();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (vmSizeKiB() - before >= 8L * (4 << 20) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        assertTrue(vmSizeKiB() - before < 8L * (4 << 20), "most reservations released: " + (vmSizeKiB() - before) + " KiB left");
    }

    /**
     * Host memory follows what the guest touches: mapping 256 MiB, and forking a space that has it,
     * take none until pages are written; unmapping gives written pages back. Counted in the copy's
     * part of its mapping by {@code mincore} (the process's RSS moves with the JVM's own memory).
     */
    @Test
    void hostMemoryFollowsTheGuestsTouches() throws Throwable {
        long mib = 1 << 20, size = 256 * mib, at = 0x1000_0000L;
        AddressSpace s = new AddressSpace(1L << 31);
        assertTrue(s.map(at, size, Prot.RW));
        s.write(at, new byte[] {1}, 0, 1);
        AddressSpace child = s.copy();
        // With transparent huge pages always on, the kernel may back a touched page with a 2 MiB one.
        Path thp = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        long slack = Files.exists(thp) && Files.readString(thp).contains("[always]") ? 512 : 0;
        long one = residentPages(child, at, size);
        assertTrue(one >= 1 && one <= 1 + slack, "an untouched mapping's fork copy takes one page, the one written: " + one);
        byte[] page = new byte[AddressSpace.PAGE_SIZE];
        Arrays.fill(page, (byte) 7);
        for (long a = 0; a < 64 * mib; a += page.length) child.write(at + a, page, 0, page.length);
        long written = residentPages(child, at, size), want = 64 * mib / page.length;
        assertTrue(written >= want && written <= want + 2 * slack, "64 MiB written: " + written + " pages");
        child.unmap(at, size);
        assertEquals(0, residentPages(child, at, size), "unmapped, given back");
        assertEquals(1, s.readByte(at, false), "the parent keeps its page");
    }

    /** Pages of guest [addr, addr+len) of {@code s}'s flat memory the host holds, by {@code mincore(2)}. */
    static long residentPages(AddressSpace s, long addr, long len) throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle mincore = linker.downcallHandle(linker.defaultLookup().find("mincore").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
        int pages = (int) (len / AddressSpace.PAGE_SIZE);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment vec = arena.allocate(pages);
            assertEquals(0, (int) mincore.invokeExact(s.flatBase() + addr, len, vec));
            long n = 0;
            for (int k = 0; k < pages; k++) n += vec.get(ValueLayout.JAVA_BYTE, k) & 1;
            return n;
        }
    }

    static long vmSizeKiB() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/self/status")))
            if (l.startsWith("VmSize:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
        throw new IllegalStateException("no VmSize");
    }
}
