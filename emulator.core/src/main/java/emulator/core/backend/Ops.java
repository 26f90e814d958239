package emulator.core.backend;

import emulator.core.exec.GuestException;
import emulator.core.ir.TrapInfo;

/** Out-of-line pieces of IR semantics that generated code calls (same as {@link Interpreter#compute}). */
public final class Ops {
    private Ops() {}

    public static int divu32(int a, int b) { if (b == 0) throw GuestException.divideError(); return Integer.divideUnsigned(a, b); }
    public static int divs32(int a, int b) { if (b == 0) throw GuestException.divideError(); return a / b; }
    public static int remu32(int a, int b) { if (b == 0) throw GuestException.divideError(); return Integer.remainderUnsigned(a, b); }
    public static int rems32(int a, int b) { if (b == 0) throw GuestException.divideError(); return a % b; }
    public static long divu64(long a, long b) { if (b == 0) throw GuestException.divideError(); return Long.divideUnsigned(a, b); }
    public static long divs64(long a, long b) { if (b == 0) throw GuestException.divideError(); return a / b; }
    public static long remu64(long a, long b) { if (b == 0) throw GuestException.divideError(); return Long.remainderUnsigned(a, b); }
    public static long rems64(long a, long b) { if (b == 0) throw GuestException.divideError(); return a % b; }

    public static int mulhu32(int a, int b) { return (int) (((a & 0xFFFFFFFFL) * (b & 0xFFFFFFFFL)) >>> 32); }
    public static int mulhs32(int a, int b) { return (int) (((long) a * b) >> 32); }

    public static GuestException trap(TrapInfo t) {
        return GuestException.trap(t.vector(), t.errorCode(), t.afterInsn(), t.detail());
    }
}
