package emulator.x86.decode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

import emulator.core.ir.IrBuilder;
import emulator.x86.Slots;
import emulator.x86.front.Frontend;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

import emulator.x86.decode.OpcodeTable.Entry;

/**
 * Generates emulator.x86/OPCODES.md from the table (run as a test; the file is committed). Whether
 * the front end implements a row is determined mechanically: a sample encoding of the row (its
 * register form and, where the ModRM allows one, its memory form) is decoded and handed to
 * {@link Frontend#translate}, which returns null when it emitted the semantics (faults such as #GP
 * for privileged forms count: that is their user-mode semantics) and the reason otherwise.
 */
class OpcodeDocGenerator {

    /** Sample encodings of a row: {form name, bytes}; imm/disp bytes are zeros from the padding. */
    static List<Object[]> samples(Entry e) {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        switch (e.prefix()) { case 1 -> head.write(0x66); case 2 -> head.write(0xF3); case 3 -> head.write(0xF2); default -> { } }
        switch (e.map()) {
            case 1 -> head.write(0x0F);
            case 2 -> { head.write(0x0F); head.write(0x38); }
            case 3 -> { head.write(0x0F); head.write(0x3A); }
            default -> { }
        }
        head.write(e.opcode());
        List<Object[]> out = new ArrayList<>();
        int reg = Math.max(e.reg(), 0) << 3;
        if (e.modrm() >= 0) out.add(new Object[] {"", with(head, e.modrm())});
        else if (!e.needsModrm()) out.add(new Object[] {"", with(head, -1)});
        else {
            // register form: mod 11, rm 1; memory form: mod 00, rm 3 ([rbx] / [ebx])
            if (!e.has(OpcodeTable.MEM_ONLY)) out.add(new Object[] {"reg", with(head, 0xC1 | reg)});
            if (!e.has(OpcodeTable.REG_ONLY)) out.add(new Object[] {"mem", with(head, 0x03 | reg)});
        }
        return out;
    }

    private static byte[] with(ByteArrayOutputStream head, int modrm) {
        byte[] h = head.toByteArray();
        byte[] b = Arrays.copyOf(h, h.length + 16); // zero padding for displacement and immediates
        if (modrm >= 0) b[h.length] = (byte) modrm;
        return b;
    }

    /** "yes", or why not; for rows with a register and a memory form, each form's status when they differ. */
    static String implemented(Entry e) {
        X86Mode mode = e.has(OpcodeTable.I64) ? X86Mode.BITS32 : X86Mode.BITS64;
        List<String> parts = new ArrayList<>();
        boolean all = true, none = true;
        for (Object[] sm : samples(e)) {
            byte[] code = (byte[]) sm[1];
            X86Insn in = X86Decoder.decode(code, 0, 0x1000, mode);
            String why;
            if (!in.isValid()) why = "sample does not decode (" + in.error() + ")";
            else why = new Frontend(new IrBuilder(0x1000, Slots.COUNT), mode.is64()).translate(in);
            // e.g. 90 (XCHG eAX, eAX) is NOP: the sample then says what it ran as
            String as = in.isValid() && !Arrays.asList(e.ops()).contains(in.op()) ? " (sample decodes as " + in.op() + ")" : "";
            if (why != null) why += as;
            if (why == null) none = false; else all = false;
            parts.add((sm[0].equals("") ? "" : sm[0] + ": ") + (why == null ? "yes" + as : "no (" + why + ")"));
        }
        if (all && parts.stream().allMatch(p -> p.endsWith("yes"))) return "yes";
        if (none && parts.size() == 1) return parts.getFirst();
        return String.join("; ", parts);
    }

    static String key(Entry e) {
        String p = switch (e.prefix()) { case 1 -> "66 "; case 2 -> "F3 "; case 3 -> "F2 "; default -> ""; };
        String m = switch (e.map()) { case 1 -> "0F "; case 2 -> "0F 38 "; case 3 -> "0F 3A "; default -> ""; };
        String k = p + m + String.format("%02X", e.opcode());
        if (e.modrm() >= 0) k += String.format(" %02X", e.modrm());
        else {
            if (e.reg() >= 0) k += " /" + e.reg();
            if ((e.flags() & OpcodeTable.MEM_ONLY) != 0) k += " (mem)";
            else if ((e.flags() & OpcodeTable.REG_ONLY) != 0) k += " (reg)";
        }
        return k;
    }

    @Test
    void generate() throws IOException {
        String[] maps = {"one-byte", "0F", "0F 38", "0F 3A", "x87 (D8-DF)"};
        int[] rows = new int[5], done = new int[5], partial = new int[5];
        int[][] opcodes = new int[5][];
        java.util.Set<Integer>[] used = new java.util.Set[5];
        for (int i = 0; i < 5; i++) used[i] = new java.util.TreeSet<>();
        Map<Feature, Integer> byFeature = new EnumMap<>(Feature.class);
        StringBuilder list = new StringBuilder();
        Map<String, String> lines = new TreeMap<>();
        for (Entry e : OpcodeTable.rows()) {
            int m = e.map() == 0 && e.opcode() >= 0xD8 && e.opcode() <= 0xDF ? 4 : e.map();
            rows[m]++;
            String impl = implemented(e);
            if (!impl.contains("no (")) done[m]++;
            else if (impl.contains("yes")) partial[m]++;
            used[m].add(e.opcode());
            byFeature.merge(e.feature(), 1, Integer::sum);
            String flags = "";
            if ((e.flags() & OpcodeTable.I64) != 0) flags += " i64";
            if ((e.flags() & OpcodeTable.O64) != 0) flags += " o64";
            if ((e.flags() & OpcodeTable.D64) != 0) flags += " d64";
            if ((e.flags() & OpcodeTable.F64) != 0) flags += " f64";
            if ((e.flags() & OpcodeTable.LOCKABLE) != 0) flags += " lock";
            if ((e.flags() & OpcodeTable.PRIV) != 0) flags += " priv";
            String mn = e.mnemonic() + (e.cond() >= 0 ? "(" + Disassembler.CC[e.cond()] + ")" : "");
            lines.put(String.format("%d %-22s|%s", e.map(), key(e), mn),
                    String.format("| `%s` | %s | %s | %s | %s | %s |%n", key(e), mn, e.operandText(), e.feature(), flags.trim(), impl));
        }
        StringBuilder sb = new StringBuilder();
        sb.append("# x86 opcode coverage (generated)\n\n");
        sb.append("Generated by `OpcodeDocGenerator` from `emulator.x86.decode.OpcodeTable` — do not edit by hand.\n");
        sb.append("Every form below decodes with exact length and operands; everything else decodes as INVALID (#UD).\n");
        sb.append("Checked against GNU objdump by `ObjdumpDifferentialTest`.\n\n");
        sb.append("The last column says whether the front end implements the row, determined by translating a sample\n")
                .append("encoding of it (register and memory form) with `Frontend.translate`; an unimplemented form raises #UD.\n\n");
        sb.append("| map | table rows | implemented | partly (one form) | not implemented | distinct opcodes used | of |\n")
                .append("|---|---|---|---|---|---|---|\n");
        int[] of = {256 - 8, 256, 256, 256, 8};
        int tr = 0, td = 0, tp = 0;
        for (int i = 0; i < 5; i++) {
            sb.append(String.format("| %s | %d | %d | %d | %d | %d | %d |%n", maps[i], rows[i], done[i], partial[i],
                    rows[i] - done[i] - partial[i], used[i].size(), of[i]));
            tr += rows[i]; td += done[i]; tp += partial[i];
        }
        sb.append(String.format("| **total** | %d | %d | %d | %d | | |%n", tr, td, tp, tr - td - tp));
        sb.append("\nRows by CPUID feature: ").append(byFeature).append("\n\n");
        sb.append("Not decoded yet (INVALID): VEX/EVEX (AVX*), XOP, 3DNow!, MPX (0F 1A/1B decode as hint NOPs), VMX/SVM, SGX, ")
                .append("CET shadow-stack ops, TSX (XBEGIN/XABORT), AMX, legacy MOV TRn, 16-bit code segments.\n\n");
        sb.append("| encoding | mnemonic | operands | feature | flags | implemented |\n|---|---|---|---|---|---|\n");
        for (String l : lines.values()) sb.append(l);
        Path out = Path.of("OPCODES.md");
        Files.writeString(out, sb.toString());
    }
}
