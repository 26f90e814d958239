package emulator.x86;

import emulator.core.exec.GuestException;
import emulator.core.exec.Vcpu;
import emulator.core.ir.Helper;
import emulator.core.ir.IrBuilder;
import emulator.core.target.CodeFetch;
import emulator.core.target.RegisterFile;
import emulator.core.target.Target;
import emulator.x86.decode.DecodeError;
import emulator.x86.decode.X86Decoder;
import emulator.x86.decode.X86Insn;
import emulator.x86.decode.X86Mode;
import emulator.x86.front.Frontend;
import emulator.x86.front.PcThunk;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The x86 target: IA-32 ({@code i386}) or x86-64 ({@code x86_64}) user-level ISA. Translates a block
 * by decoding instructions and handing each to the front end; an invalid or unimplemented
 * instruction becomes #UD in the guest, logged once with its bytes and pc.
 */
public final class X86Target implements Target {
    private static final String[] GPR64 = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"};
    private static final String[] GPR32 = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
    private static final Set<String> REPORTED = ConcurrentHashMap.newKeySet();
    /**
     * IR ops per block before the front end ends it: keeps a compiled block under HotSpot's 8000-byte
     * limit for JIT-compiling a method (larger ones would stay in the JVM's interpreter).
     */
    static final int OP_BUDGET = 700;

    private final boolean x64;
    private final RegisterFile regs = new RegisterFile();

    public X86Target(boolean x64) {
        this.x64 = x64;
        for (int n = 0; n < (x64 ? 16 : 8); n++) {
            if (x64) regs.slot(n < 8 ? GPR64[n] : "r" + n, n, 0, 64);
        }
        for (int n = 0; n < 8; n++) regs.slot(GPR32[n], n, 0, 32);
        if (x64) for (int n = 8; n < 16; n++) regs.slot("r" + n + "d", n, 0, 32);
        for (int n = 0; n < 8; n++) regs.slot(GPR32[n].substring(1), n, 0, 16);
        String[] lo8 = {"al", "cl", "dl", "bl"}, hi8 = {"ah", "ch", "dh", "bh"};
        for (int n = 0; n < 4; n++) { regs.slot(lo8[n], n, 0, 8); regs.slot(hi8[n], n, 8, 8); }
        RegisterFile.Accessor flags = new RegisterFile.Accessor() {
            public long get(Vcpu c) { return Flags.rflags(c.regs); }
            public void set(Vcpu c, long v) { Flags.setRflags(c.regs, v); }
        };
        regs.add(x64 ? "rflags" : "eflags", flags);
        regs.slot("fs_base", Slots.FS_BASE, 0, 64);
        regs.slot("gs_base", Slots.GS_BASE, 0, 64);
        regs.slot("mxcsr", Slots.MXCSR, 0, 32);
        for (int n = 0; n < (x64 ? 16 : 8); n++) {
            regs.slot("xmm" + n + ".lo", Slots.xmmLo(n), 0, 64);
            regs.slot("xmm" + n + ".hi", Slots.xmmHi(n), 0, 64);
        }
    }

    public boolean is64() { return x64; }

    @Override public String arch() { return x64 ? "x86_64" : "i386"; }
    @Override public int slots() { return Slots.COUNT; }
    @Override public RegisterFile registers() { return regs; }
    @Override public String stackPointer() { return x64 ? "rsp" : "esp"; }
    @Override public String programCounter() { return x64 ? "rip" : "eip"; }

    /** The decoder and the translation driver; the emitters (IntOps, …) also hold helpers, so they stay. */
    @Override public List<String> translatorClasses() { return List.of("emulator/x86/decode/*.*", "emulator/x86/front/Frontend*.*"); }

    @Override public Object newExtState() { return new X86State(x64); }

    @Override public Object copyExtState(Object ext) { return ((X86State) ext).copy(); }

    /** Resets a vCPU to the architectural state a Linux process starts with. */
    public void reset(Vcpu c) {
        java.util.Arrays.fill(c.regs, 0);
        c.regs[Slots.FLAGS] = 0x202;
        c.regs[Slots.MXCSR] = 0x1F80;
        c.ext = newExtState();
        c.mode = x64 ? 1 : 0;
    }

    @Override
    public int vectorOf(GuestException e) {
        return switch (e.kind) {
            case PAGE_FAULT -> 14;
            case DIVIDE_ERROR -> 0;
            case TRAP -> e.vector;
            case RESTART -> throw new IllegalArgumentException("a restart is not a guest exception");
        };
    }

    @Override
    public void translate(long pc, int mode, CodeFetch code, IrBuilder ir, int maxInsns) {
        X86Mode m = x64 ? X86Mode.BITS64 : X86Mode.BITS32;
        Frontend fe = new Frontend(ir, x64);
        if (!x64) ir.setLowAddresses(true); // effective addresses wrap at 4 GiB (E.ea)
        long cur = pc;
        // inside a PC thunk translated into this block (see PcThunk): its instructions still to come, and where it returns
        int thunkLeft = 0;
        long thunkReturn = 0;
        for (int n = 0; n < maxInsns; n++) {
            if (thunkLeft == 0 && ir.stopBefore(cur)) break;
            X86Insn in = X86Decoder.decode(code::fetch, cur, m);
            int idx = ir.insnCount();
            ir.beginInsn(new X86InsnInfo(idx, in));
            if (!in.isValid()) {
                if (in.error() == DecodeError.FETCH_FAULT) {
                    ir.call(FETCH_FAULT, ir.c64(in.faultAddr()));
                    ir.exit(cur); // not reached: the helper raises the page fault
                } else if (in.error() == DecodeError.TOO_LONG) {
                    fe.tooLong(in); // #GP(0), as the CPU does; not an unimplemented instruction
                } else {
                    undefined(fe, in, "invalid instruction (" + in.error() + ")");
                }
                return;
            }
            long next = in.nextPc();
            if (!x64) next &= 0xFFFFFFFFL;
            boolean stays = false; // the call into a thunk, or the thunk's ret: the block goes on
            long thunk;
            if (thunkLeft == 1) {
                fe.returnFromThunk(in, thunkReturn);
                next = thunkReturn;
                thunkLeft = 0;
                stays = true;
            } else if (thunkLeft == 0 && !x64 && n + 2 < maxInsns && (thunk = PcThunk.calledBy(in, code)) >= 0
                    && !ir.stopBefore(thunk) && !ir.stopBefore(thunk + 3) && !ir.stopBefore(next)) {
                fe.callIntoThunk(in);
                thunkReturn = next;
                next = thunk;
                thunkLeft = 2;
                stays = true;
            } else {
                int mark = ir.mark();
                String why = fe.translate(in);
                if (why != null) {
                    ir.rollback(mark);
                    undefined(fe, in, why);
                    return;
                }
                if (thunkLeft == 2) thunkLeft = 1; // the thunk's mov
            }
            cur = next;
            if (thunkLeft > 0) continue;
            if (!stays && (endsPath(ir) || in.kind().endsBlock())) return;
            if (ir.opCount() > OP_BUDGET) break;
        }
        fe.exit(cur);
    }

    private static boolean endsPath(IrBuilder ir) {
        var ops = ir.block().ops;
        return !ops.isEmpty() && ops.get(ops.size() - 1).op.terminates();
    }

    private void undefined(Frontend fe, X86Insn in, String why) {
        String bytes = HexFormat.ofDelimiter(" ").formatHex(in.bytes());
        if (REPORTED.add(arch() + ":" + bytes)) {
            System.err.println("abiscope: #UD at 0x" + Long.toHexString(in.pc()) + " [" + bytes + "] " + in + ": " + why);
        }
        fe.undefined(in);
    }

    private static final Helper FETCH_FAULT = new Helper("x86.fetchFault", (c, addr, a, b, d) -> {
        throw GuestException.pageFault(addr, 2);
    }, 1, false, 0);
}
