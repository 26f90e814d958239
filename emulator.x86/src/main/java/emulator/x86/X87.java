package emulator.x86;

/**
 * The x87 unit's architectural state: eight 80-bit registers (kept as sign/exponent + 64-bit
 * significand, exactly as the hardware stores them), TOP, control, status and tag words.
 */
public final class X87 {
    /** Significand (explicit integer bit) of physical register i. */
    public final long[] mant = new long[8];
    /** Sign (bit 15) and biased exponent (bits 0–14) of physical register i. */
    public final int[] sexp = new int[8];
    public int top;
    public int fcw = 0x37F;
    /** Status word without TOP (bits 11–13 are taken from {@link #top}). */
    public int fsw;
    /** Full tag word, two bits per physical register: 0 valid, 1 zero, 2 special, 3 empty. */
    public int ftw = 0xFFFF;
    public int mxcsrShadow;

    public void copyFrom(X87 o) {
        System.arraycopy(o.mant, 0, mant, 0, 8);
        System.arraycopy(o.sexp, 0, sexp, 0, 8);
        top = o.top; fcw = o.fcw; fsw = o.fsw; ftw = o.ftw;
    }

    public int statusWord() { return (fsw & ~0x3800) | ((top & 7) << 11); }

    /** FNINIT (and the end of FNSAVE): default control, status and tags; the data registers keep their contents. */
    public void init() {
        fcw = 0x37F; fsw = 0; ftw = 0xFFFF; top = 0;
    }

    public void reset() {
        fcw = 0x37F; fsw = 0; ftw = 0xFFFF; top = 0;
        java.util.Arrays.fill(mant, 0);
        java.util.Arrays.fill(sexp, 0);
    }
}
