package emulator.linuxuser.elf;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real kernel as the reference: a static C program (src/test/resources/native/stackdump.c),
 * run natively under {@code setarch -R} (no randomization), dumps its initial stack, auxv,
 * /proc/self/maps and /proc/self/stat. InitialStack must reproduce the stack byte for byte from
 * the same inputs, and LoadPlan must predict every page of the image's mappings.
 */
class NativeExecTest {

    record Run(int word, long argv, long top, byte[] dump, Map<Long, Long> aux, long[] stat, List<String> maps) {}

    static Run run(Path prog) throws Exception {
        assumeTrue(Native.has("setarch"), "setarch (util-linux) not installed");
        Native.Result r = Native.runOk(List.of("env", "-i", "A=1", "HOME=/nowhere", "LONG=" + "v".repeat(77),
                "setarch", "-R", prog.toString(), "x", "y z", ""));
        int word = 0; long argv = 0, top = 0; byte[] dump = null; long[] stat = null;
        Map<Long, Long> aux = new LinkedHashMap<>();
        List<String> maps = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            String[] f = line.split(" ", 2);
            switch (f[0]) {
                case "word" -> word = Integer.parseInt(f[1]);
                case "argv" -> argv = Long.parseUnsignedLong(f[1], 16);
                case "top" -> top = Long.parseUnsignedLong(f[1], 16);
                case "dump" -> dump = HexFormat.of().parseHex(f[1]);
                case "aux" -> { String[] kv = f[1].split(" "); aux.put(Long.parseLong(kv[0]), Long.parseUnsignedLong(kv[1], 16)); }
                case "stat" -> stat = java.util.Arrays.stream(f[1].strip().split(" ")).mapToLong(Long::parseLong).toArray();
                case "map" -> maps.add(f[1]);
                default -> fail("unexpected output: " + line);
            }
        }
        assumeTrue(!r.err().contains("Operation not permitted"), "personality() blocked here");
        return new Run(word, argv, top, dump, aux, stat, maps);
    }

    static Path prog(String variant) throws Exception {
        return switch (variant) {
            case "64-static" -> Native.compile("stackdump.c", "sd64-static", "-static");
            case "64-static-pie" -> Native.compile("stackdump.c", "sd64-static-pie", "-static-pie");
            case "32-static" -> Native.compile("stackdump.c", "sd32-static", "-m32", "-static");
            case "32-static-pie" -> Native.compile("stackdump.c", "sd32-static-pie", "-m32", "-static-pie");
            default -> throw new IllegalArgumentException(variant);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"64-static", "64-static-pie", "32-static", "32-static-pie"})
    void initialStackIsByteIdenticalToTheKernels(String variant) throws Exception {
        Path prog = prog(variant);
        Run run = run(prog);
        int w = run.word();
        long sp = run.argv() - w;
        assertEquals(0, sp % 16, "kernel: sp % 16 == 0 at entry, pointing at argc");
        InitialStack.Parsed nat = InitialStack.parse(run.dump(), sp, sp, w);
        assertEquals(List.of(prog.toString(), "x", "y z", ""), nat.argv());
        assertEquals(List.of("A=1", "HOME=/nowhere", "LONG=" + "v".repeat(77)), nat.envp());
        // getauxval agrees with the walk
        run.aux().forEach((t, v) -> {
            if (t != Auxv.AT_BASE || v != 0) assertEquals(v, nat.aux(t), Auxv.name(t));
        });

        InitialStack.Builder b = InitialStack.builder(w).argv(nat.argv()).envp(nat.envp())
                .execfn(InitialStack.Parsed.string(run.dump(), sp, nat.aux(Auxv.AT_EXECFN)))
                .platform(InitialStack.Parsed.string(run.dump(), sp, nat.aux(Auxv.AT_PLATFORM)));
        long rnd = nat.aux(Auxv.AT_RANDOM);
        b.random(java.util.Arrays.copyOfRange(run.dump(), (int) (rnd - sp), (int) (rnd - sp) + 16));
        for (InitialStack.AuxEntry e : nat.auxv()) if (e.type() != Auxv.AT_NULL) b.aux(e.type(), e.value());
        InitialStack mine = b.build(run.top());

        assertEquals(Long.toHexString(sp), Long.toHexString(mine.sp()), "sp");
        assertEquals(HexFormat.of().formatHex(run.dump()), HexFormat.of().formatHex(mine.image()), "stack image");
        assertEquals(nat.auxv(), mine.auxv());
        assertEquals(run.stat()[1], mine.stringsAddress(), "arg_start from /proc/self/stat");
        assertEquals(nat.argvAddress(), mine.argvAddress());
        assertEquals(nat.envpAddress(), mine.envpAddress());
        assertEquals(nat.auxvAddress(), mine.auxvAddress());
    }

    @ParameterizedTest
    @ValueSource(strings = {"64-static", "64-static-pie", "32-static", "32-static-pie"})
    void loadPlanPredictsTheKernelsMappings(String variant) throws Exception {
        Path prog = prog(variant);
        Run run = run(prog);
        ElfFile elf = ElfFile.parse(prog);
        long bias = elf.type() == ElfFile.ET_DYN ? run.aux().get((long) Auxv.AT_PHDR) - LoadPlan.of(elf, 0).phdrAddress() : 0;
        LoadPlan plan = LoadPlan.of(elf, bias);
        assertEquals(run.aux().get((long) Auxv.AT_PHDR), plan.phdrAddress(), "AT_PHDR");
        assertEquals(run.aux().get((long) Auxv.AT_ENTRY), plan.entry(), "AT_ENTRY");
        assertEquals(run.aux().get((long) Auxv.AT_PHNUM), plan.phnum());
        assertEquals(run.aux().get((long) Auxv.AT_PHENT), plan.phent());
        if (elf.type() == ElfFile.ET_EXEC) assertEquals(run.stat()[0], plan.brk(), "start_brk");
        else assertEquals(elf.is64() ? 0x5555_5555_5000L : LoadPlan.I386_DYN_BASE, run.stat()[0],
                "kernel 6.x puts a static-PIE's brk at ELF_ET_DYN_BASE");

        // page -> "perm offset" (offset "anon" for anonymous memory), from /proc/self/maps
        TreeMap<Long, String> actual = new TreeMap<>();
        for (String m : run.maps()) {
            String[] f = m.strip().split("\\s+");
            String[] range = f[0].split("-");
            long lo = Long.parseUnsignedLong(range[0], 16), hi = Long.parseUnsignedLong(range[1], 16);
            boolean mine = f.length >= 6 && f[5].equals(prog.toString());
            boolean anon = f.length == 5 && f[4].equals("0");
            if (!mine && !anon) continue;
            long off = Long.parseUnsignedLong(f[2], 16);
            for (long p = lo; p < hi; p += 4096)
                actual.put(p, f[1].substring(0, 3) + " " + (mine ? Long.toHexString(off + p - lo) : "anon"));
        }
        long relroLo = 0, relroHi = 0;
        for (ElfFile.ProgramHeader ph : elf.programHeaders())
            if (ph.type() == ElfFile.PT_GNU_RELRO) {
                relroLo = (bias + ph.vaddr()) & -4096L;
                relroHi = (bias + ph.vaddr() + ph.memsz()) & -4096L;   // glibc rounds the end down
            }
        TreeMap<Long, String> expected = new TreeMap<>();
        for (LoadPlan.Mapping m : plan.mappings()) {
            long fileEnd = (m.zeroStart() + 4095) & -4096L;
            for (long p = m.start(); p < m.end(); p += 4096) {
                int prot = p >= relroLo && p < relroHi ? LoadPlan.PROT_READ : m.prot();
                String perm = ((prot & 1) != 0 ? "r" : "-") + ((prot & 2) != 0 ? "w" : "-") + ((prot & 4) != 0 ? "x" : "-");
                expected.put(p, perm + " " + (p < fileEnd ? Long.toHexString(m.fileOffset() + p - m.start()) : "anon"));
            }
        }
        TreeMap<Long, String> seen = new TreeMap<>();
        for (Long p : expected.keySet()) seen.put(p, actual.get(p));
        assertEquals(expected.toString(), seen.toString());
        // and nothing of the image is mapped outside the plan
        for (Map.Entry<Long, String> e : actual.entrySet())
            if (!e.getValue().endsWith("anon")) assertTrue(expected.containsKey(e.getKey()), "unplanned page " + Long.toHexString(e.getKey()));
    }
}
