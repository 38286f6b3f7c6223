package io.edgellm.bench.thermal;

import java.util.List;

/**
 * Temperatures and clocks over a window (or several).
 *
 * @param maxTempC      hottest reading of any zone, °C; NaN without thermal zones
 * @param meanClockFrac mean over samples of the CPUs' mean clock fraction; NaN without cpufreq
 * @param minClockFrac  lowest fraction any CPU had in any sample; NaN without cpufreq
 * @param throttleBits  OR of the throttle flags seen; -1 when not readable
 * @param samples       readings taken
 */
public record ThermalResult(double maxTempC, double meanClockFrac, double minClockFrac, int throttleBits, int samples) {
    /** No sensors. */
    public static final ThermalResult NONE = new ThermalResult(Double.NaN, Double.NaN, Double.NaN, -1, 0);

    /**
     * Accumulates samples (not thread-safe).
     */
    static final class Acc {
        double maxT = Double.NaN, sumClock, minClock = Double.NaN;
        int nClock, bits = -1, n;

        void add(ThermalSample s) {
            n++;
            if (!Double.isNaN(s.maxTempC())) maxT = Double.isNaN(maxT) ? s.maxTempC() : Math.max(maxT, s.maxTempC());
            if (!Double.isNaN(s.meanClockFrac())) {
                sumClock += s.meanClockFrac();
                nClock++;
                minClock = Double.isNaN(minClock) ? s.minClockFrac() : Math.min(minClock, s.minClockFrac());
            }
            if (s.throttleBits() >= 0) bits = (bits < 0 ? 0 : bits) | s.throttleBits();
        }

        ThermalResult result() {
            return new ThermalResult(maxT, nClock == 0 ? Double.NaN : sumClock / nClock, minClock, bits, n);
        }
    }

    /**
     * Combines windows: maximum of maxima, sample-weighted mean clock, minimum of minima, OR of flags.
     *
     * @param parts window results
     * @return the combination ({@link #NONE} for an empty list)
     */
    public static ThermalResult combine(List<ThermalResult> parts) {
        double maxT = Double.NaN, sum = 0, min = Double.NaN;
        int w = 0, bits = -1, n = 0;
        for (ThermalResult r : parts) {
            n += r.samples;
            if (!Double.isNaN(r.maxTempC)) maxT = Double.isNaN(maxT) ? r.maxTempC : Math.max(maxT, r.maxTempC);
            if (!Double.isNaN(r.meanClockFrac)) {
                sum += r.meanClockFrac * r.samples;
                w += r.samples;
                min = Double.isNaN(min) ? r.minClockFrac : Math.min(min, r.minClockFrac);
            }
            if (r.throttleBits >= 0) bits = (bits < 0 ? 0 : bits) | r.throttleBits;
        }
        return new ThermalResult(maxT, w == 0 ? Double.NaN : sum / w, min, bits, n);
    }
}
