package emulator.x86.front;

import emulator.core.ir.ExitReason;
import emulator.core.ir.IrBuilder;
import emulator.core.ir.Label;
import emulator.x86.decode.Feature;
import emulator.x86.decode.Operand;
import emulator.x86.decode.X86Insn;
import emulator.x86.decode.X86Op;

/**
 * The x86 front end: turns one decoded instruction into IR. System-level forms are here; the
 * instruction families live in {@link IntOps} (general purpose), {@link X87Ops}, {@link SseOps} and {@link MmxOps}.
 */
public final class Frontend {
    private final E e;
    private final IntOps ints;
    private final X87Ops x87;
    private final SseOps sse;
    private final MmxOps mmx;

    public Frontend(IrBuilder ir, boolean x64) {
        this.e = new E(ir, x64);
        this.ints = new IntOps(e);
        this.x87 = new X87Ops(e);
        this.sse = new SseOps(e);
        this.mmx = new MmxOps(e);
    }

    /** Emits {@code in}'s semantics; returns null, or why it cannot (the caller raises #UD). */
    public String translate(X86Insn in) {
        e.insn = in;
        if (!supported(in.feature())) return "needs " + in.feature() + ", which CPUID does not advertise";
        // hlt is privileged too, but raw mode stops at it by this detail, so it is named before the rest
        if (in.op() == X86Op.HLT) { e.fault(13, "hlt"); return null; }
        if (in.privileged()) { e.fault(13, "privileged instruction"); return null; }
        try {
            switch (in.op()) {
                case SYSCALL, SYSENTER -> { e.ir.exit(in.nextPc(), ExitReason.SYSCALL); return null; }
                case INT -> {
                    long n = ((Operand.Imm) in.operand(0)).unsigned();
                    if (n == 0x80) e.ir.exit(e.x64 ? in.nextPc() : in.nextPc() & 0xFFFFFFFFL, ExitReason.SYSCALL);
                    // Linux makes the breakpoint and overflow gates user-callable (DPL 3): int 3 and
                    // int 4 trap like int3 and into; every other gate is #GP from user mode
                    else if (n == 3 || n == 4) e.trapAfter((int) n, "int " + n);
                    else e.fault(13, "int 0x" + Long.toHexString(n));
                    return null;
                }
                case INT3 -> { e.trapAfter(3, "int3"); return null; }
                case INT1 -> { e.trapAfter(1, "int1"); return null; }
                case INTO -> {
                    Label no = e.label();
                    e.ir.brc(e.cond(1), no);
                    e.trapAfter(4, "into");
                    e.ir.label(no);
                    e.exit(in.nextPc());
                    return null;
                }
                case UD0, UD1, UD2 -> { undefined(in); return null; }
                default -> { }
            }
            if (Atomic.needed(in)) {
                e.ir.call(Atomic.BEGIN);
                boolean done = ints.translate(in);
                e.ir.call(Atomic.END);
                if (done) return null;
            } else if (ints.translate(in)) return null;
            if (x87.translate(in)) return null;
            if (sse.translate(in)) return null;
            if (mmx.translate(in)) return null;
            return "not implemented";
        } catch (E.Unsupported u) {
            return u.getMessage();
        }
    }

    /** Features whose instructions run here; keep in step with {@link Cpuid}. */
    private static final java.util.Set<Feature> SUPPORTED = java.util.EnumSet.of(Feature.BASE, Feature.X87,
            Feature.MMX, Feature.CMOV, Feature.CX8, Feature.CX16, Feature.SSE, Feature.SSE2, Feature.POPCNT, Feature.LZCNT,
            // TZCNT (F3 0F BC) runs as TZCNT: without BMI1 a CPU runs it as BSF, which agrees for non-zero input
            Feature.BMI1, Feature.MOVBE, Feature.FXSR, Feature.CLFSH, Feature.SEP, Feature.SYSCALL, Feature.LAHF64,
            // ENDBR32/64 are hint NOPs on a CPU without CET (CET itself is not advertised)
            Feature.CET);

    private static boolean supported(Feature f) { return SUPPORTED.contains(f); }

    public void exit(long pc) { e.exit(pc); }

    /** {@code in}, a call to a {@link PcThunk}, without leaving the block: the block goes on at the thunk. */
    public void callIntoThunk(X86Insn in) {
        e.insn = in;
        ints.callStaying();
    }

    /** {@code in}, a PC thunk's {@code ret}, leaving the block only if it does not return to {@code expected}. */
    public void returnFromThunk(X86Insn in, long expected) {
        e.insn = in;
        ints.retStaying(expected);
    }

    /** An instruction over the 15-byte limit: #GP(0). */
    public void tooLong(X86Insn in) {
        e.insn = in;
        e.fault(13, "instruction longer than 15 bytes");
    }

    public void undefined(X86Insn in) {
        e.insn = in;
        e.fault(6, "invalid opcode");
    }
}
