package io.edgellm.bench.runner;

import io.edgellm.bench.energy.EnergyMeter;
import io.edgellm.bench.energy.EnergyResult;
import io.edgellm.bench.thermal.ThermalMonitor;
import io.edgellm.bench.thermal.ThermalResult;
import io.edgellm.bench.thermal.ThrottleFlags;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code bench --duration 10m}: decode without pause for a fixed time and record, per sampling interval, tokens/s,
 * watts, the hottest temperature and the CPU clock, so that thermal throttling shows as it happens.
 *
 * <p>Decode steps append random tokens to the KV cache; when the cache reaches {@code nCtx} it is cleared and refilled
 * (untimed) to {@code nCtx/2}, so the attention cost stays in a fixed band. Outputs: {@code sustained.csv} (one row per
 * interval), {@code sustained_ts.png/svg} and, where sensors exist, {@code sustained_w}, {@code sustained_temp},
 * {@code sustained_clock}; and a summary: mean t/s of the first minute (the first fifth for runs under five minutes),
 * steady-state t/s (the last fifth), their ratio, and the time to throttle.
 */
public final class SustainedRun {

    /**
     * One interval.
     *
     * @param seconds       end of the interval, seconds since the start
     * @param tokensPerSec  decode tokens/s over the interval
     * @param watts         average power, NaN without a source
     * @param maxTempC      hottest zone, NaN without thermal zones
     * @param clockMeanFrac mean CPU clock / max, NaN without cpufreq
     * @param clockMinFrac  lowest CPU clock / max, NaN without cpufreq
     * @param throttleBits  throttle flags seen, -1 when not readable
     */
    public record Point(double seconds, double tokensPerSec, double watts, double maxTempC, double clockMeanFrac,
                        double clockMinFrac, int throttleBits) {
    }

    /**
     * The run's summary.
     *
     * @param points          the time series
     * @param firstTs         mean t/s over the first minute (or first fifth of a short run)
     * @param firstSeconds    length of that window, s
     * @param steadyTs        mean t/s over the last fifth
     * @param throttleSeconds first time the clock fell below 95 % of its starting value or the firmware reported
     *                        throttling now; NaN when not observed
     * @param throttleSensed  whether a clock or throttle sensor existed (otherwise throttling cannot be seen)
     */
    public record Result(List<Point> points, double firstTs, double firstSeconds, double steadyTs, double throttleSeconds,
                         boolean throttleSensed) {
        /**
         * Human-readable summary lines.
         *
         * @return the summary
         */
        public String summary() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "sustained: %d intervals over %.1f s%n", points.size(),
                    points.isEmpty() ? 0 : points.get(points.size() - 1).seconds()));
            sb.append(String.format(Locale.ROOT, "first %.0f s: %.2f t/s; steady state (last fifth): %.2f t/s (%.1f %% of the start)%n",
                    firstSeconds, firstTs, steadyTs, 100 * steadyTs / firstTs));
            String t = !throttleSensed ? "unknown (no clock or throttle sensor: °C and clock absent here, not zero)"
                    : Double.isNaN(throttleSeconds) ? "not observed"
                    : String.format(Locale.ROOT, "%.1f s", throttleSeconds);
            sb.append("time to throttle: ").append(t).append('\n');
            return sb.toString();
        }
    }

    private final BenchTarget target;
    private final EnergyMeter meter;
    private final ThermalMonitor thermal;
    private final PrintWriter log;

    /**
     * @param target  the model and session to decode with
     * @param meter   power (may have no source)
     * @param thermal sensors (may have none)
     * @param log     progress, or null
     */
    public SustainedRun(BenchTarget target, EnergyMeter meter, ThermalMonitor thermal, PrintWriter log) {
        this.target = target;
        this.meter = meter;
        this.thermal = thermal;
        this.log = log;
    }

    /**
     * Decodes for {@code duration}, one point per {@code interval}.
     *
     * @param duration total time
     * @param interval sampling interval
     * @param seed     random token seed
     * @return the series and summary
     */
    public Result run(Duration duration, Duration interval, long seed) {
        Random rnd = new Random(seed);
        int vocab = target.vocabSize(), nCtx = target.contextSize();
        int[] one = new int[1];
        int pos = 0;
        List<Point> points = new ArrayList<>();
        long start = System.nanoTime(), end = start + duration.toNanos();
        long lastLog = start;
        target.reset();
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime(), stopAt = Math.min(end, t0 + interval.toNanos());
            EnergyMeter.Window ew = meter.start();
            ThermalMonitor.Window tw = thermal.start();
            int tokens = 0;
            long refill = 0;
            while (System.nanoTime() < stopAt) {
                if (pos >= nCtx - 1) { // keep the attention span in [nCtx/2, nCtx): refill untimed
                    long r0 = System.nanoTime();
                    target.reset();
                    int[] half = BenchRunner.randomTokens(rnd, vocab, nCtx / 2);
                    target.evaluate(half);
                    pos = half.length;
                    refill += System.nanoTime() - r0;
                }
                one[0] = rnd.nextInt(vocab);
                target.evaluate(one);
                pos++;
                tokens++;
            }
            long t1 = System.nanoTime();
            EnergyResult e = ew.stop();
            ThermalResult th = tw.stop();
            double sec = (t1 - t0 - refill) / 1e9;
            points.add(new Point((t1 - start) / 1e9, tokens / sec, e.averageWatts(), th.maxTempC(), th.meanClockFrac(),
                    th.minClockFrac(), th.throttleBits()));
            if (log != null && t1 - lastLog > 10_000_000_000L) {
                Point p = points.get(points.size() - 1);
                log.printf(Locale.ROOT, "sustained: %.0f s  %.2f t/s%n", p.seconds, p.tokensPerSec);
                log.flush();
                lastLog = t1;
            }
        }
        return summarize(points);
    }

    /**
     * Summarizes a series (also used by tests on synthetic series).
     *
     * @param points the series
     * @return the summary
     */
    static Result summarize(List<Point> points) {
        double total = points.isEmpty() ? 0 : points.get(points.size() - 1).seconds;
        double firstWindow = total >= 300 ? 60 : total / 5;
        double sumF = 0, sumS = 0;
        int nF = 0, nS = 0;
        for (Point p : points) {
            if (p.seconds <= firstWindow || nF == 0) {
                sumF += p.tokensPerSec;
                nF++;
            }
            if (p.seconds >= total * 0.8) {
                sumS += p.tokensPerSec;
                nS++;
            }
        }
        boolean sensed = points.stream().anyMatch(p -> !Double.isNaN(p.clockMeanFrac) || p.throttleBits >= 0);
        double throttleAt = Double.NaN;
        double clock0 = points.stream().mapToDouble(Point::clockMeanFrac).filter(d -> !Double.isNaN(d)).findFirst().orElse(Double.NaN);
        for (Point p : points) {
            boolean now = p.throttleBits > 0 && (p.throttleBits & 0xE) != 0;
            boolean slow = !Double.isNaN(clock0) && !Double.isNaN(p.clockMeanFrac) && p.clockMeanFrac < 0.95 * clock0;
            if (now || slow) {
                throttleAt = p.seconds;
                break;
            }
        }
        return new Result(List.copyOf(points), nF == 0 ? Double.NaN : sumF / nF, firstWindow,
                nS == 0 ? Double.NaN : sumS / nS, throttleAt, sensed);
    }

    /**
     * Writes {@code sustained.csv} and the charts.
     *
     * @param r        the run
     * @param dir      output directory
     * @param subtitle machine line for the chart titles
     * @return the files written
     * @throws IOException when writing fails
     */
    public static List<Path> write(Result r, Path dir, String subtitle) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        StringBuilder csv = new StringBuilder("t_s,tokens_per_s,watts,max_temp_c,clock_mean_frac,clock_min_frac,throttle\n");
        for (Point p : r.points) {
            csv.append(String.format(Locale.ROOT, "%.3f,%.4f,%s,%s,%s,%s,%s%n", p.seconds, p.tokensPerSec, cell(p.watts),
                    cell(p.maxTempC), cell(p.clockMeanFrac), cell(p.clockMinFrac),
                    p.throttleBits < 0 ? "" : "0x" + Integer.toHexString(p.throttleBits)));
        }
        Path c = dir.resolve("sustained.csv");
        Files.writeString(c, csv);
        out.add(c);
        out.addAll(chart(r, dir, "sustained_ts", "tokens/s", Point::tokensPerSec, subtitle));
        out.addAll(chart(r, dir, "sustained_w", "W", Point::watts, subtitle));
        out.addAll(chart(r, dir, "sustained_temp", "max °C", Point::maxTempC, subtitle));
        out.addAll(chart(r, dir, "sustained_clock", "CPU clock / max", Point::clockMeanFrac, subtitle));
        return out;
    }

    private static String cell(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "";
    }

    private static List<Path> chart(Result r, Path dir, String name, String y,
                                    java.util.function.ToDoubleFunction<Point> f, String subtitle) throws IOException {
        List<Point> pts = r.points.stream().filter(p -> Double.isFinite(f.applyAsDouble(p))).toList();
        if (pts.size() < 2) return List.of(); // an absent sensor: no chart, never a line at zero
        XYChart chart = new XYChartBuilder().width(1100).height(480).title("sustained decode: " + y + " over time  —  " + subtitle)
                .xAxisTitle("seconds").yAxisTitle(y).build();
        chart.getStyler().setChartTitleFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12));
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisMin(0.0);
        chart.addSeries(y, pts.stream().mapToDouble(Point::seconds).toArray(), pts.stream().mapToDouble(f).toArray())
                .setMarker(SeriesMarkers.NONE);
        Path png = dir.resolve(name + ".png"), svg = dir.resolve(name + ".svg");
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        VectorGraphicsEncoder.saveVectorGraphic(chart, svg.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        return List.of(png, svg);
    }

    /** Throttle flag text of a point, for reports. */
    static String throttleText(Point p) {
        return ThrottleFlags.describe(p.throttleBits);
    }
}
