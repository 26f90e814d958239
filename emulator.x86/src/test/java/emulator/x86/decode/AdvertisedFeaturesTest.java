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
 * translate ({@link OpcodeDocGenerator#implemented}), apart from the listed known gaps.
 */
class AdvertisedFeaturesTest {
    /** Feature → {register (1 = leaf 1 EDX, 2 = leaf 1 ECX, 3 = 0x80000001 ECX), bit}. */
    static final Map<Feature, int[]> BITS = Map.of(
            Feature.X87, new int[] {1, 0}, Feature.CX8, new int[] {1, 8}, Feature.CMOV, new int[] {1, 15},
            Feature.MMX, new int[] {1, 23}, Feature.FXSR, new int[] {1, 24}, Feature.SSE, new int[] {1, 25},
            Feature.SSE2, new int[] {1, 26}, Feature.CX16, new int[] {2, 13}, Feature.MOVBE, new int[] {2, 22},
            Feature.POPCNT, new int[] {2, 23});

    /** Advertised-feature rows not implemented yet (each raises #UD, logged once). */
    static final Set<X86Op> KNOWN_GAPS = Set.of(X86Op.RCPPS, X86Op.RCPSS, X86Op.RSQRTPS, X86Op.RSQRTSS,
            X86Op.FBLD, X86Op.FBSTP);

    static boolean advertised(int[] where) {
        int reg = switch (where[0]) { case 1 -> Cpuid.LEAF1_EDX; case 2 -> Cpuid.LEAF1_ECX; default -> Cpuid.EXT_ECX; };
        return (reg >>> where[1] & 1) != 0;
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
