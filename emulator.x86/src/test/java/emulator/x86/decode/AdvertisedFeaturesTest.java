package emulator.x86.decode;

import static org.junit.jupiter.api.Assertions.assertTrue;

import emulator.x86.front.Cpuid;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * CPUID must not advertise what the front end cannot run (glibc picks routines from these bits):
 * for each feature bit set in leaf 1 / 0x80000001, every opcode-table row of that feature must
 * translate ({@link OpcodeDocGenerator#implemented}), apart from the listed known gaps; and every
 * bit set there must be either such an instruction feature or one of the few that name no
 * instruction (so a newly advertised bit cannot escape the check). Leaf 7 reports no feature.
 */
class AdvertisedFeaturesTest {
    /** Feature → {register (1 = leaf 1 EDX, 2 = leaf 1 ECX, 3 = 0x80000001 ECX, 4 = 0x80000001 EDX in 64-bit mode), bit}. */
    static final Map<Feature, int[]> BITS = Map.ofEntries(
            Map.entry(Feature.X87, new int[] {1, 0}), Map.entry(Feature.CX8, new int[] {1, 8}),
            Map.entry(Feature.SEP, new int[] {1, 11}), Map.entry(Feature.CMOV, new int[] {1, 15}),
            Map.entry(Feature.CLFSH, new int[] {1, 19}), Map.entry(Feature.MMX, new int[] {1, 23}),
            Map.entry(Feature.FXSR, new int[] {1, 24}), Map.entry(Feature.SSE, new int[] {1, 25}),
            Map.entry(Feature.SSE2, new int[] {1, 26}), Map.entry(Feature.SSE3, new int[] {2, 0}),
            Map.entry(Feature.PCLMUL, new int[] {2, 1}), Map.entry(Feature.MONITOR, new int[] {2, 3}),
            Map.entry(Feature.SSSE3, new int[] {2, 9}), Map.entry(Feature.CX16, new int[] {2, 13}),
            Map.entry(Feature.SSE41, new int[] {2, 19}), Map.entry(Feature.SSE42, new int[] {2, 20}),
            Map.entry(Feature.MOVBE, new int[] {2, 22}), Map.entry(Feature.POPCNT, new int[] {2, 23}),
            Map.entry(Feature.AES, new int[] {2, 25}), Map.entry(Feature.XSAVE, new int[] {2, 26}),
            Map.entry(Feature.RDRAND, new int[] {2, 30}), Map.entry(Feature.LAHF64, new int[] {3, 0}),
            Map.entry(Feature.LZCNT, new int[] {3, 5}), Map.entry(Feature.SYSCALL, new int[] {4, 11}),
            Map.entry(Feature.RDTSCP, new int[] {4, 27}));
    /** Advertised bits that name no instruction form: TSC (RDTSC is a base instruction), NX, LM. */
    static final int[][] NON_INSTRUCTION = {{1, 4}, {4, 20}, {4, 29}};

    /** Advertised-feature rows not implemented yet (each raises #UD, logged once): none. */
    static final Set<X86Op> KNOWN_GAPS = Set.of();

    static boolean advertised(int[] where) {
        return (register(where[0]) >>> where[1] & 1) != 0;
    }

    static int register(int which) {
        return switch (which) { case 1 -> Cpuid.LEAF1_EDX; case 2 -> Cpuid.LEAF1_ECX; case 3 -> Cpuid.EXT_ECX; default -> Cpuid.EXT_EDX_64; };
    }

    @Test
    void everyAdvertisedBitIsChecked() {
        List<String> unchecked = new ArrayList<>();
        for (int reg = 1; reg <= 4; reg++) {
            for (int bit = 0; bit < 32; bit++) {
                if ((register(reg) >>> bit & 1) == 0) continue;
                int r = reg, b = bit;
                boolean known = BITS.values().stream().anyMatch(w -> w[0] == r && w[1] == b)
                        || java.util.Arrays.stream(NON_INSTRUCTION).anyMatch(w -> w[0] == r && w[1] == b);
                if (!known) unchecked.add("register " + reg + " bit " + bit);
            }
        }
        assertTrue(unchecked.isEmpty(), "advertised CPUID bits with no instruction check: " + unchecked);
        assertTrue((Cpuid.EXT_EDX_32 & ~Cpuid.EXT_EDX_64) == 0, "32-bit mode advertises a subset of 64-bit mode");
    }

    @Test
    void everyRowOfAnAdvertisedFeatureIsImplemented() {
        List<String> missing = new ArrayList<>();
        int checked = 0;
        for (OpcodeTable.Entry e : OpcodeTable.rows()) {
            int[] where = BITS.get(e.feature());
            if (where == null || !advertised(where)) continue;
            if (java.util.Arrays.stream(e.ops()).anyMatch(o -> o != null && KNOWN_GAPS.contains(o))) continue;
            checked++;
            String impl = OpcodeDocGenerator.implemented(e);
            if (impl.contains("no (")) missing.add(e.feature() + " " + java.util.Arrays.toString(e.ops()) + ": " + impl);
        }
        System.out.println("rows of advertised features checked: " + checked + ", not implemented: " + missing.size());
        assertTrue(missing.isEmpty(), "advertised but not implemented:\n" + String.join("\n", missing));
        assertTrue(advertised(BITS.get(Feature.MMX)), "MMX is implemented, so leaf 1 EDX bit 23 must say so");
    }
}
