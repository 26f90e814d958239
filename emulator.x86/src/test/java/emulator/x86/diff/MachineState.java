package emulator.x86.diff;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Architectural x86 state as compared by the differential tests (input and output of a case).
 * Mutable, record-like: public fields, {@link #copy()} for a deep copy.
 *
 * <ul>
 * <li>{@code gpr} in encoding order: rax rcx rdx rbx rsp rbp rsi rdi r8..r15 (i386: first 8, 32-bit)</li>
 * <li>{@code xmm[i][0]} = low 64 bits, {@code xmm[i][1]} = high 64 bits (i386: xmm0-7)</li>
 * <li>{@code st[i]} = ST(i) (stack order, as in the FXSAVE image); {@code ftw} = abridged FXSAVE tag
 *     (bit per physical register, 1 = valid); TOP is {@code (fsw >> 11) & 7}</li>
 * <li>{@code memory}: regions (the native runner supports exactly one data region)</li>
 * <li>{@code fault}: null if the sequence ran to its end</li>
 * </ul>
 */
public final class MachineState {

    public static final int RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7,
            R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15;

    public static final long CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, TF = 0x100,
            DF = 0x400, OF = 0x800, AC = 0x40000, ID = 0x200000;
    /** CF PF AF ZF SF OF. */
    public static final long STATUS_FLAGS = CF | PF | AF | ZF | SF | OF;
    /** Flags an initial state may set: status flags and DF. */
    public static final long SETTABLE_FLAGS = STATUS_FLAGS | DF;

    public static final String[] GPR64 = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
            "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
    public static final String[] GPR32 = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};

    /** Outcome of a case that did not reach its end. */
    public record Fault(Kind kind, int signal, int code, long addr, long trapno, long err) {
        public enum Kind { SIGNAL, TIMEOUT }

        public static final int SIGILL = 4, SIGTRAP = 5, SIGBUS = 7, SIGFPE = 8, SIGSEGV = 11,
                SIGALRM = 14, SIGSYS = 31;

        public static Fault signal(int signal, long addr) {
            return new Fault(Kind.SIGNAL, signal, 0, addr, 0, 0);
        }

        public boolean isTimeout() {
            return kind == Kind.TIMEOUT;
        }

        @Override
        public String toString() {
            return kind == Kind.TIMEOUT ? "TIMEOUT"
                    : String.format("signal %d (%s) code %d addr 0x%x trapno %d err 0x%x",
                            signal, signalName(signal), code, addr, trapno, err);
        }

        public static String signalName(int s) {
            return switch (s) {
                case SIGILL -> "SIGILL"; case SIGTRAP -> "SIGTRAP"; case SIGBUS -> "SIGBUS";
                case SIGFPE -> "SIGFPE"; case SIGSEGV -> "SIGSEGV"; case SIGALRM -> "SIGALRM";
                case SIGSYS -> "SIGSYS"; default -> "sig" + s;
            };
        }
    }

    /** A memory region: start address and contents. */
    public record Region(long addr, byte[] bytes) {
        public Region {
            Objects.requireNonNull(bytes);
        }

        public long end() {
            return addr + bytes.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Region r && r.addr == addr && Arrays.equals(r.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(addr) * 31 + Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return String.format("Region[0x%x, %d bytes]", addr, bytes.length);
        }
    }

    public final int bits;
    public final long[] gpr = new long[16];
    public long rip;
    public long rflags = 2;
    public long fsBase, gsBase;
    public final long[][] xmm = new long[16][2];
    public int mxcsr = 0x1F80;
    public int fcw = 0x37F, fsw = 0, ftw = 0;
    public final Float80[] st = new Float80[8];
    public final List<Region> memory = new ArrayList<>();
    public Fault fault;

    public MachineState(int bits) {
        if (bits != 32 && bits != 64) throw new IllegalArgumentException("bits must be 32 or 64: " + bits);
        this.bits = bits;
        Arrays.fill(st, Float80.ZERO);
    }

    /**
     * Default initial state for the native runner: zero registers, rflags 0x2, FNINIT x87 state,
     * MXCSR 0x1f80, rip = {@link NativeCpu#CODE_BASE}, one zeroed data region of
     * {@link NativeCpu#DEFAULT_DATA_SIZE} bytes at {@link NativeCpu#DATA_BASE}, and rsp
     * {@link NativeCpu#DEFAULT_STACK_TOP} inside it (the case's private stack).
     */
    public static MachineState initial(int bits) {
        MachineState s = new MachineState(bits);
        s.rip = NativeCpu.CODE_BASE;
        s.memory.add(new Region(NativeCpu.DATA_BASE, new byte[NativeCpu.DEFAULT_DATA_SIZE]));
        s.gpr[RSP] = NativeCpu.DEFAULT_STACK_TOP;
        return s;
    }

    public int gprCount() {
        return bits == 64 ? 16 : 8;
    }

    public long mask() {
        return bits == 64 ? -1L : 0xFFFF_FFFFL;
    }

    public String gprName(int i) {
        return bits == 64 ? GPR64[i] : GPR32[i];
    }

    public String ripName() {
        return bits == 64 ? "rip" : "eip";
    }

    public String flagsName() {
        return bits == 64 ? "rflags" : "eflags";
    }

    public long get(int reg) {
        return gpr[reg];
    }

    public MachineState set(int reg, long value) {
        gpr[reg] = value & mask();
        return this;
    }

    /** Register index by name (rax.., r8.., eax..; case-insensitive), -1 if unknown. */
    public static int gprIndex(String name) {
        String n = name.toLowerCase();
        for (int i = 0; i < 16; i++) if (GPR64[i].equals(n)) return i;
        for (int i = 0; i < 8; i++) if (GPR32[i].equals(n)) return i;
        return -1;
    }

    public long get(String reg) {
        int i = gprIndex(reg);
        if (i < 0) throw new IllegalArgumentException("unknown register " + reg);
        return gpr[i];
    }

    public MachineState set(String reg, long value) {
        int i = gprIndex(reg);
        if (i < 0) throw new IllegalArgumentException("unknown register " + reg);
        return set(i, value);
    }

    public boolean flag(long f) {
        return (rflags & f) != 0;
    }

    public MachineState setFlags(long settable) {
        rflags = (settable & SETTABLE_FLAGS) | 2;
        return this;
    }

    public MachineState setXmm(int i, long lo, long hi) {
        xmm[i][0] = lo;
        xmm[i][1] = hi;
        return this;
    }

    public MachineState setXmmFloats(int i, float f0, float f1, float f2, float f3) {
        return setXmm(i, (Float.floatToRawIntBits(f0) & 0xFFFF_FFFFL) | ((long) Float.floatToRawIntBits(f1) << 32),
                (Float.floatToRawIntBits(f2) & 0xFFFF_FFFFL) | ((long) Float.floatToRawIntBits(f3) << 32));
    }

    public float[] xmmFloats(int i) {
        return new float[] {Float.intBitsToFloat((int) xmm[i][0]), Float.intBitsToFloat((int) (xmm[i][0] >>> 32)),
                Float.intBitsToFloat((int) xmm[i][1]), Float.intBitsToFloat((int) (xmm[i][1] >>> 32))};
    }

    public MachineState setXmmDoubles(int i, double d0, double d1) {
        return setXmm(i, Double.doubleToRawLongBits(d0), Double.doubleToRawLongBits(d1));
    }

    public double[] xmmDoubles(int i) {
        return new double[] {Double.longBitsToDouble(xmm[i][0]), Double.longBitsToDouble(xmm[i][1])};
    }

    /** x87 TOP field. */
    public int top() {
        return (fsw >> 11) & 7;
    }

    /** The first memory region (the runner's data region). */
    public Region data() {
        if (memory.isEmpty()) throw new IllegalStateException("no memory region");
        return memory.getFirst();
    }

    /** Replace the data region. */
    public MachineState setData(long addr, byte[] bytes) {
        memory.clear();
        memory.add(new Region(addr, bytes));
        return this;
    }

    public byte readByte(long addr) {
        for (Region r : memory) if (addr >= r.addr && addr < r.end()) return r.bytes[(int) (addr - r.addr)];
        throw new IllegalArgumentException(String.format("0x%x not in any region", addr));
    }

    /** Little-endian read of {@code size} (1..8) bytes. */
    public long read(long addr, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) v = (v << 8) | (readByte(addr + i) & 0xFF);
        return v;
    }

    /** Little-endian write of {@code size} (1..8) bytes into a region. */
    public MachineState write(long addr, int size, long value) {
        for (int i = 0; i < size; i++) {
            long a = addr + i;
            Region reg = memory.stream().filter(r -> a >= r.addr && a < r.end()).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(String.format("0x%x not in any region", a)));
            reg.bytes[(int) (a - reg.addr)] = (byte) (value >>> (8 * i));
        }
        return this;
    }

    public MachineState copy() {
        MachineState c = new MachineState(bits);
        System.arraycopy(gpr, 0, c.gpr, 0, 16);
        c.rip = rip;
        c.rflags = rflags;
        c.fsBase = fsBase;
        c.gsBase = gsBase;
        for (int i = 0; i < 16; i++) c.xmm[i] = xmm[i].clone();
        c.mxcsr = mxcsr;
        c.fcw = fcw;
        c.fsw = fsw;
        c.ftw = ftw;
        System.arraycopy(st, 0, c.st, 0, 8);
        for (Region r : memory) c.memory.add(new Region(r.addr, r.bytes.clone()));
        c.fault = fault;
        return c;
    }

    public String toJson() {
        return MachineStateJson.write(this);
    }

    public static MachineState fromJson(String json) {
        return MachineStateJson.parse(json);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MachineState m && StateDiff.exact().diff(this, m).isEmpty();
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(gpr) * 31 + Long.hashCode(rip);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < gprCount(); i++) {
            b.append(gprName(i)).append('=').append(hex(gpr[i])).append(i % 4 == 3 ? "\n" : " ");
        }
        b.append(ripName()).append('=').append(hex(rip)).append(' ').append(flagsName()).append('=')
                .append(hex(rflags)).append(" [").append(flagString(rflags)).append("]\n");
        if (fault != null) b.append("fault: ").append(fault).append('\n');
        return b.toString();
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    public static String flagString(long f) {
        StringBuilder b = new StringBuilder();
        String[] n = {"CF", "", "PF", "", "AF", "", "ZF", "SF", "TF", "IF", "DF", "OF"};
        for (int i = 0; i < n.length; i++) {
            if (!n[i].isEmpty() && (f & (1L << i)) != 0) b.append(b.isEmpty() ? "" : " ").append(n[i]);
        }
        return b.toString();
    }
}
