package plugin.processes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** FixedDecimal against the JDK's own formatter, which the timeline was written with before. */
class FixedDecimalTest {
    static void same(double v, int places, List<String> failures) {
        String want = String.format(Locale.ROOT, "%." + places + "f", v), got = FixedDecimal.format(v, places);
        if (!want.equals(got) && failures.size() < 20) failures.add(v + " %." + places + "f: String.format " + want + ", FixedDecimal " + got);
    }

    @Test
    void printsWhatStringFormatPrints() {
        List<String> failures = new ArrayList<>();
        double[] edges = {0.0, -0.0, 0.05, 0.15, 0.25, 0.35, 0.45, 0.95, 0.96, 9.95, 99.95, 99.96, 999.95, 0.005, 0.015, 0.995, 1e-3, 9.99e-4,
            1e-4, 5e-5, 1e7 - 0.05, 1e7, 1.5e7, 123456789.125, -0.04, -0.05, -1.25, -99.96, 1200.0, 300.0, 299.95, 1.05, 2.675, 1.005,
            Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (double v : edges) for (int p = 0; p <= 3; p++) same(v, p, failures);
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 40_000; i++) {
            // the timeline's range (pixels 0..1200 as fractions of instruction counts), then any magnitude
            double pixel = 300 + 860.0 * r.nextLong(1L << 40) / (1L << 40);
            same(pixel, 1, failures);
            same(pixel - 5, 1, failures);
            same(r.nextDouble(-1e4, 1e4), 2, failures);
            double tick = Math.ceil(r.nextDouble(0, 1e12) / 5e7) * 5e7;
            same(tick / 1e9, 2, failures);
            same(tick / 1e6, 2, failures);
            if (i % 8 == 0) same(Double.longBitsToDouble(r.nextLong()), 1 + r.nextInt(3), failures);   // any magnitude (long outputs: sampled)
            // a value one decimal digit past the kept ones, on the ties the rounding must send up
            same((r.nextInt(100_000) * 10 + 5) / 100.0, 1, failures);
        }
        assertEquals(List.of(), failures);
    }
}
