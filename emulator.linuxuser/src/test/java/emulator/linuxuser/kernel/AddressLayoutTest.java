package emulator.linuxuser.kernel;

import emulator.core.mem.AddressSpace;
import emulator.linuxuser.LinuxUserRunner;
import emulator.linuxuser.abi.SyscallTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * x86-64 address layouts: compact (the default: everything below 4 GiB, mmap spilling above only
 * when that is full) and native (the kernel's). The program's own segments must be where the kernel
 * puts them in both; the reference is the same busybox's /proc/self/maps in a native run.
 */
class AddressLayoutTest {
    /** Guest roots and native folders (a busybox or compiled programs each): JUnit deletes them after each test. */
    @TempDir Path tmp;

    static final long FOUR_GIB = 1L << 32;
    static final int MMAP = 9, MUNMAP = 11, MREMAP = 25; // x86-64 numbers
    static final long ANON = 0x22, RW = 3, MAYMOVE = 1;

    /** [start, end) of each line. */
    static List<long[]> ranges(String maps) {
        List<long[]> l = new ArrayList<>();
        for (String line : maps.strip().split("\n")) {
            String[] r = line.split("\\s+")[0].split("-");
            l.add(new long[] {Long.parseUnsignedLong(r[0], 16), Long.parseUnsignedLong(r[1], 16)});
        }
        return l;
    }

    /** Page → "rwxp" of the lines ending with {@code suffix} (every line when null). */
    static Map<Long, String> pagePerms(String maps, String suffix) {
        Map<Long, String> m = new java.util.HashMap<>();
        for (String line : maps.strip().split("\n")) {
            if (suffix != null && !line.endsWith(suffix)) continue;
            String[] f = line.split("\\s+");
            String[] r = f[0].split("-");
            long lo = Long.parseUnsignedLong(r[0], 16), hi = Long.parseUnsignedLong(r[1], 16);
            if (hi - lo > 1L << 32) continue; // not a mapping a program of ours has
            for (long pg = lo; pg < hi; pg += 4096) m.put(pg, f[1]);
        }
        return m;
    }

    static String stackLine(String maps) {
        for (String line : maps.split("\n")) if (line.endsWith("[stack]")) return line;
        throw new AssertionError("no [stack] line in\n" + maps);
    }

    static long start(String line) { return Long.parseUnsignedLong(line.substring(0, line.indexOf('-')), 16); }

    @Test
    void stackWhereTheLayoutSaysProgramWhereTheKernelPutsIt() throws Exception {
        Path bb = Path.of(System.getProperty("user.home"), ".cache/abiscope/guests/amd64/busybox/busybox");
        if (!Files.isRegularFile(bb)) {
            var r = LinuxUserRunnerTest.host(LinuxUserRunnerTest.MODULE, List.of("sh", "scripts/fetch-busybox.sh", "amd64"), System.getenv(), new byte[0]);
            assumeTrue(r.exit() == 0 && Files.isRegularFile(bb), "busybox-static for amd64 unavailable: " + r.err());
        }
        Path root = Files.createTempDirectory(tmp, "abiscope-layout");
        Files.createDirectories(root.resolve("bin"));
        Files.copy(bb, root.resolve("bin/busybox"));
        var nat = LinuxUserRunnerTest.host(root, List.of(root.resolve("bin/busybox").toString(), "cat", "/proc/self/maps"), Map.of(), new byte[0]);
        assertEquals(0, nat.exit(), nat.err());
        Map<Long, String> programPages = pagePerms(nat.out(), "/bin/busybox");
        assertTrue(programPages.size() > 100, nat.out());
        for (AddressLayout layout : AddressLayout.values()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            int rc = new LinuxUserRunner().layout(layout).run(root, "x86_64", List.of("/bin/busybox", "cat", "/proc/self/maps"), Map.of(),
                    new ByteArrayInputStream(new byte[0]), out, err);
            String maps = out.toString(StandardCharsets.UTF_8);
            assertEquals(0, rc, layout + ": " + err);
            Map<Long, String> emulated = pagePerms(maps, null);
            for (var e : programPages.entrySet())
                assertEquals(e.getValue(), emulated.get(e.getKey()), layout + ": page " + Long.toHexString(e.getKey()) + " of the program, as the kernel maps it\n" + maps);
            if (layout == AddressLayout.COMPACT) {
                for (long[] r : ranges(maps)) assertTrue(r[1] <= FOUR_GIB, "compact: everything below 4 GiB\n" + maps);
            } else {
                long stack = start(stackLine(maps)), natStack = start(stackLine(nat.out()));
                assertTrue(stack >= 0x7F00_0000_0000L && natStack >= 0x7F00_0000_0000L,
                        "native: the stack where the kernel's is (ours " + Long.toHexString(stack) + ", the host's " + Long.toHexString(natStack) + ")");
            }
        }
    }

    /** mmap(NULL) and a moving mremap go above 4 GiB once the low area is full, and only then. */
    @Test
    void mmapSpillsAboveFourGiBWhenTheLowAreaIsFull() {
        LinuxProcess p = new LinuxProcess(100, 1, 0, 0);
        AddressSpace s = new AddressSpace(1L << 30);
        p.space = s;
        ElfLoader.ArchParams compact = ElfLoader.x86(true, 0, AddressLayout.COMPACT);
        assertTrue(compact.mmapBase() < FOUR_GIB && compact.mmapHighBase() > FOUR_GIB);
        p.mmapMin = compact.mmapBase() - 0x20000; // a 32-page low area, so the test need not fill 4 GiB
        p.mmapBase = compact.mmapBase();
        p.mmapHighBase = compact.mmapHighBase();
        LinuxSyscalls sc = new LinuxSyscalls(SyscallTable.Abi.X86_64, p, new GuestMem(s, 8), "x86_64", System.err);

        long a = sc.dispatch(null, MMAP, new long[] {0, 0x18000, RW, ANON, -1, 0});
        assertEquals(p.mmapBase - 0x18000, a, "top-down below mmapBase");
        long b = sc.dispatch(null, MMAP, new long[] {0, 0x18000, RW, ANON, -1, 0});
        assertEquals(p.mmapHighBase - 0x18000, b, "the low area is full: top-down below the high base");
        long c = sc.dispatch(null, MMAP, new long[] {0, 0x8000, RW, ANON, -1, 0});
        assertEquals(p.mmapMin, c, "what still fits goes low");

        s.poke(b, new byte[] {42}, 0, 1);
        long d = sc.dispatch(null, MREMAP, new long[] {b, 0x18000, 0x30000, MAYMOVE, 0});
        assertTrue(d >= FOUR_GIB && d + 0x30000 <= p.mmapHighBase && d != b, "moved within the high area: " + Long.toHexString(d));
        byte[] one = new byte[1];
        s.peek(d, one, 0, 1);
        assertEquals(42, one[0], "contents moved along");

        long hint = 0xC0_0000_0000L; // where Go's runtime asks for its heap
        assertEquals(hint, sc.dispatch(null, MMAP, new long[] {hint, 0x10000, RW, ANON, -1, 0}), "a free hint above 4 GiB is taken");

        assertEquals(0, sc.dispatch(null, MUNMAP, new long[] {a, 0x18000}));
        long e = sc.dispatch(null, MMAP, new long[] {0, 0x10000, RW, ANON, -1, 0});
        assertTrue(e < FOUR_GIB, "room below 4 GiB again: " + Long.toHexString(e));

        ElfLoader.ArchParams nativeLayout = ElfLoader.x86(true, 0, AddressLayout.NATIVE);
        assertEquals(0, nativeLayout.mmapHighBase(), "the native layout's one area is already high");
        assertEquals(ElfLoader.x86(false, 0, AddressLayout.COMPACT), ElfLoader.x86(false, 0, AddressLayout.NATIVE), "i386: one layout");
    }
}
