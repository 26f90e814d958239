package emulator.x86.decode;

import java.util.List;

/** Intel-syntax disassembly close to {@code objdump -d -M intel} (GNU binutils). */
public final class Disassembler {
    private Disassembler() {}

    static final String[] CC = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"};
    static final String[] R64 = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"};
    static final String[] R32 = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
    static final String[] R16 = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di"};
    static final String[] R8 = {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil"};
    static final String[] R8H = {"ah", "ch", "dh", "bh"};
    static final String[] SEG = {"es", "cs", "ss", "ds", "fs", "gs"};
    static final String[] CMP_PRED = {"eq", "lt", "le", "unord", "neq", "nlt", "nle", "ord"};

    public static String reg(Operand.Reg r) {
        int n = r.num();
        return switch (r.cls()) {
            case GPR -> switch (r.size()) {
                case 8 -> n < 8 ? R64[n] : "r" + n;
                case 4 -> n < 8 ? R32[n] : "r" + n + "d";
                case 2 -> n < 8 ? R16[n] : "r" + n + "w";
                default -> n < 8 ? R8[n] : "r" + n + "b";
            };
            case GPR8_HIGH -> R8H[n & 3];
            case SEG -> n < 6 ? SEG[n] : "?";
            case XMM -> "xmm" + n;
            case MMX -> "mm" + n;
            case X87 -> "st(" + n + ")";
            case CR -> "cr" + n;
            case DR -> "dr" + n;
        };
    }

    /** The mnemonic as objdump spells it (without prefixes). */
    public static String mnemonic(X86Insn i) {
        X86Op op = i.op();
        boolean m64 = i.mode().is64();
        switch (op) {
            case INVALID: return "(bad)";
            case JCC: return "j" + CC[i.cond()];
            case SETCC: return "set" + CC[i.cond()];
            case CMOVCC: return "cmov" + CC[i.cond()];
            case MOV:
                if (m64 && i.map() == 0 && ((i.opcode() >= 0xA0 && i.opcode() <= 0xA3)
                        || (i.opcode() >= 0xB8 && i.opcode() <= 0xBF && i.operandSizeAttr() == 8))) return "movabs";
                return "mov";
            case PUSHF: return "pushfw";
            case PUSHFD, PUSHFQ: return "pushf";
            case POPF: return "popfw";
            case POPFD, POPFQ: return "popf";
            case PUSHA: return "pushaw";
            case PUSHAD: return "pusha";
            case POPA: return "popaw";
            case POPAD: return "popa";
            case IRET: return "iretw";
            case IRETD: return "iret";
            case FNENI: return "fneni(8087 only)";
            case FNDISI: return "fndisi(8087 only)";
            case FNSETPM: return "fnsetpm(287 only)";
            case FLDENV, FNSTENV, FRSTOR, FNSAVE:
                return op.name().toLowerCase() + (i.operandSizeAttr() == 2 ? "w" : "");
            case PUSH, POP:
                if (i.operandSizeAttr() == 2 && !(i.operands().get(0) instanceof Operand.Reg r && r.cls() == RegClass.GPR)
                        && !(i.operands().get(0) instanceof Operand.Mem)) return op.name().toLowerCase() + "w";
                return op.name().toLowerCase();
            case RETF:
                return "retf" + (i.operandSizeAttr() == 2 ? "w" : i.operandSizeAttr() == 8 ? "q" : "");
            case SYSRET, SYSEXIT:
                return op.name().toLowerCase() + (m64 ? (i.rexW() ? "q" : "d") : "");
            case FXSAVE, FXRSTOR, XSAVE, XRSTOR, XSAVEOPT:
                return op.name().toLowerCase() + (i.rexW() ? "64" : "");
            case ENTER, LEAVE:
                return op.name().toLowerCase() + (i.operandSizeAttr() == 2 ? "w" : "");
            case SGDT, SIDT, LGDT, LIDT:
                return op.name().toLowerCase() + (m64 ? "" : i.operandSizeAttr() == 2 ? "w" : "d");
            case CALLF: return "call";
            case JMPF: return "jmp";
            case CALL, JMP, RET:
                if (i.operandSizeAttr() == 2 && (op == X86Op.RET || (i.map() == 0 && (i.opcode() == 0xE8 || i.opcode() == 0xE9))))
                    return op.name().toLowerCase() + "w";
                return op.name().toLowerCase();
            case CMPPS, CMPPD, CMPSS, CMPSD: {
                long imm = ((Operand.Imm) i.operands().get(2)).value();
                if (imm >= 0 && imm < 8) return "cmp" + CMP_PRED[(int) imm] + op.name().substring(3).toLowerCase();
                return op.name().toLowerCase();
            }
            default: return op.name().toLowerCase();
        }
    }

    static boolean isString(X86Op op) {
        return switch (op) { case MOVS, CMPS, STOS, LODS, SCAS, INS, OUTS -> true; default -> false; };
    }

    static boolean isBranch(X86Op op) {
        return switch (op) { case JMP, CALL, RET, JCC -> true; default -> false; };
    }

    /** Full Intel-syntax text: prefixes, mnemonic, operands. */
    public static String format(X86Insn i) {
        if (!i.isValid()) return "(bad)";
        StringBuilder sb = new StringBuilder();
        List<Operand> ops = i.operands();
        boolean segUsed = false;
        for (Operand o : ops)
            if (o instanceof Operand.Mem m && !(isString(i.op()) && m.base() != null && m.base().num() == 7)) segUsed = true;
        if (i.lock()) sb.append("lock ");
        if (i.rep()) sb.append(isString(i.op()) && i.op() != X86Op.CMPS && i.op() != X86Op.SCAS ? "rep " : "repz ");
        if (i.repne()) sb.append(isBranch(i.op()) ? "bnd " : "repnz ");
        if (i.segment() >= 0 && (!segUsed || (i.mode().is64() && i.segment() < 4 && !isString(i.op()))))
            sb.append(SEG[i.segment()]).append(' ');
        String mn = mnemonic(i);
        sb.append(mn);
        if (ops.isEmpty()) return sb.toString();
        int n = ops.size();
        boolean cmpPseudo = switch (i.op()) {
            case CMPPS, CMPPD, CMPSS, CMPSD -> ((Operand.Imm) ops.get(2)).value() < 8;
            default -> false;
        };
        if (cmpPseudo) n = 2;
        int pad = 6 - sb.length() + 0;
        sb.append(' ');
        while (pad-- > 0) sb.append(' ');
        boolean x87two = i.map() == 0 && i.opcode() >= 0xD8 && i.opcode() <= 0xDF && n == 2
                && ops.get(0) instanceof Operand.Reg a && a.cls() == RegClass.X87
                && ops.get(1) instanceof Operand.Reg b && b.cls() == RegClass.X87;
        int fixedSt = x87two ? (i.opcode() == 0xDC || i.opcode() == 0xDE ? 1 : 0) : -1;
        String comment = null;
        for (int k = 0; k < n; k++) {
            if (k > 0) sb.append(',');
            Operand o = ops.get(k);
            switch (o) {
                case Operand.Reg r -> sb.append(k == fixedSt ? "st" : reg(r));
                case Operand.Imm im -> {
                    if (i.map() == 0 && (i.opcode() == 0xD0 || i.opcode() == 0xD1) && k == 1) sb.append('1');
                    else sb.append("0x").append(Long.toHexString(im.unsigned()));
                }
                case Operand.Rel rel -> sb.append("0x").append(Long.toHexString(rel.target()));
                case Operand.Far f -> sb.append("0x").append(Integer.toHexString(f.selector())).append(":0x")
                        .append(Long.toHexString(f.offset()));
                case Operand.Mem m -> {
                    if (m.ripRelative()) comment = "0x" + Long.toHexString(m.ripTarget());
                    mem(sb, i, m);
                }
            }
        }
        if (comment != null) sb.append("        # ").append(comment);
        return sb.toString();
    }

    static String sizeName(int size, X86Op op) {
        return switch (size) {
            case 1 -> "BYTE"; case 2 -> "WORD"; case 4 -> "DWORD"; case 6 -> "FWORD"; case 8 -> "QWORD";
            case 10 -> "TBYTE"; case 16 -> op == X86Op.CMPXCHG16B ? "OWORD" : "XMMWORD";
            default -> null;
        };
    }

    private static void mem(StringBuilder sb, X86Insn i, Operand.Mem m) {
        X86Op op = i.op();
        boolean moffs = i.map() == 0 && i.opcode() >= 0xA0 && i.opcode() <= 0xA3;
        boolean noSize = moffs || switch (op) {
            case LGDT, SGDT, LIDT, SIDT, LEA -> true;
            default -> false;
        };
        String sz = noSize ? null : sizeName(m.size(), op);
        if (sz != null) sb.append(sz).append(" PTR ");
        boolean str = isString(op) || op == X86Op.XLAT;
        String segName = null;
        if (str) segName = SEG[m.seg()];
        else if (i.segment() >= 0 && !(i.mode().is64() && i.segment() < 4)) segName = SEG[i.segment()];
        int as = m.addrSize();
        String[] names = as == 8 ? R64 : as == 4 ? R32 : R16;
        boolean hasBase = m.base() != null, hasIndex = m.index() != null;
        boolean needIndex = m.sib() && !hasBase && !hasIndex && as == 4 && !i.mode().is64();
        boolean bracket = hasBase || hasIndex || m.ripRelative() || needIndex || (m.sib() && m.sibScaleBits() != 0);
        if (!bracket) {
            sb.append(segName != null ? segName : "ds").append(":0x");
            long d = m.disp();
            if (as < 8) d &= (1L << (as * 8)) - 1;
            sb.append(Long.toHexString(d));
            return;
        }
        if (segName != null) sb.append(segName).append(':');
        sb.append('[');
        boolean any = false;
        if (m.ripRelative()) { sb.append(as == 8 ? "rip" : "eip"); any = true; }
        if (hasBase) { sb.append(reg(m.base())); any = true; }
        if (m.sib()) {
            boolean printIndex = m.sibScaleBits() != 0 || needIndex || hasIndex
                    || (hasBase && (m.base().num() & 7) != 4);
            if (printIndex) {
                if (any) sb.append('+');
                sb.append(hasIndex ? reg(m.index()) : as == 8 ? "riz" : "eiz").append('*').append(1 << m.sibScaleBits());
                any = true;
            }
        } else if (hasIndex) { // 16-bit addressing
            sb.append('+').append(reg(m.index()));
        }
        if (m.dispSize() > 0) {
            long d = m.disp();
            if (!any) sb.append("0x").append(Long.toHexString(as < 8 ? d & ((1L << (as * 8)) - 1) : d));
            else if (d < 0) sb.append("-0x").append(Long.toHexString(-d));
            else sb.append("+0x").append(Long.toHexString(d));
        }
        sb.append(']');
    }
}
