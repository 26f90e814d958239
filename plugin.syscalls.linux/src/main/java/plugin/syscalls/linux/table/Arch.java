package plugin.syscalls.linux.table;

import emulator.api.linux.SyscallNumbers;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One Linux system-call ABI: where the number, arguments, result and stack pointer live, the word
 * size, and the number → name table. These are the calling conventions of the kernel's entry code
 * (arch/x86/entry, arch/arm/kernel/entry-common.S, arch/arm64/kernel/syscall.c), nothing more.
 */
public enum Arch {
    I386("i386", 4, "eax", List.of("ebx", "ecx", "edx", "esi", "edi", "ebp"), "eax", "esp", SyscallNumbers.I386),
    X86_64("x86_64", 8, "rax", List.of("rdi", "rsi", "rdx", "r10", "r8", "r9"), "rax", "rsp", SyscallNumbers.X86_64),
    ARM("arm", 4, "r7", List.of("r0", "r1", "r2", "r3", "r4", "r5", "r6"), "r0", "sp", SyscallNumbers.ARM_EABI),
    AARCH64("aarch64", 8, "x8", List.of("x0", "x1", "x2", "x3", "x4", "x5"), "x0", "sp", SyscallNumbers.AARCH64);

    public final String cpuName;
    public final int wordSize;
    public final String numberReg;
    public final List<String> argRegs;
    public final String resultReg;
    public final String spReg;
    /** What an entry reads, in order: the number register, the argument registers, the stack pointer. */
    public final String[] entryRegs;
    /** What a return reads, in order: the stack pointer, the result register. */
    public final String[] returnRegs;
    /** The kernel's table, {@code "nr name"} per call, parsed when first used: a run meets one or two of the ABIs. */
    private final String[] table;
    private volatile Names names;
    private static final int DENSE = 1024;
    private static final Arch[] ALL = values();

    /** The parsed table: names by number for the dense part (every call's lookup), the rest (ARM's private calls) in a map. */
    private static final class Names {
        final String[] dense = new String[DENSE];
        final Map<Integer, String> byNumber = new HashMap<>();
        final Map<String, Integer> numbers = new HashMap<>();

        Names(String[] table) {
            for (String e : table) {
                int space = e.indexOf(' '), second = e.indexOf(' ', space + 1);
                int nr = Integer.parseInt(e, 0, space, 10);
                String name = second < 0 ? e.substring(space + 1) : e.substring(space + 1, second);
                if (second < 0) byNumber.putIfAbsent(nr, name); // "nr name alias": the first name stays the one printed
                numbers.putIfAbsent(name, nr);
            }
            for (Map.Entry<Integer, String> e : byNumber.entrySet()) if (e.getKey() >= 0 && e.getKey() < DENSE) dense[e.getKey()] = e.getValue();
        }
    }

    Arch(String cpuName, int wordSize, String numberReg, List<String> argRegs, String resultReg, String spReg, String[] table) {
        this.cpuName = cpuName;
        this.wordSize = wordSize;
        this.numberReg = numberReg;
        this.argRegs = argRegs;
        this.resultReg = resultReg;
        this.spReg = spReg;
        this.entryRegs = new String[argRegs.size() + 2];
        entryRegs[0] = numberReg;
        for (int i = 0; i < argRegs.size(); i++) entryRegs[i + 1] = argRegs.get(i);
        entryRegs[entryRegs.length - 1] = spReg;
        this.returnRegs = new String[] {spReg, resultReg};
        this.table = table;
    }

    /** Parsed on first use; two threads may both parse it, to the same result. */
    private Names names() {
        Names n = names;
        if (n == null) names = n = new Names(table);
        return n;
    }

    /** The ABI of a {@link emulator.api.Cpu#arch()} name, or null when it is not one Linux has here. */
    public static Arch of(String cpuArch) {
        for (Arch a : ALL) if (a.cpuName.equals(cpuArch)) return a;
        return null;
    }

    /** The call's name; unknown numbers print as strace does: {@code syscall_0x1234}. */
    public String name(long nr) {
        Names t = names();
        String n = nr >= 0 && nr < DENSE ? t.dense[(int) nr] : nr >= 0 && nr <= Integer.MAX_VALUE ? t.byNumber.get((int) nr) : null;
        return n != null ? n : "syscall_0x" + Long.toHexString(nr);
    }

    /** The number of a call by name, or -1. */
    public int number(String name) {
        Integer n = names().numbers.get(name);
        return n == null ? -1 : n;
    }

    /** A value of a word-sized register as the signed C long it is. */
    public long signed(long v) {
        return wordSize == 4 ? (int) v : v;
    }

    /** A value of a word-sized register as the unsigned C long it is. */
    public long unsigned(long v) {
        return wordSize == 4 ? v & 0xFFFF_FFFFL : v;
    }

    public boolean isX86() {
        return this == I386 || this == X86_64;
    }
}
