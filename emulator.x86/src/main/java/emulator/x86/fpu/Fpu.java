package emulator.x86.fpu;

import emulator.core.exec.Vcpu;
import emulator.core.mem.MemOps;
import emulator.x86.Flags;
import emulator.x86.Slots;
import emulator.x86.X86State;
import emulator.x86.X87;

/**
 * The x87 instructions, executed out of line on the {@link X87} state (one helper call per guest
 * instruction). Memory operands are read before any state changes so a page fault leaves the FPU
 * untouched. Exceptions are always treated as masked (the default response is produced); an
 * unmasked one additionally sets ES and B in the status word but raises no #MF.
 */
public final class Fpu {
    // operation codes (argument a0 of the helper)
    public static final int LD_M = 1, LD_ST = 2, ILD = 3, ST_M = 4, ST_ST = 5, IST = 6, ISTT = 7, LDCONST = 8,
            ARITH_M = 9, ARITH_I = 10, ARITH_ST = 11, UNARY = 12, COM_M = 13, COM_I = 14, COM_ST = 15, COMI = 16,
            FCMOV = 17, FXCH = 18, LDCW = 19, STCW = 20, STSW_M = 21, STSW_AX = 22, INIT = 23, CLEX = 24, FREE = 25,
            INCSTP = 26, DECSTP = 27, STENV = 28, LDENV = 29, SAVE = 30, RSTOR = 31, FXSAVE = 32, FXRSTOR = 33,
            COMPP = 34, NOP = 35, BLD = 36, BSTP = 37;
    // UNARY sub-codes (a1)
    public static final int CHS = 0, ABS = 1, TST = 4, XAM = 5, F2XM1 = 16, FYL2X = 17, FPTAN = 18, FPATAN = 19,
            FXTRACT = 20, FPREM1 = 21, FPREM = 24, FYL2XP1 = 25, FSQRT = 26, FSINCOS = 27, FRNDINT = 28, FSCALE = 29,
            FSIN = 30, FCOS = 31;

    private final Vcpu cpu;
    private final X87 f;
    private final F80 x = new F80();
    /** Condition-code bits to write (mask and value, in status-word positions). */
    private int ccMask, ccVal;

    private Fpu(Vcpu cpu) {
        this.cpu = cpu;
        this.f = ((X86State) cpu.ext).fpu;
    }

    static final int C0 = 0x100, C1 = 0x200, C2 = 0x400, C3 = 0x4000;

    /** The helper body: a0 operation, a1 address or sub-code, a2 and a3 operation arguments. */
    public static long exec(Vcpu cpu, long a0, long a1, long a2, long a3) {
        return new Fpu(cpu).run((int) a0, a1, (int) a2, (int) a3);
    }

    // ---- register stack

    private int phys(int i) { return (f.top + i) & 7; }

    private boolean empty(int i) { return ((f.ftw >>> (2 * phys(i))) & 3) == 3; }

    private F80.V get(int i) { int p = phys(i); return F80.unpack(f.sexp[p], f.mant[p]); }

    private static int tagOf(int sexp, long mant) {
        int ex = sexp & 0x7FFF;
        if (ex == 0x7FFF) return 2;
        if (ex == 0) return mant == 0 ? 1 : 2;
        return mant < 0 ? 0 : 2;
    }

    private void setPhys(int p, long sexp, long mant) {
        f.sexp[p] = (int) sexp & 0xFFFF;
        f.mant[p] = mant;
        f.ftw = (f.ftw & ~(3 << (2 * p))) | (tagOf(f.sexp[p], mant) << (2 * p));
    }

    private void set(int i, long[] v) { setPhys(phys(i), v[0], v[1]); }

    private void push(long[] v) {
        f.top = (f.top - 1) & 7;
        if (!empty(0)) { x.exc |= F80.IE | F80.SF; cc(C1, C1); v = F80.indefinite(); }
        set(0, v);
    }

    private void pop() {
        f.ftw |= 3 << (2 * phys(0));
        f.top = (f.top + 1) & 7;
    }

    /** Stack underflow: IE|SF, C1 = 0. */
    private void underflow() { x.exc |= F80.IE | F80.SF; cc(C1, 0); }

    private void cc(int mask, int val) { ccMask |= mask; ccVal = (ccVal & ~mask) | (val & mask); }

    private int pc() {
        return switch ((f.fcw >>> 8) & 3) { case 0 -> 24; case 2 -> 53; default -> 64; };
    }

    private int rc() { return (f.fcw >>> 10) & 3; }

    private void commit() {
        int s = f.fsw | x.exc;
        s = (s & ~ccMask) | ccVal;
        if ((s & ~f.fcw & 0x3F) != 0) s |= 0x8080; else s &= ~0x8080;
        f.fsw = s & ~0x3800;
    }

    // ---- memory

    private long ld(long a, int size) { return MemOps.load(cpu, a, size); }

    private void st(long a, long v, int size) { MemOps.store(cpu, a, v, size); }

    /** Memory float operand of size 4/8/10 as 80 bits. */
    private long[] loadFloat(long a, int size) {
        return switch (size) {
            case 4 -> x.fromDouble(ld(a, 4), 8, 23);
            case 8 -> x.fromDouble(ld(a, 8), 11, 52);
            default -> { long m = ld(a, 8); yield new long[] {ld(a + 8, 2), m}; }
        };
    }

    private static long loadIntValue(long raw, int size) {
        return switch (size) { case 2 -> (short) raw; case 4 -> (int) raw; default -> raw; };
    }

    private long run(int op, long a1, int a2, int a3) {
        long r = 0;
        switch (op) {
            case LD_M -> {
                long[] v = loadFloat(a1, a2);
                cc(C1, 0);
                push(v);
            }
            case LD_ST -> {
                long[] v;
                if (empty(a2)) { underflow(); v = F80.indefinite(); }
                else { int p = phys(a2); v = new long[] {f.sexp[p], f.mant[p]}; cc(C1, 0); }
                push(v);
            }
            case ILD -> { long v = loadIntValue(ld(a1, a2), a2); cc(C1, 0); push(F80.fromLong(v)); }
            case BLD -> { long[] v = loadBcd(a1); cc(C1, 0); push(v); }
            case BSTP -> storeBcd(a1);
            case ST_M -> storeFloat(a1, a2, a3 != 0);
            case ST_ST -> {
                cc(C1, 0);
                if (empty(0)) { underflow(); set(a2, F80.indefinite()); }
                else { int p = phys(0); setPhys(phys(a2), f.sexp[p], f.mant[p]); }
                if (a3 != 0) pop();
            }
            case IST, ISTT -> {
                int bits = 8 * a2;
                long v;
                cc(C1, 0);
                if (empty(0)) { underflow(); v = bits == 64 ? Long.MIN_VALUE : -(1L << (bits - 1)); }
                else {
                    v = x.toInt(get(0), bits, op == ISTT ? 3 : rc());
                    if (x.up) cc(C1, C1);
                }
                st(a1, v, a2);
                if (a3 != 0 || op == ISTT) pop();
            }
            case LDCONST -> { cc(C1, 0); push(constant((int) a1)); }
            case ARITH_M, ARITH_I -> {
                long[] src;
                if (op == ARITH_I) src = F80.fromLong(loadIntValue(ld(a1, a3), a3));
                else src = loadFloat(a1, a3);
                arith(a2, 0, src, 0);
            }
            case ARITH_ST -> {
                // a1: sub-op | pop << 8; a2 dst st index, a3 src st index
                int sub = (int) a1 & 0xFF;
                boolean popAfter = (a1 & 0x100) != 0;
                if (empty(a3)) { underflow(); set(a2, F80.indefinite()); }
                else {
                    int p = phys(a3);
                    arith(sub, a2, new long[] {f.sexp[p], f.mant[p]}, 0);
                }
                if (popAfter) pop();
            }
            case UNARY -> unary((int) a1);
            case COM_M, COM_I, COM_ST, COMPP -> {
                // a2: pops; a3: size or st index; a1 address; unordered flag in bit 8 of a2
                int pops = a2 & 0xFF;
                boolean quiet = (a2 & 0x100) != 0;
                F80.V b;
                if (op == COM_M) { long[] v = loadFloat(a1, a3); b = F80.unpack((int) v[0], v[1]); }
                else if (op == COM_I) { long[] v = F80.fromLong(loadIntValue(ld(a1, a3), a3)); b = F80.unpack((int) v[0], v[1]); }
                else b = empty(a3) ? null : get(a3);
                int c;
                if (empty(0) || b == null) { underflow(); c = 2; }
                else { c = x.compare(get(0), b, quiet); cc(C1, 0); }
                cc(C0 | C2 | C3, ccBits(c));
                for (int k = 0; k < pops; k++) pop();
            }
            case COMI -> {
                // a2 st index, a3: pop | quiet << 1
                int c;
                if (empty(0) || empty(a2)) { underflow(); c = 2; }
                else { c = x.compare(get(0), get(a2), (a3 & 2) != 0); cc(C1, 0); }
                long fl = switch (c) { case 0 -> Flags.ZF; case -1 -> Flags.CF; case 1 -> 0; default -> Flags.ZF | Flags.PF | Flags.CF; };
                cpu.regs[Slots.CC_OP] = Flags.CC_EFLAGS;
                cpu.regs[Slots.CC_DST] = fl;
                if ((a3 & 1) != 0) pop();
            }
            case FCMOV -> {
                cc(C1, 0);
                if (empty(0) || empty(a2)) { underflow(); if (a3 != 0) set(0, F80.indefinite()); }
                else if (a3 != 0) { int p = phys(a2); setPhys(phys(0), f.sexp[p], f.mant[p]); }
            }
            case FXCH -> {
                cc(C1, 0);
                boolean e0 = empty(0), ei = empty(a2);
                if (e0 || ei) {
                    underflow();
                    if (e0) set(0, F80.indefinite());
                    if (ei) set(a2, F80.indefinite());
                }
                int p0 = phys(0), pi = phys(a2);
                int s = f.sexp[p0]; long m = f.mant[p0];
                setPhys(p0, f.sexp[pi], f.mant[pi]);
                setPhys(pi, s, m);
            }
            case LDCW -> f.fcw = (int) ld(a1, 2) & 0x1F7F | 0x40;
            case STCW -> st(a1, f.fcw, 2);
            case STSW_M -> st(a1, f.statusWord(), 2);
            case STSW_AX -> r = f.statusWord();
            case INIT -> { f.init(); return 0; }
            case CLEX -> { f.fsw &= 0x7F00; return 0; }
            case FREE -> { f.ftw |= 3 << (2 * phys(a2)); if (a3 != 0) pop(); }
            case INCSTP -> { cc(C1, 0); f.top = (f.top + 1) & 7; }
            case DECSTP -> { cc(C1, 0); f.top = (f.top - 1) & 7; }
            case STENV -> { storeEnv(a1, a2); f.fcw |= 0x3F; return 0; }
            case LDENV -> { loadEnv(a1, a2); return 0; }
            case SAVE -> {
                int n = envSize(a2);
                for (int i = 0; i < 8; i++) {
                    int p = phys(i);
                    st(a1 + n + 10L * i, f.mant[p], 8);
                    st(a1 + n + 10L * i + 8, f.sexp[p], 2);
                }
                storeEnv(a1, a2);
                f.init();
                return 0;
            }
            case RSTOR -> {
                int n = envSize(a2);
                long[] m = new long[8]; int[] s = new int[8];
                for (int i = 0; i < 8; i++) { m[i] = ld(a1 + n + 10L * i, 8); s[i] = (int) ld(a1 + n + 10L * i + 8, 2); }
                loadEnv(a1, a2);
                for (int i = 0; i < 8; i++) {
                    int p = phys(i);
                    int tag = (f.ftw >>> (2 * p)) & 3;
                    f.sexp[p] = s[i]; f.mant[p] = m[i];
                    if (tag != 3) setPhys(p, s[i], m[i]);
                }
                return 0;
            }
            case FXSAVE -> { fxsave(a1, a2 != 0, a3); return 0; }
            case FXRSTOR -> { fxrstor(a1, a2 != 0, a3); return 0; }
            case NOP -> { }
            default -> throw new IllegalStateException("x87 op " + op);
        }
        commit();
        return r;
    }

    private static int ccBits(int c) {
        return switch (c) { case 0 -> C3; case -1 -> C0; case 1 -> 0; default -> C0 | C2 | C3; };
    }

    /** dst st(d) = st(d) op src (sub-ops as the ModRM reg field: 0 add, 1 mul, 4 sub, 5 subr, 6 div, 7 divr). */
    private void arith(int sub, int d, long[] src, int unused) {
        if (empty(d)) { underflow(); set(d, F80.indefinite()); return; }
        F80.V a = get(d), b = F80.unpack((int) src[0], src[1]);
        boolean rev = sub == 5 || sub == 7;
        int base = sub == 5 ? 4 : sub == 7 ? 6 : sub;
        cc(C1, 0);
        long[] r = rev ? x.arith(base, b, a, pc(), rc()) : x.arith(base, a, b, pc(), rc());
        if (x.up) cc(C1, C1);
        set(d, r);
    }

    private void storeFloat(long a, int size, boolean popAfter) {
        cc(C1, 0);
        if (size == 10) {
            long[] v = empty(0) ? F80.indefinite() : new long[] {f.sexp[phys(0)], f.mant[phys(0)]};
            if (empty(0)) underflow();
            st(a, v[1], 8);
            st(a + 8, v[0], 2);
        } else {
            int fmt = size == 8 ? F80.DBL : F80.SGL;
            long bits;
            if (empty(0)) { underflow(); bits = size == 8 ? 0xFFF8_0000_0000_0000L : 0xFFC0_0000L; }
            else {
                F80.V v = get(0);
                switch (v.cls) {
                    case F80.BAD -> { x.exc |= F80.IE; bits = size == 8 ? 0xFFF8_0000_0000_0000L : 0xFFC0_0000L; }
                    case F80.NAN -> {
                        if (v.snan) x.exc |= F80.IE;
                        long s = v.neg ? 1 : 0;
                        long q = v.mant | (1L << 62);
                        bits = size == 8 ? (s << 63) | 0x7FF0_0000_0000_0000L | ((q << 1) >>> 12)
                                : (s << 31) | 0x7F80_0000L | ((q << 1) >>> 41);
                    }
                    case F80.INF -> bits = F80.inf(v.neg, fmt)[0];
                    case F80.ZERO -> bits = F80.zero(v.neg, fmt)[0];
                    default -> {
                        bits = x.round(v.neg, v.m, v.e, size == 8 ? 53 : 24, rc(), fmt)[0];
                        if (x.up) cc(C1, C1);
                    }
                }
            }
            st(a, bits, size);
        }
        if (popAfter) pop();
    }

    // ---- packed BCD: 18 digits, two per byte from the least significant, sign in bit 79

    private static final long BCD_INDEFINITE_LO = 0xC000_0000_0000_0000L;
    private static final int BCD_INDEFINITE_HI = 0xFFFF;
    private static final java.math.BigInteger BCD_LIMIT = java.math.BigInteger.TEN.pow(18);

    /** FBLD: exact (at most 18 digits fit in 64 bits); nibbles A-F count as 10-15 in their place, as on the unit. */
    private long[] loadBcd(long a) {
        long lo = ld(a, 8);
        int hi = (int) ld(a + 8, 2);
        long v = 0;
        for (int i = 17; i >= 0; i--) {
            int b = i < 16 ? (int) (lo >>> (4 * i)) & 0xF : (hi >>> (4 * (i - 16))) & 0xF;
            v = v * 10 + b;
        }
        boolean neg = (hi & 0x8000) != 0;
        long[] r = F80.fromLong(v);
        if (neg) r[0] |= 0x8000;
        return r;
    }

    /** FBSTP: ST0 rounded under RC; NaN, infinity, unsupported or |value| ≥ 10^18 store the BCD indefinite with IE. */
    private void storeBcd(long a) {
        cc(C1, 0);
        long lo = BCD_INDEFINITE_LO;
        int hi = BCD_INDEFINITE_HI;
        if (empty(0)) underflow();
        else {
            F80.V v = get(0);
            java.math.BigInteger q = null;
            if (v.cls == F80.ZERO) q = java.math.BigInteger.ZERO;
            else if (v.cls == F80.FIN) {
                F80 t = new F80();
                q = t.roundMagnitude(v, rc());
                if (q.compareTo(BCD_LIMIT) < 0) { x.exc |= t.exc; if (t.up) cc(C1, C1); }
                else q = null;
            }
            if (q == null) x.exc |= F80.IE;
            else {
                long n = q.longValue();
                lo = 0;
                hi = v.neg ? 0x8000 : 0;
                for (int i = 0; i < 18; i++, n /= 10) {
                    long d = n % 10;
                    if (i < 16) lo |= d << (4 * i); else hi |= (int) d << (4 * (i - 16));
                }
            }
        }
        st(a, lo, 8);
        st(a + 8, hi, 2);
        pop();
    }

    private long[] constant(int k) {
        // values rounded to nearest; adj: +1 if the nearest value is below the exact constant, -1 if above
        int sexp; long m; int adj;
        switch (k) {
            case 0 -> { return new long[] {0x3FFF, Long.MIN_VALUE}; }
            case 1 -> { sexp = 0x4000; m = 0xD49A784BCD1B8AFEL; adj = 1; }   // log2(10)
            case 2 -> { sexp = 0x3FFF; m = 0xB8AA3B295C17F0BCL; adj = -1; }  // log2(e)
            case 3 -> { sexp = 0x4000; m = 0xC90FDAA22168C235L; adj = -1; }  // pi
            case 4 -> { sexp = 0x3FFD; m = 0x9A209A84FBCFF799L; adj = -1; }  // log10(2)
            case 5 -> { sexp = 0x3FFE; m = 0xB17217F7D1CF79ACL; adj = -1; }  // ln(2)
            default -> { return new long[] {0, 0}; }
        }
        int rc = rc();
        if (adj < 0 && (rc == 1 || rc == 3)) m--;
        if (adj > 0 && rc == 2) m++;
        return new long[] {sexp, m};
    }

    // ---- one-operand and transcendental instructions

    private void unary(int sub) {
        switch (sub) {
            case CHS, ABS -> {
                if (empty(0)) { underflow(); set(0, F80.indefinite()); return; }
                cc(C1, 0);
                int p = phys(0);
                setPhys(p, sub == CHS ? f.sexp[p] ^ 0x8000 : f.sexp[p] & 0x7FFF, f.mant[p]);
            }
            case TST -> {
                if (empty(0)) { underflow(); cc(C0 | C2 | C3, C0 | C2 | C3); return; }
                cc(C1, 0);
                cc(C0 | C2 | C3, ccBits(x.compare(get(0), F80.unpack(0, 0), false)));
            }
            case XAM -> {
                int p = phys(0);
                int c1 = (f.sexp[p] & 0x8000) != 0 ? C1 : 0;
                int bits;
                if (empty(0)) bits = C3 | C0;
                else {
                    F80.V v = get(0);
                    bits = switch (v.cls) {
                        case F80.BAD -> 0;
                        case F80.NAN -> C0;
                        case F80.INF -> C2 | C0;
                        case F80.ZERO -> C3;
                        default -> v.denormal ? C3 | C2 : C2;
                    };
                }
                cc(C0 | C1 | C2 | C3, bits | c1);
            }
            case FSQRT -> {
                if (empty(0)) { underflow(); set(0, F80.indefinite()); return; }
                cc(C1, 0);
                long[] r = x.sqrt(get(0), pc(), rc());
                if (x.up) cc(C1, C1);
                set(0, r);
            }
            case FRNDINT -> {
                if (empty(0)) { underflow(); set(0, F80.indefinite()); return; }
                cc(C1, 0);
                long[] r = x.roundInt(get(0), rc());
                if (x.up) cc(C1, C1);
                set(0, r);
            }
            case FSCALE -> {
                if (empty(0) || empty(1)) { underflow(); set(0, F80.indefinite()); return; }
                cc(C1, 0);
                set(0, scale(get(0), get(1)));
            }
            case FXTRACT -> {
                if (empty(0)) { underflow(); set(0, F80.indefinite()); push(F80.indefinite()); return; }
                cc(C1, 0);
                F80.V v = get(0);
                switch (v.cls) {
                    case F80.ZERO -> { x.exc |= F80.ZE; set(0, F80.inf(true, F80.EXT)); push(new long[] {v.sexp, 0}); }
                    case F80.INF -> { set(0, F80.inf(false, F80.EXT)); push(new long[] {v.sexp, v.mant}); }
                    case F80.NAN, F80.BAD -> {
                        long[] n = v.cls == F80.BAD ? F80.indefinite() : x.propagate(v, null);
                        if (v.cls == F80.BAD) x.exc |= F80.IE;
                        set(0, n); push(n);
                    }
                    default -> {
                        if (v.denormal) x.exc |= F80.DE;
                        int top = v.e + v.m.bitLength() - 1;
                        set(0, F80.fromLong(top));
                        long[] sig = x.round(v.neg, v.m, v.e - top, 64, 0, F80.EXT);
                        push(sig);
                    }
                }
            }
            case FPREM, FPREM1 -> prem(sub == FPREM1);
            default -> transcendental(sub);
        }
    }

    private long[] scale(F80.V a, F80.V b) {
        if (a.cls == F80.BAD || b.cls == F80.BAD) { x.exc |= F80.IE; return F80.indefinite(); }
        if (a.cls == F80.NAN || b.cls == F80.NAN) return x.propagate(a, b);
        if (b.cls == F80.INF) {
            if (!b.neg) {
                if (a.cls == F80.ZERO) { x.exc |= F80.IE; return F80.indefinite(); }
                return F80.inf(a.neg, F80.EXT);
            }
            if (a.cls == F80.INF) { x.exc |= F80.IE; return F80.indefinite(); }
            return F80.zero(a.neg, F80.EXT);
        }
        if (a.denormal || b.denormal) x.exc |= F80.DE;
        if (a.cls != F80.FIN) return new long[] {a.sexp, a.mant};
        long n;
        if (b.cls == F80.ZERO) n = 0;
        else {
            int top = b.e + b.m.bitLength();
            n = top > 20 ? (b.neg ? -100000 : 100000) : (b.e >= 0 ? b.m.shiftLeft(b.e) : b.m.shiftRight(-b.e)).longValue();
            if (top <= 20 && b.neg) n = -n;
        }
        long[] r = x.round(a.neg, a.m, (int) (a.e + n), 64, rc(), F80.EXT);
        if (x.up) cc(C1, C1);
        return r;
    }

    private void prem(boolean ieee) {
        if (empty(0) || empty(1)) { underflow(); set(0, F80.indefinite()); return; }
        F80.V a = get(0), b = get(1);
        if (a.cls == F80.BAD || b.cls == F80.BAD) { x.exc |= F80.IE; set(0, F80.indefinite()); return; }
        if (a.cls == F80.NAN || b.cls == F80.NAN) { set(0, x.propagate(a, b)); return; }
        if (a.cls == F80.INF || b.cls == F80.ZERO) { x.exc |= F80.IE; set(0, F80.indefinite()); cc(C2, 0); return; }
        if (a.denormal || b.denormal) x.exc |= F80.DE;
        cc(C1 | C2 | C0 | C3, 0);
        if (a.cls == F80.ZERO || b.cls == F80.INF) { if (a.cls != F80.ZERO) setRem(a.neg, a.m, a.e); return; }
        int ta = a.e + a.m.bitLength() - 1, tb = b.e + b.m.bitLength() - 1;
        int d = ta - tb;
        if (d < 0 && !(ieee && d == -1)) { setRem(a.neg, a.m, a.e); return; } // |a| < |b|: remainder is a, quotient 0
        java.math.BigInteger ma = a.m, mb = b.m;
        int e = Math.min(a.e, b.e);
        java.math.BigInteger sa = ma.shiftLeft(a.e - e), sb = mb.shiftLeft(b.e - e);
        if (d >= 64) {
            // partial remainder: reduce by b * 2^(d - n), n = 32 + d % 32 (as QEMU does)
            int n = 32 + d % 32;
            sb = sb.shiftLeft(d - n);
            java.math.BigInteger q = sa.divide(sb);
            java.math.BigInteger r = sa.subtract(q.multiply(sb));
            setRem(a.neg, r, e);
            cc(C2, C2);
            return;
        }
        java.math.BigInteger[] qr = sa.divideAndRemainder(sb);
        java.math.BigInteger q = qr[0], r = qr[1];
        if (ieee) {
            int c = r.shiftLeft(1).compareTo(sb);
            if (c > 0 || (c == 0 && q.testBit(0))) { q = q.add(java.math.BigInteger.ONE); r = r.subtract(sb); }
        }
        boolean neg = a.neg;
        if (r.signum() < 0) { neg = !neg; r = r.negate(); }
        setRem(neg, r, e);
        int ql = q.and(java.math.BigInteger.valueOf(7)).intValue();
        cc(C0 | C3 | C1, ((ql & 4) != 0 ? C0 : 0) | ((ql & 2) != 0 ? C3 : 0) | ((ql & 1) != 0 ? C1 : 0));
    }

    private void setRem(boolean neg, java.math.BigInteger r, int e) {
        if (r.signum() == 0) set(0, F80.zero(neg, F80.EXT));
        else set(0, x.round(neg, r, e, 64, 0, F80.EXT));
    }

    /**
     * The transcendental instructions: stack checks here, values in {@link Transcendental} (exact
     * 80-bit results of the unit's documented model; see there for where the unit differs).
     */
    private void transcendental(int sub) {
        boolean two = sub == FYL2X || sub == FPATAN || sub == FYL2XP1;
        if (empty(0) || (two && empty(1))) {
            underflow();
            if (two) { pop(); set(0, F80.indefinite()); }
            else if (sub == FPTAN || sub == FSINCOS) { set(0, F80.indefinite()); push(F80.indefinite()); }
            else set(0, F80.indefinite());
            return;
        }
        if ((sub == FPTAN || sub == FSINCOS) && !empty(7)) {
            x.exc |= F80.IE | F80.SF; cc(C1, C1);
            set(0, F80.indefinite()); push(F80.indefinite());
            return;
        }
        F80.V a = get(0);
        cc(C1 | C2, 0);
        Transcendental t = new Transcendental(x);
        int rc = rc();
        switch (sub) {
            case FSIN, FCOS -> {
                long[] r = sub == FSIN ? t.sin(a, rc) : t.cos(a, rc);
                if (r != null) set(0, r);
            }
            case FSINCOS, FPTAN -> {
                long[][] r = sub == FSINCOS ? t.sinCos(a, rc) : t.tan(a, rc);
                if (r != null) { set(0, r[0]); push(r[1]); }
            }
            case F2XM1 -> set(0, t.f2xm1(a, rc));
            default -> {
                F80.V b = get(1);
                long[] r = switch (sub) {
                    case FYL2X -> t.fyl2x(a, b, rc);
                    case FYL2XP1 -> t.fyl2xp1(a, b, rc);
                    default -> t.fpatan(a, b, rc);
                };
                pop();
                set(0, r);
            }
        }
        if (t.outOfRange) cc(C2, C2);
        if (x.up) cc(C1, C1);
    }

    // ---- environment and save areas

    private static int envSize(int opsize) { return opsize == 2 ? 14 : 28; }

    /** The full tag word, with non-empty tags recomputed from the register contents. */
    private int fullTags() {
        int t = 0;
        for (int p = 0; p < 8; p++) {
            int tag = (f.ftw >>> (2 * p)) & 3;
            if (tag != 3) tag = tagOf(f.sexp[p], f.mant[p]);
            t |= tag << (2 * p);
        }
        return t;
    }

    private void storeEnv(long a, int opsize) {
        if (opsize == 2) {
            st(a, f.fcw, 2); st(a + 2, f.statusWord(), 2); st(a + 4, fullTags(), 2);
            st(a + 6, 0, 8);
        } else {
            st(a, 0xFFFF0000L | f.fcw, 4); st(a + 4, 0xFFFF0000L | f.statusWord(), 4);
            st(a + 8, 0xFFFF0000L | fullTags(), 4);
            st(a + 12, 0, 8); st(a + 20, 0, 4); st(a + 24, 0xFFFF0000L, 4);
        }
    }

    private void loadEnv(long a, int opsize) {
        int step = opsize == 2 ? 2 : 4;
        int cw = (int) ld(a, 2), sw = (int) ld(a + step, 2), tw = (int) ld(a + 2L * step, 2);
        f.fcw = cw & 0x1F7F | 0x40;
        f.top = (sw >>> 11) & 7;
        f.fsw = sw & ~0x3800;
        int t = 0;
        for (int p = 0; p < 8; p++) {
            int tag = (tw >>> (2 * p)) & 3;
            if (tag != 3) tag = tagOf(f.sexp[p], f.mant[p]);
            t |= tag << (2 * p);
        }
        f.ftw = t;
    }

    private void fxsave(long a, boolean rexW, int xmmCount) {
        int abridged = 0;
        for (int p = 0; p < 8; p++) if (((f.ftw >>> (2 * p)) & 3) != 3) abridged |= 1 << p;
        st(a, f.fcw, 2);
        st(a + 2, f.statusWord(), 2);
        st(a + 4, abridged, 2);
        st(a + 6, 0, 2);
        st(a + 8, 0, 8);
        st(a + 16, 0, 8);
        st(a + 24, cpu.regs[Slots.MXCSR], 4);
        st(a + 28, 0xFFFF, 4);
        for (int i = 0; i < 8; i++) {
            int p = phys(i);
            st(a + 32 + 16L * i, f.mant[p], 8);
            st(a + 40 + 16L * i, f.sexp[p], 8);
        }
        for (int n = 0; n < xmmCount; n++) {
            st(a + 160 + 16L * n, cpu.regs[Slots.xmmLo(n)], 8);
            st(a + 168 + 16L * n, cpu.regs[Slots.xmmHi(n)], 8);
        }
    }

    private void fxrstor(long a, boolean rexW, int xmmCount) {
        long mx = ld(a + 24, 4);
        if ((mx & ~0xFFFFL) != 0) throw emulator.core.exec.GuestException.trap(13, 0, false, "fxrstor: reserved MXCSR bits");
        int cw = (int) ld(a, 2), sw = (int) ld(a + 2, 2), tw = (int) ld(a + 4, 1);
        long[] m = new long[8]; int[] s = new int[8];
        for (int i = 0; i < 8; i++) { m[i] = ld(a + 32 + 16L * i, 8); s[i] = (int) ld(a + 40 + 16L * i, 2); }
        long[] lo = new long[xmmCount], hi = new long[xmmCount];
        for (int n = 0; n < xmmCount; n++) { lo[n] = ld(a + 160 + 16L * n, 8); hi[n] = ld(a + 168 + 16L * n, 8); }
        f.fcw = cw & 0x1F7F | 0x40;
        f.top = (sw >>> 11) & 7;
        f.fsw = sw & ~0x3800;
        f.ftw = 0xFFFF;
        for (int i = 0; i < 8; i++) {
            int p = phys(i);
            f.sexp[p] = s[i]; f.mant[p] = m[i];
        }
        for (int p = 0; p < 8; p++) if ((tw & (1 << p)) != 0) setPhys(p, f.sexp[p], f.mant[p]);
        cpu.regs[Slots.MXCSR] = mx;
        for (int n = 0; n < xmmCount; n++) { cpu.regs[Slots.xmmLo(n)] = lo[n]; cpu.regs[Slots.xmmHi(n)] = hi[n]; }
    }
}
