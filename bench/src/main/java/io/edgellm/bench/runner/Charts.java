package io.edgellm.bench.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code --plot DIR}: tok/s and J/token against each swept axis, one series per model/quant (and per test kind),
 * as PNG and SVG with XChart.
 *
 * <pre>
 * axis      rows used                      file
 * n_prompt  pp rows                        pp_ts_vs_n_prompt.{png,svg}   pp_jpt_vs_n_prompt.{png,svg}
 * n_gen     tg rows                        tg_ts_vs_n_gen...             tg_jpt_vs_n_gen...
 * n_depth   pp rows and tg rows separately pp_ts_vs_n_depth, tg_ts_vs_n_depth, ...
 * threads   pp rows and tg rows separately pp_ts_vs_threads, tg_ts_vs_threads, ...
 * </pre>
 * J/token charts are written only when a power source was read, and a chart only for an axis that takes at least two
 * values (a single point says nothing). Points are means with ± one standard deviation as error bars (t/s); the legend
 * sits outside the plot; the title names device, JDK, vector width, threads and power source.
 */
public final class Charts {

    private Charts() {
    }

    /** Writes the charts and returns the files written. */
    public static List<Path> write(List<BenchRow> rows, Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        boolean power = rows.stream().anyMatch(r -> Double.isFinite(r.joulesPerToken()));
        for (String kind : List.of("pp", "tg")) {
            List<BenchRow> sel = rows.stream().filter(r -> r.isPrefill() == kind.equals("pp"))
                    .filter(r -> Double.isFinite(r.avgTs()) && !Double.isFinite(r.nThink())
                            && r.nSeq() == 1).toList();   // neither think rows nor the batch axis
            if (sel.isEmpty()) {
                continue;
            }
            List<String> axes = new ArrayList<>(List.of(kind.equals("pp") ? "n_prompt" : "n_gen", "n_depth", "threads"));
            axes.removeIf(a -> sel.stream().mapToDouble(r -> r.axis(a)).distinct().count() < 2);
            for (String axis : axes) {
                out.addAll(chart(sel, kind, axis, "ts", "tokens/s", BenchRow::avgTs, dir));
                if (power) {
                    out.addAll(chart(sel, kind, axis, "jpt", "J/token", BenchRow::joulesPerToken, dir));
                }
            }
        }
        return out;
    }

    private static List<Path> chart(List<BenchRow> rows, String kind, String axis, String metric, String yTitle,
                                    ToDoubleFunction<BenchRow> y, Path dir) throws IOException {
        String title = (kind.equals("pp") ? "prefill" : "decode") + " " + yTitle + " vs " + axis + "  —  " + subtitle(rows);
        XYChart chart = new XYChartBuilder().width(1100).height(520).title(title).xAxisTitle(axis).yAxisTitle(yTitle)
                .build();
        chart.getStyler().setChartTitleFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 12));
        chart.getStyler().setMarkerSize(8);
        chart.getStyler().setYAxisMin(0.0);                       // speeds and energies start at zero
        chart.getStyler().setYAxisDecimalPattern(metric.equals("ts") ? "#,##0.#" : "0.#####");
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        // One series per model and the other axes' values, so that each line varies only along this axis.
        Map<String, List<BenchRow>> series = new LinkedHashMap<>();
        for (BenchRow r : rows) {
            StringBuilder key = new StringBuilder(r.model());
            for (String other : List.of("n_prompt", "n_gen", "n_depth", "threads")) {
                boolean foreign = other.equals(kind.equals("pp") ? "n_gen" : "n_prompt");
                if (!other.equals(axis) && !foreign) {
                    key.append(' ').append(shortName(other)).append('=').append((long) r.axis(other));
                }
            }
            series.computeIfAbsent(key.toString(), k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<BenchRow>> e : series.entrySet()) {
            List<BenchRow> pts = e.getValue().stream().filter(r -> Double.isFinite(y.applyAsDouble(r)))
                    .sorted((a, b) -> Double.compare(a.axis(axis), b.axis(axis))).toList();
            if (pts.isEmpty()) {
                continue;
            }
            double[] xs = pts.stream().mapToDouble(r -> r.axis(axis)).toArray();
            double[] ys = pts.stream().mapToDouble(y).toArray();
            if (metric.equals("ts")) {
                double[] err = pts.stream().mapToDouble(r -> Double.isFinite(r.stddevTs()) ? r.stddevTs() : 0).toArray();
                chart.addSeries(e.getKey(), xs, ys, err).setMarker(SeriesMarkers.CIRCLE);
            } else {
                chart.addSeries(e.getKey(), xs, ys).setMarker(SeriesMarkers.CIRCLE);
            }
        }
        if (chart.getSeriesMap().isEmpty()) {
            return List.of();
        }
        String base = kind + "_" + metric + "_vs_" + axis;
        Path png = dir.resolve(base + ".png");
        Path svg = dir.resolve(base + ".svg");
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        VectorGraphicsEncoder.saveVectorGraphic(chart, svg.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        return List.of(png, svg);
    }

    /**
     * The machine line of every chart: CPU, JDK, vector width, thread counts and power source.
     *
     * @param rows the rows charted
     * @return e.g. {@code "AMD EPYC (2 cores) · JDK Eclipse Adoptium 25.0.3 · 512-bit vectors · threads 1,2 · power: none"}
     */
    static String subtitle(List<BenchRow> rows) {
        BenchRow r = rows.get(0);
        String threads = String.join(",", rows.stream().map(x -> Integer.toString(x.threads())).distinct().toList());
        String power = r.powerSource();
        if (power.startsWith("none")) power = "none";
        else if (power.length() > 40) power = power.substring(0, 40) + "…";
        return r.cpu() + " (" + r.coresAvailable() + " cores) · JDK " + r.jdk() + " · " + r.vectorBits()
                + "-bit vectors · threads " + threads + " · power: " + power;
    }

    private static String shortName(String axis) {
        return switch (axis) {
            case "n_prompt" -> "p";
            case "n_gen" -> "n";
            case "n_depth" -> "d";
            default -> "t";
        };
    }
}
