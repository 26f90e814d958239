package emulator.core.ir;

import emulator.core.exec.Vcpu;

/**
 * A target's out-of-line operation (an x87 instruction, a 128-bit divide, CPUID), called from IR
 * with up to four 64-bit arguments. Generated code calls {@link Fn#call} on the helper object,
 * handed to the block as class data, so the JIT can inline it and no generated class names a target
 * or plugin class.
 *
 * @param name    for IR listings and errors
 * @param fn      the implementation; may throw {@link emulator.core.exec.GuestException}
 * @param arity   number of arguments used (0–4)
 * @param result  whether it returns a value (I64)
 * @param effects {@link #READS_REGS} | {@link #WRITES_REGS}: whether it reads or writes the state slots
 *                (the backend then writes cached registers back before, or reloads them after, the call)
 */
public record Helper(String name, Fn fn, int arity, boolean result, int effects) {
    /** The helper reads guest state slots. */
    public static final int READS_REGS = 1;
    /** The helper writes guest state slots. */
    public static final int WRITES_REGS = 2;

    /** The calling convention of every helper. Unused arguments are 0. */
    @FunctionalInterface
    public interface Fn {
        long call(Vcpu cpu, long a0, long a1, long a2, long a3);
    }

    public Helper {
        if (arity < 0 || arity > 4) throw new IllegalArgumentException("helper arity 0..4: " + name);
    }

    public static Helper pure(String name, int arity, Fn fn) { return new Helper(name, fn, arity, true, 0); }

    public boolean readsRegs() { return (effects & READS_REGS) != 0; }

    public boolean writesRegs() { return (effects & WRITES_REGS) != 0; }
}
