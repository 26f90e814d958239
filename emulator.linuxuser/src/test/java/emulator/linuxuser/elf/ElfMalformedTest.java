package emulator.linuxuser.elf;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** Bad input gives one clear ElfException, never anything else. */
class ElfMalformedTest {

    /** A minimal valid ELF64 x86-64 ET_EXEC with the given program headers. */
    static byte[] elf64(long[][] phs, int extra) {
        int phoff = 64, n = phs.length;
        byte[] b = new byte[phoff + 56 * n + extra];
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(new byte[]{0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        bb.putShort(16, (short) 2).putShort(18, (short) 62).putInt(20, 1).putLong(24, 0x401000).putLong(32, phoff)
                .putShort(52, (short) 64).putShort(54, (short) 56).putShort(56, (short) n);
        for (int i = 0; i < n; i++) {
            int o = phoff + 56 * i;
            long[] p = phs[i]; // type, flags, offset, vaddr, filesz, memsz, align
            bb.putInt(o, (int) p[0]).putInt(o + 4, (int) p[1]).putLong(o + 8, p[2]).putLong(o + 16, p[3])
                    .putLong(o + 24, p[3]).putLong(o + 32, p[4]).putLong(o + 40, p[5]).putLong(o + 48, p[6]);
        }
        return b;
    }

    static String message(byte[] b) {
        ElfException e = assertThrows(ElfException.class, () -> LoadPlan.of(ElfFile.parse(b), 0));
        return e.getMessage();
    }

    static final long[] TEXT = {1, 5, 0, 0x400000, 0x1000, 0x1000, 0x1000};

    @Test
    void validMinimalParsesAndPlans() throws Exception {
        byte[] b = elf64(new long[][]{TEXT, {1, 6, 0x1000, 0x401000, 0x10, 0x3000, 0x1000}}, 0x1010);
        LoadPlan plan = LoadPlan.of(ElfFile.parse(b), 0);
        assertEquals(2, plan.mappings().size());
        LoadPlan.Mapping d = plan.mappings().get(1);
        assertEquals(0x401000, d.start());
        assertEquals(0x3000, d.length());
        assertEquals(0x10, d.fileLength());
        assertEquals(0x401010, d.zeroStart());
        assertEquals(LoadPlan.PROT_READ | LoadPlan.PROT_WRITE, d.prot());
        assertEquals(0x404000, plan.brk());
        assertEquals(0x400040, plan.phdrAddress());
        assertEquals(0x401000, plan.entry());
    }

    @Test
    void messages() {
        assertEquals("not an ELF file", message(new byte[0]));
        assertEquals("not an ELF file", message("#!/bin/sh\necho hi\n".getBytes()));
        assertEquals("not an ELF file", message(new byte[]{0x7f, 'E', 'L'}));
        assertTrue(message(new byte[]{0x7f, 'E', 'L', 'F', 2, 1, 1}).startsWith("truncated ELF: identification"));
        byte[] ok = elf64(new long[][]{TEXT}, 0x1000);
        assertTrue(message(Arrays.copyOf(ok, 40)).startsWith("truncated ELF: header needs 64 bytes"));
        byte[] c3 = ok.clone(); c3[4] = 3;
        assertEquals("unsupported ELF class 3 (expected 1 = ELF32 or 2 = ELF64)", message(c3));
        byte[] be = ok.clone(); be[5] = 2;
        assertEquals("unsupported ELF data encoding 2 (only little-endian is supported)", message(be));
        // a 64-bit header read as 32-bit: the ELF32 fields land on zeros (no program headers)
        byte[] wc = ok.clone(); wc[4] = 1;
        assertEquals("no PT_LOAD segment", message(wc));
        byte[] pe = ok.clone(); pe[54] = 32;
        assertEquals("bad program header entry size 32 (expected 56)", message(pe));

        byte[] three = elf64(new long[][]{TEXT, {4, 4, 0, 0, 0, 0, 4}, {4, 4, 0, 0, 0, 0, 4}, {4, 4, 0, 0, 0, 0, 4}}, 0);
        assertEquals("truncated ELF: program header 3 beyond end of file", message(Arrays.copyOf(three, 64 + 56 * 3 + 20)));

        assertEquals("program header 0 (LOAD): filesz 0x2000 > memsz 0x1000",
                message(elf64(new long[][]{{1, 5, 0, 0x400000, 0x2000, 0x1000, 0x1000}}, 0x2000)));
        assertEquals("truncated ELF: segment of program header 0 beyond end of file",
                message(elf64(new long[][]{{1, 5, 0, 0x400000, 0x100000, 0x100000, 0x1000}}, 0x1000)));
        assertEquals("PT_LOAD segments not sorted by address (program header 1)",
                message(elf64(new long[][]{TEXT, {1, 6, 0x1000, 0x300000, 0x10, 0x10, 0x1000}}, 0x1010)));
        assertEquals("PT_LOAD segments overlap (program headers 0 and 1)",
                message(elf64(new long[][]{TEXT, {1, 6, 0x800, 0x400800, 0x10, 0x10, 0x1000}}, 0x1010)));
        assertTrue(message(elf64(new long[][]{{1, 5, 0, 0x400000, 0x1000, 0x1000, 0x1800}}, 0x1000)).contains("not a power of two"));
        assertTrue(message(elf64(new long[][]{{1, 5, 0x10, 0x400000, 0x100, 0x100, 0x1000}}, 0x1000)).contains("disagree modulo"));
        assertTrue(message(elf64(new long[][]{{1, 5, 0, -4096, 0x1000, 0x1000, 0x1000}}, 0x1000)).contains("absurd"));
        assertTrue(message(elf64(new long[][]{{1, 5, 0, 0x7fff_ffff_f000L, 0x1000, 0x2000, 0x1000}}, 0x1000)).contains("does not fit"));
        assertEquals("no PT_LOAD segment", message(elf64(new long[][]{{4, 4, 0, 0, 0, 0, 4}}, 0)));

        byte[] absurd = ok.clone();
        absurd[56] = (byte) 0xf0; absurd[57] = 0x0f;     // phnum 0x0ff0
        assertEquals("absurd program header count 4080 (limit 1170)", message(absurd));
        byte[] farPh = ok.clone();
        ByteBuffer.wrap(farPh).order(ByteOrder.LITTLE_ENDIAN).putLong(32, 1L << 40);
        assertTrue(message(farPh).startsWith("truncated ELF: program headers at 0x10000000000 beyond end of file"));

        // PT_INTERP: not NUL-terminated, beyond the end, two of them
        byte[] in = elf64(new long[][]{{3, 4, 120, 0, 8, 8, 1}, TEXT}, 0x1000);
        System.arraycopy("/lib/ldX".getBytes(), 0, in, 120, 8);
        assertEquals("program header 0 (INTERP): interpreter path not NUL-terminated", message(in));
        in[127] = 0;
        ElfFile.Kind k = assertDoesNotThrow(() -> ElfFile.parse(in)).kind();
        assertEquals(ElfFile.Kind.DYNAMIC, k);
        assertEquals("truncated ELF: interpreter path of program header 0 beyond end of file",
                message(elf64(new long[][]{{3, 4, 0x5000, 0, 8, 8, 1}, TEXT}, 0x1000)));
    }

    @Test
    void etExecRejectsBiasAndPlanRejectsRelocatable() throws Exception {
        ElfFile e = ElfFile.parse(elf64(new long[][]{TEXT}, 0x1000));
        assertThrows(IllegalArgumentException.class, () -> LoadPlan.of(e, 0x10000));
        byte[] rel = elf64(new long[][]{TEXT}, 0x1000);
        rel[16] = 1;
        assertEquals(ElfFile.Kind.NOT_EXECUTABLE, ElfFile.parse(rel).kind());
        assertEquals("not an executable ELF (type 1)", message(rel));
    }

    /** Mutations and truncations of real binaries: only ElfException may come out. */
    @Test
    void fuzzRealBinaries() throws Exception {
        List<byte[]> seeds = new ArrayList<>();
        for (String p : List.of("/bin/ls", "/bin/busybox"))
            if (Files.isRegularFile(Path.of(p))) seeds.add(Files.readAllBytes(Path.of(p)));
        Path bb32 = Native.busybox("i386");
        if (bb32 != null) seeds.add(Files.readAllBytes(bb32));
        seeds.add(elf64(new long[][]{TEXT, {3, 4, 0x1000, 0, 8, 8, 1}}, 0x1000));
        assertFalse(seeds.isEmpty());
        SplittableRandom rnd = new SplittableRandom(0xab1500e);
        int parsed = 0, rejected = 0;
        for (int iter = 0; iter < 6000; iter++) {
            byte[] seed = seeds.get(iter % seeds.size());
            // The interesting part is the headers: work on the first 4 KiB (+ truncation points anywhere).
            byte[] b;
            int mode = rnd.nextInt(4);
            if (mode == 0) {
                b = Arrays.copyOf(seed, rnd.nextInt(Math.min(seed.length, 8192)));
            } else {
                b = seed.clone();
                int flips = 1 + rnd.nextInt(8);
                int window = mode == 1 ? 64 : 64 + 56 * 16;
                for (int f = 0; f < flips; f++) {
                    int at = rnd.nextInt(Math.min(window, b.length));
                    b[at] = switch (rnd.nextInt(4)) {
                        case 0 -> (byte) rnd.nextInt(256);
                        case 1 -> (byte) (b[at] ^ (1 << rnd.nextInt(8)));
                        case 2 -> (byte) 0xff;
                        default -> 0;
                    };
                }
                if (mode == 3) b = Arrays.copyOf(b, rnd.nextInt(b.length + 1));
            }
            try {
                ElfFile e = ElfFile.parse(b);
                e.toString();
                e.executableStack();
                LoadPlan plan = LoadPlan.of(e, LoadPlan.alignBias(e, LoadPlan.defaultBias(e), 4096));
                for (LoadPlan.Mapping m : plan.mappings()) {
                    assertTrue(m.fileLength() <= m.length());
                    if (m.fileLength() > 0) e.bytes(m.fileOffset(), m.fileLength()); // in bounds
                }
                parsed++;
            } catch (ElfException expected) {
                assertNotNull(expected.getMessage());
                assertFalse(expected.getMessage().isBlank());
                rejected++;
            } catch (IllegalArgumentException bias) {
                // LoadPlan's contract for a bias that does not suit the file (ET_EXEC with bias): caller error,
                // not reachable with defaultBias — fail.
                fail("unexpected " + bias, bias);
            }
        }
        assertTrue(parsed > 100 && rejected > 100, "parsed " + parsed + ", rejected " + rejected);
    }
}
