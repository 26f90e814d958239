package emulator.core.testing;

import emulator.api.instrument.InsnInfo;
import emulator.api.instrument.InsnKind;
import emulator.core.exec.GuestException;
import emulator.core.ir.Cond;
import emulator.core.ir.ExitReason;
import emulator.core.ir.Helper;
import emulator.core.ir.IrBuilder;
import emulator.core.ir.Label;
import emulator.core.ir.TrapInfo;
import emulator.core.ir.Type;
import emulator.core.ir.Val;
import emulator.core.target.CodeFetch;
import emulator.core.target.RegisterFile;
import emulator.core.target.Target;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A toy ISA decoded from guest memory, for driving the engine without x86. Every instruction is 8
 * bytes: {opcode, rd, rs, 0, imm32 (little-endian, sign-extended)}. Registers r0..r15 are slots
 * 0..15; slots 16..63 are anonymous (for raw IR tests). A pc may instead be given a script: a lambda
 * that emits the block's IR directly.
 */
public final class ToyTarget implements Target {
    public static final int SLOTS = 64;
    public static final int LOADI = 1, ADDI = 2, ADD = 3, STB = 4, LD = 5, ST = 6, JMP = 7, JNZ = 8,
            HALT = 9, SYS = 10, TRAPI = 11, DIVU = 12, PROBE = 13, LDB = 14,
            /** rd = imm rounds of (rd ^ k) + k: one instruction with a lot of IR (for block splitting). */
            HEAVY = 15,
            /** Jumps to the address in rd (a return through a link register, an indirect jump). */
            JR = 16;
    public static final int VEC_UD = 6, VEC_FETCH = 14, VEC_PF = 14, VEC_DE = 0;

    public final Map<Long, Consumer<IrBuilder>> scripts = new ConcurrentHashMap<>();
    /** Called by PROBE instructions (READS_REGS | WRITES_REGS), with the instruction's pc as argument. */
    public volatile Helper.Fn probe = (c, a0, a1, a2, a3) -> 0;
    private final Helper probeHelper = new Helper("probe", (c, a0, a1, a2, a3) -> probe.call(c, a0, a1, a2, a3), 1, false,
            Helper.READS_REGS | Helper.WRITES_REGS);
    private final RegisterFile regs = new RegisterFile();

    public ToyTarget() {
        for (int r = 0; r < 16; r++) regs.slot("r" + r, r, 0, 64);
    }

    @Override public String arch() { return "toy"; }
    @Override public int slots() { return SLOTS; }
    @Override public RegisterFile registers() { return regs; }
    @Override public Object newExtState() { return null; }
    @Override public Object copyExtState(Object ext) { return null; }
    @Override public String stackPointer() { return "r15"; }
    @Override public String programCounter() { return "pc"; }

    @Override public int vectorOf(GuestException e) {
        return switch (e.kind) { case PAGE_FAULT -> VEC_PF; case DIVIDE_ERROR -> VEC_DE; case TRAP -> e.vector;
            case RESTART -> throw new IllegalArgumentException("a restart is not a guest exception"); };
    }

    /** One decoded instruction, as plugins see it. */
    public record Insn(int index, long pc, byte[] raw, String disassembly, InsnKind kind) implements InsnInfo {
        @Override public int length() { return 8; }
        @Override public byte[] bytes() { return raw.clone(); }
    }

    @Override
    public void translate(long pc, int mode, CodeFetch code, IrBuilder ir, int maxInsns) {
        Consumer<IrBuilder> s = scripts.get(pc);
        if (s != null) { s.accept(ir); return; }
        long p = pc;
        for (int n = 0; n < maxInsns; n++) {
            byte[] raw = new byte[8];
            for (int k = 0; k < 8; k++) {
                int v = code.fetch(p + k);
                if (v < 0) {
                    if (n == 0) {
                        ir.beginInsn(p);
                        ir.trap(new TrapInfo(VEC_FETCH, 0, false, "fetch"), p);
                    } else ir.exit(p);
                    return;
                }
                raw[k] = (byte) v;
            }
            int op = raw[0] & 0xFF, rd = raw[1] & 15, rs = raw[2] & 15;
            long imm = (raw[4] & 0xFF) | (raw[5] & 0xFF) << 8 | (raw[6] & 0xFF) << 16 | (long) raw[7] << 24;
            InsnKind kind = switch (op) {
                case JMP -> InsnKind.JUMP; case JNZ -> InsnKind.COND_JUMP; case HALT -> InsnKind.HALT;
                case SYS -> InsnKind.SYSCALL; case TRAPI -> InsnKind.INTERRUPT;
                case LOADI, ADDI, ADD, STB, LD, ST, DIVU, PROBE, LDB, HEAVY -> InsnKind.NORMAL;
                default -> InsnKind.INVALID;
            };
            ir.beginInsn(new Insn(n, p, raw, op + " r" + rd + ", r" + rs + ", " + imm, kind));
            long next = p + 8;
            switch (op) {
                case LOADI -> ir.setReg(rd, ir.c64(imm));
                case ADDI -> ir.setReg(rd, ir.add(ir.getReg(rd, Type.I64), ir.c64(imm)));
                case ADD -> ir.setReg(rd, ir.add(ir.getReg(rd, Type.I64), ir.getReg(rs, Type.I64)));
                case STB -> ir.store(ir.add(ir.getReg(rd, Type.I64), ir.c64(imm)), ir.getReg(rs, Type.I32), 1);
                case LDB -> ir.setReg(rd, ir.load(Type.I64, ir.add(ir.getReg(rs, Type.I64), ir.c64(imm)), 1, false));
                case LD -> ir.setReg(rd, ir.load(Type.I64, ir.add(ir.getReg(rs, Type.I64), ir.c64(imm)), 8, false));
                case ST -> ir.store(ir.add(ir.getReg(rd, Type.I64), ir.c64(imm)), ir.getReg(rs, Type.I64), 8);
                case DIVU -> ir.setReg(rd, ir.divu(ir.getReg(rd, Type.I64), ir.getReg(rs, Type.I64)));
                case PROBE -> ir.call(probeHelper, ir.c64(p));
                case HEAVY -> {
                    Val acc = ir.getReg(rd, Type.I64);
                    for (long k = 0; k < imm; k++) acc = ir.add(ir.xor(acc, ir.c64(k * 0x9E3779B97F4A7C15L)), ir.c64(k));
                    ir.setReg(rd, acc);
                }
                case JMP -> { ir.exit(imm & 0xFFFFFFFFL); return; }
                case JR -> { ir.exit(ir.getReg(rd, Type.I64)); return; }
                case JNZ -> {
                    Val c = ir.setc(Cond.NE, ir.getReg(rd, Type.I64), ir.c64(0));
                    Label taken = ir.newLabel();
                    ir.brc(c, taken);
                    ir.exit(next);
                    ir.label(taken);
                    ir.exit(imm & 0xFFFFFFFFL);
                    return;
                }
                case HALT -> { ir.exit(next, ExitReason.STOP); return; }
                case SYS -> { ir.exit(next, ExitReason.SYSCALL); return; }
                case TRAPI -> { ir.trap(new TrapInfo((int) imm, 0, true, "trapi"), next); return; }
                default -> { ir.trap(new TrapInfo(VEC_UD, 0, false, "#UD"), p); return; }
            }
            p = next;
        }
        ir.exit(p);
    }
}
