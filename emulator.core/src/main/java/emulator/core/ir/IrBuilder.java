package emulator.core.ir;

import java.util.ArrayList;
import java.util.List;

/**
 * Emits IR for one block. Front ends write each guest instruction's semantics against this small
 * emitter; every value-producing method returns a fresh temp, so a block is in SSA form except where
 * a front end uses {@link #newTemp} / {@link #assign} to merge values across labels.
 */
public final class IrBuilder {
    private final IrBlock block;
    private final List<Long> insnPcs = new ArrayList<>();
    private final List<emulator.api.instrument.InsnInfo> insns = new ArrayList<>();

    private java.util.function.LongPredicate stopBefore = pc -> false;

    public IrBuilder(long pc, int slots) { this.block = new IrBlock(pc, slots); }

    /** Addresses a block must not run into (breakpoints): a front end ends the block before them. */
    public void setStopBefore(java.util.function.LongPredicate p) { this.stopBefore = p; }

    /** Whether the front end must end the block before the instruction at {@code pc} (never the first). */
    public boolean stopBefore(long pc) { return insnPcs.size() > 0 && stopBefore.test(pc); }

    /** Tells the backend that this block's guest addresses are expected below 4 GiB (see {@link IrBlock#lowAddresses}). */
    public void setLowAddresses(boolean low) { block.lowAddresses = low; }

    /** The finished block. */
    public IrBlock finish() {
        block.insnPcs = insnPcs.stream().mapToLong(Long::longValue).toArray();
        block.insns = List.copyOf(insns);
        return block;
    }

    /** The block being built (for passes and the instrumentation engine). */
    public IrBlock block() { return block; }

    /** Number of guest instructions begun so far. */
    public int insnCount() { return insnPcs.size(); }

    /** Ops emitted so far (front ends use it to bound block size). */
    public int opCount() { return block.ops.size(); }

    // ---- structure

    /** A point to {@link #rollback} to: the number of ops emitted so far. */
    public int mark() { return block.ops.size(); }

    /** Drops the ops emitted since {@code mark} (temps stay allocated, unused). */
    public void rollback(int mark) {
        List<Inst> ops = block.ops;
        while (ops.size() > mark) ops.remove(ops.size() - 1);
    }

    /**
     * Marks the start of the next guest instruction, described for plugins by {@code info} (whose
     * index must be the returned value); returns its index in the block.
     */
    public int beginInsn(emulator.api.instrument.InsnInfo info) {
        int idx = beginInsn(info.pc());
        insns.add(info);
        return idx;
    }

    /** Marks the start of the next guest instruction without a description (tests, raw IR). */
    public int beginInsn(long pc) {
        int idx = insnPcs.size();
        insnPcs.add(pc);
        Inst i = emit(Op.INSN, Type.I64);
        i.imm = idx;
        return idx;
    }

    public Val newTemp(Type t) {
        block.temps.add(t);
        return new Val(block.temps.size() - 1, t);
    }

    /** dst = v, for a temp made with {@link #newTemp}. */
    public void assign(Val dst, Val v) {
        check(dst.type() == v.type(), "assign type mismatch");
        Inst i = emit(Op.MOV, dst.type());
        i.dst = dst.id(); i.a = v.id();
    }

    public Label newLabel() { return new Label(block.labels++); }

    public void label(Label l) { emit(Op.LABEL, Type.I64).imm = l.id(); }

    public void br(Label l) { emit(Op.BR, Type.I64).imm = l.id(); }

    /** Branch to {@code l} if {@code cond} (I32) is non-zero. */
    public void brc(Val cond, Label l) {
        check(cond.type() == Type.I32, "brc needs an I32 condition");
        Inst i = emit(Op.BRC, Type.I32);
        i.a = cond.id(); i.imm = l.id();
    }

    public void exit(long nextPc) { exit(nextPc, null); }

    public void exit(long nextPc, ExitReason reason) {
        Inst i = emit(Op.EXIT, Type.I64);
        i.imm = nextPc; i.aux = reason;
    }

    public void exit(Val nextPc) {
        check(nextPc.type() == Type.I64, "exit pc must be I64");
        emit(Op.EXITR, Type.I64).a = nextPc.id();
    }

    /**
     * Raises a guest exception. {@code reportPc} is the pc the guest sees: the instruction itself for
     * a fault, the next instruction for a trap ({@link TrapInfo#afterInsn()}).
     */
    public void trap(TrapInfo t, long reportPc) {
        Inst i = emit(Op.TRAP, Type.I64);
        i.aux = t; i.imm = reportPc;
    }

    // ---- values

    public Val constant(Type t, long v) {
        Val d = newTemp(t);
        Inst i = emit(Op.CONST, t);
        i.dst = d.id(); i.imm = t.canon(v);
        return d;
    }

    public Val c32(long v) { return constant(Type.I32, v); }

    public Val c64(long v) { return constant(Type.I64, v); }

    public Val getReg(int slot, Type t) {
        checkSlot(slot);
        Val d = newTemp(t);
        Inst i = emit(Op.GETR, t);
        i.dst = d.id(); i.imm = slot;
        return d;
    }

    public void setReg(int slot, Val v) {
        checkSlot(slot);
        Inst i = emit(Op.SETR, v.type());
        i.imm = slot; i.a = v.id();
    }

    public Val binary(Op op, Val a, Val b) {
        check(a.type() == b.type(), op + " operand types differ");
        return def(op, a.type(), a, b, null);
    }

    public Val add(Val a, Val b) { return binary(Op.ADD, a, b); }
    public Val sub(Val a, Val b) { return binary(Op.SUB, a, b); }
    public Val mul(Val a, Val b) { return binary(Op.MUL, a, b); }
    public Val and(Val a, Val b) { return binary(Op.AND, a, b); }
    public Val or(Val a, Val b) { return binary(Op.OR, a, b); }
    public Val xor(Val a, Val b) { return binary(Op.XOR, a, b); }
    public Val shl(Val a, Val b) { return binary(Op.SHL, a, b); }
    public Val shr(Val a, Val b) { return binary(Op.SHR, a, b); }
    public Val sar(Val a, Val b) { return binary(Op.SAR, a, b); }
    public Val rol(Val a, Val b) { return binary(Op.ROL, a, b); }
    public Val ror(Val a, Val b) { return binary(Op.ROR, a, b); }
    public Val mulhu(Val a, Val b) { return binary(Op.MULHU, a, b); }
    public Val mulhs(Val a, Val b) { return binary(Op.MULHS, a, b); }
    public Val divu(Val a, Val b) { return binary(Op.DIVU, a, b); }
    public Val divs(Val a, Val b) { return binary(Op.DIVS, a, b); }
    public Val remu(Val a, Val b) { return binary(Op.REMU, a, b); }
    public Val rems(Val a, Val b) { return binary(Op.REMS, a, b); }

    public Val unary(Op op, Val a) { return def(op, a.type(), a, null, null); }

    public Val neg(Val a) { return unary(Op.NEG, a); }
    public Val not(Val a) { return unary(Op.NOT, a); }
    public Val clz(Val a) { return unary(Op.CLZ, a); }
    public Val ctz(Val a) { return unary(Op.CTZ, a); }
    public Val popcnt(Val a) { return unary(Op.POPCNT, a); }
    public Val bswap(Val a) { return unary(Op.BSWAP, a); }

    /** Zero-extends the low {@code bits} of {@code a} into a value of type {@code t} (also truncates). */
    public Val extu(Type t, Val a, int bits) {
        check(bits > 0 && bits <= Math.min(t.bits, a.type().bits), "extu bits " + bits);
        Val d = def(Op.EXTU, t, a, null, null);
        last().imm = bits;
        return d;
    }

    public Val exts(Type t, Val a, int bits) {
        check(bits > 0 && bits <= Math.min(t.bits, a.type().bits), "exts bits " + bits);
        Val d = def(Op.EXTS, t, a, null, null);
        last().imm = bits;
        return d;
    }

    public Val to64(Val a) { return a.type() == Type.I64 ? a : extu(Type.I64, a, 32); }
    public Val to32(Val a) { return a.type() == Type.I32 ? a : extu(Type.I32, a, 32); }

    /** I32 1 if {@code a cond b}, else 0. */
    public Val setc(Cond c, Val a, Val b) {
        check(a.type() == b.type(), "setc operand types differ");
        Val d = def(Op.SETC, Type.I32, a, b, null);
        last().aux = c;
        last().imm = a.type() == Type.I64 ? 1 : 0;  // operand type: the dst is always I32
        return d;
    }

    public Val select(Val cond, Val ifTrue, Val ifFalse) {
        check(cond.type() == Type.I32 && ifTrue.type() == ifFalse.type(), "select types");
        return def(Op.SELECT, ifTrue.type(), cond, ifTrue, ifFalse);
    }

    // ---- memory

    /** Loads {@code size} bytes (1, 2, 4, 8) at I64 address {@code addr}, zero- or sign-extended to {@code t}. */
    public Val load(Type t, Val addr, int size, boolean signed) {
        check(addr.type() == Type.I64, "address must be I64");
        check(size == 1 || size == 2 || size == 4 || size == 8, "load size " + size);
        check(size * 8 <= t.bits, "load wider than its type");
        Val d = def(Op.LOAD, t, addr, null, null);
        last().imm = size | (signed ? Op.SIGNED : 0);
        return d;
    }

    public void store(Val addr, Val v, int size) {
        check(addr.type() == Type.I64, "address must be I64");
        check(size == 1 || size == 2 || size == 4 || size == 8, "store size " + size);
        check(size * 8 <= v.type().bits, "store wider than its value");
        Inst i = emit(Op.STORE, v.type());
        i.a = addr.id(); i.b = v.id(); i.imm = size;
    }

    // ---- helpers

    /** Calls a helper; returns its I64 result, or null for a helper without one. */
    public Val call(Helper h, Val... args) {
        check(args.length == h.arity(), h.name() + " takes " + h.arity() + " arguments");
        int[] ids = new int[args.length];
        for (int k = 0; k < args.length; k++) {
            check(args[k].type() == Type.I64, h.name() + ": helper arguments are I64");
            ids[k] = args[k].id();
        }
        Val d = h.result() ? newTemp(Type.I64) : null;
        Inst i = emit(Op.CALL, Type.I64);
        i.dst = d == null ? -1 : d.id(); i.args = ids; i.aux = h;
        return d;
    }

    // ---- internals

    private Val def(Op op, Type t, Val a, Val b, Val c) {
        Val d = newTemp(t);
        Inst i = emit(op, t);
        i.dst = d.id();
        if (a != null) i.a = a.id();
        if (b != null) i.b = b.id();
        if (c != null) i.c = c.id();
        return d;
    }

    private Inst last() { return block.ops.get(block.ops.size() - 1); }

    Inst emit(Op op, Type t) {
        Inst i = new Inst(op, t);
        block.ops.add(i);
        return i;
    }

    private void checkSlot(int slot) { check(slot >= 0 && slot < block.slots, "no state slot " + slot); }

    private void check(boolean ok, String what) {
        if (!ok) {
            long pc = insnPcs.isEmpty() ? block.pc : insnPcs.get(insnPcs.size() - 1);
            throw new IrException("IR error at guest pc 0x" + Long.toHexString(pc) + ": " + what);
        }
    }
}
