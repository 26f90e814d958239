package emulator.x86.diff;

/**
 * An x87 80-bit extended-precision value in raw form: 16-bit sign+exponent and the 64-bit
 * significand including the explicit integer bit.
 */
public record Float80(int signExp, long mantissa) {

    public static final Float80 ZERO = new Float80(0, 0);

    public Float80 {
        signExp &= 0xFFFF;
    }

    /** Exact conversion of a double (every double is representable in 80 bits). */
    public static Float80 fromDouble(double d) {
        long bits = Double.doubleToRawLongBits(d);
        int sign = (int) (bits >>> 63) << 15;
        int exp = (int) (bits >>> 52) & 0x7FF;
        long frac = bits & 0xF_FFFF_FFFF_FFFFL;
        if (exp == 0x7FF) { // inf / nan
            return new Float80(sign | 0x7FFF, 0x8000_0000_0000_0000L | (frac << 11));
        }
        if (exp == 0) {
            if (frac == 0) return new Float80(sign, 0);
            int shift = Long.numberOfLeadingZeros(frac);  // normalise a subnormal double
            long m = frac << shift;
            int e = -1022 - (shift - 11) - 1 + 16383 + 1;
            return new Float80(sign | e, m);
        }
        return new Float80(sign | (exp - 1023 + 16383), 0x8000_0000_0000_0000L | (frac << 11));
    }

    /** Approximate value (rounded to double), for messages and loose checks. */
    public double toDouble() {
        int e = signExp & 0x7FFF;
        double sign = (signExp & 0x8000) != 0 ? -1.0 : 1.0;
        if (e == 0x7FFF) {
            return (mantissa << 1) == 0 ? sign * Double.POSITIVE_INFINITY : Double.NaN;
        }
        if (mantissa == 0) return sign * 0.0;
        return sign * Math.scalb((double) (mantissa >>> 1), e - 16383 - 62);
    }

    /** 20 hex digits: sign/exponent (4) then significand (16). */
    public String toHex() {
        return String.format("0x%04x%016x", signExp, mantissa);
    }

    public static Float80 parseHex(String s) {
        String h = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
        if (h.length() > 20) throw new IllegalArgumentException("80-bit hex too long: " + s);
        h = "0".repeat(20 - h.length()) + h;
        return new Float80(Integer.parseInt(h.substring(0, 4), 16), Long.parseUnsignedLong(h.substring(4), 16));
    }

    @Override
    public String toString() {
        return toHex() + " (~" + toDouble() + ")";
    }
}
