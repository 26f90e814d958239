package emulator.linuxuser.abi;

import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import emulator.api.linux.SyscallNumbers;

/**
 * Linux system-call number ↔ name for one ABI, backed by the generated {@link SyscallNumbers} of emulator.api
 * (regenerate with {@code scripts/SyscallTableGenerator.java}; {@code SyscallTablesTest} checks it
 * against the installed kernel headers).
 */
public final class SyscallTable {
    /** The system-call ABIs abiscope knows. */
    public enum Abi { I386, X86_64, ARM_EABI, AARCH64 }

    private static final Map<Abi, SyscallTable> TABLES = new EnumMap<>(Abi.class);

    private final Abi abi;
    private final TreeMap<Integer, String> names = new TreeMap<>();
    private final Map<String, Integer> numbers = new HashMap<>();

    private SyscallTable(Abi abi, String[] entries) {
        this.abi = abi;
        for (String e : entries) {
            String[] f = e.split(" ");
            int nr = Integer.parseInt(f[0]);
            if (f.length == 2) names.put(nr, f[1]);
            numbers.put(f[1], nr);
        }
    }

    public static synchronized SyscallTable of(Abi abi) {
        return TABLES.computeIfAbsent(abi, a -> new SyscallTable(a, switch (a) {
            case I386 -> SyscallNumbers.I386;
            case X86_64 -> SyscallNumbers.X86_64;
            case ARM_EABI -> SyscallNumbers.ARM_EABI;
            case AARCH64 -> SyscallNumbers.AARCH64;
        }));
    }

    public Abi abi() { return abi; }

    /** The name of a number ("read"), or null when the ABI has no such system call. */
    public String name(int number) { return names.get(number); }

    /** The name, or "syscall_N" when unknown (for traces). */
    public String nameOrNumber(int number) {
        String n = names.get(number);
        return n != null ? n : "syscall_" + number;
    }

    /** The number of a name or alias, or -1. */
    public int number(String name) {
        Integer n = numbers.get(name);
        return n == null ? -1 : n;
    }

    /** All numbers with a name, ascending. */
    public Set<Integer> numbers() { return Collections.unmodifiableSet(names.keySet()); }

    /** number → canonical name, ascending. */
    public Map<Integer, String> asMap() { return Collections.unmodifiableMap(names); }

    public int size() { return names.size(); }

    @Override
    public String toString() {
        return "SyscallTable[" + abi + ", " + names.size() + " calls, max " + names.lastKey() + "]";
    }
}
