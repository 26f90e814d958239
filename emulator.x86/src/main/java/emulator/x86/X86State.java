package emulator.x86;

/**
 * The part of an x86 vCPU's state that does not live in 64-bit slots: segment selectors and the
 * thread-area descriptors (GDT entries a user-mode kernel hands out), and the x87 unit.
 */
public final class X86State {
    public final boolean x64;
    /** ES CS SS DS FS GS selectors. */
    public final int[] selectors = new int[6];
    /** Base address of each GDT entry the kernel installed (set_thread_area), by index. */
    public final long[] gdtBase = new long[32];
    public final boolean[] gdtPresent = new boolean[32];
    /** x87 state. */
    public final X87 fpu = new X87();

    public X86State(boolean x64) {
        this.x64 = x64;
        // Linux user selectors: cs 0x23 (i386) / 0x33 (x86-64), ds = es = ss = 0x2b.
        selectors[1] = x64 ? 0x33 : 0x23;
        selectors[0] = selectors[2] = selectors[3] = 0x2b;
    }

    public X86State copy() {
        X86State c = new X86State(x64);
        System.arraycopy(selectors, 0, c.selectors, 0, 6);
        System.arraycopy(gdtBase, 0, c.gdtBase, 0, gdtBase.length);
        System.arraycopy(gdtPresent, 0, c.gdtPresent, 0, gdtPresent.length);
        c.fpu.copyFrom(fpu);
        return c;
    }
}
