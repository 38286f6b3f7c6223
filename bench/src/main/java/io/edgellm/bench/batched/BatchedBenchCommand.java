package io.edgellm.bench.batched;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgellm.KvCacheType;
import io.edgellm.bench.energy.EnergyMeter;
import io.edgellm.bench.energy.EnergyMeters;
import io.edgellm.bench.runner.SystemIdentity;
import io.edgellm.engine.LoadedModel;
import io.edgellm.engine.Transformer;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.kernel.ActivationPrecision;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgellm batched-bench}: llama.cpp's {@code llama-batched-bench} (same flags, same columns) on edgellm's
 * multi-sequence forward pass, plus watts and joules per token of each phase and the peak resident memory; with
 * {@code --llama-batched-bench PATH}, llama.cpp's tool runs on the same file and settings after each edgellm row and
 * the table gets its S_PP and S_TG and the ratios.
 *
 * <pre>
 * ./edgellm batched-bench -m model.gguf -npp 128 -ntg 64 -npl 1,2,4,8,16 -t 2
 * ./edgellm batched-bench -m model.gguf -npp 128 -ntg 64 -npl 1,8 -pps --llama-batched-bench ~/llama.cpp/build/bin/llama-batched-bench
 * </pre>
 */
@Command(name = "batched-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Aggregate prefill and decode speed of B sequences decoded together, like llama-batched-bench.",
                "Columns: PP, TG, B, N_KV, T_PP s, S_PP t/s, T_TG s, S_TG t/s, T s, S t/s, then W and J/token per phase."})
public final class BatchedBenchCommand implements Callable<Integer> {

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "GGUF", description = "model file")
    Path model;

    @Option(names = "-npp", split = ",", paramLabel = "N", description = "prompt tokens per sequence (default 128,256,512)")
    List<Integer> npp = List.of(128, 256, 512);

    @Option(names = "-ntg", split = ",", paramLabel = "N", description = "generated tokens per sequence (default 128,256)")
    List<Integer> ntg = List.of(128, 256);

    @Option(names = "-npl", split = ",", paramLabel = "B", description = "parallel sequences (default 1,2,4,8,16,32)")
    List<Integer> npl = List.of(1, 2, 4, 8, 16, 32);

    @Option(names = "-pps", description = "the prompt is shared: prefilled once, copied to every sequence (seq_cp)")
    boolean pps;

    @Option(names = {"-c", "--ctx-size"}, defaultValue = "0", paramLabel = "N",
            description = "n_ctx, KV cells (default 0: the largest N_KV of the sweep)")
    int nCtx;

    @Option(names = {"-b", "--batch-size"}, defaultValue = "2048", paramLabel = "N",
            description = "n_batch: tokens per forward call of the prefill (default ${DEFAULT-VALUE})")
    int nBatch;

    @Option(names = {"-ub", "--ubatch-size"}, defaultValue = "512", paramLabel = "N",
            description = "n_ubatch: tokens per micro-batch (default ${DEFAULT-VALUE})")
    int nUbatch;

    @Option(names = {"-t", "--threads"}, defaultValue = "0", paramLabel = "N", description = "threads (default: all cores)")
    int threads;

    @Option(names = {"-ctk", "--cache-type-k"}, defaultValue = "f32", paramLabel = "TYPE", description = "KV cache type: f32 or f16")
    String cacheType;

    @Option(names = {"-o", "--output-format"}, defaultValue = "md", paramLabel = "FMT", description = "md, csv, json or jsonl")
    String format;

    @Option(names = "--power", defaultValue = "auto", description = "power source: auto (detect) or none")
    String power;

    @Option(names = "--plot", paramLabel = "DIR", description = "write S_TG and J/token against B as PNG charts")
    Path plotDir;

    @Option(names = "--llama-batched-bench", paramLabel = "PATH",
            description = "llama.cpp's llama-batched-bench: run it on the same settings and print the ratios "
                    + "(default: $EDGELLM_LLAMA_BATCHED_BENCH when set)")
    Path llama;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isRegularFile(model)) throw new IllegalArgumentException("model file not found: " + model);
        if (llama == null && System.getenv("EDGELLM_LLAMA_BATCHED_BENCH") != null) {
            llama = Path.of(System.getenv("EDGELLM_LLAMA_BATCHED_BENCH"));
        }
        int maxKv = 0;
        for (int pp : npp) for (int tg : ntg) for (int b : npl) maxKv = Math.max(maxKv, BatchedBench.nKv(pp, tg, b, pps));
        int ctx = nCtx > 0 ? nCtx : maxKv;
        int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        KvCacheType kv = switch (cacheType.toLowerCase(Locale.ROOT)) {
            case "f32" -> KvCacheType.F32;
            case "f16" -> KvCacheType.F16;
            default -> throw new IllegalArgumentException("-ctk " + cacheType + ": supported are f32 and f16");
        };
        List<Result> results = new ArrayList<>();
        try (GgufFile f = GgufFile.open(model);
             EnergyMeter meter = power.equalsIgnoreCase("none") ? EnergyMeter.none("disabled by --power none")
                     : EnergyMeters.detect()) {
            LoadedModel lm = LoadedModel.of(f);
            err.printf(Locale.ROOT, "batched-bench: %s, n_kv_max = %d, n_batch = %d, n_ubatch = %d, is_pp_shared = %d, n_threads = %d, power: %s%n",
                    model.getFileName(), ctx, nBatch, nUbatch, pps ? 1 : 0, t, meter.description());
            try (Transformer.State s = lm.transformer().newState(ctx, nUbatch, t, kv, ActivationPrecision.VEC_DOT_TYPE)) {
                BatchedBench bench = new BatchedBench(lm.transformer(), s, lm.config().vocabSize(), nBatch);
                bench.warmUp(npl.stream().mapToInt(Integer::intValue).max().orElse(1));
                for (int pp : npp) {
                    for (int tg : ntg) {
                        for (int b : npl) {
                            if (BatchedBench.nKv(pp, tg, b, pps) > ctx) continue;
                            BatchedBench.Row r = bench.run(pp, tg, b, pps, meter);
                            Map<String, Double> peer = llama != null ? peer(pp, tg, b, ctx, t, err) : null;
                            Result res = new Result(r, SystemIdentity.peakRssBytes(), peer);
                            results.add(res);
                            err.printf(Locale.ROOT, "  PP %d TG %d B %d: S_PP %.2f t/s, S_TG %.2f t/s%s%n", pp, tg, b, r.sPp(), r.sTg(),
                                    peer == null ? "" : String.format(Locale.ROOT, " (llama.cpp S_TG %.2f t/s)", peer.get("speed_tg")));
                            err.flush();
                        }
                    }
                }
            }
        }
        out.print(BatchedReports.format(results, format));
        out.flush();
        if (plotDir != null) plot(results, err);
        return 0;
    }

    /**
     * One row of the table: edgellm's measurement, its peak memory and, when asked, llama.cpp's.
     *
     * @param row     edgellm's row
     * @param peakRss peak resident set size after the row, bytes (-1 unknown)
     * @param peer    llama-batched-bench's jsonl fields for the same (PP, TG, B), or null
     */
    public record Result(BatchedBench.Row row, long peakRss, Map<String, Double> peer) {
    }

    /** Runs llama-batched-bench for one configuration and reads its jsonl line. */
    private Map<String, Double> peer(int pp, int tg, int b, int ctx, int t, PrintWriter err) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(llama.toString(), "-m", model.toString(), "-c", String.valueOf(ctx),
                "-b", String.valueOf(nBatch), "-ub", String.valueOf(nUbatch), "-npp", String.valueOf(pp),
                "-ntg", String.valueOf(tg), "-npl", String.valueOf(b), "-t", String.valueOf(t),
                "--output-format", "jsonl", "-fa", "off"));
        if (pps) cmd.add("-pps");
        if (!cacheType.equalsIgnoreCase("f16")) cmd.addAll(List.of("-ctk", cacheType, "-ctv", cacheType));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Map<String, Double> found = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                Map<String, Double> m = parseJsonl(line);
                if (m != null) found = m;
            }
        }
        int rc = p.waitFor();
        if (rc != 0 || found == null) {
            err.println("batched-bench: llama-batched-bench exited with " + rc + (found == null ? " and printed no result" : ""));
        }
        return found;
    }

    /**
     * Parses one jsonl result line of llama-batched-bench ({@code {"pp": .., "speed_tg": .., ...}}).
     *
     * @param line a line of its stdout
     * @return the numeric fields, or null when the line is not a result
     */
    static Map<String, Double> parseJsonl(String line) {
        line = line.strip();
        if (!line.startsWith("{") || !line.contains("\"speed_tg\"")) return null;
        try {
            JsonNode n = new ObjectMapper().readTree(line);
            Map<String, Double> m = new LinkedHashMap<>();
            n.fields().forEachRemaining(e -> {
                if (e.getValue().isNumber()) m.put(e.getKey(), e.getValue().asDouble());
            });
            return m;
        } catch (Exception e) {
            return null;
        }
    }

    private void plot(List<Result> results, PrintWriter err) throws Exception {
        Files.createDirectories(plotDir);
        XYChart tg = new XYChartBuilder().width(800).height(500).title("Aggregate decode speed (S_TG) vs B: " + model.getFileName())
                .xAxisTitle("B (parallel sequences)").yAxisTitle("S_TG, tokens/s").build();
        XYChart j = new XYChartBuilder().width(800).height(500).title("Decode energy per token vs B: " + model.getFileName())
                .xAxisTitle("B (parallel sequences)").yAxisTitle("J/token").build();
        Map<String, List<Result>> series = new LinkedHashMap<>();
        for (Result r : results) series.computeIfAbsent("PP " + r.row().pp() + " TG " + r.row().tg(), k -> new ArrayList<>()).add(r);
        boolean energy = false;
        for (Map.Entry<String, List<Result>> e : series.entrySet()) {
            double[] x = e.getValue().stream().mapToDouble(r -> r.row().b()).toArray();
            tg.addSeries("edgellm " + e.getKey(), x, e.getValue().stream().mapToDouble(r -> r.row().sTg()).toArray());
            if (e.getValue().stream().allMatch(r -> r.peer() != null && r.peer().containsKey("speed_tg"))) {
                tg.addSeries("llama.cpp " + e.getKey(), x, e.getValue().stream().mapToDouble(r -> r.peer().get("speed_tg")).toArray());
            }
            double[] jt = e.getValue().stream().mapToDouble(r -> r.row().jPerTokenTg()).toArray();
            if (java.util.Arrays.stream(jt).noneMatch(Double::isNaN)) {
                j.addSeries(e.getKey(), x, jt);
                energy = true;
            }
        }
        Path a = plotDir.resolve("batched-s_tg.png");
        BitmapEncoder.saveBitmap(tg, a.toString(), BitmapEncoder.BitmapFormat.PNG);
        err.println("wrote " + a);
        if (energy) {
            Path b = plotDir.resolve("batched-j_per_token.png");
            BitmapEncoder.saveBitmap(j, b.toString(), BitmapEncoder.BitmapFormat.PNG);
            err.println("wrote " + b);
        } else {
            err.println("no J/token chart: power: none");
        }
    }
}
