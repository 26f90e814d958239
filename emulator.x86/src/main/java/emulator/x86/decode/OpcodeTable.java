package emulator.x86.decode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The one place where every opcode is defined. Rows read like the opcode maps of the Intel SDM / AMD APM:
 * {@code r("01", "ADD", "Ev,Gv", "L")}. Key syntax: optional mandatory prefix (66, F3, F2), the opcode bytes
 * (1-byte map; 0F xx; 0F 38 xx; 0F 3A xx), then optionally {@code /n} (ModRM.reg), {@code m} or {@code r}
 * (ModRM.mod must be memory / register), or an exact ModRM byte (x87 and 0F 01 register forms). A trailing
 * {@code +r} on the opcode expands 8 rows with the register in the opcode's low bits (operand {@code Z}),
 * {@code +cc} expands 16 rows with the condition in the low bits.
 * <p>Operand specs use the manuals' letters: addressing method E G M R I J O X Y V W U P Q N S C D A Z
 * (Z = register in opcode low bits, B = XLAT's [rBX]) and size b w d q v z y dq x ps pd ss sd t(80-bit)
 * p(far ptr) s(descriptor-table pseudo) a(BOUND pair) n(native: 4 / 8 by mode) and the mixed forms
 * vw / wd / bd (register size / memory size). Fixed operands: AL CL DX AX ACCv ACCz ES..GS ONE ST STi XMM0.
 * <p>Flags: i64 (invalid in 64-bit mode), o64 (64-bit mode only), d64 (operand size defaults to 64 in
 * 64-bit mode), f64 (operand size forced to 64), L (LOCK allowed), P (privileged / IOPL-sensitive),
 * modreg (ModRM.mod ignored, always register: MOV CRn/DRn), asz (mnemonic variants by address size),
 * nob (NOP: not with REX.B or 66), rexb (only with REX.B or 66).
 * A mnemonic "A/B/C" picks by operand size 16/32/64 (or by address size with asz), "A|B" by REX.W.
 */
public final class OpcodeTable {
    private OpcodeTable() {}

    public static final int MAP_1BYTE = 0, MAP_0F = 1, MAP_0F38 = 2, MAP_0F3A = 3;
    public static final int PFX_NONE = 0, PFX_66 = 1, PFX_F3 = 2, PFX_F2 = 3;

    static final int I64 = 1, O64 = 2, D64 = 4, F64 = 8, LOCKABLE = 16, PRIV = 32, MEM_ONLY = 64, REG_ONLY = 128,
            MODREG = 256, ASZ_NAME = 512, NOB = 1024, REXB = 2048, SBYTE_OP = 4096;

    // operand addressing kinds (OpSpec.method)
    static final char FIXED = '#';
    // size codes
    static final int S_NONE = 0, S_B = 1, S_W = 2, S_D = 3, S_Q = 4, S_V = 5, S_Z = 6, S_Y = 7, S_X = 8, S_T = 9,
            S_P = 10, S_S = 11, S_A = 12, S_N = 13, S_BS = 14, S_VW = 15, S_WD = 16, S_BD = 17, S_SS = 18, S_SD = 19;

    /** One operand specification of a row. For FIXED: cls/num name the register (cls -1 = constant 1). */
    record OpSpec(String text, char method, int size, RegClass cls, int num) {
        boolean usesModrmRm() { return "EMRWUQN".indexOf(method) >= 0; }
        boolean usesModrmReg() { return "GVPSCD".indexOf(method) >= 0; }
        boolean isImm() { return method == 'I' || method == 'J' || method == 'A' || method == 'O'; }
    }

    /** One table row (one instruction form). */
    public record Entry(String key, String mnemonic, X86Op[] ops, OpSpec[] specs, int flags, Feature feature,
                 int map, int prefix, int opcode, int reg, int modrm, int cond) {
        boolean has(int f) { return (flags & f) != 0; }
        boolean needsModrm() {
            if (reg >= 0 || modrm >= 0 || has(MEM_ONLY) || has(REG_ONLY)) return true;
            for (OpSpec s : specs) if (s.usesModrmRm() || s.usesModrmReg()) return true;
            return false;
        }
        boolean validIn(X86Mode m) { return m.is64() ? !has(I64) : !has(O64); }
        public String operandText() {
            StringBuilder b = new StringBuilder();
            for (OpSpec s : specs) { if (b.length() > 0) b.append(','); b.append(s.text()); }
            return b.toString();
        }
    }

    /** All rows with the same (map, mandatory prefix, opcode). */
    static final class Slot {
        final List<Entry> entries = new ArrayList<>();
        boolean needsModrm;
    }

    static final Slot[][][] SLOTS = new Slot[4][4][256];
    static final List<Entry> ROWS = new ArrayList<>();
    private static Feature feat = Feature.BASE;

    /** Every row, in definition order (after +r / +cc expansion). */
    public static List<Entry> rows() { return Collections.unmodifiableList(ROWS); }

    static Slot slot(int map, int prefix, int opcode) { return SLOTS[map][prefix][opcode]; }

    // ------------------------------------------------------------------------------------------------
    // Row parsing
    // ------------------------------------------------------------------------------------------------

    private static void r(String key, String mnem, String ops, String... flags) {
        String[] t = key.trim().split("\\s+");
        int i = 0, prefix = PFX_NONE;
        if (t.length > 1 && (t[0].equals("66") || t[0].equals("F3") || t[0].equals("F2"))) {
            prefix = t[0].equals("66") ? PFX_66 : t[0].equals("F3") ? PFX_F3 : PFX_F2;
            i++;
        }
        int map = MAP_1BYTE;
        if (t[i].equals("0F")) {
            i++; map = MAP_0F;
            if (t[i].equals("38") && i + 1 < t.length) { i++; map = MAP_0F38; }
            else if (t[i].equals("3A") && i + 1 < t.length) { i++; map = MAP_0F3A; }
        }
        String opTok = t[i++];
        int expand = 1; boolean cc = false;
        if (opTok.endsWith("+r")) { expand = 8; opTok = opTok.substring(0, opTok.length() - 2); }
        else if (opTok.endsWith("+cc")) { expand = 16; cc = true; opTok = opTok.substring(0, opTok.length() - 3); }
        int opcode = Integer.parseInt(opTok, 16);
        int reg = -1, modrm = -1, fl = 0;
        for (; i < t.length; i++) {
            String s = t[i];
            if (s.startsWith("/")) reg = s.charAt(1) - '0';
            else if (s.equals("m")) fl |= MEM_ONLY;
            else if (s.equals("r")) fl |= REG_ONLY;
            else modrm = Integer.parseInt(s, 16);
        }
        for (String f : flags) {
            if (f.isEmpty()) continue;
            fl |= switch (f) {
                case "i64" -> I64; case "o64" -> O64; case "d64" -> D64; case "f64" -> F64; case "L" -> LOCKABLE;
                case "P" -> PRIV; case "modreg" -> MODREG; case "asz" -> ASZ_NAME; case "nob" -> NOB; case "rexb" -> REXB;
                default -> throw new IllegalArgumentException("flag " + f + " in " + key);
            };
        }
        OpSpec[] specs = parseSpecs(ops);
        for (OpSpec s : specs) {
            if (s.method() == 'M') fl |= MEM_ONLY;
            if (s.method() == 'R' || s.method() == 'U' || s.method() == 'N') fl |= (fl & MODREG) != 0 ? 0 : REG_ONLY;
        }
        String[] names = mnem.split("[/|]");
        X86Op[] xops = new X86Op[names.length];
        for (int k = 0; k < names.length; k++) xops[k] = X86Op.valueOf(names[k]);
        if (mnem.contains("|")) xops = new X86Op[] {xops[0], xops[1], null}; // marker: REX.W selects [1]
        for (int k = 0; k < expand; k++) {
            Entry e = new Entry(key, mnem, xops, specs, fl, feat, map, prefix, opcode + k, reg, modrm, cc ? k : -1);
            ROWS.add(e);
            Slot sl = SLOTS[map][prefix][opcode + k];
            if (sl == null) sl = SLOTS[map][prefix][opcode + k] = new Slot();
            sl.entries.add(e);
            sl.needsModrm |= e.needsModrm();
        }
    }

    private static OpSpec[] parseSpecs(String ops) {
        if (ops.isEmpty()) return new OpSpec[0];
        String[] p = ops.split(",");
        OpSpec[] r = new OpSpec[p.length];
        for (int i = 0; i < p.length; i++) r[i] = parseSpec(p[i].trim());
        return r;
    }

    private static final String[] R8 = {"AL", "CL", "DL", "BL", "AH", "CH", "DH", "BH"};
    private static final String[] SEGS = {"ES", "CS", "SS", "DS", "FS", "GS"};

    private static OpSpec parseSpec(String s) {
        for (int i = 0; i < 8; i++)
            if (s.equals(R8[i])) return new OpSpec(s, FIXED, S_B, i < 4 ? RegClass.GPR : RegClass.GPR8_HIGH, i & 3);
        for (int i = 0; i < 6; i++) if (s.equals(SEGS[i])) return new OpSpec(s, FIXED, S_W, RegClass.SEG, i);
        switch (s) {
            case "AX": return new OpSpec(s, FIXED, S_W, RegClass.GPR, 0);
            case "DX": return new OpSpec(s, FIXED, S_W, RegClass.GPR, 2);
            case "ACCv": return new OpSpec(s, FIXED, S_V, RegClass.GPR, 0);
            case "ACCz": return new OpSpec(s, FIXED, S_Z, RegClass.GPR, 0);
            case "ONE": return new OpSpec(s, FIXED, S_B, null, 1);
            case "ST": return new OpSpec(s, FIXED, S_T, RegClass.X87, 0);
            case "STi": return new OpSpec(s, 'F', S_T, RegClass.X87, -1);
            case "XMM0": return new OpSpec(s, FIXED, S_X, RegClass.XMM, 0);
            default:
        }
        char m = s.charAt(0);
        if ("EGMRIJOXYVWUPQNSCDAZB".indexOf(m) < 0) throw new IllegalArgumentException("operand " + s);
        return new OpSpec(s, m, sizeCode(s.substring(1)), null, -1);
    }

    private static int sizeCode(String z) {
        return switch (z) {
            case "" -> S_NONE; case "b" -> S_B; case "w" -> S_W; case "d" -> S_D; case "q" -> S_Q; case "v" -> S_V;
            case "z" -> S_Z; case "y" -> S_Y; case "x", "dq", "ps", "pd" -> S_X; case "ss" -> S_SS; case "sd" -> S_SD;
            case "t" -> S_T; case "p" -> S_P; case "s" -> S_S; case "a" -> S_A; case "n" -> S_N; case "bs" -> S_BS;
            case "vw" -> S_VW; case "wd" -> S_WD; case "bd" -> S_BD;
            default -> throw new IllegalArgumentException("size " + z);
        };
    }

    private static void f(Feature f) { feat = f; }

    // ------------------------------------------------------------------------------------------------
    // The opcode map
    // ------------------------------------------------------------------------------------------------

    private static final String[] ALU = {"ADD", "OR", "ADC", "SBB", "AND", "SUB", "XOR", "CMP"};
    // /6 is the undocumented SAL alias of SHL; objdump and CPUs treat it as SHL
    private static final String[] SHIFT = {"ROL", "ROR", "RCL", "RCR", "SHL", "SHR", "SHL", "SAR"};

    static {
        // ---------------- one-byte map ----------------
        f(Feature.BASE);
        for (int i = 0; i < 8; i++) {
            String n = ALU[i], h = Integer.toHexString(i * 8).toUpperCase();
            String l = i == 7 ? "" : "L";
            r(hex(i * 8), n, "Eb,Gb", l);
            r(hex(i * 8 + 1), n, "Ev,Gv", l);
            r(hex(i * 8 + 2), n, "Gb,Eb");
            r(hex(i * 8 + 3), n, "Gv,Ev");
            r(hex(i * 8 + 4), n, "AL,Ib");
            r(hex(i * 8 + 5), n, "ACCv,Iz");
            r("80 /" + i, n, "Eb,Ib", l);
            r("81 /" + i, n, "Ev,Iz", l);
            r("82 /" + i, n, "Eb,Ib", "i64", l);
            r("83 /" + i, n, "Ev,Ibs", l);
        }
        r("06", "PUSH", "ES", "i64"); r("07", "POP", "ES", "i64");
        r("0E", "PUSH", "CS", "i64");
        r("16", "PUSH", "SS", "i64"); r("17", "POP", "SS", "i64");
        r("1E", "PUSH", "DS", "i64"); r("1F", "POP", "DS", "i64");
        r("27", "DAA", "", "i64"); r("2F", "DAS", "", "i64"); r("37", "AAA", "", "i64"); r("3F", "AAS", "", "i64");
        r("40+r", "INC", "Zv", "i64"); r("48+r", "DEC", "Zv", "i64");
        r("50+r", "PUSH", "Zv", "d64"); r("58+r", "POP", "Zv", "d64");
        r("60", "PUSHA/PUSHAD", "", "i64"); r("61", "POPA/POPAD", "", "i64");
        r("62", "BOUND", "Gv,Ma", "i64");
        r("63", "ARPL", "Ew,Gw", "i64");
        r("63", "MOVSXD", "Gv,Ed", "o64");
        r("68", "PUSH", "Iz", "d64"); r("69", "IMUL", "Gv,Ev,Iz");
        r("6A", "PUSH", "Ibs", "d64"); r("6B", "IMUL", "Gv,Ev,Ibs");
        r("6C", "INS", "Yb,DX", "P"); r("6D", "INS", "Yz,DX", "P");
        r("6E", "OUTS", "DX,Xb", "P"); r("6F", "OUTS", "DX,Xz", "P");
        r("70+cc", "JCC", "Jb", "f64");
        r("84", "TEST", "Eb,Gb"); r("85", "TEST", "Ev,Gv");
        r("86", "XCHG", "Eb,Gb", "L"); r("87", "XCHG", "Ev,Gv", "L");
        r("88", "MOV", "Eb,Gb"); r("89", "MOV", "Ev,Gv"); r("8A", "MOV", "Gb,Eb"); r("8B", "MOV", "Gv,Ev");
        r("8C", "MOV", "Evw,Sw"); r("8D", "LEA", "Gv,M"); r("8E", "MOV", "Sw,Evw"); r("8F /0", "POP", "Ev", "d64");
        r("90", "NOP", "", "nob");
        r("90", "XCHG", "Zv,ACCv", "rexb");
        r("F3 90", "PAUSE", "");
        for (int i = 1; i < 8; i++) r(hex(0x90 + i), "XCHG", "Zv,ACCv");
        r("98", "CBW/CWDE/CDQE", ""); r("99", "CWD/CDQ/CQO", "");
        r("9A", "CALLF", "Ap", "i64"); r("9B", "FWAIT", "");
        r("9C", "PUSHF/PUSHFD/PUSHFQ", "", "d64"); r("9D", "POPF/POPFD/POPFQ", "", "d64");
        r("9E", "SAHF", ""); r("9F", "LAHF", "");
        r("A0", "MOV", "AL,Ob"); r("A1", "MOV", "ACCv,Ov"); r("A2", "MOV", "Ob,AL"); r("A3", "MOV", "Ov,ACCv");
        r("A4", "MOVS", "Yb,Xb"); r("A5", "MOVS", "Yv,Xv"); r("A6", "CMPS", "Xb,Yb"); r("A7", "CMPS", "Xv,Yv");
        r("A8", "TEST", "AL,Ib"); r("A9", "TEST", "ACCv,Iz");
        r("AA", "STOS", "Yb,AL"); r("AB", "STOS", "Yv,ACCv"); r("AC", "LODS", "AL,Xb"); r("AD", "LODS", "ACCv,Xv");
        r("AE", "SCAS", "AL,Yb"); r("AF", "SCAS", "ACCv,Yv");
        r("B0+r", "MOV", "Zb,Ib"); r("B8+r", "MOV", "Zv,Iv");
        for (int i = 0; i < 8; i++) {
            r("C0 /" + i, SHIFT[i], "Eb,Ib"); r("C1 /" + i, SHIFT[i], "Ev,Ib");
            r("D0 /" + i, SHIFT[i], "Eb,ONE"); r("D1 /" + i, SHIFT[i], "Ev,ONE");
            r("D2 /" + i, SHIFT[i], "Eb,CL"); r("D3 /" + i, SHIFT[i], "Ev,CL");
        }
        r("C2", "RET", "Iw", "f64"); r("C3", "RET", "", "f64");
        r("C4", "LES", "Gz,Mp", "i64"); r("C5", "LDS", "Gz,Mp", "i64");
        r("C6 /0", "MOV", "Eb,Ib"); r("C7 /0", "MOV", "Ev,Iz");
        r("C8", "ENTER", "Iw,Ib", "d64"); r("C9", "LEAVE", "", "d64");
        r("CA", "RETF", "Iw"); r("CB", "RETF", "");
        r("CC", "INT3", ""); r("CD", "INT", "Ib"); r("CE", "INTO", "", "i64"); r("CF", "IRET/IRETD/IRETQ", "");
        r("D4", "AAM", "Ib", "i64"); r("D5", "AAD", "Ib", "i64");
        r("D7", "XLAT", "Bb");
        r("E0", "LOOPNE", "Jb", "f64"); r("E1", "LOOPE", "Jb", "f64"); r("E2", "LOOP", "Jb", "f64");
        r("E3", "JCXZ/JECXZ/JRCXZ", "Jb", "f64", "asz");
        r("E4", "IN", "AL,Ib", "P"); r("E5", "IN", "ACCz,Ib", "P");
        r("E6", "OUT", "Ib,AL", "P"); r("E7", "OUT", "Ib,ACCz", "P");
        r("E8", "CALL", "Jz", "f64"); r("E9", "JMP", "Jz", "f64"); r("EA", "JMPF", "Ap", "i64"); r("EB", "JMP", "Jb", "f64");
        r("EC", "IN", "AL,DX", "P"); r("ED", "IN", "ACCz,DX", "P");
        r("EE", "OUT", "DX,AL", "P"); r("EF", "OUT", "DX,ACCz", "P");
        r("F1", "INT1", ""); r("F4", "HLT", "", "P"); r("F5", "CMC", "");
        r("F6 /0", "TEST", "Eb,Ib"); r("F6 /1", "TEST", "Eb,Ib");
        r("F6 /2", "NOT", "Eb", "L"); r("F6 /3", "NEG", "Eb", "L");
        r("F6 /4", "MUL", "Eb"); r("F6 /5", "IMUL", "Eb"); r("F6 /6", "DIV", "Eb"); r("F6 /7", "IDIV", "Eb");
        r("F7 /0", "TEST", "Ev,Iz"); r("F7 /1", "TEST", "Ev,Iz");
        r("F7 /2", "NOT", "Ev", "L"); r("F7 /3", "NEG", "Ev", "L");
        r("F7 /4", "MUL", "Ev"); r("F7 /5", "IMUL", "Ev"); r("F7 /6", "DIV", "Ev"); r("F7 /7", "IDIV", "Ev");
        r("F8", "CLC", ""); r("F9", "STC", ""); r("FA", "CLI", "", "P"); r("FB", "STI", "", "P");
        r("FC", "CLD", ""); r("FD", "STD", "");
        r("FE /0", "INC", "Eb", "L"); r("FE /1", "DEC", "Eb", "L");
        r("FF /0", "INC", "Ev", "L"); r("FF /1", "DEC", "Ev", "L");
        r("FF /2", "CALL", "Ev", "f64"); r("FF /3", "CALLF", "Mp");
        r("FF /4", "JMP", "Ev", "f64"); r("FF /5", "JMPF", "Mp"); r("FF /6", "PUSH", "Ev", "d64");

        // ---------------- x87 (D8..DF) ----------------
        f(Feature.X87);
        String[] arith = {"FADD", "FMUL", "FCOM", "FCOMP", "FSUB", "FSUBR", "FDIV", "FDIVR"};
        String[] iarith = {"FIADD", "FIMUL", "FICOM", "FICOMP", "FISUB", "FISUBR", "FIDIV", "FIDIVR"};
        for (int i = 0; i < 8; i++) {
            r("D8 /" + i + " m", arith[i], "Md");
            r("D8 /" + i + " r", arith[i], i == 2 || i == 3 ? "STi" : "ST,STi");
            r("DA /" + i + " m", iarith[i], "Md");
            r("DC /" + i + " m", arith[i], "Mq");
            r("DE /" + i + " m", iarith[i], "Mw");
        }
        r("D9 /0 m", "FLD", "Md"); r("D9 /2 m", "FST", "Md"); r("D9 /3 m", "FSTP", "Md");
        r("D9 /4 m", "FLDENV", "M"); r("D9 /5 m", "FLDCW", "Mw"); r("D9 /6 m", "FNSTENV", "M"); r("D9 /7 m", "FNSTCW", "Mw");
        r("D9 /0 r", "FLD", "STi"); r("D9 /1 r", "FXCH", "STi"); r("D9 D0", "FNOP", "");
        String[] d9 = {"FCHS", "FABS", null, null, "FTST", "FXAM", null, null,
                "FLD1", "FLDL2T", "FLDL2E", "FLDPI", "FLDLG2", "FLDLN2", "FLDZ", null,
                "F2XM1", "FYL2X", "FPTAN", "FPATAN", "FXTRACT", "FPREM1", "FDECSTP", "FINCSTP",
                "FPREM", "FYL2XP1", "FSQRT", "FSINCOS", "FRNDINT", "FSCALE", "FSIN", "FCOS"};
        for (int i = 0; i < 32; i++) if (d9[i] != null) r("D9 " + hex(0xE0 + i), d9[i], "");
        r("DA /0 r", "FCMOVB", "ST,STi"); r("DA /1 r", "FCMOVE", "ST,STi");
        r("DA /2 r", "FCMOVBE", "ST,STi"); r("DA /3 r", "FCMOVU", "ST,STi"); r("DA E9", "FUCOMPP", "");
        r("DB /0 m", "FILD", "Md"); r("DB /1 m", "FISTTP", "Md"); r("DB /2 m", "FIST", "Md"); r("DB /3 m", "FISTP", "Md");
        r("DB /5 m", "FLD", "Mt"); r("DB /7 m", "FSTP", "Mt");
        r("DB /0 r", "FCMOVNB", "ST,STi"); r("DB /1 r", "FCMOVNE", "ST,STi");
        r("DB /2 r", "FCMOVNBE", "ST,STi"); r("DB /3 r", "FCMOVNU", "ST,STi");
        r("DB E0", "FNENI", ""); r("DB E1", "FNDISI", ""); r("DB E2", "FNCLEX", ""); r("DB E3", "FNINIT", "");
        r("DB E4", "FNSETPM", "");
        r("DB /5 r", "FUCOMI", "ST,STi"); r("DB /6 r", "FCOMI", "ST,STi");
        r("DC /0 r", "FADD", "STi,ST"); r("DC /1 r", "FMUL", "STi,ST");
        r("DC /4 r", "FSUBR", "STi,ST"); r("DC /5 r", "FSUB", "STi,ST");
        r("DC /6 r", "FDIVR", "STi,ST"); r("DC /7 r", "FDIV", "STi,ST");
        r("DD /0 m", "FLD", "Mq"); r("DD /1 m", "FISTTP", "Mq"); r("DD /2 m", "FST", "Mq"); r("DD /3 m", "FSTP", "Mq");
        r("DD /4 m", "FRSTOR", "M"); r("DD /6 m", "FNSAVE", "M"); r("DD /7 m", "FNSTSW", "Mw");
        r("DD /0 r", "FFREE", "STi"); r("DD /2 r", "FST", "STi"); r("DD /3 r", "FSTP", "STi");
        r("DD /4 r", "FUCOM", "STi"); r("DD /5 r", "FUCOMP", "STi");
        r("DE /0 r", "FADDP", "STi,ST"); r("DE /1 r", "FMULP", "STi,ST"); r("DE D9", "FCOMPP", "");
        r("DE /4 r", "FSUBRP", "STi,ST"); r("DE /5 r", "FSUBP", "STi,ST");
        r("DE /6 r", "FDIVRP", "STi,ST"); r("DE /7 r", "FDIVP", "STi,ST");
        r("DF /0 m", "FILD", "Mw"); r("DF /1 m", "FISTTP", "Mw"); r("DF /2 m", "FIST", "Mw"); r("DF /3 m", "FISTP", "Mw");
        r("DF /4 m", "FBLD", "Mt"); r("DF /5 m", "FILD", "Mq"); r("DF /6 m", "FBSTP", "Mt"); r("DF /7 m", "FISTP", "Mq");
        r("DF /0 r", "FFREEP", "STi"); r("DF E0", "FNSTSW", "AX");
        r("DF /5 r", "FUCOMIP", "ST,STi"); r("DF /6 r", "FCOMIP", "ST,STi");

        // ---------------- two-byte map 0F ----------------
        f(Feature.BASE);
        r("0F 00 /0", "SLDT", "Evw"); r("0F 00 /1", "STR", "Evw"); r("0F 00 /2", "LLDT", "Ew", "P");
        r("0F 00 /3", "LTR", "Ew", "P"); r("0F 00 /4", "VERR", "Ew"); r("0F 00 /5", "VERW", "Ew");
        r("0F 01 /0 m", "SGDT", "Ms"); r("0F 01 /1 m", "SIDT", "Ms"); r("0F 01 /2 m", "LGDT", "Ms", "P");
        r("0F 01 /3 m", "LIDT", "Ms", "P"); r("0F 01 /4", "SMSW", "Evw"); r("0F 01 /6", "LMSW", "Ew", "P");
        r("0F 01 /7 m", "INVLPG", "Mb", "P");
        f(Feature.MONITOR); r("0F 01 C8", "MONITOR", "", "P"); r("0F 01 C9", "MWAIT", "", "P");
        f(Feature.SMAP); r("0F 01 CA", "CLAC", "", "P"); r("0F 01 CB", "STAC", "", "P");
        f(Feature.XSAVE); r("0F 01 D0", "XGETBV", ""); r("0F 01 D1", "XSETBV", "", "P");
        f(Feature.BASE); r("0F 01 F8", "SWAPGS", "", "o64", "P");
        f(Feature.RDTSCP); r("0F 01 F9", "RDTSCP", "");
        f(Feature.BASE);
        r("0F 02", "LAR", "Gv,Evw"); r("0F 03", "LSL", "Gv,Evw");
        f(Feature.SYSCALL); r("0F 05", "SYSCALL", ""); r("0F 07", "SYSRET", "", "P");
        f(Feature.BASE);
        r("0F 06", "CLTS", "", "P"); r("0F 08", "INVD", "", "P"); r("0F 09", "WBINVD", "", "P");
        r("0F 0B", "UD2", "");
        r("0F 0D m", "PREFETCH", "Mb"); r("0F 0D /0 m", "PREFETCH", "Mb"); r("0F 0D /1 m", "PREFETCHW", "Mb");
        f(Feature.SSE);
        r("0F 18 /0 m", "PREFETCHNTA", "Mb"); r("0F 18 /1 m", "PREFETCHT0", "Mb");
        r("0F 18 /2 m", "PREFETCHT1", "Mb"); r("0F 18 /3 m", "PREFETCHT2", "Mb");
        f(Feature.BASE);
        for (int i = 4; i < 8; i++) r("0F 18 /" + i, "NOP", "Ev");
        r("0F 18 /0 r", "NOP", "Ev"); r("0F 18 /1 r", "NOP", "Ev"); r("0F 18 /2 r", "NOP", "Ev"); r("0F 18 /3 r", "NOP", "Ev");
        r("0F 19", "NOP", "Ev"); r("0F 1A", "NOP", "Ev"); r("0F 1B", "NOP", "Ev"); r("0F 1C", "NOP", "Ev"); r("0F 1D", "NOP", "Ev"); r("0F 1E", "NOP", "Ev"); r("0F 1F", "NOP", "Ev");
        f(Feature.CET); r("F3 0F 1E FA", "ENDBR64", ""); r("F3 0F 1E FB", "ENDBR32", "");
        f(Feature.BASE);
        r("0F 20", "MOV", "Rn,Cn", "modreg", "P"); r("0F 21", "MOV", "Rn,Dn", "modreg", "P");
        r("0F 22", "MOV", "Cn,Rn", "modreg", "P"); r("0F 23", "MOV", "Dn,Rn", "modreg", "P");
        r("0F 30", "WRMSR", "", "P"); r("0F 37", "GETSEC", ""); r("0F 31", "RDTSC", ""); r("0F 32", "RDMSR", "", "P"); r("0F 33", "RDPMC", "");
        f(Feature.SEP); r("0F 34", "SYSENTER", ""); r("0F 35", "SYSEXIT", "", "P");
        f(Feature.CMOV); r("0F 40+cc", "CMOVCC", "Gv,Ev");
        f(Feature.BASE);
        r("0F 80+cc", "JCC", "Jz", "f64");
        r("0F 90+cc", "SETCC", "Eb");
        r("0F A0", "PUSH", "FS", "d64"); r("0F A1", "POP", "FS", "d64"); r("0F A2", "CPUID", "");
        r("0F A3", "BT", "Ev,Gv"); r("0F A4", "SHLD", "Ev,Gv,Ib"); r("0F A5", "SHLD", "Ev,Gv,CL");
        r("0F A8", "PUSH", "GS", "d64"); r("0F A9", "POP", "GS", "d64"); r("0F AA", "RSM", "", "P");
        r("0F AB", "BTS", "Ev,Gv", "L"); r("0F AC", "SHRD", "Ev,Gv,Ib"); r("0F AD", "SHRD", "Ev,Gv,CL");
        f(Feature.FXSR); r("0F AE /0 m", "FXSAVE", "M"); r("0F AE /1 m", "FXRSTOR", "M");
        f(Feature.SSE); r("0F AE /2 m", "LDMXCSR", "Md"); r("0F AE /3 m", "STMXCSR", "Md");
        f(Feature.XSAVE); r("0F AE /4 m", "XSAVE", "M"); r("0F AE /5 m", "XRSTOR", "M"); r("0F AE /6 m", "XSAVEOPT", "M");
        f(Feature.CLFSH); r("0F AE /7 m", "CLFLUSH", "Mb");
        f(Feature.CLWB); r("66 0F AE /6 m", "CLWB", "Mb");
        f(Feature.CLFLUSHOPT); r("66 0F AE /7 m", "CLFLUSHOPT", "Mb");
        f(Feature.SSE2); r("0F AE E8", "LFENCE", ""); r("0F AE F0", "MFENCE", "");
        f(Feature.SSE); r("0F AE F8", "SFENCE", "");
        f(Feature.FSGSBASE);
        r("F3 0F AE /0 r", "RDFSBASE", "Ry", "o64"); r("F3 0F AE /1 r", "RDGSBASE", "Ry", "o64");
        r("F3 0F AE /2 r", "WRFSBASE", "Ry", "o64"); r("F3 0F AE /3 r", "WRGSBASE", "Ry", "o64");
        f(Feature.BASE);
        r("0F AF", "IMUL", "Gv,Ev");
        r("0F B0", "CMPXCHG", "Eb,Gb", "L"); r("0F B1", "CMPXCHG", "Ev,Gv", "L");
        r("0F B2", "LSS", "Gv,Mp"); r("0F B3", "BTR", "Ev,Gv", "L"); r("0F B4", "LFS", "Gv,Mp"); r("0F B5", "LGS", "Gv,Mp");
        r("0F B6", "MOVZX", "Gv,Eb"); r("0F B7", "MOVZX", "Gv,Ew");
        f(Feature.POPCNT); r("F3 0F B8", "POPCNT", "Gv,Ev");
        f(Feature.BASE);
        r("0F B9", "UD1", "Gv,Ev");
        r("0F BA /4", "BT", "Ev,Ib"); r("0F BA /5", "BTS", "Ev,Ib", "L");
        r("0F BA /6", "BTR", "Ev,Ib", "L"); r("0F BA /7", "BTC", "Ev,Ib", "L");
        r("0F BB", "BTC", "Ev,Gv", "L"); r("0F BC", "BSF", "Gv,Ev"); r("0F BD", "BSR", "Gv,Ev");
        f(Feature.BMI1); r("F3 0F BC", "TZCNT", "Gv,Ev");
        f(Feature.LZCNT); r("F3 0F BD", "LZCNT", "Gv,Ev");
        f(Feature.BASE);
        r("0F BE", "MOVSX", "Gv,Eb"); r("0F BF", "MOVSX", "Gv,Ew");
        r("0F C0", "XADD", "Eb,Gb", "L"); r("0F C1", "XADD", "Ev,Gv", "L");
        f(Feature.CX8); r("0F C7 /1 m", "CMPXCHG8B|CMPXCHG16B", "Mq", "L");
        f(Feature.RDRAND); r("0F C7 /6 r", "RDRAND", "Rv");
        f(Feature.RDSEED); r("0F C7 /7 r", "RDSEED", "Rv");
        f(Feature.BASE);
        r("0F C8+r", "BSWAP", "Zy");
        r("0F FF", "UD0", "Gv,Ev");

        // ---------------- SSE / SSE2 (0F map, prefix-selected) ----------------
        f(Feature.SSE);  r("0F 10", "MOVUPS", "Vps,Wps"); r("0F 11", "MOVUPS", "Wps,Vps");
        f(Feature.SSE2); r("66 0F 10", "MOVUPD", "Vpd,Wpd"); r("66 0F 11", "MOVUPD", "Wpd,Vpd");
        f(Feature.SSE);  r("F3 0F 10", "MOVSS", "Vx,Wss"); r("F3 0F 11", "MOVSS", "Wss,Vx");
        f(Feature.SSE2); r("F2 0F 10", "MOVSD", "Vx,Wsd"); r("F2 0F 11", "MOVSD", "Wsd,Vx");
        f(Feature.SSE);  r("0F 12 m", "MOVLPS", "Vx,Mq"); r("0F 12 r", "MOVHLPS", "Vx,Ux");
        r("0F 13 m", "MOVLPS", "Mq,Vx");
        f(Feature.SSE2); r("66 0F 12 m", "MOVLPD", "Vx,Mq"); r("66 0F 13 m", "MOVLPD", "Mq,Vx");
        f(Feature.SSE3); r("F3 0F 12", "MOVSLDUP", "Vx,Wx"); r("F2 0F 12", "MOVDDUP", "Vx,Wsd");
        f(Feature.SSE);  r("0F 14", "UNPCKLPS", "Vx,Wx"); r("0F 15", "UNPCKHPS", "Vx,Wx");
        f(Feature.SSE2); r("66 0F 14", "UNPCKLPD", "Vx,Wx"); r("66 0F 15", "UNPCKHPD", "Vx,Wx");
        f(Feature.SSE);  r("0F 16 m", "MOVHPS", "Vx,Mq"); r("0F 16 r", "MOVLHPS", "Vx,Ux"); r("0F 17 m", "MOVHPS", "Mq,Vx");
        f(Feature.SSE2); r("66 0F 16 m", "MOVHPD", "Vx,Mq"); r("66 0F 17 m", "MOVHPD", "Mq,Vx");
        f(Feature.SSE3); r("F3 0F 16", "MOVSHDUP", "Vx,Wx");
        f(Feature.SSE);  r("0F 28", "MOVAPS", "Vx,Wx"); r("0F 29", "MOVAPS", "Wx,Vx");
        f(Feature.SSE2); r("66 0F 28", "MOVAPD", "Vx,Wx"); r("66 0F 29", "MOVAPD", "Wx,Vx");
        f(Feature.SSE);  r("0F 2A", "CVTPI2PS", "Vx,Qq"); r("F3 0F 2A", "CVTSI2SS", "Vx,Ey");
        f(Feature.SSE2); r("66 0F 2A", "CVTPI2PD", "Vx,Qq"); r("F2 0F 2A", "CVTSI2SD", "Vx,Ey");
        f(Feature.SSE);  r("0F 2B m", "MOVNTPS", "Mx,Vx");
        f(Feature.SSE2); r("66 0F 2B m", "MOVNTPD", "Mx,Vx");
        f(Feature.SSE);  r("0F 2C", "CVTTPS2PI", "Pq,Wq"); r("F3 0F 2C", "CVTTSS2SI", "Gy,Wss");
        r("0F 2D", "CVTPS2PI", "Pq,Wq"); r("F3 0F 2D", "CVTSS2SI", "Gy,Wss");
        f(Feature.SSE2); r("66 0F 2C", "CVTTPD2PI", "Pq,Wx"); r("F2 0F 2C", "CVTTSD2SI", "Gy,Wsd");
        r("66 0F 2D", "CVTPD2PI", "Pq,Wx"); r("F2 0F 2D", "CVTSD2SI", "Gy,Wsd");
        f(Feature.SSE);  r("0F 2E", "UCOMISS", "Vx,Wss"); r("0F 2F", "COMISS", "Vx,Wss");
        f(Feature.SSE2); r("66 0F 2E", "UCOMISD", "Vx,Wsd"); r("66 0F 2F", "COMISD", "Vx,Wsd");
        f(Feature.SSE);  r("0F 50", "MOVMSKPS", "Gd,Ux");
        f(Feature.SSE2); r("66 0F 50", "MOVMSKPD", "Gd,Ux");
        String[][] arithPs = {{"51", "SQRT"}, {"58", "ADD"}, {"59", "MUL"}, {"5C", "SUB"}, {"5D", "MIN"}, {"5E", "DIV"}, {"5F", "MAX"}};
        for (String[] a : arithPs) {
            f(Feature.SSE);  r("0F " + a[0], a[1] + "PS", "Vx,Wx"); r("F3 0F " + a[0], a[1] + "SS", "Vx,Wss");
            f(Feature.SSE2); r("66 0F " + a[0], a[1] + "PD", "Vx,Wx"); r("F2 0F " + a[0], a[1] + "SD", "Vx,Wsd");
        }
        f(Feature.SSE);
        r("0F 52", "RSQRTPS", "Vx,Wx"); r("F3 0F 52", "RSQRTSS", "Vx,Wss");
        r("0F 53", "RCPPS", "Vx,Wx"); r("F3 0F 53", "RCPSS", "Vx,Wss");
        String[][] logic = {{"54", "AND"}, {"55", "ANDN"}, {"56", "OR"}, {"57", "XOR"}};
        for (String[] a : logic) {
            f(Feature.SSE);  r("0F " + a[0], a[1] + "PS", "Vx,Wx");
            f(Feature.SSE2); r("66 0F " + a[0], a[1] + "PD", "Vx,Wx");
        }
        f(Feature.SSE2);
        r("0F 5A", "CVTPS2PD", "Vx,Wq"); r("66 0F 5A", "CVTPD2PS", "Vx,Wx");
        r("F3 0F 5A", "CVTSS2SD", "Vx,Wss"); r("F2 0F 5A", "CVTSD2SS", "Vx,Wsd");
        r("0F 5B", "CVTDQ2PS", "Vx,Wx"); r("66 0F 5B", "CVTPS2DQ", "Vx,Wx"); r("F3 0F 5B", "CVTTPS2DQ", "Vx,Wx");
        // MMX / SSE2 packed integer: no prefix = MMX registers, 66 = XMM
        mx("60", "PUNPCKLBW", true); mx("61", "PUNPCKLWD", true); mx("62", "PUNPCKLDQ", true);
        mx("63", "PACKSSWB", false); mx("64", "PCMPGTB", false); mx("65", "PCMPGTW", false); mx("66", "PCMPGTD", false);
        mx("67", "PACKUSWB", false); mx("68", "PUNPCKHBW", false); mx("69", "PUNPCKHWD", false);
        mx("6A", "PUNPCKHDQ", false); mx("6B", "PACKSSDW", false);
        f(Feature.SSE2); r("66 0F 6C", "PUNPCKLQDQ", "Vx,Wx"); r("66 0F 6D", "PUNPCKHQDQ", "Vx,Wx");
        f(Feature.MMX);  r("0F 6E", "MOVD|MOVQ", "Pq,Ey"); r("0F 7E", "MOVD|MOVQ", "Ey,Pq");
        r("0F 6F", "MOVQ", "Pq,Qq"); r("0F 7F", "MOVQ", "Qq,Pq");
        f(Feature.SSE2); r("66 0F 6E", "MOVD|MOVQ", "Vx,Ey"); r("66 0F 7E", "MOVD|MOVQ", "Ey,Vx");
        r("66 0F 6F", "MOVDQA", "Vx,Wx"); r("F3 0F 6F", "MOVDQU", "Vx,Wx");
        r("66 0F 7F", "MOVDQA", "Wx,Vx"); r("F3 0F 7F", "MOVDQU", "Wx,Vx");
        r("F3 0F 7E", "MOVQ", "Vx,Wq"); r("66 0F D6", "MOVQ", "Wq,Vx");
        r("F3 0F D6", "MOVQ2DQ", "Vx,Nq"); r("F2 0F D6", "MOVDQ2Q", "Pq,Ux");
        f(Feature.SSE);  r("0F 70", "PSHUFW", "Pq,Qq,Ib");
        f(Feature.SSE2); r("66 0F 70", "PSHUFD", "Vx,Wx,Ib"); r("F3 0F 70", "PSHUFHW", "Vx,Wx,Ib"); r("F2 0F 70", "PSHUFLW", "Vx,Wx,Ib");
        String[][] shImm = {{"71", "2", "PSRLW"}, {"71", "4", "PSRAW"}, {"71", "6", "PSLLW"},
                {"72", "2", "PSRLD"}, {"72", "4", "PSRAD"}, {"72", "6", "PSLLD"}, {"73", "2", "PSRLQ"}, {"73", "6", "PSLLQ"}};
        for (String[] s : shImm) {
            f(Feature.MMX);  r("0F " + s[0] + " /" + s[1] + " r", s[2], "Nq,Ib");
            f(Feature.SSE2); r("66 0F " + s[0] + " /" + s[1] + " r", s[2], "Ux,Ib");
        }
        f(Feature.SSE2); r("66 0F 73 /3 r", "PSRLDQ", "Ux,Ib"); r("66 0F 73 /7 r", "PSLLDQ", "Ux,Ib");
        mx("74", "PCMPEQB", false); mx("75", "PCMPEQW", false); mx("76", "PCMPEQD", false);
        f(Feature.MMX);  r("0F 77", "EMMS", "");
        f(Feature.SSE3); r("66 0F 7C", "HADDPD", "Vx,Wx"); r("F2 0F 7C", "HADDPS", "Vx,Wx");
        r("66 0F 7D", "HSUBPD", "Vx,Wx"); r("F2 0F 7D", "HSUBPS", "Vx,Wx");
        f(Feature.SSE);  r("0F C2", "CMPPS", "Vx,Wx,Ib"); r("F3 0F C2", "CMPSS", "Vx,Wss,Ib");
        f(Feature.SSE2); r("66 0F C2", "CMPPD", "Vx,Wx,Ib"); r("F2 0F C2", "CMPSD", "Vx,Wsd,Ib");
        r("0F C3 m", "MOVNTI", "My,Gy");
        f(Feature.SSE);  r("0F C4", "PINSRW", "Pq,Ewd,Ib"); r("0F C5", "PEXTRW", "Gd,Nq,Ib");
        f(Feature.SSE2); r("66 0F C4", "PINSRW", "Vx,Ewd,Ib"); r("66 0F C5", "PEXTRW", "Gd,Ux,Ib");
        f(Feature.SSE);  r("0F C6", "SHUFPS", "Vx,Wx,Ib");
        f(Feature.SSE2); r("66 0F C6", "SHUFPD", "Vx,Wx,Ib");
        f(Feature.SSE3); r("66 0F D0", "ADDSUBPD", "Vx,Wx"); r("F2 0F D0", "ADDSUBPS", "Vx,Wx");
        mx("D1", "PSRLW", false); mx("D2", "PSRLD", false); mx("D3", "PSRLQ", false); mx("D4", "PADDQ", false);
        mx("D5", "PMULLW", false);
        f(Feature.SSE);  r("0F D7", "PMOVMSKB", "Gd,Nq");
        f(Feature.SSE2); r("66 0F D7", "PMOVMSKB", "Gd,Ux");
        mx("D8", "PSUBUSB", false); mx("D9", "PSUBUSW", false); mx("DA", "PMINUB", false); mx("DB", "PAND", false);
        mx("DC", "PADDUSB", false); mx("DD", "PADDUSW", false); mx("DE", "PMAXUB", false); mx("DF", "PANDN", false);
        mx("E0", "PAVGB", false); mx("E1", "PSRAW", false); mx("E2", "PSRAD", false); mx("E3", "PAVGW", false);
        mx("E4", "PMULHUW", false); mx("E5", "PMULHW", false);
        f(Feature.SSE2); r("66 0F E6", "CVTTPD2DQ", "Vx,Wx"); r("F3 0F E6", "CVTDQ2PD", "Vx,Wq"); r("F2 0F E6", "CVTPD2DQ", "Vx,Wx");
        f(Feature.SSE);  r("0F E7 m", "MOVNTQ", "Mq,Pq");
        f(Feature.SSE2); r("66 0F E7 m", "MOVNTDQ", "Mx,Vx");
        mx("E8", "PSUBSB", false); mx("E9", "PSUBSW", false); mx("EA", "PMINSW", false); mx("EB", "POR", false);
        mx("EC", "PADDSB", false); mx("ED", "PADDSW", false); mx("EE", "PMAXSW", false); mx("EF", "PXOR", false);
        f(Feature.SSE3); r("F2 0F F0 m", "LDDQU", "Vx,Mx");
        mx("F1", "PSLLW", false); mx("F2", "PSLLD", false); mx("F3", "PSLLQ", false); mx("F4", "PMULUDQ", false);
        mx("F5", "PMADDWD", false); mx("F6", "PSADBW", false);
        f(Feature.SSE);  r("0F F7 r", "MASKMOVQ", "Pq,Nq");
        f(Feature.SSE2); r("66 0F F7 r", "MASKMOVDQU", "Vx,Ux");
        mx("F8", "PSUBB", false); mx("F9", "PSUBW", false); mx("FA", "PSUBD", false); mx("FB", "PSUBQ", false);
        mx("FC", "PADDB", false); mx("FD", "PADDW", false); mx("FE", "PADDD", false);

        // ---------------- three-byte map 0F 38 ----------------
        f(Feature.SSSE3);
        String[] ssse3 = {"PSHUFB", "PHADDW", "PHADDD", "PHADDSW", "PMADDUBSW", "PHSUBW", "PHSUBD", "PHSUBSW",
                "PSIGNB", "PSIGNW", "PSIGND", "PMULHRSW"};
        for (int i = 0; i < ssse3.length; i++) {
            r("0F 38 " + hex(i), ssse3[i], "Pq,Qq"); r("66 0F 38 " + hex(i), ssse3[i], "Vx,Wx");
        }
        String[][] abs = {{"1C", "PABSB"}, {"1D", "PABSW"}, {"1E", "PABSD"}};
        for (String[] a : abs) { r("0F 38 " + a[0], a[1], "Pq,Qq"); r("66 0F 38 " + a[0], a[1], "Vx,Wx"); }
        f(Feature.SSE41);
        r("66 0F 38 10", "PBLENDVB", "Vx,Wx,XMM0"); r("66 0F 38 14", "BLENDVPS", "Vx,Wx,XMM0");
        r("66 0F 38 15", "BLENDVPD", "Vx,Wx,XMM0"); r("66 0F 38 17", "PTEST", "Vx,Wx");
        String[][] pmov = {{"0", "BW", "Wq"}, {"1", "BD", "Wd"}, {"2", "BQ", "Ww"}, {"3", "WD", "Wq"}, {"4", "WQ", "Wd"}, {"5", "DQ", "Wq"}};
        for (String[] p : pmov) {
            r("66 0F 38 2" + p[0], "PMOVSX" + p[1], "Vx," + p[2]);
            r("66 0F 38 3" + p[0], "PMOVZX" + p[1], "Vx," + p[2]);
        }
        r("66 0F 38 28", "PMULDQ", "Vx,Wx"); r("66 0F 38 29", "PCMPEQQ", "Vx,Wx"); r("66 0F 38 2A m", "MOVNTDQA", "Vx,Mx");
        r("66 0F 38 2B", "PACKUSDW", "Vx,Wx");
        String[] minmax = {"PMINSB", "PMINSD", "PMINUW", "PMINUD", "PMAXSB", "PMAXSD", "PMAXUW", "PMAXUD", "PMULLD", "PHMINPOSUW"};
        for (int i = 0; i < minmax.length; i++) r("66 0F 38 " + hex(0x38 + i), minmax[i], "Vx,Wx");
        f(Feature.SSE42); r("66 0F 38 37", "PCMPGTQ", "Vx,Wx");
        f(Feature.MOVBE); r("0F 38 F0 m", "MOVBE", "Gv,Mv"); r("0F 38 F1 m", "MOVBE", "Mv,Gv");
        f(Feature.SSE42); r("F2 0F 38 F0", "CRC32", "Gy,Eb"); r("F2 0F 38 F1", "CRC32", "Gy,Ev");

        f(Feature.SHA);
        r("0F 38 C8", "SHA1NEXTE", "Vx,Wx"); r("0F 38 C9", "SHA1MSG1", "Vx,Wx"); r("0F 38 CA", "SHA1MSG2", "Vx,Wx");
        r("0F 38 CB", "SHA256RNDS2", "Vx,Wx,XMM0"); r("0F 38 CC", "SHA256MSG1", "Vx,Wx"); r("0F 38 CD", "SHA256MSG2", "Vx,Wx");
        r("0F 3A CC", "SHA1RNDS4", "Vx,Wx,Ib");
        f(Feature.AES);
        r("66 0F 38 DB", "AESIMC", "Vx,Wx"); r("66 0F 38 DC", "AESENC", "Vx,Wx"); r("66 0F 38 DD", "AESENCLAST", "Vx,Wx");
        r("66 0F 38 DE", "AESDEC", "Vx,Wx"); r("66 0F 38 DF", "AESDECLAST", "Vx,Wx");
        r("66 0F 3A DF", "AESKEYGENASSIST", "Vx,Wx,Ib");
        f(Feature.ADX); r("66 0F 38 F6", "ADCX", "Gy,Ey"); r("F3 0F 38 F6", "ADOX", "Gy,Ey");
        f(Feature.MOVDIRI); r("0F 38 F9 m", "MOVDIRI", "My,Gy");

        // ---------------- three-byte map 0F 3A ----------------
        f(Feature.SSSE3); r("0F 3A 0F", "PALIGNR", "Pq,Qq,Ib"); r("66 0F 3A 0F", "PALIGNR", "Vx,Wx,Ib");
        f(Feature.SSE41);
        r("66 0F 3A 08", "ROUNDPS", "Vx,Wx,Ib"); r("66 0F 3A 09", "ROUNDPD", "Vx,Wx,Ib");
        r("66 0F 3A 0A", "ROUNDSS", "Vx,Wss,Ib"); r("66 0F 3A 0B", "ROUNDSD", "Vx,Wsd,Ib");
        r("66 0F 3A 0C", "BLENDPS", "Vx,Wx,Ib"); r("66 0F 3A 0D", "BLENDPD", "Vx,Wx,Ib"); r("66 0F 3A 0E", "PBLENDW", "Vx,Wx,Ib");
        r("66 0F 3A 14", "PEXTRB", "Ebd,Vx,Ib"); r("66 0F 3A 15", "PEXTRW", "Ewd,Vx,Ib");
        r("66 0F 3A 16", "PEXTRD|PEXTRQ", "Ey,Vx,Ib"); r("66 0F 3A 17", "EXTRACTPS", "Ed,Vx,Ib");
        r("66 0F 3A 20", "PINSRB", "Vx,Ebd,Ib"); r("66 0F 3A 21", "INSERTPS", "Vx,Wss,Ib");
        r("66 0F 3A 22", "PINSRD|PINSRQ", "Vx,Ey,Ib");
        r("66 0F 3A 40", "DPPS", "Vx,Wx,Ib"); r("66 0F 3A 41", "DPPD", "Vx,Wx,Ib"); r("66 0F 3A 42", "MPSADBW", "Vx,Wx,Ib");
        f(Feature.PCLMUL); r("66 0F 3A 44", "PCLMULQDQ", "Vx,Wx,Ib");
        f(Feature.SSE42);
        r("66 0F 3A 60", "PCMPESTRM", "Vx,Wx,Ib"); r("66 0F 3A 61", "PCMPESTRI", "Vx,Wx,Ib");
        r("66 0F 3A 62", "PCMPISTRM", "Vx,Wx,Ib"); r("66 0F 3A 63", "PCMPISTRI", "Vx,Wx,Ib");
        f(Feature.BASE);
    }

    /** A packed-integer op in its MMX (no prefix) and SSE2 (66) forms. */
    private static void mx(String op, String name, boolean lowHalf) {
        f(Feature.MMX);  r("0F " + op, name, lowHalf ? "Pq,Qd" : "Pq,Qq");
        f(Feature.SSE2); r("66 0F " + op, name, "Vx,Wx");
    }

    private static String hex(int v) { return String.format("%02X", v); }
}
