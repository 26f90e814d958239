package emulator.core.target;

import emulator.core.exec.GuestException;
import emulator.core.exec.Vcpu;
import emulator.core.ir.IrBuilder;

/**
 * A guest CPU architecture: its state layout, registers by name, and a front end that translates
 * guest code to IR. Targets are plain objects (the x86 bundle registers one as a service).
 */
public interface Target {
    /** Architecture name ({@code x86_64}, {@code i386}, …). */
    String arch();

    /** Number of 64-bit state slots the IR may address. */
    int slots();

    RegisterFile registers();

    /** Creates the state a vCPU needs beyond the slots (x87, SSE, …); may return null. */
    Object newExtState();

    /** Copies the extra state (for fork and clone). */
    Object copyExtState(Object ext);

    /**
     * Translates the block starting at {@code pc}: decodes instructions with {@code code}, emits
     * their semantics into {@code ir} (marking each with {@link IrBuilder#beginInsn}), and ends with an
     * exit. At most {@code maxInsns} instructions. An instruction that cannot be fetched or decoded
     * becomes a trap in the IR (never a host exception).
     *
     * <p>The result must depend only on the arguments and the bytes read through {@code code}: the
     * translator reuses it for any machine with a target of the same class and arch that reads the
     * same bytes (see {@code emulator.core.exec.SharedTranslations}).
     */
    void translate(long pc, int mode, CodeFetch code, IrBuilder ir, int maxInsns);

    /** The architecture's vector number for a guest exception (e.g. x86: page fault 14, divide error 0). */
    int vectorOf(GuestException e);

    /** Name of the stack-pointer register (rsp, esp, sp). */
    String stackPointer();

    /** Name of the program-counter register (rip, eip, pc). */
    String programCounter();

    /**
     * Classes of this target's front end that never run from guest code (its decoder, its translation
     * driver), as compiler-directive patterns ({@code package/Class.method}, {@code *} at either end):
     * the JIT keeps them at C1 so its optimizing compiler is free for guest code (see
     * {@link emulator.core.exec.JitPolicy}). Never name a class holding helpers generated code calls.
     */
    default java.util.List<String> translatorClasses() { return java.util.List.of(); }
}
