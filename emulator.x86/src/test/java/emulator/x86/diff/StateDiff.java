package emulator.x86.diff;

import java.util.ArrayList;
import java.util.List;

/**
 * Compares two {@link MachineState}s and lists readable differences ("rax: expected 0x1 actual
 * 0x2"). Configure with the fluent methods; instances are immutable.
 *
 * <p>Defaults ({@link #standard()}): all GPRs, rip, flags (bits CF PF AF ZF SF TF DF OF AC ID, minus
 * {@link #ignoreFlags}), xmm, mxcsr, x87 control/status/tag and the ST(i) whose physical register
 * is tagged valid in either state, every memory region of the expected state, and the fault
 * (kind, signal, address). fs/gs bases are compared only with {@link #withSegmentBases()}.
 */
public final class StateDiff {

    public static final long COMPARED_FLAGS = 0x00240DD7L;

    private final long ignoredFlags;
    private final long ignoredGprs; // bit mask by index
    private final boolean xmm, mxcsr, x87, x87EmptySlots, memory, fault, faultAddr, segBases, rip;
    private final int maxMemoryDiffs;

    private StateDiff(long ignoredFlags, long ignoredGprs, boolean xmm, boolean mxcsr, boolean x87,
            boolean x87EmptySlots, boolean memory, boolean fault, boolean faultAddr, boolean segBases, boolean rip,
            int maxMemoryDiffs) {
        this.ignoredFlags = ignoredFlags;
        this.ignoredGprs = ignoredGprs;
        this.xmm = xmm;
        this.mxcsr = mxcsr;
        this.x87 = x87;
        this.x87EmptySlots = x87EmptySlots;
        this.memory = memory;
        this.fault = fault;
        this.faultAddr = faultAddr;
        this.segBases = segBases;
        this.rip = rip;
        this.maxMemoryDiffs = maxMemoryDiffs;
    }

    public static StateDiff standard() {
        return new StateDiff(0, 0, true, true, true, false, true, true, true, false, true, 8);
    }

    /** Everything, including fs/gs bases and empty x87 slots. */
    public static StateDiff exact() {
        return new StateDiff(0, 0, true, true, true, true, true, true, true, true, true, 8);
    }

    /** Ignore these rflags bits (e.g. the instruction's undefined flags: {@code MachineState.AF}). */
    public StateDiff ignoreFlags(long mask) {
        return new StateDiff(ignoredFlags | mask, ignoredGprs, xmm, mxcsr, x87, x87EmptySlots, memory, fault,
                faultAddr, segBases, rip, maxMemoryDiffs);
    }

    public StateDiff ignoreGprs(int... regs) {
        long m = ignoredGprs;
        for (int r : regs) m |= 1L << r;
        return new StateDiff(ignoredFlags, m, xmm, mxcsr, x87, x87EmptySlots, memory, fault, faultAddr, segBases,
                rip, maxMemoryDiffs);
    }

    public StateDiff withoutXmm() {
        return new StateDiff(ignoredFlags, ignoredGprs, false, mxcsr, x87, x87EmptySlots, memory, fault, faultAddr,
                segBases, rip, maxMemoryDiffs);
    }

    public StateDiff withoutMxcsr() {
        return new StateDiff(ignoredFlags, ignoredGprs, xmm, false, x87, x87EmptySlots, memory, fault, faultAddr,
                segBases, rip, maxMemoryDiffs);
    }

    public StateDiff withoutX87() {
        return new StateDiff(ignoredFlags, ignoredGprs, xmm, mxcsr, false, x87EmptySlots, memory, fault, faultAddr,
                segBases, rip, maxMemoryDiffs);
    }

    /** Also compare ST(i) of empty (tag 0) registers. */
    public StateDiff withX87EmptySlots() {
        return new StateDiff(ignoredFlags, ignoredGprs, xmm, mxcsr, x87, true, memory, fault, faultAddr, segBases,
                rip, maxMemoryDiffs);
    }

    public StateDiff withoutMemory() {
        return new StateDiff(ignoredFlags, ignoredGprs, xmm, mxcsr, x87, x87EmptySlots, false, fault, faultAddr,
                segBases, rip, maxMemoryDiffs);
    }

    public StateDiff withoutFault() {
        return new StateDiff(ignoredFlags, ignoredGprs, xmm, mxcsr, x87, x87EmptySlots, memory, false, faultAddr,
                segBases, rip, maxMemoryDiffs);
    }

    /** Compare fault kind and signal but not the fault address. */
    public StateDiff withoutFaultAddr() {
        return new StateDiff(ignoredFlags, ignoredGprs, xmm, mxcsr, x87, x87EmptySlots, memory, fault, false,
                segBases, rip, maxMemoryDiffs);
    }

    public StateDiff withoutRip() {
        return new StateDiff(ignoredFlags, ignoredGprs, xmm, mxcsr, x87, x87EmptySlots, memory, fault, faultAddr,
                segBases, false, maxMemoryDiffs);
    }

    public StateDiff withSegmentBases() {
        return new StateDiff(ignoredFlags, ignoredGprs, xmm, mxcsr, x87, x87EmptySlots, memory, fault, faultAddr,
                true, rip, maxMemoryDiffs);
    }

    /** Lists differences; empty if the states agree on everything compared. */
    public List<String> diff(MachineState expected, MachineState actual) {
        List<String> d = new ArrayList<>();
        if (expected.bits != actual.bits) {
            d.add("mode: expected " + expected.bits + "-bit actual " + actual.bits + "-bit");
            return d;
        }
        int n = expected.gprCount();
        for (int i = 0; i < n; i++) {
            if ((ignoredGprs & (1L << i)) == 0) cmp(d, expected.gprName(i), expected.gpr[i], actual.gpr[i]);
        }
        if (rip) cmp(d, expected.ripName(), expected.rip, actual.rip);
        long fm = COMPARED_FLAGS & ~ignoredFlags;
        long ef = expected.rflags & fm, af = actual.rflags & fm;
        if (ef != af) {
            d.add(String.format("%s: expected 0x%x [%s] actual 0x%x [%s] (differing: %s)", expected.flagsName(), ef,
                    MachineState.flagString(ef), af, MachineState.flagString(af), MachineState.flagString(ef ^ af)));
        }
        if (segBases) {
            cmp(d, "fs_base", expected.fsBase, actual.fsBase);
            cmp(d, "gs_base", expected.gsBase, actual.gsBase);
        }
        if (xmm) {
            int nx = expected.bits == 64 ? 16 : 8;
            for (int i = 0; i < nx; i++) {
                if (expected.xmm[i][0] != actual.xmm[i][0] || expected.xmm[i][1] != actual.xmm[i][1]) {
                    d.add(String.format("xmm%d: expected %s actual %s", i, xmmHex(expected.xmm[i]),
                            xmmHex(actual.xmm[i])));
                }
            }
        }
        if (mxcsr) cmp(d, "mxcsr", expected.mxcsr & 0xFFFFFFFFL, actual.mxcsr & 0xFFFFFFFFL);
        if (x87) {
            cmp(d, "fcw", expected.fcw, actual.fcw);
            cmp(d, "fsw", expected.fsw, actual.fsw);
            cmp(d, "ftw", expected.ftw, actual.ftw);
            for (int i = 0; i < 8; i++) {
                boolean valid = x87EmptySlots || tagValid(expected, i) || tagValid(actual, i);
                if (valid && !expected.st[i].equals(actual.st[i])) {
                    d.add(String.format("st%d: expected %s actual %s", i, expected.st[i], actual.st[i]));
                }
            }
        }
        if (memory) diffMemory(d, expected, actual);
        if (fault) {
            MachineState.Fault ef2 = expected.fault, af2 = actual.fault;
            if ((ef2 == null) != (af2 == null)) {
                d.add("fault: expected " + (ef2 == null ? "none" : ef2) + " actual " + (af2 == null ? "none" : af2));
            } else if (ef2 != null) {
                if (ef2.kind() != af2.kind() || ef2.signal() != af2.signal()
                        || (faultAddr && ef2.kind() == MachineState.Fault.Kind.SIGNAL && ef2.addr() != af2.addr())) {
                    d.add("fault: expected " + ef2 + " actual " + af2);
                }
            }
        }
        return d;
    }

    /** Throws AssertionError listing all differences (and both states) if any. */
    public void assertSame(MachineState expected, MachineState actual, String context) {
        List<String> d = diff(expected, actual);
        if (!d.isEmpty()) {
            throw new AssertionError((context == null ? "" : context + ": ") + d.size() + " difference(s):\n  "
                    + String.join("\n  ", d) + "\nexpected:\n" + expected + "actual:\n" + actual);
        }
    }

    private static boolean tagValid(MachineState s, int sti) {
        int phys = (s.top() + sti) & 7;
        return (s.ftw & (1 << phys)) != 0;
    }

    private void diffMemory(List<String> d, MachineState expected, MachineState actual) {
        for (MachineState.Region er : expected.memory) {
            MachineState.Region ar = actual.memory.stream().filter(r -> r.addr() == er.addr()).findFirst().orElse(null);
            if (ar == null) {
                d.add(String.format("memory: actual state has no region at 0x%x", er.addr()));
                continue;
            }
            if (ar.bytes().length != er.bytes().length) {
                d.add(String.format("memory 0x%x: expected %d bytes actual %d bytes", er.addr(), er.bytes().length,
                        ar.bytes().length));
            }
            int len = Math.min(ar.bytes().length, er.bytes().length);
            int reported = 0;
            for (int i = 0; i < len; i++) {
                if (er.bytes()[i] == ar.bytes()[i]) continue;
                int j = i;
                while (j < len && j - i < 16 && er.bytes()[j] != ar.bytes()[j]) j++;
                if (reported++ == maxMemoryDiffs) {
                    d.add("memory: more differences not shown");
                    break;
                }
                d.add(String.format("mem[0x%x..0x%x]: expected %s actual %s", er.addr() + i, er.addr() + j - 1,
                        hexBytes(er.bytes(), i, j), hexBytes(ar.bytes(), i, j)));
                i = j - 1;
            }
        }
    }

    private static void cmp(List<String> d, String name, long e, long a) {
        if (e != a) d.add(String.format("%s: expected 0x%x actual 0x%x", name, e, a));
    }

    static String xmmHex(long[] x) {
        return String.format("0x%016x%016x", x[1], x[0]);
    }

    static String hexBytes(byte[] b, int from, int to) {
        StringBuilder s = new StringBuilder();
        for (int i = from; i < to; i++) s.append(String.format("%02x", b[i] & 0xFF));
        return s.toString();
    }
}
