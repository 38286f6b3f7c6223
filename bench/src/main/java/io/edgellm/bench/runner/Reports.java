package io.edgellm.bench.runner;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Formats rows as llama-bench does: {@code md} (the table people paste), {@code csv}, {@code json} (an array of row
 * objects), {@code jsonl} (one object per line). NaN values (no power source, the other window) become empty cells /
 * JSON null.
 */
public final class Reports {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Reports() {
    }

    /** The output formats of {@code -o}. */
    public enum Format { md, csv, json, jsonl }

    /** The rows in {@code format}. */
    public static String format(List<BenchRow> rows, Format format) throws IOException {
        return switch (format) {
            case md -> markdown(rows);
            case csv -> csv(rows);
            case json -> JSON.writer(SerializationFeature.INDENT_OUTPUT).writeValueAsString(maps(rows)) + "\n";
            case jsonl -> {
                StringBuilder sb = new StringBuilder();
                for (Map<String, Object> m : maps(rows)) {
                    sb.append(JSON.writeValueAsString(m)).append('\n');
                }
                yield sb.toString();
            }
        };
    }

    /** Each row as an ordered map with NaN replaced by null (JSON has no NaN). */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> maps(List<BenchRow> rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (BenchRow r : rows) {
            Map<String, Object> m = JSON.convertValue(r, LinkedHashMap.class);
            m.replaceAll((k, v) -> v instanceof Double d && !Double.isFinite(d) ? null : v);
            out.add(m);
        }
        return out;
    }

    /**
     * llama-bench's table, then a second table with latency, energy and memory per test, then the identity lines.
     * <pre>
     * | model         |       size |     params | backend | threads |  test |           t/s |
     * | ------------- | ---------: | ---------: | ------- | ------: | ----: | ------------: |
     * | llama 1.2B Q4_0 | 703.35 MiB | 1.24 B   | ...     |       4 | pp512 | 35.21 ± 0.40 |
     * </pre>
     */
    public static String markdown(List<BenchRow> rows) {
        StringBuilder sb = new StringBuilder();
        boolean ppl = rows.stream().anyMatch(r -> Double.isFinite(r.ppl()));
        List<String[]> main = new ArrayList<>();
        main.add(ppl ? new String[] {"model", "size", "params", "backend", "threads", "test", "t/s", "PPL"}
                : new String[] {"model", "size", "params", "backend", "threads", "test", "t/s"});
        boolean noisy = false;
        for (BenchRow r : rows) {
            boolean flag = isNoisy(r);
            noisy |= flag;
            String ts = r.note().startsWith("n_seq") ? "not supported"
                    : String.format(Locale.ROOT, "%.2f ± %.2f", r.avgTs(), r.stddevTs()) + (flag ? " (!)" : "");
            String[] cells = {r.model(), ModelInfo.bytesLabel(r.modelSize()), ModelInfo.paramsLabel(r.params()),
                    r.backend(), Integer.toString(r.threads()), r.test(), ts};
            if (ppl) {
                cells = java.util.Arrays.copyOf(cells, 8);
                cells[7] = Double.isFinite(r.ppl()) ? String.format(Locale.ROOT, "%.4f ± %.4f", r.ppl(), r.pplError()) : "-";
            }
            main.add(cells);
        }
        boolean[] right = ppl ? new boolean[] {false, true, true, false, true, true, true, true}
                : new boolean[] {false, true, true, false, true, true, true};
        table(sb, main, right);
        sb.append('\n');
        // detail table: columns that are "-" on every row (no power source, no thermal sensor) are left out
        List<Col> cols = new ArrayList<>(List.of(
                new Col("model", false, BenchRow::model),
                new Col("threads", true, r -> Integer.toString(r.threads())),
                new Col("test", true, BenchRow::test),
                new Col("t/s per seq", true, r -> r.nSeq() > 1 ? num(r.avgTsPerSeq(), 2) : "-"),
                new Col("TTFT ms", true, r -> num(r.ttftMs(), 2)),
                new Col("n_think", true, r -> num(r.nThink(), 1)),
                new Col("n_answer", true, r -> num(r.nAnswer(), 1)),
                new Col("TTFAT ms", true, r -> num(r.ttfatMs(), 2)),
                new Col("ms/tok p50", true, r -> num(r.msPerTokenP50(), 3)),
                new Col("ms/tok p95", true, r -> num(r.msPerTokenP95(), 3)),
                new Col("prefill W", true, r -> num(r.prefillWatts(), 2)),
                new Col("prefill J/tok", true, r -> num(r.prefillJoulesPerToken(), 4)),
                new Col("decode W", true, r -> num(r.decodeWatts(), 2)),
                new Col("decode J/tok", true, r -> num(r.decodeJoulesPerToken(), 4)),
                new Col("above-idle J/tok", true, r -> num(r.aboveIdleJoulesPerToken(), 4)),
                new Col("idle W", true, r -> num(r.idleWatts(), 2)),
                new Col("max °C", true, r -> num(r.maxTempC(), 1)),
                new Col("clock mean", true, r -> pct(r.clockMeanFraction())),
                new Col("clock min", true, r -> pct(r.clockMinFraction())),
                new Col("throttle", false, r -> r.throttle() == null ? "-" : r.throttle()),
                new Col("peak RSS", true, r -> r.peakRssBytes() < 0 ? "-" : ModelInfo.bytesLabel(r.peakRssBytes())),
                new Col("mapped", true, r -> r.rssMappedBytes() < 0 ? "-" : ModelInfo.bytesLabel(r.rssMappedBytes())),
                new Col("heap", true, r -> r.heapCommittedBytes() <= 0 ? "-" : ModelInfo.bytesLabel(r.heapCommittedBytes())),
                new Col("off-heap", true, r -> r.rssOffHeapBytes() < 0 ? "-" : ModelInfo.bytesLabel(r.rssOffHeapBytes())),
                new Col("model bytes", true, r -> ModelInfo.bytesLabel(r.modelSize())),
                new Col("KV cache", true, r -> ModelInfo.bytesLabel(r.kvCacheBytes()))));
        cols.removeIf(c -> !rows.isEmpty() && rows.stream().allMatch(r -> c.value.apply(r).equals("-")));
        List<String[]> detail = new ArrayList<>();
        detail.add(cols.stream().map(c -> c.header).toArray(String[]::new));
        for (BenchRow r : rows) detail.add(cols.stream().map(c -> c.value.apply(r)).toArray(String[]::new));
        boolean[] dr = new boolean[cols.size()];
        for (int i = 0; i < dr.length; i++) dr[i] = cols.get(i).right;
        table(sb, detail, dr);
        if (!rows.isEmpty()) {
            BenchRow r = rows.get(0);
            sb.append('\n');
            sb.append("cpu: ").append(r.cpu()).append(" (").append(r.coresAvailable()).append(" cores available)\n");
            sb.append("jdk: ").append(r.jdk()).append("; vector: ").append(r.vectorBits()).append("-bit ")
                    .append(r.vectorSpecies()).append('\n');
            sb.append("power: ").append(r.powerSource()).append('\n');
            if (rows.stream().allMatch(x -> !Double.isFinite(x.maxTempC()) && !Double.isFinite(x.clockMeanFraction())
                    && x.throttle() == null)) {
                sb.append("thermal: none (no readable thermal zone, cpufreq or throttle flags)\n");
            }
            rows.stream().map(x -> x.modelFile() + ": " + x.ggmlTypes()).distinct()
                    .forEach(s -> sb.append("model: ").append(s).append('\n'));
            rows.stream().filter(x -> x.pplText() != null).map(x -> x.model() + ": " + x.pplText()).distinct()
                    .forEach(s -> sb.append("ppl: ").append(s).append('\n'));
            if (noisy) {
                sb.append(String.format(Locale.ROOT, "(!) repetitions disagree: stddev above %.0f %% of the mean "
                        + "(a busy or throttling machine; rerun with more -r)%n", 100 * NOISY_CV));
            }
            rows.stream().map(BenchRow::note).filter(n -> !n.isEmpty()).distinct()
                    .forEach(n -> sb.append("note: ").append(n).append('\n'));
        }
        return sb.toString();
    }

    /** Rows whose coefficient of variation (stddev / mean of t/s) exceeds this are flagged {@code (!)}. */
    public static final double NOISY_CV = 0.10;

    /**
     * Whether the repetitions of a row disagree: coefficient of variation of t/s above {@link #NOISY_CV}.
     *
     * @param r a row
     * @return true when flagged
     */
    public static boolean isNoisy(BenchRow r) {
        return r.repetitions() > 1 && r.avgTs() > 0 && r.stddevTs() / r.avgTs() > NOISY_CV;
    }

    private record Col(String header, boolean right, java.util.function.Function<BenchRow, String> value) {
    }

    private static String pct(double f) {
        return Double.isFinite(f) ? String.format(Locale.ROOT, "%.0f%%", 100 * f) : "-";
    }

    private static String num(double v, int decimals) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : "-";
    }

    private static void table(StringBuilder sb, List<String[]> cells, boolean[] right) {
        int cols = cells.get(0).length;
        int[] w = new int[cols];
        for (String[] row : cells) {
            for (int c = 0; c < cols; c++) {
                w[c] = Math.max(w[c], row[c].length());
            }
        }
        for (int i = 0; i < cells.size(); i++) {
            String[] row = cells.get(i);
            sb.append('|');
            for (int c = 0; c < cols; c++) {
                String pad = " ".repeat(w[c] - row[c].length());
                sb.append(' ').append(right[c] ? pad + row[c] : row[c] + pad).append(" |");
            }
            sb.append('\n');
            if (i == 0) {
                sb.append('|');
                for (int c = 0; c < cols; c++) {
                    sb.append(' ').append("-".repeat(Math.max(1, w[c] - (right[c] ? 1 : 0)))).append(right[c] ? ":" : "")
                            .append(" |");
                }
                sb.append('\n');
            }
        }
    }

    /** CSV with a header of the JSON field names (samples_ts joined by ';'). */
    public static String csv(List<BenchRow> rows) {
        StringBuilder sb = new StringBuilder();
        List<Map<String, Object>> maps = maps(rows);
        if (maps.isEmpty()) {
            return "";
        }
        sb.append(String.join(",", maps.get(0).keySet())).append('\n');
        for (Map<String, Object> m : maps) {
            List<String> cells = new ArrayList<>();
            for (Object v : m.values()) {
                String s = v == null ? "" : v instanceof List<?> l
                        ? String.join(";", l.stream().map(String::valueOf).toList()) : String.valueOf(v);
                if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
                    s = "\"" + s.replace("\"", "\"\"") + "\"";
                }
                cells.add(s);
            }
            sb.append(String.join(",", cells)).append('\n');
        }
        return sb.toString();
    }
}
