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
 *                (the backend then writes cached registers back before, or reloads them after, the call);
 *                {@link #PURE}: a function of its arguments alone
 */
public record Helper(String name, Fn fn, int arity, boolean result, int effects) {
    /** The helper reads guest state slots. */
    public static final int READS_REGS = 1;
    /** The helper writes guest state slots. */
    public static final int WRITES_REGS = 2;
    /**
     * The helper's result depends on its arguments alone, and it has no other effect and cannot
     * fault: a call whose result is unused is removed, equal calls on a straight-line stretch are
     * merged, and nothing about the guest state need be up to date for it. (Only {@link #pure}
     * helpers: one that touches the vCPU's extended state, like the x87 unit's, is not.)
     */
    public static final int PURE = 4;

    /** The calling convention of every helper. Unused arguments are 0. */
    @FunctionalInterface
    public interface Fn {
        long call(Vcpu cpu, long a0, long a1, long a2, long a3);
    }

    public Helper {
        if (arity < 0 || arity > 4) throw new IllegalArgumentException("helper arity 0..4: " + name);
        if ((effects & PURE) != 0 && ((effects & (READS_REGS | WRITES_REGS)) != 0 || !result))
            throw new IllegalArgumentException("a pure helper returns a value and uses no state: " + name);
    }

    /** A {@link #PURE} helper. */
    public static Helper pure(String name, int arity, Fn fn) { return new Helper(name, fn, arity, true, PURE); }

    public boolean isPure() { return (effects & PURE) != 0; }

    public boolean readsRegs() { return (effects & READS_REGS) != 0; }

    public boolean writesRegs() { return (effects & WRITES_REGS) != 0; }
}
