package emulator.x86.decode;

import static emulator.x86.decode.OpcodeTable.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import emulator.x86.decode.OpcodeTable.Entry;
import emulator.x86.decode.OpcodeTable.OpSpec;
import emulator.x86.decode.OpcodeTable.Slot;

/**
 * Table-driven IA-32 / x86-64 decoder. Total: any byte sequence yields an {@link X86Insn}, which is
 * {@link Kind#INVALID} (with a {@link DecodeError}) for undefined encodings, over-long instructions and
 * unfetchable bytes; no exception escapes. Thread-safe (no shared mutable state).
 */
public final class X86Decoder {
    private X86Decoder() {}

    public static final int MAX_LENGTH = 15;

    /** Decodes the instruction at {@code pc}. */
    public static X86Insn decode(ByteSource src, long pc, X86Mode mode) {
        State s = new State(src, pc, mode);
        try {
            return s.run();
        } catch (Stop st) {
            return s.invalid(st.error);
        } catch (RuntimeException e) {
            return s.invalid(DecodeError.INTERNAL);
        }
    }

    /** Decodes from an array; {@code code[off]} is at guest address {@code pc}; bytes past the array are unfetchable. */
    public static X86Insn decode(byte[] code, int off, long pc, X86Mode mode) {
        return decode(addr -> {
            long i = off + (addr - pc);
            return i >= 0 && i < code.length ? code[(int) i] & 0xFF : -1;
        }, pc, mode);
    }

    private static final class Stop extends RuntimeException {
        final DecodeError error;
        Stop(DecodeError e) { super(e.name(), null, false, false); error = e; }
    }
    private static final Stop UNDEF = new Stop(DecodeError.UNDEFINED_OPCODE), TOO_LONG = new Stop(DecodeError.TOO_LONG),
            FAULT = new Stop(DecodeError.FETCH_FAULT), BAD_LOCK = new Stop(DecodeError.BAD_LOCK);

    private static final class State {
        final ByteSource src; final long pc; final X86Mode mode; final boolean m64;
        final byte[] buf = new byte[MAX_LENGTH];
        int len; long faultAddr = -1;
        boolean lock, opsz, adsz; int repByte, seg = -1, rex;
        int map, opcode;
        boolean hasModrm; int modrm, mod, regf, rm;
        // memory operand
        boolean hasMem, rip; int memBase = -1, memIndex = -1, scale = 1; long disp;
        int os, as;
        Entry e;
        final long[] imm = new long[4]; final int[] immLen = new int[4];

        State(ByteSource src, long pc, X86Mode mode) { this.src = src; this.pc = pc; this.mode = mode; m64 = mode.is64(); }

        int next() {
            if (len >= MAX_LENGTH) throw TOO_LONG;
            int b = src.fetch(pc + len);
            if (b < 0 || b > 255) { faultAddr = pc + len; throw FAULT; }
            buf[len++] = (byte) b;
            return b;
        }

        long readLE(int n) {
            long v = 0;
            for (int i = 0; i < n; i++) v |= (long) next() << (8 * i);
            return v;
        }

        static long sext(long v, int bytes) { int sh = 64 - bytes * 8; return bytes >= 8 ? v : (v << sh) >> sh; }

        X86Insn invalid(DecodeError err) {
            return new X86Insn(pc, len, Arrays.copyOf(buf, len), mode, X86Op.INVALID, -1, Kind.INVALID, List.of(),
                    0, 0, 0, lock, repByte == 0xF3, repByte == 0xF2, opsz, adsz, seg, rex, map, opcode,
                    Feature.BASE, false, err, err == DecodeError.FETCH_FAULT ? faultAddr : -1);
        }

        X86Insn run() {
            int b;
            for (;;) {
                b = next();
                switch (b) {
                    case 0xF0 -> { lock = true; rex = 0; continue; }
                    case 0xF2, 0xF3 -> { repByte = b; rex = 0; continue; }
                    case 0x26 -> { seg = 0; rex = 0; continue; }
                    case 0x2E -> { seg = 1; rex = 0; continue; }
                    case 0x36 -> { seg = 2; rex = 0; continue; }
                    case 0x3E -> { seg = 3; rex = 0; continue; }
                    case 0x64 -> { seg = 4; rex = 0; continue; }
                    case 0x65 -> { seg = 5; rex = 0; continue; }
                    case 0x66 -> { opsz = true; rex = 0; continue; }
                    case 0x67 -> { adsz = true; rex = 0; continue; }
                    default -> { }
                }
                if (m64 && (b & 0xF0) == 0x40) { rex = b; continue; }
                break;
            }
            opcode = b;
            if (b == 0x0F) {
                opcode = next();
                if (opcode == 0x38) { map = MAP_0F38; opcode = next(); }
                else if (opcode == 0x3A) { map = MAP_0F3A; opcode = next(); }
                else map = MAP_0F;
            }
            // VEX (C4/C5) in 64-bit mode is not supported yet: undefined. (In 32-bit mode the table's LES/LDS
            // rows are memory-only, so the VEX forms with mod=3 fall out as undefined too.)
            if (m64 && map == MAP_1BYTE && (opcode == 0xC4 || opcode == 0xC5)) throw UNDEF;

            int first = repByte == 0xF3 ? PFX_F3 : repByte == 0xF2 ? PFX_F2 : opsz ? PFX_66 : PFX_NONE;
            e = null;
            int used = -1;
            int[] cands = first == PFX_NONE ? new int[] {PFX_NONE}
                    : first == PFX_66 ? new int[] {PFX_66, PFX_NONE}
                    : opsz ? new int[] {first, PFX_66, PFX_NONE} : new int[] {first, PFX_NONE};
            for (int p : cands) {
                Slot sl = slot(map, p, opcode);
                if (sl == null) continue;
                if (sl.needsModrm && !hasModrm) readModrm();
                Entry found = select(sl);
                if (found != null) { e = found; used = p; break; }
            }
            if (e == null) throw UNDEF;
            // Mandatory-prefix discipline (as the SDM's opcode tables and objdump have it): a 66/F2/F3 that selects
            // no form of a vector (MMX/SSE) opcode is undefined, and so is F2/F3 on an opcode whose F2/F3 column
            // defines other instructions (e.g. F2 0F BC: BSF has TZCNT in its F3 column).
            if (first != PFX_NONE && used != first) {
                boolean vec = isVectorFeature(e.feature()) && vectorForm(e);
                if (vec && (used == PFX_NONE || first != PFX_66)) throw UNDEF;
                if (first != PFX_66 && map != MAP_1BYTE && slotHasAnyPrefixed(map, opcode)) throw UNDEF;
            }
            if (hasModrm && !e.needsModrm()) { len--; hasModrm = false; }

            boolean p66 = opsz && used != PFX_66;
            boolean w = (rex & 8) != 0;
            if (m64) {
                if (w) os = 8;
                else if (e.has(F64)) os = p66 ? 2 : 8;
                else if (p66) os = 2;
                else if (e.has(D64)) os = 8;
                else os = 4;
            } else os = p66 ? 2 : 4;
            as = m64 ? (adsz ? 4 : 8) : (adsz ? 2 : 4);

            if (hasModrm && mod != 3 && !e.has(MODREG)) parseMem();

            OpSpec[] specs = e.specs();
            for (int i = 0; i < specs.length; i++) readImm(i, specs[i]);

            X86Op op = e.ops()[0];
            X86Op[] ops = e.ops();
            if (ops.length == 3 && ops[2] == null) op = w ? ops[1] : ops[0];
            else if (ops.length > 1) {
                int sz = e.has(ASZ_NAME) ? as : os;
                op = ops[Math.min(ops.length - 1, sz == 2 ? 0 : sz == 4 ? 1 : 2)];
            }

            List<Operand> operands = new ArrayList<>(specs.length);
            int opSize = -1;
            for (int i = 0; i < specs.length; i++) {
                Operand o = build(i, specs[i], op);
                operands.add(o);
                if (opSize < 0 && !(o instanceof Operand.Imm) && !(o instanceof Operand.Rel) && !(o instanceof Operand.Far)
                        && !specs[i].text().equals("DX")) opSize = o.size();
            }
            if (opSize <= 0) opSize = os;

            if (lock) {
                if (!e.has(LOCKABLE) || operands.isEmpty() || !(operands.get(0) instanceof Operand.Mem)) throw BAD_LOCK;
            }
            Kind kind = kindOf(op, operands);
            boolean rep = repByte == 0xF3 && used != PFX_F3, repne = repByte == 0xF2 && used != PFX_F2;
            return new X86Insn(pc, len, Arrays.copyOf(buf, len), mode, op, e.cond(), kind, List.copyOf(operands),
                    opSize, os, as, lock, rep, repne, opsz, adsz, seg, rex, map, opcode, e.feature(), e.has(PRIV),
                    null, -1);
        }

        private static boolean isVectorFeature(Feature f) {
            return switch (f) {
                case MMX, SSE, SSE2, SSE3, SSSE3, SSE41, SSE42, PCLMUL, SHA, AES, XSAVE -> true;
                default -> false;
            };
        }

        private static boolean vectorForm(Entry e) {
            if (e.specs().length == 0) return e.feature() != Feature.SSE && e.feature() != Feature.SSE2 && e.feature() != Feature.XSAVE;
            for (OpSpec s : e.specs()) if ("VWUPQN".indexOf(s.method()) >= 0) return true;
            return e.feature() == Feature.XSAVE;
        }

        private static boolean slotHasAnyPrefixed(int map, int opcode) {
            return slot(map, PFX_66, opcode) != null || slot(map, PFX_F3, opcode) != null || slot(map, PFX_F2, opcode) != null;
        }

        void readModrm() {
            modrm = next(); hasModrm = true;
            mod = modrm >> 6; regf = (modrm >> 3) & 7; rm = modrm & 7;
        }

        Entry select(Slot sl) {
            Entry best = null; int bestScore = -1;
            boolean rexbOr66 = (rex & 1) != 0 || opsz;
            for (Entry c : sl.entries) {
                if (!c.validIn(mode)) continue;
                if (c.has(NOB) && rexbOr66) continue;
                if (c.has(REXB) && !rexbOr66) continue;
                int score = 0;
                if (c.modrm() >= 0) {
                    if (modrm != c.modrm()) continue;
                    score = 4;
                } else if (c.needsModrm()) {
                    if (c.reg() >= 0) { if (c.reg() != regf) continue; score += 2; }
                    if (c.has(MEM_ONLY)) { if (mod == 3) continue; score++; }
                    if (c.has(REG_ONLY)) { if (mod != 3) continue; score++; }
                }
                if (score > bestScore) { best = c; bestScore = score; }
            }
            return best;
        }

        void parseMem() {
            hasMem = true;
            if (as == 2) {
                switch (rm) {
                    case 0 -> { memBase = 3; memIndex = 6; }
                    case 1 -> { memBase = 3; memIndex = 7; }
                    case 2 -> { memBase = 5; memIndex = 6; }
                    case 3 -> { memBase = 5; memIndex = 7; }
                    case 4 -> memBase = 6;
                    case 5 -> memBase = 7;
                    case 6 -> memBase = 5;
                    default -> memBase = 3;
                }
                if (mod == 0 && rm == 6) { memBase = -1; memIndex = -1; disp = sext(readLE(2), 2); dispSize = 2; }
                else if (mod == 1) { disp = sext(next(), 1); dispSize = 1; }
                else if (mod == 2) { disp = sext(readLE(2), 2); dispSize = 2; }
                return;
            }
            int rexB = (rex & 1) << 3, rexX = (rex & 2) << 2;
            if (rm == 4) {
                int sib = next();
                scale = 1 << (sib >> 6);
                int idx = ((sib >> 3) & 7) | rexX;
                memIndex = idx == 4 ? -1 : idx;
                if (memIndex < 0) scale = (sib >> 6) == 0 ? 1 : scale; // keep scale for riz display
                sibScaleBits = sib >> 6; hasSib = true;
                if ((sib & 7) == 5 && mod == 0) { memBase = -1; disp = sext(readLE(4), 4); dispSize = 4; }
                else memBase = (sib & 7) | rexB;
            } else if (rm == 5 && mod == 0) {
                memBase = -1; rip = m64; disp = sext(readLE(4), 4); dispSize = 4;
            } else memBase = rm | rexB;
            if (mod == 1) { disp = sext(next(), 1); dispSize = 1; }
            else if (mod == 2) { disp = sext(readLE(4), 4); dispSize = 4; }
        }
        boolean hasSib; int sibScaleBits, dispSize;

        void readImm(int i, OpSpec s) {
            switch (s.method()) {
                case 'I' -> {
                    switch (s.size()) {
                        case S_B -> { imm[i] = next(); immLen[i] = 1; }
                        case S_BS -> { imm[i] = sext(next(), 1); immLen[i] = 1; }
                        case S_W -> { imm[i] = readLE(2); immLen[i] = 2; }
                        case S_Z -> { int n = Math.min(os, 4); imm[i] = sext(readLE(n), n); immLen[i] = n; }
                        case S_V -> { imm[i] = sext(readLE(os), os); immLen[i] = os; }
                        default -> throw new IllegalStateException("imm size " + s.text());
                    }
                }
                case 'J' -> {
                    int n = s.size() == S_B ? 1 : Math.min(os, 4);
                    imm[i] = sext(readLE(n), n); immLen[i] = n;
                }
                case 'O' -> { imm[i] = readLE(as); immLen[i] = as; }
                case 'A' -> {
                    int n = os == 2 ? 2 : 4;
                    long off = readLE(n);
                    long sel = readLE(2);
                    imm[i] = off | (sel << 48); immLen[i] = n;
                }
                default -> { }
            }
        }

        int size(int code, boolean mem) {
            return switch (code) {
                case S_B -> 1; case S_W -> 2; case S_D -> 4; case S_Q -> 8; case S_V, S_BS -> os;
                case S_Z -> Math.min(os, 4); case S_Y -> os == 8 ? 8 : 4; case S_X -> 16; case S_T -> 10;
                case S_P -> os + 2; case S_S -> m64 ? 10 : 6; case S_A -> 2 * os; case S_N -> m64 ? 8 : 4;
                case S_VW -> mem ? 2 : os; case S_WD -> mem ? 2 : 4; case S_BD -> mem ? 1 : 4;
                case S_SS -> 4; case S_SD -> 8;
                default -> 0;
            };
        }

        Operand.Reg gpr(int num, int size) {
            if (size == 1 && rex == 0 && num >= 4 && num < 8) return new Operand.Reg(RegClass.GPR8_HIGH, num - 4, 1);
            return new Operand.Reg(RegClass.GPR, num, size);
        }

        int effSeg(int dflt) {
            if (seg < 0) return dflt;
            if (m64 && seg < 4) return dflt;
            return seg;
        }

        Operand.Mem mem(int size) {
            Operand.Reg base = memBase < 0 ? null : gpr(memBase, as);
            Operand.Reg index = memIndex < 0 ? null : gpr(memIndex, as);
            boolean ssBased = memBase == 4 || memBase == 5;
            long target = 0;
            if (rip) {
                target = pc + len + disp;
                if (as == 4) target &= 0xFFFFFFFFL;
            }
            long d = disp;
            if (!rip && memBase < 0 && memIndex < 0) d = as == 8 ? disp : disp & mask(as);
            return new Operand.Mem(effSeg(ssBased ? 2 : 3), base, index, memIndex < 0 ? 1 : scale, d, size, rip, target, as,
                    dispSize, hasSib, sibScaleBits);
        }

        static long mask(int bytes) { return bytes >= 8 ? -1L : (1L << (bytes * 8)) - 1; }

        Operand build(int i, OpSpec s, X86Op op) {
            int rexR = (rex & 4) << 1, rexB = (rex & 1) << 3;
            boolean isMem = hasModrm && mod != 3;
            switch (s.method()) {
                case FIXED: {
                    if (s.cls() == null) return new Operand.Imm(1, 1);
                    int sz = size(s.size(), false);
                    if (s.cls() == RegClass.GPR || s.cls() == RegClass.GPR8_HIGH) {
                        return s.cls() == RegClass.GPR8_HIGH ? new Operand.Reg(RegClass.GPR8_HIGH, s.num(), 1)
                                : new Operand.Reg(RegClass.GPR, s.num(), sz);
                    }
                    if (s.cls() == RegClass.X87) return new Operand.Reg(RegClass.X87, 0, 10);
                    return new Operand.Reg(s.cls(), s.num(), s.cls() == RegClass.XMM ? 16 : 2);
                }
                case 'F': return new Operand.Reg(RegClass.X87, rm, 10);
                case 'E': {
                    int sz = size(s.size(), isMem);
                    return isMem ? mem(sz) : gpr(rm | rexB, sz);
                }
                case 'M': {
                    int sz = size(s.size(), true);
                    if (op == X86Op.CMPXCHG16B) sz = 16;
                    return mem(sz);
                }
                case 'G': return gpr(regf | rexR, size(s.size(), false));
                case 'R': return gpr(rm | rexB, size(s.size(), false));
                case 'V': return new Operand.Reg(RegClass.XMM, regf | rexR, 16);
                case 'W': return isMem ? mem(size(s.size(), true)) : new Operand.Reg(RegClass.XMM, rm | rexB, 16);
                case 'U': return new Operand.Reg(RegClass.XMM, rm | rexB, 16);
                case 'P': return new Operand.Reg(RegClass.MMX, regf, 8);
                case 'Q': return isMem ? mem(size(s.size(), true)) : new Operand.Reg(RegClass.MMX, rm, 8);
                case 'N': return new Operand.Reg(RegClass.MMX, rm, 8);
                case 'S': if (regf > 5) throw UNDEF; return new Operand.Reg(RegClass.SEG, regf, 2);
                case 'C': return new Operand.Reg(RegClass.CR, regf | rexR, m64 ? 8 : 4);
                case 'D': return new Operand.Reg(RegClass.DR, regf | rexR, m64 ? 8 : 4);
                case 'Z': return gpr((opcode & 7) | rexB, size(s.size(), false));
                case 'I': {
                    return switch (s.size()) {
                        case S_B -> new Operand.Imm(imm[i], 1);
                        case S_W -> new Operand.Imm(imm[i], 2);
                        default -> new Operand.Imm(imm[i], os);
                    };
                }
                case 'J': {
                    long t = pc + len + imm[i];
                    if (os == 2) t &= 0xFFFF; else if (!m64) t &= 0xFFFFFFFFL;
                    return new Operand.Rel(t, os);
                }
                case 'O': {
                    int sz = size(s.size(), true);
                    return new Operand.Mem(effSeg(3), null, null, 1, imm[i], sz, false, 0, as, as, false, 0);
                }
                case 'X': return new Operand.Mem(effSeg(3), gpr(6, as), null, 1, 0, size(s.size(), true), false, 0, as, 0, false, 0);
                case 'Y': return new Operand.Mem(0, gpr(7, as), null, 1, 0, size(s.size(), true), false, 0, as, 0, false, 0);
                case 'B': return new Operand.Mem(effSeg(3), gpr(3, as), null, 1, 0, 1, false, 0, as, 0, false, 0);
                case 'A': return new Operand.Far((int) (imm[i] >>> 48), imm[i] & 0xFFFFFFFFFFFFL, os == 2 ? 4 : 6);
                default: throw new IllegalStateException("operand " + s.text());
            }
        }

        static Kind kindOf(X86Op op, List<Operand> ops) {
            return switch (op) {
                case JMP, JMPF -> Kind.JUMP;
                case JCC, LOOP, LOOPE, LOOPNE, JCXZ, JECXZ, JRCXZ -> Kind.COND_JUMP;
                case CALL, CALLF -> Kind.CALL;
                case RET, RETF, IRET, IRETD, IRETQ -> Kind.RET;
                case SYSCALL, SYSENTER -> Kind.SYSCALL;
                case SYSRET, SYSEXIT -> Kind.SYSRET;
                case INT -> ops.get(0) instanceof Operand.Imm im && im.value() == 0x80 ? Kind.SYSCALL : Kind.INTERRUPT;
                case INT3, INT1, INTO -> Kind.INTERRUPT;
                case HLT -> Kind.HALT;
                case UD0, UD1, UD2 -> Kind.UNDEFINED;
                default -> Kind.NORMAL;
            };
        }
    }
}
