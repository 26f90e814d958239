package emulator.linuxuser.elf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Every header and program-header field of real binaries against binutils' readelf -hlW. */
class ElfReadelfTest {

    /** What readelf printed. */
    record Readelf(Map<String, String> header, List<String[]> phdrs, String interp) {}

    static final Pattern PH = Pattern.compile(
            "^\\s+(\\S+)\\s+0x([0-9a-f]+)\\s+0x([0-9a-f]+)\\s+0x([0-9a-f]+)\\s+0x([0-9a-f]+)\\s+0x([0-9a-f]+)\\s(.{3})\\s0x([0-9a-f]+)\\s*$");

    static Readelf readelf(Path file) throws Exception {
        Native.Result r = Native.runOk(List.of("readelf", "-hlW", file.toString()));
        Map<String, String> h = new HashMap<>();
        List<String[]> phs = new ArrayList<>();
        String interp = null;
        boolean inHeader = false, inPh = false;
        for (String line : r.out().split("\n")) {
            if (line.startsWith("ELF Header:")) { inHeader = true; continue; }
            if (line.startsWith("Program Headers:")) { inPh = true; inHeader = false; continue; }
            if (line.isBlank() || line.startsWith(" Section to Segment")) { if (inPh && line.startsWith(" Section")) inPh = false; continue; }
            if (inHeader) {
                int c = line.indexOf(':');
                if (c > 0 && !h.containsKey(line.substring(0, c).strip())) h.put(line.substring(0, c).strip(), line.substring(c + 1).strip());
                else if (c > 0) h.put(line.substring(0, c).strip() + "#2", line.substring(c + 1).strip());
            } else if (inPh) {
                Matcher m = PH.matcher(line);
                if (m.matches()) {
                    String[] f = new String[8];
                    for (int i = 0; i < 8; i++) f[i] = m.group(i + 1);
                    phs.add(f);
                } else if (line.contains("[Requesting program interpreter: ")) {
                    interp = line.substring(line.indexOf(": ") + 2, line.lastIndexOf(']'));
                } else if (!line.strip().startsWith("Type")) {
                    fail("unparsed readelf line: " + line);
                }
            }
        }
        return new Readelf(h, phs, interp);
    }

    static long num(String s) {
        s = s.strip();
        int sp = s.indexOf(' ');
        if (sp > 0) s = s.substring(0, sp);
        s = s.replace(",", "");
        return s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
    }

    static List<Path> binaries() throws Exception {
        List<Path> l = new ArrayList<>();
        for (String p : List.of("/bin/busybox", "/bin/ls", "/lib64/ld-linux-x86-64.so.2", "/usr/lib/x86_64-linux-gnu/libc.so.6"))
            if (Files.isRegularFile(Path.of(p))) l.add(Path.of(p));
        if (Native.has("gcc")) {
            l.add(Native.compile("stackdump.c", "sd64-static", "-static"));
            l.add(Native.compile("stackdump.c", "sd64-static-pie", "-static-pie"));
            l.add(Native.compile("stackdump.c", "sd64-dyn", "-pie"));
            l.add(Native.compile("stackdump.c", "sd32-static", "-m32", "-static"));
            l.add(Native.compile("stackdump.c", "sd32-static-pie", "-m32", "-static-pie"));
            l.add(Native.compile("stackdump.c", "sd32-dyn", "-m32"));
        }
        for (String arch : List.of("i386", "amd64", "arm64", "armhf")) {
            Path bb = arch.equals("i386") || arch.equals("amd64") ? Native.busybox(arch) : cachedOnly(arch);
            if (bb != null) l.add(bb);
        }
        return l;
    }

    private static Path cachedOnly(String arch) {
        String cache = System.getenv("ABISCOPE_CACHE");
        Path base = cache != null ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache", "abiscope");
        Path p = base.resolve("guests/" + arch + "/busybox/busybox");
        return Files.isRegularFile(p) ? p : null;
    }

    @Test
    void referenceBinariesArePresent() throws Exception {
        assumeTrue(Native.has("readelf"), "binutils readelf not installed");
        List<Path> bins = binaries();
        assertTrue(bins.stream().anyMatch(p -> p.toString().endsWith("i386/busybox/busybox")),
                "Debian busybox-static i386 must be available (scripts/fetch-busybox.sh i386): " + bins);
        assertTrue(bins.contains(Path.of("/bin/busybox")) && bins.contains(Path.of("/bin/ls")), bins.toString());
    }

    @ParameterizedTest
    @MethodSource("binaries")
    void everyFieldMatchesReadelf(Path file) throws Exception {
        assumeTrue(Native.has("readelf"), "binutils readelf not installed");
        Readelf re = readelf(file);
        ElfFile elf = ElfFile.parse(file);
        Map<String, String> h = re.header();

        byte[] ident = new byte[16];
        elf.copy(0, ident, 0, 16);
        assertEquals(h.get("Magic"), HexFormat.ofDelimiter(" ").formatHex(ident), "Magic");
        assertEquals(h.get("Class"), elf.is64() ? "ELF64" : "ELF32");
        assertEquals("2's complement, little endian", h.get("Data"));
        assertEquals(elf.identVersion() + " (current)", h.get("Version"));
        assertEquals(h.get("OS/ABI"), switch (elf.osAbi()) { case 0 -> "UNIX - System V"; case 3 -> "UNIX - GNU"; default -> "?" + elf.osAbi(); });
        assertEquals(num(h.get("ABI Version")), elf.abiVersion());
        String type = h.get("Type");
        assertEquals(type.startsWith("EXEC") ? 2 : type.startsWith("DYN") ? 3 : -1, elf.type(), "Type " + type);
        assertEquals(h.get("Machine"), elf.machineName());
        assertEquals(num(h.get("Version#2")), elf.version());
        assertEquals(num(h.get("Entry point address")), elf.entry());
        assertEquals(num(h.get("Start of program headers")), elf.phoff());
        assertEquals(num(h.get("Start of section headers")), elf.shoff());
        assertEquals(num(h.get("Flags")), elf.flags() & 0xffffffffL);
        assertEquals(num(h.get("Size of this header")), elf.ehsize());
        assertEquals(num(h.get("Size of program headers")), elf.phentsize());
        assertEquals(num(h.get("Number of program headers")), elf.phnum());
        assertEquals(num(h.get("Size of section headers")), elf.shentsize());
        assertEquals(num(h.get("Number of section headers")), elf.shnum());
        assertEquals(num(h.get("Section header string table index")), elf.shstrndx());

        assertEquals(re.phdrs().size(), elf.programHeaders().size(), "program header count");
        for (int i = 0; i < re.phdrs().size(); i++) {
            String[] f = re.phdrs().get(i);
            ElfFile.ProgramHeader ph = elf.programHeaders().get(i);
            String name = ph.typeName();
            if (!name.startsWith("0x")) assertEquals(f[0], name, "type of " + i);
            assertEquals(Long.parseUnsignedLong(f[1], 16), ph.offset(), "offset of " + i);
            assertEquals(Long.parseUnsignedLong(f[2], 16), ph.vaddr(), "vaddr of " + i);
            assertEquals(Long.parseUnsignedLong(f[3], 16), ph.paddr(), "paddr of " + i);
            assertEquals(Long.parseUnsignedLong(f[4], 16), ph.filesz(), "filesz of " + i);
            assertEquals(Long.parseUnsignedLong(f[5], 16), ph.memsz(), "memsz of " + i);
            String flg = (ph.readable() ? "R" : " ") + (ph.writable() ? "W" : " ") + (ph.executable() ? "E" : " ");
            assertEquals(f[6], flg, "flags of " + i);
            assertEquals(Long.parseUnsignedLong(f[7], 16), ph.align(), "align of " + i);
        }
        assertEquals(re.interp(), elf.interpreter());

        // Kind from readelf's facts, independently.
        ElfFile.Kind want = re.interp() != null ? ElfFile.Kind.DYNAMIC
                : type.startsWith("EXEC") ? ElfFile.Kind.STATIC : ElfFile.Kind.STATIC_PIE;
        assertEquals(want, elf.kind());
        assertEquals(re.phdrs().stream().anyMatch(f -> f[0].equals("TLS")), elf.tls().isPresent());
        assertEquals(re.phdrs().stream().anyMatch(f -> f[0].equals("PHDR")), elf.phdrSegment().isPresent());
        re.phdrs().stream().filter(f -> f[0].equals("GNU_STACK")).findFirst()
                .ifPresent(f -> assertEquals(f[6].charAt(2) == 'E', elf.executableStack()));

        // The plan is computable for every executable here, and same for channel parsing.
        LoadPlan plan = LoadPlan.of(elf, LoadPlan.alignBias(elf, LoadPlan.defaultBias(elf), 4096));
        assertFalse(plan.mappings().isEmpty());
        assertEquals(elf.toString(), ElfFile.parse(Files.readAllBytes(file)).toString());
    }

    @Test
    void knownFactsOfTheReferenceBinaries() throws Exception {
        ElfFile ls = ElfFile.parse(Path.of("/bin/ls"));
        assertEquals(ElfFile.Kind.DYNAMIC, ls.kind());
        assertEquals("/lib64/ld-linux-x86-64.so.2", ls.interpreter());
        assertEquals(ElfFile.EM_X86_64, ls.machine());
        ElfFile bb = ElfFile.parse(Path.of("/bin/busybox"));
        assertEquals(ElfFile.Kind.STATIC, bb.kind());
        assertEquals(ElfFile.ET_EXEC, bb.type());
        Path bb32 = Native.busybox("i386");
        assumeTrue(bb32 != null, "busybox i386 unavailable");
        ElfFile b32 = ElfFile.parse(bb32);
        assertEquals(ElfFile.EM_386, b32.machine());
        assertEquals(4, b32.wordSize());
        assertFalse(b32.is64());
        ElfFile ld = ElfFile.parse(Path.of("/lib64/ld-linux-x86-64.so.2"));
        assertEquals(ElfFile.Kind.STATIC_PIE, ld.kind());
    }

}
