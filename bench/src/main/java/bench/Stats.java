package bench;

import java.util.ArrayList;
import java.util.List;

/** Medians and friends over a handful of samples. */
final class Stats {
    private Stats() {}

    /** The median; the mean of the two middle values for an even count; NaN when empty. */
    static double median(List<? extends Number> l) {
        if (l.isEmpty()) return Double.NaN;
        List<Double> s = new ArrayList<>();
        for (Number n : l) s.add(n.doubleValue());
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
