package emulator.x86.front;

import emulator.core.ir.Cond;
import emulator.core.ir.Helper;
import emulator.core.ir.IrBuilder;
import emulator.core.ir.Label;
import emulator.core.ir.TrapInfo;
import emulator.core.ir.Type;
import emulator.core.ir.Val;
import emulator.x86.Flags;
import emulator.x86.Slots;
import emulator.x86.decode.Operand;
import emulator.x86.decode.RegClass;
import emulator.x86.decode.X86Insn;

/**
 * The x86 front end's emitter for one block: operand access (registers, effective addresses,
 * immediates), the stack, and lazy flags — what every instruction's semantics is written against.
 * Values of 1-, 2- and 4-byte operands are I32 (zero-extended), of 8-byte operands I64.
 */
public final class E {
    public final IrBuilder ir;
    public final boolean x64;
    /** The instruction being translated. */
    public X86Insn insn;

    /** What the last flag-setting instruction of this block recorded, while still known statically. */
    private int ccKind = -1, ccSize;
    private Val ccDst, ccSrc, ccSrc2, ccA;

    public E(IrBuilder ir, boolean x64) {
        this.ir = ir;
        this.x64 = x64;
    }

    public static Type ty(int size) { return size == 8 ? Type.I64 : Type.I32; }

    public int stackSize() { return x64 ? 8 : 4; }

    public int addrSize() { return insn.addrSize(); }

    public long nextPc() { return insn.nextPc(); }

    // ---- constants

    public Val c(int size, long v) { return ir.constant(ty(size), size == 8 ? v : v & mask(size)); }

    public static long mask(int size) { return size == 8 ? -1L : (1L << (8 * size)) - 1; }

    // ---- general registers

    public Val gpr(int num, int size) {
        if (size == 8) return ir.getReg(num, Type.I64);
        Val v = ir.getReg(num, Type.I32);
        return size == 4 ? v : ir.extu(Type.I32, v, 8 * size);
    }

    public Val gprHigh(int num) {
        Val v = ir.getReg(num, Type.I32);
        return ir.extu(Type.I32, ir.shr(v, ir.c32(8)), 8);
    }

    /** Writes a general register with x86 rules: 32-bit writes zero the upper half, 8/16-bit merge. */
    public void setGpr(int num, int size, Val v) {
        switch (size) {
            case 8 -> ir.setReg(num, v);
            case 4 -> ir.setReg(num, ir.to64(ir.to32(v)));
            default -> {
                Val old = ir.getReg(num, Type.I64);
                long m = mask(size);
                Val keep = ir.and(old, ir.c64(~m));
                Val part = ir.and(ir.to64(ir.to32(v)), ir.c64(m));
                ir.setReg(num, ir.or(keep, part));
            }
        }
    }

    public void setGprHigh(int num, Val v) {
        Val old = ir.getReg(num, Type.I64);
        Val keep = ir.and(old, ir.c64(~0xFF00L));
        Val part = ir.shl(ir.and(ir.to64(ir.to32(v)), ir.c64(0xFF)), ir.c64(8));
        ir.setReg(num, ir.or(keep, part));
    }

    // ---- effective addresses

    /** Linear address of a memory operand (segment base added for FS/GS), as I64. */
    public Val ea(Operand.Mem m) {
        Val a;
        if (m.ripRelative()) {
            a = ir.c64(m.ripTarget());
        } else {
            a = ir.c64(m.disp());
            if (m.base() != null) a = ir.add(a, ir.getReg(m.base().num(), Type.I64));
            if (m.index() != null) {
                Val idx = ir.getReg(m.index().num(), Type.I64);
                if (m.scale() > 1) idx = ir.shl(idx, ir.c64(Integer.numberOfTrailingZeros(m.scale())));
                a = ir.add(a, idx);
            }
            if (m.addrSize() < 8) a = ir.extu(Type.I64, a, 8 * m.addrSize());
        }
        return withSegment(a, m.seg());
    }

    /** Adds the FS or GS base (other segments are flat in user mode). */
    public Val withSegment(Val a, int seg) {
        if (seg == 4 || seg == 5) {
            a = ir.add(a, ir.getReg(seg == 4 ? Slots.FS_BASE : Slots.GS_BASE, Type.I64));
            if (!x64) a = ir.extu(Type.I64, a, 32);
        }
        return a;
    }

    /** Offset-only address (LEA): no segment, wrapped to the address size. */
    public Val leaAddr(Operand.Mem m) {
        if (m.ripRelative()) return ir.c64(m.ripTarget());
        Val a = ir.c64(m.disp());
        if (m.base() != null) a = ir.add(a, ir.getReg(m.base().num(), Type.I64));
        if (m.index() != null) {
            Val idx = ir.getReg(m.index().num(), Type.I64);
            if (m.scale() > 1) idx = ir.shl(idx, ir.c64(Integer.numberOfTrailingZeros(m.scale())));
            a = ir.add(a, idx);
        }
        return m.addrSize() < 8 ? ir.extu(Type.I64, a, 8 * m.addrSize()) : a;
    }

    // ---- memory

    public Val load(Val addr, int size) { return ir.load(ty(size), addr, size, false); }

    public void store(Val addr, Val v, int size) { ir.store(addr, v, size); }

    // ---- operands

    public Val read(Operand o, int size) {
        return switch (o) {
            case Operand.Reg r when r.cls() == RegClass.GPR -> gpr(r.num(), size);
            case Operand.Reg r when r.cls() == RegClass.GPR8_HIGH -> gprHigh(r.num());
            case Operand.Mem m -> load(ea(m), size);
            case Operand.Imm i -> c(size, i.value());
            default -> throw new Unsupported("operand " + o);
        };
    }

    public void write(Operand o, int size, Val v) {
        switch (o) {
            case Operand.Reg r when r.cls() == RegClass.GPR -> setGpr(r.num(), size, v);
            case Operand.Reg r when r.cls() == RegClass.GPR8_HIGH -> setGprHigh(r.num(), v);
            case Operand.Mem m -> store(ea(m), v, size);
            default -> throw new Unsupported("write to operand " + o);
        }
    }

    /** Size of the register or memory operand {@code o} (for forms whose operands differ in size). */
    public static int size(Operand o) { return o.size(); }

    // ---- stack

    public Val sp() { return x64 ? gpr(Slots.RSP, 8) : ir.to64(gpr(Slots.RSP, 4)); }

    public void setSp(Val v64) {
        if (x64) setGpr(Slots.RSP, 8, v64); else setGpr(Slots.RSP, 4, ir.to32(v64));
    }

    /** Pushes: stores first, then updates the stack pointer (so a fault leaves rsp unchanged). */
    public void push(Val v, int size) {
        Val nsp = ir.sub(sp(), ir.c64(size));
        if (!x64) nsp = ir.extu(Type.I64, nsp, 32);
        store(nsp, v, size);
        setSp(nsp);
    }

    public Val pop(int size) {
        Val s = sp();
        Val v = load(s, size);
        Val nsp = ir.add(s, ir.c64(size));
        if (!x64) nsp = ir.extu(Type.I64, nsp, 32);
        setSp(nsp);
        return v;
    }

    // ---- lazy flags

    /** Records a flag-setting operation (see {@link Flags}); {@code a} is the first operand, if known. */
    public void setFlags(int kind, int size, Val dst, Val src, Val src2, Val a) {
        ir.setReg(Slots.CC_OP, ir.c64(Flags.op(kind, size)));
        ir.setReg(Slots.CC_DST, ir.to64(dst));
        ir.setReg(Slots.CC_SRC, src == null ? ir.c64(0) : ir.to64(src));
        if (src2 != null) ir.setReg(Slots.CC_SRC2, ir.to64(src2));
        ccKind = kind; ccSize = size; ccDst = dst; ccSrc = src; ccSrc2 = src2; ccA = a;
    }

    /** Materialised arithmetic flags (CF PF AF ZF SF OF) as I64. */
    public Val eflags() { return eflags(Flags.ARITH); }

    /**
     * Materialised arithmetic flags as I64, of which the caller uses only those in {@code needed}
     * (the other arithmetic bits may hold anything: the caller masks them off). When this block's
     * last flag producer is known, the flags are computed inline from its operands, and only the
     * needed ones; otherwise by the out-of-line helper, which is too big for the JIT to inline and
     * costs a call (5 % of md5sum's samples went to it, for the ROL after each ADD).
     */
    public Val eflags(long needed) {
        Val known = knownEflags(needed);
        if (known != null) return known;
        return ir.call(FLAGS_HELPER, ir.getReg(Slots.CC_OP, Type.I64), ir.getReg(Slots.CC_DST, Type.I64),
                ir.getReg(Slots.CC_SRC, Type.I64), ir.getReg(Slots.CC_SRC2, Type.I64));
    }

    /** The needed flags from the block's own last producer (as {@link Flags#compute} defines them), or null when it is not known. */
    private Val knownEflags(long needed) {
        if (ccKind == Flags.CC_EFLAGS) return ccDst;
        int size = ccSize, bits = 8 * size;
        Type t = ty(size);
        Val dst = ccDst, a = ccA;
        Val af, of; // AF as I64 at its bit, OF as I32 0/1
        switch (ccKind) {
            case Flags.ADD, Flags.SUB -> {
                if (a == null) {
                    if (ccKind == Flags.SUB) return null;
                    a = ir.sub(dst, ccSrc); // the first addend
                }
                af = ir.to64(ir.and(ir.xor(ir.xor(a, ccSrc), dst), ir.constant(t, Flags.AF)));
                Val signs = ccKind == Flags.ADD ? ir.and(ir.xor(a, dst), ir.xor(ccSrc, dst)) : ir.and(ir.xor(a, ccSrc), ir.xor(a, dst));
                of = ir.setc(Cond.NE, ir.and(signs, signBit(t, bits)), ir.constant(t, 0));
            }
            case Flags.INC, Flags.DEC -> {
                // AF: the low nibble wrapped (to 0 after INC, to 0xF after DEC); OF: INC made the most
                // negative value, DEC the most positive one
                boolean inc = ccKind == Flags.INC;
                af = ir.shl(ir.to64(ir.setc(Cond.EQ, ir.and(dst, ir.constant(t, 0xF)), ir.constant(t, inc ? 0 : 0xF))), ir.c64(4));
                of = ir.setc(Cond.EQ, dst, ir.constant(t, inc ? 1L << (bits - 1) : (1L << (bits - 1)) - 1));
            }
            case Flags.LOGIC -> { af = null; of = null; }
            default -> { return null; }
        }
        Val f = ir.c64(0);
        if ((needed & Flags.CF) != 0) {
            Val cf = knownCarry();
            if (cf == null) return null;
            f = ir.or(f, ir.to64(cf));
        }
        if ((needed & Flags.PF) != 0) {
            Val odd = ir.and(ir.popcnt(ir.and(dst, ir.constant(t, 0xFF))), ir.constant(t, 1));
            f = ir.or(f, ir.to64(ir.shl(ir.xor(odd, ir.constant(t, 1)), ir.constant(t, 2))));
        }
        if ((needed & Flags.AF) != 0 && af != null) f = ir.or(f, af);
        if ((needed & Flags.ZF) != 0) f = ir.or(f, ir.shl(ir.to64(ir.setc(Cond.EQ, dst, ir.constant(t, 0))), ir.c64(6)));
        if ((needed & Flags.SF) != 0) {
            Val sign = bits == 8 ? dst : ir.shr(dst, ir.constant(t, bits - 8));
            f = ir.or(f, ir.to64(ir.and(sign, ir.constant(t, Flags.SF))));
        }
        if ((needed & Flags.OF) != 0 && of != null) f = ir.or(f, ir.shl(ir.to64(of), ir.c64(11)));
        return f;
    }

    private Val signBit(Type t, int bits) { return ir.constant(t, 1L << (bits - 1)); }

    /**
     * Stores materialised arithmetic flags (I64 with only CF PF AF ZF SF OF bits); the rest of the
     * block reads them from the value (conditions, CF and the flags word without a helper).
     */
    public void setEflags(Val arith) {
        Val f = ir.and(arith, ir.c64(Flags.ARITH));
        ir.setReg(Slots.CC_OP, ir.c64(Flags.CC_EFLAGS));
        ir.setReg(Slots.CC_DST, f);
        ccKind = Flags.CC_EFLAGS; ccSize = 8; ccDst = f; ccSrc = null; ccSrc2 = null; ccA = null;
    }

    /** Call at a label where paths with different flag knowledge meet. */
    public void forgetFlags() { ccKind = -1; }

    public static final Helper FLAGS_HELPER = Helper.pure("x86.eflags", 4,
            (cpu, op, dst, src, src2) -> Flags.compute(op, dst, src, src2));

    /** CF alone (Flags.carry): what ADC, SBB, INC, DEC and JB call when the flags come from another block. */
    public static final Helper CARRY_HELPER = Helper.pure("x86.cf", 4,
            (cpu, op, dst, src, src2) -> Flags.carry(op, dst, src, src2));

    /** One helper per even condition code (Flags.cond with a constant code, so each stays small). */
    private static final Helper[] COND_HELPERS = new Helper[8];
    static {
        for (int k = 0; k < 8; k++) {
            int cc = 2 * k;
            COND_HELPERS[k] = Helper.pure("x86.cc" + cc, 4, (cpu, op, dst, src, src2) -> Flags.cond(cc, op, dst, src, src2));
        }
    }

    /** The lazy flag state's four slots as the arguments of a flags helper. */
    private Val lazyCall(Helper h) {
        return ir.to32(ir.call(h, ir.getReg(Slots.CC_OP, Type.I64), ir.getReg(Slots.CC_DST, Type.I64),
                ir.getReg(Slots.CC_SRC, Type.I64), ir.getReg(Slots.CC_SRC2, Type.I64)));
    }

    /** CF as I32 0/1. */
    public Val carry() {
        Val known = knownCarry();
        return known != null ? known : lazyCall(CARRY_HELPER);
    }

    /** CF from the block's own last flag producer, or null when it is not known statically. */
    private Val knownCarry() {
        return switch (ccKind) {
            case Flags.SUB -> ccA != null ? ir.setc(Cond.LTU, ccA, ccSrc) : null;
            case Flags.ADD -> ir.setc(Cond.LTU, ccDst, ccSrc); // a carry out leaves a sum below an addend
            case Flags.INC, Flags.DEC -> ccSrc2; // they keep CF: the I32 0/1 recorded as SRC2
            case Flags.LOGIC -> ir.c32(0);
            case Flags.CC_EFLAGS -> flagBit(0);
            default -> null;
        };
    }

    /** Bit {@code n} of the flags recorded by {@link #setEflags}, as I32 0/1. */
    private Val flagBit(int n) { return ir.to32(ir.and(ir.shr(ccDst, ir.c64(n)), ir.c64(1))); }

    /**
     * Condition {@code cc} (0 O, 1 NO, 2 B, 3 AE, 4 E, 5 NE, 6 BE, 7 A, 8 S, 9 NS, 10 P, 11 NP, 12 L,
     * 13 GE, 14 LE, 15 G) as I32 0/1; computed directly from the last operation when it is known.
     */
    public Val cond(int cc) {
        Val v = condPositive(cc & ~1);
        return (cc & 1) == 0 ? v : ir.xor(v, ir.c32(1));
    }

    private Val condPositive(int cc) {
        if (ccKind >= 0) {
            Val fast = fastCond(cc);
            if (fast != null) return fast;
        }
        return lazyCall(COND_HELPERS[cc >> 1]);
    }

    private Val signed(Val v, int size) { return size >= 4 ? v : ir.exts(Type.I32, v, 8 * size); }

    private Val fastCond(int cc) {
        int size = ccSize;
        Type t = ty(size);
        Val zero = ir.constant(t, 0);
        switch (ccKind) {
            case Flags.CC_EFLAGS -> {
                return switch (cc) {
                    case 0 -> flagBit(11);
                    case 2 -> flagBit(0);
                    case 4 -> flagBit(6);
                    case 6 -> ir.or(flagBit(0), flagBit(6));
                    case 8 -> flagBit(7);
                    case 10 -> flagBit(2);
                    case 12 -> ir.xor(flagBit(7), flagBit(11));
                    default -> ir.or(flagBit(6), ir.xor(flagBit(7), flagBit(11)));
                };
            }
            case Flags.SUB -> {
                if (ccA == null) break;
                return switch (cc) {
                    case 2 -> ir.setc(Cond.LTU, ccA, ccSrc);
                    case 4 -> ir.setc(Cond.EQ, ccA, ccSrc);
                    case 6 -> ir.setc(Cond.LEU, ccA, ccSrc);
                    case 8 -> ir.setc(Cond.LT, signed(ccDst, size), signed(zero, size));
                    case 12 -> ir.setc(Cond.LT, signed(ccA, size), signed(ccSrc, size));
                    case 14 -> ir.setc(Cond.LE, signed(ccA, size), signed(ccSrc, size));
                    default -> null;
                };
            }
            case Flags.LOGIC -> {
                return switch (cc) {
                    case 0, 2 -> ir.c32(0);
                    case 4, 6 -> ir.setc(Cond.EQ, ccDst, zero);
                    case 8, 12 -> ir.setc(Cond.LT, signed(ccDst, size), signed(zero, size));
                    case 14 -> ir.setc(Cond.LE, signed(ccDst, size), signed(zero, size));
                    default -> null;
                };
            }
            case Flags.ADD, Flags.INC, Flags.DEC, Flags.ADC, Flags.SBB, Flags.SHL, Flags.SHR, Flags.SAR -> {
                Val cf = cc == 2 || cc == 6 ? knownCarry() : null;
                return switch (cc) {
                    case 2 -> cf;
                    case 6 -> cf == null ? null : ir.or(cf, ir.setc(Cond.EQ, ccDst, zero));
                    case 4 -> ir.setc(Cond.EQ, ccDst, zero);
                    case 8 -> ir.setc(Cond.LT, signed(ccDst, size), signed(zero, size));
                    default -> null;
                };
            }
            default -> { }
        }
        return null;
    }

    // ---- control flow

    public void exit(long pc) { ir.exit(x64 ? pc : pc & 0xFFFFFFFFL); }

    public void exit(Val pc64) { ir.exit(x64 ? pc64 : ir.extu(Type.I64, pc64, 32)); }

    /** Raises a fault at this instruction: x86 vector, e.g. 6 #UD, 13 #GP. */
    public void fault(int vector, String detail) {
        ir.trap(new TrapInfo(vector, 0, false, detail), insn.pc());
    }

    public void trapAfter(int vector, String detail) {
        ir.trap(new TrapInfo(vector, 0, true, detail), insn.nextPc());
    }

    public Label label() { return ir.newLabel(); }

    /** An instruction form the front end does not implement; becomes #UD, logged once. */
    public static final class Unsupported extends RuntimeException {
        public Unsupported(String m) { super(m, null, false, false); }
    }
}
