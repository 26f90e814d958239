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

    /**
     * A distribution-free interval for the median: the k-th smallest and k-th largest of the samples,
     * with the largest k whose coverage (the chance that the true median lies between them, for any
     * distribution of independent samples) is still at least {@code level}; with too few samples for
     * that, the smallest and the largest (k = 1). Returns {low, high, coverage}; null when empty.
     */
    static double[] medianInterval(List<? extends Number> l, double level) {
        if (l.isEmpty()) return null;
        List<Double> s = new ArrayList<>();
        for (Number x : l) s.add(x.doubleValue());
        s.sort(null);
        int n = s.size();
        int k = 1;
        while (k + 1 <= (n + 1) / 2 && coverage(n, k + 1) >= level) k++;
        return new double[] {s.get(k - 1), s.get(n - k), coverage(n, k)};
    }

    /** P(X(k) ≤ median ≤ X(n−k+1)) = 1 − 2·P(Binomial(n, ½) < k). */
    static double coverage(int n, int k) {
        double tail = 0, c = 1; // c = C(n, i)
        for (int i = 0; i < k; i++) {
            tail += c;
            c = c * (n - i) / (i + 1);
        }
        return 1 - 2 * tail / Math.pow(2, n);
    }
}
