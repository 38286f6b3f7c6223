package io.edgellm.bench.runner;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Mean, sample standard deviation and nearest-rank percentiles; NaN for empty input. */
public final class Stats {
    private Stats() {
    }

    public static double mean(double[] v) {
        if (v.length == 0) return Double.NaN;
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }

    /** Sample standard deviation (n − 1 in the denominator, as llama-bench); 0 for a single value. */
    public static double stddev(double[] v) {
        if (v.length == 0) return Double.NaN;
        if (v.length == 1) return 0;
        double m = mean(v), s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return Math.sqrt(s / (v.length - 1));
    }

    /** Nearest-rank percentile {@code p} (0..100) of the values. */
    public static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) return Double.NaN;
        List<Double> s = new ArrayList<>(values);
        Collections.sort(s);
        int rank = (int) Math.ceil(p / 100.0 * s.size());
        return s.get(Math.max(0, Math.min(s.size() - 1, rank - 1)));
    }
}
