package emulator.x86.diff;

import java.util.Objects;

/**
 * One differential test case: machine mode (32 = i386, 64 = x86-64), code bytes loaded at
 * {@link NativeCpu#CODE_BASE}, the initial state (registers, flags, SSE, x87, and exactly one data
 * region, normally at {@link NativeCpu#DATA_BASE}), a description for messages, and a timeout
 * (milliseconds, 0 = {@link NativeCpu#DEFAULT_TIMEOUT_MS}).
 */
public record TestCase(int bits, byte[] code, MachineState initial, String description, int timeoutMs) {

    public TestCase {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(initial, "initial");
        if (bits != 32 && bits != 64) throw new IllegalArgumentException("bits must be 32 or 64");
        if (initial.bits != bits) throw new IllegalArgumentException("initial state is " + initial.bits + "-bit");
        if (initial.memory.size() != 1) {
            throw new IllegalArgumentException("the native runner needs exactly one data region, got "
                    + initial.memory.size());
        }
        if (description == null) description = "";
    }

    public TestCase(int bits, byte[] code, MachineState initial, String description) {
        this(bits, code, initial, description, 0);
    }

    /** Code with the default initial state. */
    public static TestCase of(int bits, byte[] code, String description) {
        return new TestCase(bits, code, MachineState.initial(bits), description, 0);
    }

    /** Assemble nasm text (see {@link Assembler}) and use the given initial state. */
    public static TestCase asm(int bits, String nasm, MachineState initial) {
        return new TestCase(bits, Assembler.assemble(bits, nasm), initial, nasm.strip(), 0);
    }

    public static TestCase asm(int bits, String nasm) {
        return asm(bits, nasm, MachineState.initial(bits));
    }

    public TestCase withTimeout(int ms) {
        return new TestCase(bits, code, initial, description, ms);
    }

    public long dataAddr() {
        return initial.data().addr();
    }

    public byte[] data() {
        return initial.data().bytes();
    }

    /** Address of the end of the code, where a completed case's rip points. */
    public long endRip() {
        return NativeCpu.CODE_BASE + code.length;
    }

    @Override
    public String toString() {
        return "TestCase[" + bits + "-bit, " + code.length + " bytes: " + description.replace('\n', ';') + "]";
    }
}
