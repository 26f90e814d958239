package emulator.x86.front;

import emulator.core.exec.GuestException;
import emulator.core.ir.Helper;
import emulator.core.ir.Val;
import emulator.x86.Slots;
import emulator.x86.X86State;

/**
 * Segment registers in user mode: selectors are remembered; loading FS or GS takes the base from the
 * thread-area descriptors the kernel set up (i386 set_thread_area), which is how 32-bit TLS works.
 */
final class Segments {
    private Segments() {}

    static final Helper READ = new Helper("x86.readSeg", (c, seg, a, b, d) -> ((X86State) c.ext).selectors[(int) seg], 1, true, 0);

    static final Helper WRITE = new Helper("x86.writeSeg", Segments::write, 2, false, Helper.WRITES_REGS);

    private static long write(emulator.core.exec.Vcpu c, long seg, long sel, long x, long y) {
        X86State s = (X86State) c.ext;
        int selector = (int) (sel & 0xFFFF);
        if (seg == 1) throw GuestException.trap(6, 0, false, "mov to cs"); // #UD
        if (selector > 3) {
            int index = selector >>> 3;
            if ((selector & 4) != 0 || index >= s.gdtBase.length || !s.gdtPresent[index])
                throw GuestException.trap(13, selector & ~3, false, "bad segment selector 0x" + Integer.toHexString(selector));
            if (seg == 4) c.regs[Slots.FS_BASE] = s.gdtBase[index];
            if (seg == 5) c.regs[Slots.GS_BASE] = s.gdtBase[index];
        } else if (seg == 4 || seg == 5) {
            if (!((X86State) c.ext).x64) c.regs[seg == 4 ? Slots.FS_BASE : Slots.GS_BASE] = 0;
        }
        s.selectors[(int) seg] = selector;
        return 0;
    }

    static Val read(E e, int seg) { return e.ir.to32(e.ir.call(READ, e.ir.c64(seg))); }

    static void write(E e, int seg, Val sel) { e.ir.call(WRITE, e.ir.c64(seg), e.ir.to64(sel)); }
}
