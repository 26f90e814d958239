package emulator.x86.decode;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import emulator.x86.decode.OpcodeTable.Entry;

/**
 * Differential test against GNU objdump (the reference, not our own expectations). Every sequence is placed
 * at a 32-byte stride padded with NOPs (0x90), so each region's first instruction is decoded by objdump on its
 * own; we compare that instruction's length, mnemonic and (normalized) text.
 */
class ObjdumpDifferentialTest {

    static final int STRIDE = 32;

    record Result(int len, String text) {}

    /** Sequences derived from every table row (curated: full-text comparison). */
    static List<byte[]> curated(X86Mode mode) {
        Set<String> seen = new LinkedHashSet<>();
        List<byte[]> out = new ArrayList<>();
        byte[] tail = {0x12, 0x34, 0x56, 0x78, (byte) 0x9A, (byte) 0xBC, (byte) 0xDE, (byte) 0xF1};
        for (Entry e : OpcodeTable.rows()) {
            if (!e.validIn(mode)) continue;
            List<int[]> modrms = new ArrayList<>();   // {modrm, extra bytes...}
            boolean needs = e.needsModrm();
            if (needs) {
                if (e.modrm() >= 0) modrms.add(new int[] {e.modrm()});
                else {
                    int reg = e.reg() >= 0 ? e.reg() : 2;
                    boolean memOk = (e.flags() & OpcodeTable.REG_ONLY) == 0, regOk = (e.flags() & OpcodeTable.MEM_ONLY) == 0;
                    if (regOk) { modrms.add(new int[] {0xC0 | reg << 3 | 1}); modrms.add(new int[] {0xC0 | reg << 3 | 6}); }
                    if (memOk) {
                        modrms.add(new int[] {0x40 | reg << 3 | 3, 0x10});            // [ebx+0x10]
                        modrms.add(new int[] {0x04 | reg << 3, 0x8D});                // [ebp+ecx*4]
                        modrms.add(new int[] {0x80 | reg << 3 | 6, 0xF0, 0xFF, 0xFF, 0xFF}); // [esi-0x10]
                        modrms.add(new int[] {0x05 | reg << 3, 0x00, 0x10, 0x00, 0x00}); // disp32 / rip
                    }
                }
            } else modrms.add(new int[0]);
            List<int[]> pfxs = new ArrayList<>();
            pfxs.add(new int[0]);
            if (e.prefix() == OpcodeTable.PFX_NONE) pfxs.add(new int[] {0x66});
            if (mode.is64()) { pfxs.add(new int[] {0x48}); pfxs.add(new int[] {0x45}); pfxs.add(new int[] {0x4A}); }
            pfxs.add(new int[] {0x64});
            for (int[] pf : pfxs) for (int[] mr : modrms) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                if (e.prefix() == OpcodeTable.PFX_66) b.write(0x66);
                if (e.prefix() == OpcodeTable.PFX_F3) b.write(0xF3);
                if (e.prefix() == OpcodeTable.PFX_F2) b.write(0xF2);
                boolean rex = pf.length == 1 && (pf[0] & 0xF0) == 0x40;
                if (!rex) for (int p : pf) b.write(p);
                if (rex && e.prefix() == OpcodeTable.PFX_NONE) for (int p : pf) b.write(p);
                if (rex && e.prefix() != OpcodeTable.PFX_NONE) for (int p : pf) b.write(p);
                if (e.map() >= 1) b.write(0x0F);
                if (e.map() == 2) b.write(0x38);
                if (e.map() == 3) b.write(0x3A);
                b.write(e.opcode());
                for (int x : mr) b.write(x);
                b.write(tail, 0, tail.length);
                byte[] seq = trim(b.toByteArray());
                if (seen.add(hex(seq))) out.add(seq);
            }
        }
        return out;
    }

    static byte[] trim(byte[] s) { return s.length > 15 ? java.util.Arrays.copyOf(s, 15) : s; }

    static final int[] PREFIXES = {0x66, 0x67, 0xF2, 0xF3, 0xF0, 0x2E, 0x64, 0x65, 0x26};

    /** Random plausible sequences from a fixed seed. */
    static List<byte[]> random(X86Mode mode, long seed, int count) {
        Random r = new Random(seed);
        List<byte[]> out = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            byte[] s = new byte[15];
            int k = 0;
            int np = r.nextInt(10) < 6 ? 0 : 1 + r.nextInt(2);
            for (int i = 0; i < np; i++) s[k++] = (byte) PREFIXES[r.nextInt(PREFIXES.length)];
            if (mode.is64() && r.nextInt(3) == 0) s[k++] = (byte) (0x40 + r.nextInt(16));
            int m = r.nextInt(10);
            if (m < 5) s[k++] = (byte) r.nextInt(256);
            else if (m < 8) { s[k++] = 0x0F; s[k++] = (byte) r.nextInt(256); }
            else { s[k++] = 0x0F; s[k++] = (byte) (m == 8 ? 0x38 : 0x3A); s[k++] = (byte) r.nextInt(256); }
            while (k < 15) s[k++] = (byte) r.nextInt(256);
            out.add(s);
        }
        return out;
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) sb.append(String.format("%02x ", x & 0xFF));
        return sb.toString().trim();
    }

    static final Pattern LINE = Pattern.compile("^\\s*([0-9a-f]+):\\t([0-9a-f ]+?)\\s*\\t(.*)$");

    static Map<Long, Result> objdump(List<byte[]> seqs, X86Mode mode) throws IOException, InterruptedException {
        byte[] blob = new byte[seqs.size() * STRIDE];
        java.util.Arrays.fill(blob, (byte) 0x90);
        for (int i = 0; i < seqs.size(); i++) System.arraycopy(seqs.get(i), 0, blob, i * STRIDE, seqs.get(i).length);
        Path f = Files.createTempFile("x86dec", ".bin");
        Files.write(f, blob);
        Process p = new ProcessBuilder("objdump", "-D", "-z", "-b", "binary", "-m", mode.is64() ? "i386:x86-64" : "i386",
                "-M", "intel", "--insn-width=16", f.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        Files.delete(f);
        Map<Long, Result> res = new HashMap<>();
        for (String line : out.split("\n")) {
            Matcher mt = LINE.matcher(line);
            if (!mt.matches()) continue;
            long addr = Long.parseLong(mt.group(1), 16);
            if (addr % STRIDE != 0) continue;
            int len = mt.group(2).trim().split(" ").length;
            res.put(addr, new Result(len, mt.group(3)));
        }
        return res;
    }

    static boolean objdumpAvailable() {
        try { return new ProcessBuilder("objdump", "--version").start().waitFor() == 0; } catch (Exception e) { return false; }
    }

    /** Normalizations of objdump text (each one a known, deliberate difference). */
    static String norm(String s) {
        s = s.replaceAll("\\s*#.*$", "");          // rip-relative / address comments
        s = s.replaceAll("\\s*<[^>]*>", "");       // symbol annotations
        s = s.trim().replaceAll("\\s+", " ");
        // objdump prints prefixes that had no effect (data16 with REX.W, addr32, rex.* bits unused); we do not.
        s = s.replaceAll("\\b(data16|data32|addr32|addr16|rex(\\.[WRXB]+)?|rex\\.?) ", "");
        s = s.replaceAll("\\b(data16|addr32|addr16|rex(\\.[WRXB]+)?)$", "").trim();
        return s;
    }

    static String mnem(String s) {
        String[] t = s.split(" ");
        for (String x : t) if (!x.matches("lock|rep|repz|repnz|repe|repne|bnd|notrack|cs|ds|es|ss|fs|gs")) return x;
        return t[0];
    }

    /** objdump output we deliberately decode differently (documented exceptions). */
    static String exception(X86Insn ours, Result od, byte[] seq) {
        String t = od.text();
        if (ours.op() == X86Op.FWAIT && od.len() > 1) return "fwait merged into following x87 insn by objdump";
        if (t.matches("^((rex(\\.[WRXB]+)?|data16|addr32|addr16|ds|cs|es|ss|fs|gs|lock|repz|repnz|rep|bnd)\\s*)+$"))
            return "REX followed by a legacy prefix: objdump ends the insn there, the CPU ignores the REX and goes on";
        if (ours.isValid() && ours.operandSizeAttr() == 2 && ours.operands().size() == 1
                && ours.operands().get(0) instanceof Operand.Rel)
            return "16-bit branch: objdump does not wrap the target to 16 bits, the CPU does";
        if (ours.isValid() && ours.map() == 1 && (ours.opcode() == 0x1A || ours.opcode() == 0x1B))
            return "0F 1A/1B: MPX bnd* in objdump, hint NOP on CPUs without MPX (ours)";
        if (!ours.isValid()) {
            if (ours.error() == DecodeError.BAD_LOCK && t.contains("lock")) return "LOCK on non-lockable form: #UD";
            int op = ours.opcode();
            if (t.startsWith("v") || t.startsWith("{") || t.contains("{")) return "VEX/EVEX not supported yet";
            if (ours.map() == 0 && (op == 0xC4 || op == 0xC5 || op == 0x62 || op == 0x8F)) return "VEX/EVEX/XOP not supported yet";
            if (ours.map() == 1 && op == 0x0F) return "3DNow! not supported";
            if (t.contains("?")) return "invalid segment register";
            return null;
        }
        return null;
    }

    @Test
    void matchesObjdump() throws Exception {
        assumeTrue(objdumpAvailable(), "objdump not installed");
        StringBuilder report = new StringBuilder();
        boolean ok = true;
        for (X86Mode mode : X86Mode.values()) {
            List<byte[]> cur = curated(mode);
            List<byte[]> rnd = random(mode, 0x5eed + mode.ordinal(), 20000);
            List<byte[]> all = new ArrayList<>(cur);
            all.addAll(rnd);
            Map<Long, Result> od = objdump(all, mode);
            int lenTotal = 0, lenOk = 0, textTotal = 0, textOk = 0, mnTotal = 0, mnOk = 0, badTotal = 0, badOk = 0, exc = 0;
            List<String> lenFail = new ArrayList<>(), textFail = new ArrayList<>(), badFail = new ArrayList<>(), mnFail = new ArrayList<>();
            Map<String, Integer> excCount = new HashMap<>();
            for (int i = 0; i < all.size(); i++) {
                byte[] seq = all.get(i);
                Result r = od.get((long) i * STRIDE);
                if (r == null) continue;
                byte[] region = java.util.Arrays.copyOf(seq, STRIDE);
                for (int k = seq.length; k < STRIDE; k++) region[k] = (byte) 0x90;
                X86Insn ours = X86Decoder.decode(region, 0, (long) i * STRIDE, mode);
                String ex = exception(ours, r, seq);
                if (ex != null) { exc++; excCount.merge(ex, 1, Integer::sum); continue; }
                boolean curatedSeq = i < cur.size();
                if (r.text().contains("(bad)")) {
                    badTotal++;
                    if (!ours.isValid()) badOk++;
                    else badFail.add(hex(java.util.Arrays.copyOf(seq, Math.min(seq.length, 8))) + " => ours: " + ours);
                    continue;
                }
                lenTotal++;
                if (ours.isValid() && ours.length() == r.len()) lenOk++;
                else lenFail.add(hex(java.util.Arrays.copyOf(seq, r.len())) + " objdump[" + r.len() + "]: " + r.text()
                        + " | ours[" + ours.length() + "]: " + ours + (ours.isValid() ? "" : " " + ours.error()));
                if (!ours.isValid()) continue;
                String a = norm(r.text()), b = norm(ours.toString());
                mnTotal++;
                if (mnem(a).equals(mnem(b))) mnOk++;
                else mnFail.add(hex(java.util.Arrays.copyOf(seq, r.len())) + " objdump: " + a + " | ours: " + b);
                if (curatedSeq) {
                    textTotal++;
                    if (a.equals(b)) textOk++;
                    else textFail.add(hex(java.util.Arrays.copyOf(seq, r.len())) + " objdump: " + a + " | ours: " + b);
                }
            }
            double lenRate = 100.0 * lenOk / Math.max(1, lenTotal), textRate = 100.0 * textOk / Math.max(1, textTotal),
                    mnRate = 100.0 * mnOk / Math.max(1, mnTotal), badRate = 100.0 * badOk / Math.max(1, badTotal);
            report.append(String.format("%s: %d curated + %d random sequences; length %d/%d (%.2f%%), mnemonic %d/%d (%.2f%%), "
                            + "curated full text %d/%d (%.2f%%), objdump-(bad) also invalid %d/%d (%.2f%%), documented exceptions %d %s%n",
                    mode, cur.size(), rnd.size(), lenOk, lenTotal, lenRate, mnOk, mnTotal, mnRate, textOk, textTotal, textRate,
                    badOk, badTotal, badRate, exc, excCount));
            dump(report, "length mismatches", lenFail);
            dump(report, "mnemonic mismatches", mnFail);
            dump(report, "curated text mismatches", textFail);
            dump(report, "objdump (bad) but ours valid", badFail);
            ok &= lenRate >= 99.0 && textRate >= 97.0 && mnRate >= 98.0 && badRate >= 97.0;
        }
        System.out.println(report);
        Files.writeString(Path.of("target", "objdump-diff-report.txt"), report.toString());
        assertTrue(ok, report.toString());
    }

    static void dump(StringBuilder sb, String title, List<String> l) {
        if (l.isEmpty()) return;
        sb.append("  first ").append(title).append(" (").append(l.size()).append("):\n");
        for (int i = 0; i < Math.min(40, l.size()); i++) sb.append("    ").append(l.get(i)).append('\n');
    }
}
