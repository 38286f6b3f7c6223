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
        List<String[]> main = new ArrayList<>();
        main.add(new String[] {"model", "size", "params", "backend", "threads", "test", "t/s"});
        for (BenchRow r : rows) {
            main.add(new String[] {r.model(), ModelInfo.bytesLabel(r.modelSize()), ModelInfo.paramsLabel(r.params()),
                    r.backend(), Integer.toString(r.threads()), r.test(),
                    r.note().startsWith("n_seq") ? "not yet supported"
                            : String.format(Locale.ROOT, "%.2f ± %.2f", r.avgTs(), r.stddevTs())});
        }
        table(sb, main, new boolean[] {false, true, true, false, true, true, true});
        sb.append('\n');
        List<String[]> detail = new ArrayList<>();
        detail.add(new String[] {"model", "threads", "test", "TTFT ms", "ms/tok p50", "ms/tok p95", "prefill W",
                "prefill J/tok", "decode W", "decode J/tok", "above-idle J/tok", "idle W", "peak RSS", "model bytes",
                "KV cache"});
        for (BenchRow r : rows) {
            detail.add(new String[] {r.model(), Integer.toString(r.threads()), r.test(), num(r.ttftMs(), 2),
                    num(r.msPerTokenP50(), 3), num(r.msPerTokenP95(), 3), num(r.prefillWatts(), 2),
                    num(r.prefillJoulesPerToken(), 4), num(r.decodeWatts(), 2), num(r.decodeJoulesPerToken(), 4),
                    num(r.aboveIdleJoulesPerToken(), 4), num(r.idleWatts(), 2),
                    r.peakRssBytes() < 0 ? "-" : ModelInfo.bytesLabel(r.peakRssBytes()),
                    ModelInfo.bytesLabel(r.modelSize()), ModelInfo.bytesLabel(r.kvCacheBytes())});
        }
        table(sb, detail, new boolean[] {false, true, true, true, true, true, true, true, true, true, true, true, true,
                true, true});
        if (!rows.isEmpty()) {
            BenchRow r = rows.get(0);
            sb.append('\n');
            sb.append("cpu: ").append(r.cpu()).append(" (").append(r.coresAvailable()).append(" cores available)\n");
            sb.append("jdk: ").append(r.jdk()).append("; vector: ").append(r.vectorBits()).append("-bit ")
                    .append(r.vectorSpecies()).append('\n');
            sb.append("power: ").append(r.powerSource()).append('\n');
            rows.stream().map(x -> x.modelFile() + ": " + x.ggmlTypes()).distinct()
                    .forEach(s -> sb.append("model: ").append(s).append('\n'));
            rows.stream().map(BenchRow::note).filter(n -> !n.isEmpty()).distinct()
                    .forEach(n -> sb.append("note: ").append(n).append('\n'));
        }
        return sb.toString();
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
