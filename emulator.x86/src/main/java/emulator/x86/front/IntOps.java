package emulator.x86.front;

import emulator.core.exec.GuestException;
import emulator.core.ir.Cond;
import emulator.core.ir.ExitReason;
import emulator.core.ir.Helper;
import emulator.core.ir.Label;
import emulator.core.ir.Type;
import emulator.core.ir.Val;
import emulator.x86.Flags;
import emulator.x86.Slots;
import emulator.x86.decode.Operand;
import emulator.x86.decode.RegClass;
import emulator.x86.decode.X86Insn;

/**
 * Semantics of the general-purpose integer instructions: one method per instruction form, written
 * against the {@link E} emitter. Returns false from {@link #translate} for an op it does not cover.
 * Each method ends its instruction's control flow only if the instruction is a branch.
 */
final class IntOps {
    private final E e;

    IntOps(E e) { this.e = e; }

    private X86Insn i() { return e.insn; }
    private Operand op(int k) { return e.insn.operand(k); }
    private int os() { return e.insn.operandSizeAttr(); }

    boolean translate(X86Insn in) {
        switch (in.op()) {
            case ADD, OR, ADC, SBB, AND, SUB, XOR, CMP, TEST -> arith(in);
            case INC, DEC -> incDec(in.op() == emulator.x86.decode.X86Op.INC);
            case NEG -> neg();
            case NOT -> not();
            case MOV -> mov();
            case MOVZX, MOVSX, MOVSXD -> movExtend(in.op() != emulator.x86.decode.X86Op.MOVZX);
            case LEA -> lea();
            case XCHG -> xchg();
            case XADD -> xadd();
            case CMPXCHG -> cmpxchg();
            case CMPXCHG8B, CMPXCHG16B -> cmpxchgDouble();
            case SHL, SHR, SAR -> shift();
            case ROL, ROR -> rotate();
            case RCL, RCR -> rotateCarry();
            case SHLD, SHRD -> shiftDouble(in.op() == emulator.x86.decode.X86Op.SHLD);
            case MUL -> mulWide(false);
            case IMUL -> { if (in.operandCount() == 1) mulWide(true); else imul(); }
            case DIV, IDIV -> div(in.op() == emulator.x86.decode.X86Op.IDIV);
            case CBW, CWDE, CDQE -> extendAcc();
            case CWD, CDQ, CQO -> extendAccIntoDx();
            case BT, BTS, BTR, BTC -> bitTest();
            case BSF, BSR -> bitScan(in.op() == emulator.x86.decode.X86Op.BSR);
            case TZCNT, LZCNT -> countZeros(in.op() == emulator.x86.decode.X86Op.LZCNT);
            case POPCNT -> popcnt();
            case BSWAP -> bswap();
            case MOVBE -> movbe();
            case CMOVCC -> cmov();
            case SETCC -> e.write(op(0), 1, e.cond(in.cond()));
            case JCC -> jcc();
            case JMP -> jmp();
            case CALL -> call();
            case RET -> ret();
            case LOOP, LOOPE, LOOPNE, JCXZ, JECXZ, JRCXZ -> loop();
            case PUSH -> push();
            case POP -> pop();
            case PUSHF, PUSHFD, PUSHFQ -> e.push(rflags(), os());
            case POPF, POPFD, POPFQ -> popf();
            case LEAVE -> leave();
            case ENTER -> enter();
            case LAHF -> lahf();
            case SAHF -> sahf();
            case CLC, STC, CMC -> carryFlag();
            case CLD, STD -> directionFlag(in.op() == emulator.x86.decode.X86Op.STD);
            case MOVS, STOS, LODS, CMPS, SCAS -> new StringOps(e).translate(in);
            case XLAT -> xlat();
            case NOP, PAUSE, LFENCE, MFENCE, SFENCE, PREFETCH, PREFETCHNTA, PREFETCHT0, PREFETCHT1, PREFETCHT2,
                 PREFETCHW, ENDBR32, ENDBR64, FWAIT, CLFLUSH -> { }
            case CPUID -> e.ir.call(Cpuid.HELPER, e.ir.c64(e.x64 ? 1 : 0));
            case RDTSC -> rdtsc();
            default -> { return false; }
        }
        return true;
    }

    // ---- arithmetic and logic

    /** ADD, OR, ADC, SBB, AND, SUB, XOR, CMP, TEST r/m, r/m|imm. */
    private void arith(X86Insn in) {
        int size = in.opSize();
        Operand d = op(0);
        Val addr = d instanceof Operand.Mem m ? e.ea(m) : null;
        Val a = addr != null ? e.load(addr, size) : e.read(d, size);
        Val b = e.read(op(1), size);
        Val r, c = null;
        int kind;
        switch (in.op()) {
            case ADD -> { r = trunc(e.ir.add(a, b), size); kind = Flags.ADD; }
            case ADC -> {
                c = ext(e.carry(), size);
                r = trunc(e.ir.add(e.ir.add(a, b), c), size);
                kind = Flags.ADC;
            }
            case SUB, CMP -> { r = trunc(e.ir.sub(a, b), size); kind = Flags.SUB; }
            case SBB -> {
                c = ext(e.carry(), size);
                r = trunc(e.ir.sub(e.ir.sub(a, b), c), size);
                kind = Flags.SBB;
            }
            case AND, TEST -> { r = e.ir.and(a, b); kind = Flags.LOGIC; }
            case OR -> { r = e.ir.or(a, b); kind = Flags.LOGIC; }
            default -> { r = e.ir.xor(a, b); kind = Flags.LOGIC; }
        }
        if (in.op() != emulator.x86.decode.X86Op.CMP && in.op() != emulator.x86.decode.X86Op.TEST) writeBack(d, addr, size, r);
        // The flags after the store (here and in the other read-modify-write forms): a store that
        // faults leaves them as they were, as the CPU does, and one that misses the TLB can be restarted.
        if (kind == Flags.LOGIC) e.setFlags(kind, size, r, null, null, null);
        else e.setFlags(kind, size, r, b, c, a);
    }

    private void writeBack(Operand d, Val addr, int size, Val v) {
        if (addr != null) e.store(addr, v, size); else e.write(d, size, v);
    }

    private Val trunc(Val v, int size) { return size >= 4 ? v : e.ir.extu(Type.I32, v, 8 * size); }

    /** An I32 0/1 as a value of the operand size's type. */
    private Val ext(Val bit, int size) { return size == 8 ? e.ir.to64(bit) : bit; }

    private void incDec(boolean inc) {
        int size = i().opSize();
        Operand d = op(0);
        Val addr = d instanceof Operand.Mem m ? e.ea(m) : null;
        Val a = addr != null ? e.load(addr, size) : e.read(d, size);
        Val cf = e.carry();
        Val one = e.c(size, 1);
        Val r = trunc(inc ? e.ir.add(a, one) : e.ir.sub(a, one), size);
        writeBack(d, addr, size, r);
        e.setFlags(inc ? Flags.INC : Flags.DEC, size, r, one, cf, a);
    }

    private void neg() {
        int size = i().opSize();
        Operand d = op(0);
        Val addr = d instanceof Operand.Mem m ? e.ea(m) : null;
        Val a = addr != null ? e.load(addr, size) : e.read(d, size);
        Val zero = e.c(size, 0);
        Val r = trunc(e.ir.sub(zero, a), size);
        writeBack(d, addr, size, r);
        e.setFlags(Flags.SUB, size, r, a, null, zero);
    }

    private void not() {
        int size = i().opSize();
        Operand d = op(0);
        Val addr = d instanceof Operand.Mem m ? e.ea(m) : null;
        Val a = addr != null ? e.load(addr, size) : e.read(d, size);
        writeBack(d, addr, size, trunc(e.ir.not(a), size));
    }

    // ---- moves

    private void mov() {
        Operand d = op(0), s = op(1);
        if (d instanceof Operand.Reg r && r.cls() == RegClass.SEG) { Segments.write(e, r.num(), e.read(s, 2)); return; }
        if (s instanceof Operand.Reg r && r.cls() == RegClass.SEG) {
            Val sel = Segments.read(e, r.num());
            int size = d instanceof Operand.Mem ? 2 : d.size();
            e.write(d, size, size == 8 ? e.ir.to64(sel) : sel);
            return;
        }
        if (d instanceof Operand.Reg r && (r.cls() == RegClass.CR || r.cls() == RegClass.DR)
                || s instanceof Operand.Reg r2 && (r2.cls() == RegClass.CR || r2.cls() == RegClass.DR)) {
            e.fault(13, "privileged mov");
            return;
        }
        int size = i().opSize();
        e.write(d, size, e.read(s, size));
    }

    private void movExtend(boolean signed) {
        int dsize = op(0).size(), ssize = op(1).size();
        Val v = e.read(op(1), ssize);
        Type t = E.ty(dsize);
        Val r = signed ? e.ir.exts(t, ssize == 8 ? v : widen(v, t), 8 * ssize) : e.ir.extu(t, widen(v, t), 8 * ssize);
        e.write(op(0), dsize, dsize < 4 ? trunc(r, dsize) : r);
    }

    private Val widen(Val v, Type t) { return t == Type.I64 ? e.ir.to64(v) : v; }

    private void lea() {
        int size = op(0).size();
        Val a = e.leaAddr((Operand.Mem) op(1));
        e.write(op(0), size, size == 8 ? a : trunc(e.ir.to32(a), size));
    }

    private void xchg() {
        int size = i().opSize();
        Operand d = op(0), s = op(1);
        if (d instanceof Operand.Reg r && s instanceof Operand.Reg r2 && r.equals(r2) && size == 4 && r.num() == 0 && r.cls() == RegClass.GPR) {
            // 0x90 with no REX is NOP; "xchg eax, eax" in 64-bit mode (87 C0) zero-extends rax.
            if (i().bytes()[i().length() - 1] == (byte) 0x90) return;
        }
        Val addrD = d instanceof Operand.Mem m ? e.ea(m) : null;
        Val addrS = s instanceof Operand.Mem m ? e.ea(m) : null;
        Val a = addrD != null ? e.load(addrD, size) : e.read(d, size);
        Val b = addrS != null ? e.load(addrS, size) : e.read(s, size);
        writeBack(d, addrD, size, b);
        writeBack(s, addrS, size, a);
    }

    private void xadd() {
        int size = i().opSize();
        Operand d = op(0);
        Val addr = d instanceof Operand.Mem m ? e.ea(m) : null;
        Val a = addr != null ? e.load(addr, size) : e.read(d, size);
        Val b = e.read(op(1), size);
        Val r = trunc(e.ir.add(a, b), size);
        e.write(op(1), size, a);
        writeBack(d, addr, size, r);
        e.setFlags(Flags.ADD, size, r, b, null, a);
    }

    private void cmpxchg() {
        int size = i().opSize();
        Operand d = op(0);
        Val addr = d instanceof Operand.Mem m ? e.ea(m) : null;
        Val dv = addr != null ? e.load(addr, size) : e.read(d, size);
        Val acc = e.gpr(Slots.RAX, size);
        Val src = e.read(op(1), size);
        Val eq = e.ir.setc(Cond.EQ, acc, dv);
        Val newD = e.ir.select(eq, src, dv);
        if (addr != null) e.store(addr, newD, size);
        e.setFlags(Flags.SUB, size, trunc(e.ir.sub(acc, dv), size), dv, null, acc);
        Label same = e.label(), done = e.label();
        e.ir.brc(eq, same);
        if (addr == null) e.write(d, size, newD);
        e.setGpr(Slots.RAX, size, dv);
        e.ir.br(done);
        e.ir.label(same);
        if (addr == null) e.write(d, size, newD);
        e.ir.label(done);
    }

    /** CMPXCHG8B m64 / CMPXCHG16B m128: compare edx:eax (rdx:rax) with memory. */
    private void cmpxchgDouble() {
        boolean wide = i().op() == emulator.x86.decode.X86Op.CMPXCHG16B;
        int half = wide ? 8 : 4;
        Val addr = e.ea((Operand.Mem) op(0));
        if (wide) {
            Val aligned = e.ir.setc(Cond.NE, e.ir.and(addr, e.ir.c64(15)), e.ir.c64(0));
            Label ok = e.label();
            e.ir.brc(e.ir.xor(aligned, e.ir.c32(1)), ok);
            e.fault(13, "cmpxchg16b on an unaligned address");
            e.ir.label(ok);
        }
        Val lo = e.load(addr, half), hi = e.load(e.ir.add(addr, e.ir.c64(half)), half);
        Val eqLo = e.ir.setc(Cond.EQ, lo, e.gpr(Slots.RAX, half));
        Val eqHi = e.ir.setc(Cond.EQ, hi, e.gpr(Slots.RDX, half));
        Val eq = e.ir.and(eqLo, eqHi);
        Val flags = e.eflags();
        Val zf = e.ir.shl(e.ir.to64(eq), e.ir.c64(6));
        e.setEflags(e.ir.or(e.ir.and(flags, e.ir.c64(~Flags.ZF)), zf));
        Label same = e.label(), done = e.label();
        e.ir.brc(eq, same);
        e.store(addr, lo, half);
        e.store(e.ir.add(addr, e.ir.c64(half)), hi, half);
        e.setGpr(Slots.RAX, half, lo);
        e.setGpr(Slots.RDX, half, hi);
        e.ir.br(done);
        e.ir.label(same);
        e.store(addr, e.gpr(Slots.RBX, half), half);
        e.store(e.ir.add(addr, e.ir.c64(half)), e.gpr(Slots.RCX, half), half);
        e.ir.label(done);
    }

    // ---- shifts and rotates

    /** The shift count operand, masked as x86 masks it (5 bits, 6 for 64-bit operands). I32. */
    private Val count(int size) {
        Operand c = i().operandCount() > 1 ? op(1) : null;
        int m = size == 8 ? 63 : 31;
        if (c == null) return e.ir.c32(1);
        if (c instanceof Operand.Imm imm) return e.ir.c32(imm.value() & m);
        return e.ir.and(e.gpr(Slots.RCX, 1), e.ir.c32(m));
    }

    private Integer constCount(int size) {
        Operand c = i().operandCount() > 1 ? op(1) : null;
        int m = size == 8 ? 63 : 31;
        if (c == null) return 1;
        if (c instanceof Operand.Imm imm) return (int) (imm.value() & m);
        return null;
    }

    /** Skips to the returned label when the count is zero (x86 then changes nothing, flags included). */
    private Label skipIfZero(Val cnt, Integer known) {
        // A 32-bit shift by 0 still writes its register: the upper half of the 64-bit register is cleared.
        if (known == null && i().opSize() == 4 && op(0) instanceof Operand.Reg r) e.setGpr(r.num(), 4, e.gpr(r.num(), 4));
        Label skip = e.label();
        if (known == null) e.ir.brc(e.ir.setc(Cond.EQ, cnt, e.ir.c32(0)), skip);
        return skip;
    }

    private void endSkip(Label skip, Integer known) {
        e.ir.label(skip);
        if (known == null) e.forgetFlags();
    }

    private void shift() {
        int size = i().opSize();
        Integer known = constCount(size);
        if (known != null && known == 0) return;
        Operand d = op(0);
        Val addr = d instanceof Operand.Mem m ? e.ea(m) : null;
        Val a = addr != null ? e.load(addr, size) : e.read(d, size);
        Val cnt = count(size);
        Label skip = skipIfZero(cnt, known);
        Type t = E.ty(size);
        Val n = t == Type.I64 ? e.ir.to64(cnt) : cnt;
        Val n1 = e.ir.sub(n, e.ir.constant(t, 1));
        Val r, prev;
        int kind;
        switch (i().op()) {
            case SHL -> { r = trunc(e.ir.shl(a, n), size); prev = e.ir.shl(a, n1); kind = Flags.SHL; }
            case SHR -> {
                // counts ≥ the operand width (8/16-bit operands) shift everything out
                r = e.ir.shr(a, n); prev = e.ir.shr(a, n1); kind = Flags.SHR;
            }
            default -> {
                Val sa = size >= 4 ? a : e.ir.exts(Type.I32, a, 8 * size);
                r = trunc(e.ir.sar(sa, n), size); prev = e.ir.sar(sa, n1); kind = Flags.SAR;
            }
        }
        writeBack(d, addr, size, r);
        e.setFlags(kind, size, r, prev, kind == Flags.SHR ? a : null, null);
        endSkip(skip, known);
    }

    private void rotate() {
        int size = i().opSize();
        boolean left = i().op() == emulator.x86.decode.X86Op.ROL;
        Integer known = constCount(size);
        if (known != null && known == 0) return;
        Operand d = op(0);
        Val addr = d instanceof Operand.Mem m ? e.ea(m) : null;
        Val a = addr != null ? e.load(addr, size) : e.read(d, size);
        Val cnt = count(size);
        Label skip = skipIfZero(cnt, known);
        Val r;
        int bits = 8 * size;
        if (size >= 4) {
            Val n = size == 8 ? e.ir.to64(cnt) : cnt;
            r = left ? e.ir.rol(a, n) : e.ir.ror(a, n);
        } else {
            Val n = e.ir.remu(cnt, e.ir.c32(bits));
            Val back = e.ir.sub(e.ir.c32(bits), n);
            r = left ? e.ir.or(e.ir.shl(a, n), e.ir.shr(a, back)) : e.ir.or(e.ir.shr(a, n), e.ir.shl(a, back));
            r = trunc(r, size);
        }
        Type t = E.ty(size);
        Val msb = e.ir.to64(e.ir.to32(e.ir.and(e.ir.shr(r, e.ir.constant(t, bits - 1)), e.ir.constant(t, 1))));
        Val cf, of;
        if (left) {
            cf = e.ir.to64(e.ir.to32(e.ir.and(r, e.ir.constant(t, 1))));
            of = e.ir.xor(msb, cf);
        } else {
            cf = msb;
            Val msb2 = e.ir.to64(e.ir.to32(e.ir.and(e.ir.shr(r, e.ir.constant(t, bits - 2)), e.ir.constant(t, 1))));
            of = e.ir.xor(msb, msb2);
        }
        Val f = e.ir.and(e.eflags(Flags.ARITH & ~(Flags.CF | Flags.OF)), e.ir.c64(~(Flags.CF | Flags.OF)));
        e.setEflags(e.ir.or(f, e.ir.or(cf, e.ir.shl(of, e.ir.c64(11)))));
        writeBack(d, addr, size, r);
        endSkip(skip, known);
    }

    private static final Helper RCL = new Helper("x86.rcl", IntOps::rcx, 4, true, 0);

    /** RCL/RCR in Java: args (value, count, size | left<<8, flags); returns result, new flags packed by the caller's second call. */
    private static long rcx(emulator.core.exec.Vcpu c, long v, long cnt, long sizeLeft, long flags) {
        int size = (int) (sizeLeft & 0xFF);
        boolean left = (sizeLeft & 0x100) != 0;
        boolean wantFlags = (sizeLeft & 0x200) != 0;
        int bits = 8 * size;
        int n = (int) (cnt & (size == 8 ? 63 : 31));
        n = size == 8 || size == 4 ? n : n % (bits + 1);
        long mask = E.mask(size);
        long cf = flags & Flags.CF;
        long x = v & mask;
        for (int k = 0; k < n; k++) {
            if (left) {
                long out = (x >>> (bits - 1)) & 1;
                x = ((x << 1) | cf) & mask;
                cf = out;
            } else {
                long out = x & 1;
                x = (x >>> 1) | (cf << (bits - 1));
                cf = out;
            }
        }
        if (!wantFlags) return x;
        long f = flags;
        if (n != 0) {
            long msb = (x >>> (bits - 1)) & 1;
            long of = left ? msb ^ cf : msb ^ ((x >>> (bits - 2)) & 1);
            f = (f & ~(Flags.CF | Flags.OF)) | cf | (of << 11);
        }
        return f;
    }

    private void rotateCarry() {
        int size = i().opSize();
        boolean left = i().op() == emulator.x86.decode.X86Op.RCL;
        Operand d = op(0);
        Val addr = d instanceof Operand.Mem m ? e.ea(m) : null;
        Val a = addr != null ? e.load(addr, size) : e.read(d, size);
        Val cnt = e.ir.to64(count(size));
        Val flags = e.eflags();
        Val a64 = e.ir.to64(a);
        long sl = size | (left ? 0x100 : 0);
        Val r = e.ir.call(RCL, a64, cnt, e.ir.c64(sl), flags);
        Val nf = e.ir.call(RCL, a64, cnt, e.ir.c64(sl | 0x200), flags);
        e.setEflags(nf);
        writeBack(d, addr, size, size == 8 ? r : e.ir.to32(r));
    }

    private void shiftDouble(boolean left) {
        int size = i().opSize();
        Operand d = op(0);
        Integer known = i().operand(2) instanceof Operand.Imm imm ? (int) (imm.value() & (size == 8 ? 63 : 31)) : null;
        if (known != null && known == 0) return;
        Val addr = d instanceof Operand.Mem m ? e.ea(m) : null;
        Val a = addr != null ? e.load(addr, size) : e.read(d, size);
        Val s = e.read(op(1), size);
        Val cnt = known != null ? e.ir.c32(known) : e.ir.and(e.gpr(Slots.RCX, 1), e.ir.c32(size == 8 ? 63 : 31));
        Label skip = skipIfZero(cnt, known);
        Val r, prev;
        if (size == 2) {
            // Combine into 32 bits: counts up to 16 are defined.
            Val hiLo = left ? e.ir.or(e.ir.shl(a, e.ir.c32(16)), s) : e.ir.or(e.ir.shl(s, e.ir.c32(16)), a);
            if (left) {
                r = trunc(e.ir.shr(e.ir.shl(hiLo, cnt), e.ir.c32(16)), 2);
                prev = e.ir.shr(e.ir.shl(hiLo, e.ir.sub(cnt, e.ir.c32(1))), e.ir.c32(16));
            } else {
                r = trunc(e.ir.shr(hiLo, cnt), 2);
                prev = e.ir.shr(hiLo, e.ir.sub(cnt, e.ir.c32(1)));
            }
        } else {
            Type t = E.ty(size);
            Val n = size == 8 ? e.ir.to64(cnt) : cnt;
            Val back = e.ir.sub(e.ir.constant(t, 8L * size), n);
            Val n1 = e.ir.sub(n, e.ir.constant(t, 1));
            if (left) { r = e.ir.or(e.ir.shl(a, n), e.ir.shr(s, back)); prev = e.ir.shl(a, n1); }
            else { r = e.ir.or(e.ir.shr(a, n), e.ir.shl(s, back)); prev = e.ir.shr(a, n1); }
        }
        // SHRD's OF (count 1) is "sign changed": SHR-kind flags take OF from SRC2's msb, so give them r ^ a.
        writeBack(d, addr, size, r);
        e.setFlags(left ? Flags.SHL : Flags.SHR, size, r, prev, left ? null : e.ir.xor(r, a), null);
        endSkip(skip, known);
    }

    // ---- multiply and divide

    /** MUL/IMUL r/m: rDX:rAX = rAX * r/m (AX = AL * r/m8). */
    private void mulWide(boolean signed) {
        int size = i().opSize();
        Val b = e.read(op(0), size);
        Val a = e.gpr(Slots.RAX, size);
        Val lo, hi;
        if (size == 8) {
            lo = e.ir.mul(a, b);
            hi = signed ? e.ir.mulhs(a, b) : e.ir.mulhu(a, b);
        } else if (size == 4) {
            lo = e.ir.mul(a, b);
            hi = signed ? e.ir.mulhs(a, b) : e.ir.mulhu(a, b);
        } else {
            Val sa = signed ? e.ir.exts(Type.I32, a, 8 * size) : a, sb = signed ? e.ir.exts(Type.I32, b, 8 * size) : b;
            Val p = e.ir.mul(sa, sb);
            lo = trunc(p, size);
            hi = trunc(e.ir.shr(p, e.ir.c32(8 * size)), size);
        }
        Val overflow;
        if (signed) {
            Type t = E.ty(size);
            Val signOfLo = size >= 4 ? e.ir.sar(lo, e.ir.constant(t, 8 * size - 1))
                    : trunc(e.ir.sar(e.ir.exts(Type.I32, lo, 8 * size), e.ir.c32(31)), size);
            overflow = e.ir.setc(Cond.NE, hi, signOfLo);
        } else {
            overflow = e.ir.setc(Cond.NE, hi, e.ir.constant(E.ty(size), 0));
        }
        e.setFlags(Flags.MUL, size, lo, overflow, null, null);
        if (size == 1) {
            e.setGpr(Slots.RAX, 2, e.ir.or(lo, e.ir.shl(hi, e.ir.c32(8))));
        } else {
            e.setGpr(Slots.RAX, size, lo);
            e.setGpr(Slots.RDX, size, hi);
        }
    }

    /** IMUL r, r/m and IMUL r, r/m, imm. */
    private void imul() {
        int size = i().opSize();
        Val a, b;
        if (i().operandCount() == 3) { a = e.read(op(1), size); b = e.read(op(2), size); }
        else { a = e.read(op(0), size); b = e.read(op(1), size); }
        Val lo, overflow;
        if (size == 8) {
            lo = e.ir.mul(a, b);
            overflow = e.ir.setc(Cond.NE, e.ir.mulhs(a, b), e.ir.sar(lo, e.ir.c64(63)));
        } else {
            Val p = e.ir.mul(e.ir.exts(Type.I64, size == 4 ? a : a, 8 * size), e.ir.exts(Type.I64, b, 8 * size));
            lo = size == 4 ? e.ir.to32(p) : trunc(e.ir.to32(p), size);
            overflow = e.ir.setc(Cond.NE, p, e.ir.exts(Type.I64, p, 8 * size));
        }
        e.setFlags(Flags.MUL, size, lo, overflow, null, null);
        e.write(op(0), size, lo);
    }

    private static final Helper DIV128 = new Helper("x86.div128", IntOps::div128, 4, true, Helper.WRITES_REGS);

    /** 128/64 divide: args (hi, lo, divisor, signed); quotient returned, remainder into rdx; #DE on overflow. */
    private static long div128(emulator.core.exec.Vcpu c, long hi, long lo, long d, long signed) {
        if (d == 0) throw GuestException.divideError();
        java.math.BigInteger n = new java.math.BigInteger(1, toBytes(hi, lo));
        java.math.BigInteger dv;
        if (signed != 0) {
            if (hi < 0) n = n.subtract(java.math.BigInteger.ONE.shiftLeft(128));
            dv = java.math.BigInteger.valueOf(d);
        } else {
            dv = new java.math.BigInteger(Long.toUnsignedString(d));
        }
        java.math.BigInteger[] qr = n.divideAndRemainder(dv);
        java.math.BigInteger q = qr[0];
        boolean fits = signed != 0 ? q.bitLength() <= 63 : q.signum() >= 0 && q.bitLength() <= 64;
        if (!fits) throw GuestException.divideError();
        c.regs[Slots.RDX] = qr[1].longValue();
        return q.longValue();
    }

    private static byte[] toBytes(long hi, long lo) {
        byte[] b = new byte[16];
        for (int k = 0; k < 8; k++) { b[7 - k] = (byte) (hi >>> (8 * k)); b[15 - k] = (byte) (lo >>> (8 * k)); }
        return b;
    }

    private void div(boolean signed) {
        int size = i().opSize();
        Val d = e.read(op(0), size);
        if (size == 8) {
            Val q = e.ir.call(DIV128, e.gpr(Slots.RDX, 8), e.gpr(Slots.RAX, 8), d, e.ir.c64(signed ? 1 : 0));
            e.setGpr(Slots.RAX, 8, q);
            return;
        }
        // Dividend of twice the size in an I64.
        Val n;
        int bits = 8 * size;
        if (size == 1) n = e.ir.to64(e.gpr(Slots.RAX, 2));
        else n = e.ir.or(e.ir.shl(e.ir.to64(e.gpr(Slots.RDX, size)), e.ir.c64(bits)), e.ir.to64(e.gpr(Slots.RAX, size)));
        if (signed) n = e.ir.exts(Type.I64, n, 2 * bits);
        Val dv = signed ? e.ir.exts(Type.I64, e.ir.to64(d), bits) : e.ir.to64(d);
        // Divisor 0 raises #DE in the IR divide itself. MIN/-1 for 32-bit lands in I64 range, so no wrap.
        Val q = signed ? e.ir.divs(n, dv) : e.ir.divu(n, dv);
        Val r = signed ? e.ir.rems(n, dv) : e.ir.remu(n, dv);
        Val tooBig = signed
                ? e.ir.setc(Cond.NE, q, e.ir.exts(Type.I64, q, bits))
                : e.ir.setc(Cond.GTU, q, e.ir.c64(E.mask(size)));
        Label ok = e.label();
        e.ir.brc(e.ir.xor(tooBig, e.ir.c32(1)), ok);
        e.fault(0, "divide overflow");
        e.ir.label(ok);
        if (size == 1) {
            Val ax = e.ir.or(e.ir.and(e.ir.to32(q), e.ir.c32(0xFF)), e.ir.shl(e.ir.and(e.ir.to32(r), e.ir.c32(0xFF)), e.ir.c32(8)));
            e.setGpr(Slots.RAX, 2, ax);
        } else {
            e.setGpr(Slots.RAX, size, trunc(e.ir.to32(q), size));
            e.setGpr(Slots.RDX, size, trunc(e.ir.to32(r), size));
        }
    }

    private void extendAcc() {
        int size = os();
        int half = size / 2;
        Val a = e.gpr(Slots.RAX, half);
        Val r = e.ir.exts(E.ty(size), size == 8 ? e.ir.to64(a) : a, 8 * half);
        e.setGpr(Slots.RAX, size, size < 4 ? trunc(r, size) : r);
    }

    private void extendAccIntoDx() {
        int size = os();
        Type t = E.ty(size);
        Val a = e.gpr(Slots.RAX, size);
        Val s = size >= 4 ? a : e.ir.exts(Type.I32, a, 8 * size);
        e.setGpr(Slots.RDX, size, trunc(e.ir.sar(s, e.ir.constant(t, size >= 4 ? 8 * size - 1 : 31)), size));
    }

    // ---- bits

    private void bitTest() {
        int size = i().opSize();
        Operand d = op(0), s = op(1);
        Val addr = null, value, bit;
        Type t = E.ty(size);
        if (d instanceof Operand.Mem m && !(s instanceof Operand.Imm)) {
            // A register bit offset addresses beyond the operand: signed offset / width, in operand units.
            Val off = e.read(s, size);
            Val off64 = size == 8 ? off : e.ir.exts(Type.I64, e.ir.to64(off), 8 * size);
            Val unit = e.ir.sar(off64, e.ir.c64(Integer.numberOfTrailingZeros(8 * size)));
            addr = e.ir.add(e.ea(m), e.ir.mul(unit, e.ir.c64(size)));
            if (!e.x64 || m.addrSize() == 4) addr = e.ir.extu(Type.I64, addr, 32);
            bit = e.ir.and(off, e.ir.constant(t, 8L * size - 1));
            value = e.load(addr, size);
        } else {
            if (d instanceof Operand.Mem m) addr = e.ea(m);
            value = addr != null ? e.load(addr, size) : e.read(d, size);
            bit = e.ir.and(e.read(s, size), e.ir.constant(t, 8L * size - 1));
        }
        Val mask = e.ir.shl(e.ir.constant(t, 1), bit);
        Val cf = e.ir.setc(Cond.NE, e.ir.and(value, mask), e.ir.constant(t, 0));
        Val f = e.ir.and(e.eflags(Flags.ARITH & ~Flags.CF), e.ir.c64(~Flags.CF));
        e.setEflags(e.ir.or(f, e.ir.to64(cf)));
        Val r = switch (i().op()) {
            case BTS -> e.ir.or(value, mask);
            case BTR -> e.ir.and(value, e.ir.not(mask));
            case BTC -> e.ir.xor(value, mask);
            default -> null;
        };
        if (r != null) writeBack(d, addr, size, trunc(r, size));
    }

    private void bitScan(boolean reverse) {
        int size = i().opSize();
        Type t = E.ty(size);
        Val s = e.read(op(1), size);
        Val zero = e.ir.setc(Cond.EQ, s, e.ir.constant(t, 0));
        Val f = e.ir.and(e.eflags(Flags.ARITH & ~Flags.ZF), e.ir.c64(~Flags.ZF));
        e.setEflags(e.ir.or(f, e.ir.shl(e.ir.to64(zero), e.ir.c64(6))));
        Label skip = e.label();
        e.ir.brc(zero, skip);
        Val idx = reverse ? e.ir.sub(e.ir.constant(t, t.bits - 1), e.ir.clz(s)) : e.ir.ctz(s);
        e.write(op(0), size, idx);
        e.ir.label(skip);
    }

    private void countZeros(boolean leading) {
        int size = i().opSize();
        Type t = E.ty(size);
        Val s = e.read(op(1), size);
        Val r = leading ? (size >= 4 ? e.ir.clz(s) : e.ir.sub(e.ir.clz(s), e.ir.c32(32 - 8 * size)))
                : (size >= 4 ? e.ir.ctz(s) : e.ir.select(e.ir.setc(Cond.EQ, s, e.ir.c32(0)), e.ir.c32(8L * size), e.ir.ctz(s)));
        Val cf = e.ir.to64(e.ir.setc(Cond.EQ, s, e.ir.constant(t, 0)));
        Val zf = e.ir.to64(e.ir.setc(Cond.EQ, r, e.ir.constant(t, 0)));
        Val f = e.ir.and(e.eflags(Flags.ARITH & ~(Flags.CF | Flags.ZF)), e.ir.c64(~(Flags.CF | Flags.ZF)));
        e.setEflags(e.ir.or(f, e.ir.or(cf, e.ir.shl(zf, e.ir.c64(6)))));
        e.write(op(0), size, r);
    }

    private void popcnt() {
        int size = i().opSize();
        Type t = E.ty(size);
        Val s = e.read(op(1), size);
        Val zf = e.ir.to64(e.ir.setc(Cond.EQ, s, e.ir.constant(t, 0)));
        e.setEflags(e.ir.shl(zf, e.ir.c64(6)));
        e.write(op(0), size, e.ir.popcnt(s));
    }

    private void bswap() {
        int size = i().opSize();
        Operand.Reg r = (Operand.Reg) op(0);
        if (size == 2) { e.setGpr(r.num(), 2, e.ir.c32(0)); return; } // undefined; the CPU clears the low word
        e.setGpr(r.num(), size, e.ir.bswap(e.gpr(r.num(), size)));
    }

    private void movbe() {
        int size = i().opSize();
        Val v = e.read(op(1), size);
        Val r = size == 2 ? e.ir.shr(e.ir.bswap(v), e.ir.c32(16)) : e.ir.bswap(v);
        e.write(op(0), size, r);
    }

    private void cmov() {
        int size = i().opSize();
        Val s = e.read(op(1), size);
        Val d = e.read(op(0), size);
        e.write(op(0), size, e.ir.select(e.cond(i().cond()), s, d));
    }

    // ---- control flow

    private void jcc() {
        long target = ((Operand.Rel) op(0)).target();
        Label taken = e.label();
        e.ir.brc(e.cond(i().cond()), taken);
        e.exit(i().nextPc());
        e.ir.label(taken);
        e.exit(target);
    }

    private Val branchTarget(Operand o) {
        if (o instanceof Operand.Rel r) return e.ir.c64(r.target());
        int size = e.x64 ? 8 : os();
        Val t = e.read(o, size);
        return size == 8 ? t : e.ir.to64(t);
    }

    private void jmp() {
        if (op(0) instanceof Operand.Rel r) { e.exit(r.target()); return; }
        if (op(0) instanceof Operand.Far) { e.fault(13, "far jump"); return; }
        e.exit(branchTarget(op(0)));
    }

    private void call() {
        if (op(0) instanceof Operand.Far) { e.fault(13, "far call"); return; }
        Val target = branchTarget(op(0));
        int size = e.x64 ? 8 : os();
        e.push(e.c(size, i().nextPc()), size);
        if (op(0) instanceof Operand.Rel r) e.exit(r.target()); else e.exit(target);
    }

    /**
     * A 32-bit {@code call rel32} whose callee the block goes on into (a PC thunk, see
     * {@link PcThunk}): the return address is pushed as by any call, and nothing leaves.
     */
    void callStaying() {
        e.push(e.c(4, i().nextPc()), 4);
    }

    /**
     * The PC thunk's {@code ret}, translated in the caller's block: pops as any return does, and
     * leaves the block only if the address popped is not {@code expected}, the address the call
     * pushed (it can only differ if another thread wrote this one's stack in between).
     */
    void retStaying(long expected) {
        Val t = e.pop(4);
        Label stay = e.label();
        e.ir.brc(e.ir.setc(Cond.EQ, t, e.ir.c32(expected)), stay);
        e.exit(e.ir.to64(t));
        e.ir.label(stay);
    }

    private void ret() {
        int size = e.x64 ? 8 : os();
        Val t = e.pop(size);
        if (i().operandCount() > 0 && op(0) instanceof Operand.Imm imm) {
            Val nsp = e.ir.add(e.sp(), e.ir.c64(imm.unsigned()));
            e.setSp(e.x64 ? nsp : e.ir.extu(Type.I64, nsp, 32));
        }
        e.exit(size == 8 ? t : e.ir.to64(t));
    }

    private void loop() {
        int as = i().addrSize();
        long target = ((Operand.Rel) op(0)).target();
        Val cnt = e.gpr(Slots.RCX, as);
        Val taken;
        switch (i().op()) {
            case JCXZ, JECXZ, JRCXZ -> taken = e.ir.setc(Cond.EQ, cnt, e.ir.constant(E.ty(as), 0));
            default -> {
                Val n = trunc(e.ir.sub(cnt, e.ir.constant(E.ty(as), 1)), as);
                e.setGpr(Slots.RCX, as, n);
                taken = e.ir.setc(Cond.NE, n, e.ir.constant(E.ty(as), 0));
                if (i().op() == emulator.x86.decode.X86Op.LOOPE) taken = e.ir.and(taken, e.cond(4));
                if (i().op() == emulator.x86.decode.X86Op.LOOPNE) taken = e.ir.and(taken, e.cond(5));
            }
        }
        Label t = e.label();
        e.ir.brc(taken, t);
        e.exit(i().nextPc());
        e.ir.label(t);
        e.exit(target);
    }

    // ---- stack

    private void push() {
        Operand o = op(0);
        int size = o instanceof Operand.Imm ? os() : o instanceof Operand.Reg r && r.cls() == RegClass.SEG ? os() : o.size();
        if (size == 0) size = os();
        Val v;
        if (o instanceof Operand.Reg r && r.cls() == RegClass.SEG) v = size == 8 ? e.ir.to64(Segments.read(e, r.num())) : Segments.read(e, r.num());
        else v = e.read(o, size);
        e.push(v, size);
    }

    private void pop() {
        Operand o = op(0);
        int size = o instanceof Operand.Reg r && r.cls() == RegClass.SEG ? os() : o.size();
        if (size == 0) size = os();
        Val v = e.pop(size);
        if (o instanceof Operand.Reg r && r.cls() == RegClass.SEG) { Segments.write(e, r.num(), e.ir.to32(v)); return; }
        e.write(o, size, v);   // a memory destination is addressed with the incremented rsp, as x86 does
    }

    private Val rflags() {
        Val other = e.ir.and(e.ir.getReg(Slots.FLAGS, Type.I64), e.ir.c64(~Flags.ARITH));
        Val f = e.ir.or(other, e.eflags());
        return os() == 8 ? f : e.ir.to32(f);
    }

    /** User-mode POPF: arithmetic flags, DF, AC and ID change; IF, IOPL and the rest stay. */
    private void popf() {
        int size = os();
        Val v = e.ir.to64(e.pop(size));
        long user = Flags.DF | (1L << 18) | (1L << 21);
        Val keep = e.ir.and(e.ir.getReg(Slots.FLAGS, Type.I64), e.ir.c64(~user));
        e.ir.setReg(Slots.FLAGS, e.ir.or(keep, e.ir.and(v, e.ir.c64(user & (size == 2 ? 0xFFFF : -1L)))));
        e.setEflags(v);
    }

    private void leave() {
        int size = e.x64 ? 8 : 4;
        Val bp = e.gpr(Slots.RBP, size);
        Val v = e.load(size == 8 ? bp : e.ir.to64(bp), os());
        e.setGpr(Slots.RSP, size, e.ir.add(bp, e.ir.constant(E.ty(size), os())));
        e.setGpr(Slots.RBP, os(), v);
    }

    private void enter() {
        long frame = ((Operand.Imm) op(0)).unsigned();
        long level = ((Operand.Imm) op(1)).unsigned() & 31;
        if (level != 0) throw new E.Unsupported("ENTER with nesting level " + level);
        int size = e.x64 ? 8 : os();
        e.push(e.gpr(Slots.RBP, size), size);
        Val fp = e.sp();
        e.setGpr(Slots.RBP, size, size == 8 ? fp : e.ir.to32(fp));
        Val nsp = e.ir.sub(fp, e.ir.c64(frame));
        e.setSp(e.x64 ? nsp : e.ir.extu(Type.I64, nsp, 32));
    }

    // ---- flags

    private void lahf() {
        Val f = e.ir.to32(e.eflags(Flags.ARITH & ~Flags.OF));
        e.setGprHigh(Slots.RAX, e.ir.or(e.ir.and(f, e.ir.c32(0xD5)), e.ir.c32(2)));
    }

    private void sahf() {
        Val ah = e.ir.to64(e.gprHigh(Slots.RAX));
        Val keep = e.ir.and(e.eflags(Flags.OF), e.ir.c64(Flags.OF));
        e.setEflags(e.ir.or(keep, e.ir.and(ah, e.ir.c64(0xD5))));
    }

    private void carryFlag() {
        Val f = e.eflags();
        Val r = switch (i().op()) {
            case CLC -> e.ir.and(f, e.ir.c64(~Flags.CF));
            case STC -> e.ir.or(f, e.ir.c64(Flags.CF));
            default -> e.ir.xor(f, e.ir.c64(Flags.CF));
        };
        e.setEflags(r);
    }

    private void directionFlag(boolean set) {
        Val f = e.ir.getReg(Slots.FLAGS, Type.I64);
        e.ir.setReg(Slots.FLAGS, set ? e.ir.or(f, e.ir.c64(Flags.DF)) : e.ir.and(f, e.ir.c64(~Flags.DF)));
    }

    private void xlat() {
        int as = i().addrSize();
        Val base = e.ir.to64(e.gpr(Slots.RBX, as));
        Val a = e.ir.add(base, e.ir.to64(e.gpr(Slots.RAX, 1)));
        if (as < 8) a = e.ir.extu(Type.I64, a, 8 * as);
        int seg = i().segment() >= 0 ? i().segment() : 3;
        e.setGpr(Slots.RAX, 1, e.load(e.withSegment(a, seg), 1));
    }

    private static final Helper ICOUNT = new Helper("x86.rdtsc", (c, a, b, x, y) -> c.icount, 0, true, 0);

    /** RDTSC: the guest instruction count, so runs are deterministic. */
    private void rdtsc() {
        Val t = e.ir.call(ICOUNT);
        e.setGpr(Slots.RAX, 4, e.ir.to32(t));
        e.setGpr(Slots.RDX, 4, e.ir.to32(e.ir.shr(t, e.ir.c64(32))));
    }
}
