package io.edgellm.bench.runner;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.edgellm.bench.energy.EnergyMeter;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code edgellm bench --vs-llama-cpp}: llama.cpp's llama-bench and edgellm on the same GGUF, threads, lengths and
 * depths, interleaved, one {@link Row} per test with both speeds and their ratio.
 *
 * <pre>
 * for each model, thread count (edgellm's model stays loaded), depth, test (pp N, then tg N):
 *   for round 1..rounds:
 *     llama-bench -m M -p N -n 0 -d D -t T -b B -r R -o json      (its own warm-up run included)
 *     edgellm: the same test, R repetitions (warm-up in round 1 only)
 * </pre>
 * Both engines' samples (t/s of each repetition of each round) are pooled; the ratio is edgellm's mean ÷ llama.cpp's
 * mean, and {@code ratio_min} / {@code ratio_max} are the lowest and highest per-round ratios, which show how much
 * the machine drifted during the run. Compare engines only within one run: on a shared or thermally throttled
 * machine the absolute numbers move between runs.
 */
public final class SideBySide {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One test, both engines.
     *
     * @param model       edgellm's model label
     * @param modelFile   the GGUF file
     * @param ggmlTypes   tensor types of the file (edgellm's summary)
     * @param threads     thread count of both
     * @param nPrompt     prompt length (pp test) or 0
     * @param nGen        generation length (tg test) or 0
     * @param nDepth      KV-cache depth before the test
     * @param test        llama-bench's test name ({@code pp128}, {@code tg64 @ d2048})
     * @param rounds      interleaved rounds
     * @param llamaTs     llama.cpp: mean t/s over all its samples
     * @param llamaSd     its sample standard deviation
     * @param llamaSamples its samples (every repetition of every round)
     * @param edgeTs      edgellm: mean t/s
     * @param edgeSd      its sample standard deviation
     * @param edgeSamples its samples
     * @param ratio       {@code edgeTs / llamaTs}
     * @param ratioMin    the lowest per-round ratio
     * @param ratioMax    the highest per-round ratio
     * @param llamaBuild  llama.cpp's {@code build_commit}
     * @param backend     edgellm's backend column (JVM and vector width)
     */
    @JsonPropertyOrder(alphabetic = false)
    public record Row(@JsonProperty("model") String model,
                      @JsonProperty("model_filename") String modelFile,
                      @JsonProperty("ggml_types") String ggmlTypes,
                      @JsonProperty("n_threads") int threads,
                      @JsonProperty("n_prompt") int nPrompt,
                      @JsonProperty("n_gen") int nGen,
                      @JsonProperty("n_depth") int nDepth,
                      @JsonProperty("test") String test,
                      @JsonProperty("rounds") int rounds,
                      @JsonProperty("llama_cpp_avg_ts") double llamaTs,
                      @JsonProperty("llama_cpp_stddev_ts") double llamaSd,
                      @JsonProperty("llama_cpp_samples_ts") List<Double> llamaSamples,
                      @JsonProperty("edgellm_avg_ts") double edgeTs,
                      @JsonProperty("edgellm_stddev_ts") double edgeSd,
                      @JsonProperty("edgellm_samples_ts") List<Double> edgeSamples,
                      @JsonProperty("ratio") double ratio,
                      @JsonProperty("ratio_min") double ratioMin,
                      @JsonProperty("ratio_max") double ratioMax,
                      @JsonProperty("llama_cpp_build") String llamaBuild,
                      @JsonProperty("backend") String backend) {
        /** Copies the sample lists. */
        public Row {
            llamaSamples = List.copyOf(llamaSamples);
            edgeSamples = List.copyOf(edgeSamples);
        }
    }

    private final BenchConfig config;
    private final int rounds;
    private final BenchRunner.TargetFactory factory;
    private final LlamaBench llama;
    private final PrintWriter log;
    private final String backend;

    /**
     * @param config  the sweep; {@code repetitions} is per round and engine, {@code nSeq} must be 1
     * @param rounds  interleaved rounds ({@code >= 1})
     * @param factory opens edgellm's model
     * @param llama   the llama-bench to run
     * @param log     progress lines (stderr), or null
     * @param backend edgellm's backend column
     */
    public SideBySide(BenchConfig config, int rounds, BenchRunner.TargetFactory factory, LlamaBench llama,
                      PrintWriter log, String backend) {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be >= 1: " + rounds);
        }
        if (!config.nSeq().equals(List.of(1))) {
            throw new IllegalArgumentException("--vs-llama-cpp runs n_seq 1 only, got " + config.nSeq());
        }
        this.config = config;
        this.rounds = rounds;
        this.factory = factory;
        this.llama = llama;
        this.log = log;
        this.backend = backend;
    }

    /** Runs every test, interleaved per round. */
    public List<Row> run() throws IOException {
        BenchRunner runner = new BenchRunner(config, factory, EnergyMeter.none("side-by-side run"), log, backend);
        SystemIdentity id = SystemIdentity.current();
        List<Row> rows = new ArrayList<>();
        int maxDepth = config.depths().stream().mapToInt(Integer::intValue).max().orElse(0);
        int maxTest = Math.max(config.nPrompt().stream().mapToInt(Integer::intValue).max().orElse(0),
                config.nGen().stream().mapToInt(Integer::intValue).max().orElse(0));
        for (Path model : config.models()) {
            ModelInfo info = ModelInfo.read(model);
            for (int threads : config.threads()) {
                try (BenchTarget target = factory.open(model, threads, maxDepth + maxTest + 1)) {
                    for (int depth : config.depths()) {
                        for (int p : config.nPrompt()) {
                            if (p > 0) rows.add(test(runner, id, info, target, threads, p, 0, depth));
                        }
                        for (int n : config.nGen()) {
                            if (n > 0) rows.add(test(runner, id, info, target, threads, 0, n, depth));
                        }
                    }
                }
            }
        }
        return rows;
    }

    private Row test(BenchRunner runner, SystemIdentity id, ModelInfo info, BenchTarget target, int threads,
                     int nPrompt, int nGen, int depth) throws IOException {
        String name = BenchRunner.testName(nPrompt, nGen, depth);
        List<Double> llamaSamples = new ArrayList<>(), edgeSamples = new ArrayList<>();
        double ratioMin = Double.POSITIVE_INFINITY, ratioMax = Double.NEGATIVE_INFINITY;
        String build = "";
        for (int r = 0; r < rounds; r++) {
            progress("%s %s t=%d: round %d/%d, llama-bench", info.label(), name, threads, r + 1, rounds);
            LlamaBench.Result l = llama.run(info.path(), threads, nPrompt, nGen, depth, config.nBatch(),
                    config.repetitions());
            build = l.buildCommit();
            List<Double> ls = l.samplesTs().isEmpty() ? List.of(l.avgTs()) : l.samplesTs();
            llamaSamples.addAll(ls);
            progress("%s %s t=%d: round %d/%d, edgellm (llama.cpp %.2f t/s)", info.label(), name, threads, r + 1,
                    rounds, l.avgTs());
            BenchRow e = runner.test(id, info, target, threads, 1, nPrompt, nGen, depth, Double.NaN,
                    config.repetitions(), config.warmup() && r == 0);
            edgeSamples.addAll(e.samplesTs());
            double ratio = e.avgTs() / mean(ls);
            ratioMin = Math.min(ratioMin, ratio);
            ratioMax = Math.max(ratioMax, ratio);
        }
        double lm = mean(llamaSamples), em = mean(edgeSamples);
        return new Row(info.label(), info.path().toString(), info.typeSummary(), threads, nPrompt, nGen, depth, name,
                rounds, lm, sd(llamaSamples), llamaSamples, em, sd(edgeSamples), edgeSamples, em / lm, ratioMin,
                ratioMax, build, backend);
    }

    private static double mean(List<Double> v) {
        return Stats.mean(v.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static double sd(List<Double> v) {
        return Stats.stddev(v.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private void progress(String fmt, Object... args) {
        if (log != null) {
            log.println(String.format(Locale.ROOT, fmt, args));
            log.flush();
        }
    }

    /**
     * The rows as {@code md} (one table: model, threads, test, both t/s, ratio, per-round range), {@code csv} or
     * {@code json}/{@code jsonl} (every field, samples included).
     */
    public static String format(List<Row> rows, Reports.Format format) throws IOException {
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

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(List<Row> rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = JSON.convertValue(r, LinkedHashMap.class);
            m.replaceAll((k, v) -> v instanceof Double d && !Double.isFinite(d) ? null : v);
            out.add(m);
        }
        return out;
    }

    private static String markdown(List<Row> rows) {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"model", "threads", "test", "llama.cpp t/s", "edgellm t/s", "edgellm ÷ llama.cpp",
                "per-round range"});
        for (Row r : rows) {
            cells.add(new String[] {r.model(), Integer.toString(r.threads()), r.test(), ts(r.llamaTs(), r.llamaSd()),
                    ts(r.edgeTs(), r.edgeSd()), String.format(Locale.ROOT, "%.2f", r.ratio()),
                    String.format(Locale.ROOT, "%.2f–%.2f", r.ratioMin(), r.ratioMax())});
        }
        StringBuilder sb = new StringBuilder();
        int cols = cells.get(0).length;
        int[] w = new int[cols];
        for (String[] row : cells) {
            for (int c = 0; c < cols; c++) {
                w[c] = Math.max(w[c], row[c].length());
            }
        }
        for (int i = 0; i < cells.size(); i++) {
            sb.append('|');
            for (int c = 0; c < cols; c++) {
                String v = cells.get(i)[c];
                String pad = " ".repeat(w[c] - v.length());
                sb.append(' ').append(c == 0 ? v + pad : pad + v).append(" |");
            }
            sb.append('\n');
            if (i == 0) {
                sb.append('|');
                for (int c = 0; c < cols; c++) {
                    sb.append(' ').append(c == 0 ? "-".repeat(w[c]) : "-".repeat(w[c] - 1) + ":").append(" |");
                }
                sb.append('\n');
            }
        }
        if (!rows.isEmpty()) {
            Row r = rows.get(0);
            sb.append('\n').append("llama.cpp build: ").append(r.llamaBuild()).append("; edgellm backend: ")
                    .append(r.backend()).append("; rounds: ").append(r.rounds()).append('\n');
            rows.stream().map(x -> x.modelFile() + ": " + x.ggmlTypes()).distinct()
                    .forEach(s -> sb.append("model: ").append(s).append('\n'));
        }
        return sb.toString();
    }

    private static String ts(double mean, double sd) {
        return String.format(Locale.ROOT, "%.2f ± %.2f", mean, sd);
    }

    private static String csv(List<Row> rows) {
        List<Map<String, Object>> maps = maps(rows);
        if (maps.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(String.join(",", maps.get(0).keySet())).append('\n');
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
