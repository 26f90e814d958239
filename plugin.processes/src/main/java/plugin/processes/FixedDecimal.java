package plugin.processes;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * What {@code String.format(Locale.ROOT, "%.Nf", v)} prints, without the formatter: the timeline is
 * drawn while the monitor stops, which the end of a run waits for, and the first String.format of a
 * JVM costs milliseconds there. Java's formatter rounds the shortest decimal that names the double
 * (the digits of {@link Double#toString(double)}) half up, its sign taken from {@code Double.compare(v, 0.0)}:
 * so does this (checked against String.format in FixedDecimalTest).
 */
final class FixedDecimal {
    private FixedDecimal() {}

    static StringBuilder append(StringBuilder sb, double v, int places) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return sb.append(String.format(Locale.ROOT, "%." + places + "f", v));
        if (Double.compare(v, 0.0) < 0) sb.append('-');    // -0.0 too, as the formatter does
        String shortest = Double.toString(Math.abs(v));
        if (shortest.indexOf('E') >= 0) {
            // below 10^-3 or from 10^7 on: scientific notation, left to BigDecimal (not reached by the timeline)
            return sb.append(new BigDecimal(shortest).setScale(places, RoundingMode.HALF_UP).toPlainString());
        }
        int dot = shortest.indexOf('.');
        String fraction = shortest.substring(dot + 1);
        if (fraction.length() <= places) {
            sb.append(shortest, 0, dot);
            if (places > 0) sb.append('.').append(fraction);
            for (int i = fraction.length(); i < places; i++) sb.append('0');
            return sb;
        }
        // the kept digits, then half up: a carry runs left through the 9s (99.96 -> 100.0)
        char[] digits = (shortest.substring(0, dot) + fraction.substring(0, places)).toCharArray();
        boolean carry = fraction.charAt(places) >= '5';
        for (int i = digits.length - 1; carry && i >= 0; i--) {
            if (digits[i] == '9') {
                digits[i] = '0';
            } else {
                digits[i]++;
                carry = false;
            }
        }
        if (carry) sb.append('1');
        int whole = digits.length - places;
        sb.append(digits, 0, whole);
        if (places > 0) sb.append('.').append(digits, whole, places);
        return sb;
    }

    static String format(double v, int places) { return append(new StringBuilder(24), v, places).toString(); }
}
