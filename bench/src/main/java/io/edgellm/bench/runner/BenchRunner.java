package io.edgellm.bench.runner;

import io.edgellm.bench.energy.EnergyMeter;
import io.edgellm.bench.energy.EnergyMeters;
import io.edgellm.bench.energy.EnergyResult;
import io.edgellm.bench.thermal.ThermalMonitor;
import io.edgellm.bench.thermal.ThermalResult;
import io.edgellm.bench.thermal.ThrottleFlags;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Runs a {@link BenchConfig} the way llama-bench does and returns one {@link BenchRow} per test.
 *
 * <pre>
 * for each model, thread count, n_seq, depth:
 *   pp N test (n_seq 1 only):  warm-up (untimed, ≥ 0.5 s) | per repetition: reset KV, prefill `depth` random tokens (untimed),
 *                                    [timed + energy window] evaluate N random tokens in n_batch chunks
 *   tg N test:  warm-up (untimed, ≥ 0.5 s) | per repetition: reset KV, prefill `depth` (untimed),
 *                                    [timed + energy window] N single-token decode steps
 *   tg N test at n_seq S &gt; 1: per repetition: prefill `depth` (at least 1) random tokens once as the shared prompt
 *                                    (untimed), [timed] N decode steps of S tokens (one per sequence) in one batch
 *                                    each; t/s = S × N / decode time (aggregate), avg_ts_per_seq = that / S
 * </pre>
 * Token ids are random (no tokenizer) and the logits are not sampled (no argmax): only the forward pass is timed.
 * t/s per repetition = tokens / seconds; rows report mean ± sample standard deviation, like llama-bench.
 */
public final class BenchRunner {

    /** Opens a model for benchmarking (the engine in production, fakes in tests). */
    @FunctionalInterface
    public interface TargetFactory {
        /**
         * @param model   GGUF file
         * @param threads worker threads
         * @param nCtx    context size to allocate (depth + longest test)
         */
        BenchTarget open(Path model, int threads, int nCtx) throws IOException;
    }

    /** Minimum untimed warm-up per test (JIT compilation), nanoseconds. */
    static final long WARMUP_NANOS = 500_000_000L;

    private final BenchConfig config;
    private final TargetFactory factory;
    private final EnergyMeter meter;
    private final PrintWriter log;
    private final String backend;
    private final ThermalMonitor thermal;
    private String reasoningPrompt;
    private int reasoningBudget = -1;

    /**
     * A runner without thermal sensors.
     *
     * @param meter   energy meter ({@link EnergyMeters#detect()}; {@link EnergyMeter#none(String)} for none)
     * @param log     progress messages (stderr), or null
     * @param backend the backend column ("CPU" in llama-bench; here e.g. "JVM Vector API")
     */
    public BenchRunner(BenchConfig config, TargetFactory factory, EnergyMeter meter, PrintWriter log, String backend) {
        this(config, factory, meter, ThermalMonitor.none(), log, backend);
    }

    /**
     * @param meter   energy meter ({@link EnergyMeters#detect()}; {@link EnergyMeter#none(String)} for none)
     * @param thermal temperatures, clocks and throttle flags sampled during every timed window
     * @param log     progress messages (stderr), or null
     * @param backend the backend column
     */
    public BenchRunner(BenchConfig config, TargetFactory factory, EnergyMeter meter, ThermalMonitor thermal,
                       PrintWriter log, String backend) {
        this.thermal = thermal;
        this.config = config;
        this.factory = factory;
        this.meter = meter;
        this.log = log;
        this.backend = backend;
    }

    /**
     * Adds a {@code think} test per model, thread count and generation length: the user message {@code prompt} through
     * the model's chat template and a {@link io.edgellm.chat.ChatSession} (greedy, at most n_gen tokens, optionally
     * budget-forced), timed per repetition; its row fills {@code n_think}, {@code n_answer} and {@code ttfat_ms}
     * (see {@link BenchRow}), {@code ttft_ms} (first token overall) and t/s over the tokens actually decoded.
     *
     * @param prompt the user message
     * @param budget {@code --reasoning-budget} (-1: none)
     * @return this runner
     */
    public BenchRunner reasoning(String prompt, int budget) {
        this.reasoningPrompt = prompt;
        this.reasoningBudget = budget;
        return this;
    }

    /** Runs every test. */
    public List<BenchRow> run() throws IOException {
        SystemIdentity id = SystemIdentity.current();
        double idleW = Double.NaN;
        if (meter.available() && !config.idle().isZero()) {
            progress("measuring idle power for %.1f s ...", config.idle().toMillis() / 1000.0);
            idleW = EnergyMeters.idleWatts(meter, config.idle());
        }
        List<BenchRow> rows = new ArrayList<>();
        int maxDepth = max(config.depths());
        int maxTest = Math.max(max(config.nPrompt()), max(config.nGen()));
        for (Path model : config.models()) {
            ModelInfo info = ModelInfo.read(model);
            // n_seq sequences each hold n_gen + 1 cells beside the shared prompt
            int nCtx = Math.max(maxDepth + maxTest + 1, Math.max(1, maxDepth) + max(config.nSeq()) * (max(config.nGen()) + 1) + 1);
            for (int threads : config.threads()) {
                try (BenchTarget target = factory.open(model, threads, nCtx)) {
                    for (int nSeq : config.nSeq()) {
                        for (int depth : config.depths()) {
                            for (int p : config.nPrompt()) {   // the prompt is shared: pp only at n_seq 1
                                if (p > 0 && nSeq == 1) rows.add(test(id, info, target, threads, nSeq, p, 0, depth, idleW,
                                        config.repetitions(), config.warmup()));
                            }
                            for (int n : config.nGen()) {
                                if (n > 0) rows.add(test(id, info, target, threads, nSeq, 0, n, depth, idleW,
                                        config.repetitions(), config.warmup()));
                            }
                        }
                    }
                }
                if (reasoningPrompt != null) {
                    for (int n : config.nGen()) {
                        if (n > 0) rows.add(thinkTest(id, info, model, threads, n, idleW));
                    }
                }
            }
        }
        return rows;
    }

    /** One {@code think} test (see {@link #reasoning}); loads the model again, after the pp/tg target is closed. */
    BenchRow thinkTest(SystemIdentity id, ModelInfo info, Path modelPath, int threads, int nGen, double idleW)
            throws IOException {
        String name = "think" + nGen + (reasoningBudget >= 0 ? " (budget " + reasoningBudget + ")" : "");
        try (io.edgellm.Model m = io.edgellm.Model.load(modelPath)) {
            io.edgellm.chat.ChatTemplate t = io.edgellm.chat.ChatTemplate.fromModel(m).orElseThrow(
                    () -> new IllegalArgumentException(modelPath + ": no chat template (tokenizer.chat_template); "
                            + "--reasoning needs one"));
            io.edgellm.chat.ChatOptions o = io.edgellm.chat.ChatOptions.defaults().withReasoningBudget(reasoningBudget);
            List<io.edgellm.chat.ChatMessage> conv = List.of(io.edgellm.chat.ChatMessage.user(reasoningPrompt));
            io.edgellm.SamplingParams sp = io.edgellm.SamplingParams.greedy().withMaxNewTokens(nGen);
            int nCtx = Math.max(1, Math.min(m.config().contextLength(), nGen + 1024));
            try (io.edgellm.Session s = m.newSession(io.edgellm.SessionOptions.defaults().withContextLength(nCtx)
                    .withThreads(threads))) {
                if (config.warmup()) {
                    progress("%s %s t=%d: warm-up", info.label(), name, threads);
                    new io.edgellm.chat.ChatSession(s, t, o).chat(conv, sp, null);
                }
                int reps = config.repetitions();
                double[] seconds = new double[reps], ttft = new double[reps];
                double think = 0, answer = 0, ttfat = 0;
                int answered = 0;
                List<Double> perTokenMs = new ArrayList<>();
                List<EnergyResult> energy = new ArrayList<>();
                List<ThermalResult> heat = new ArrayList<>();
                for (int r = 0; r < reps; r++) {
                    s.reset();
                    io.edgellm.chat.ChatSession cs = new io.edgellm.chat.ChatSession(s, t, o);
                    ThermalMonitor.Window tw = thermal.start();
                    EnergyMeter.Window w = meter.start();
                    io.edgellm.chat.ChatResult c = cs.chat(conv, sp, null);
                    energy.add(w.stop());
                    heat.add(tw.stop());
                    io.edgellm.ReasoningTimings rt = c.reasoningTimings();
                    int nEval = c.timings().evalTokens();
                    double evalS = c.timings().evalMs() / 1000;
                    // row() reports nGen / seconds: scale so that it is the t/s of the tokens actually decoded
                    seconds[r] = nEval > 0 ? evalS * nGen / nEval : Double.NaN;
                    if (nEval > 0) perTokenMs.add(c.timings().evalMs() / nEval);
                    ttft[r] = rt.firstTokenMs();
                    think += rt.thinkTokens();
                    answer += rt.answerTokens();
                    if (rt.firstAnswerMs() >= 0) {
                        ttfat += rt.firstAnswerMs();
                        answered++;
                    }
                    progress("%s %s t=%d: rep %d/%d: %d think, %d answer tokens, TTFT %.2f ms, TTFAT %.2f ms",
                            info.label(), name, threads, r + 1, reps, rt.thinkTokens(), rt.answerTokens(),
                            rt.firstTokenMs(), rt.firstAnswerMs());
                }
                return row(id, info, s.kvCacheBytes(), threads, 1, 0, nGen, 0, name, seconds, perTokenMs, ttft,
                        energy, heat, idleW, "").withReasoning(think / reps, answer / reps,
                        answered > 0 ? ttfat / answered : Double.NaN);
            }
        }
    }

    private static int max(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    /** llama-bench's test name: {@code pp512}, {@code tg128}, {@code pp512 @ d1024}. */
    public static String testName(int nPrompt, int nGen, int depth) {
        String base = nPrompt > 0 ? "pp" + nPrompt : "tg" + nGen;
        return depth > 0 ? base + " @ d" + depth : base;
    }

    /**
     * One test ({@code nPrompt > 0}: pp, else tg) on an open target, {@code repetitions} timed runs, with or without
     * the warm-up; the side-by-side runner calls it once per round.
     */
    BenchRow test(SystemIdentity id, ModelInfo info, BenchTarget target, int threads, int nSeq, int nPrompt,
                  int nGen, int depth, double idleW, int repetitions, boolean warmup) {
        String name = testName(nPrompt, nGen, depth) + (nSeq != 1 ? " (n_seq " + nSeq + ")" : "");
        boolean prefill = nPrompt > 0;
        int tokens = prefill ? nPrompt : nGen;
        Random rnd = new Random(config.seed() ^ (31L * nPrompt + 17L * nGen + depth));
        if (nSeq != 1) {
            if (prefill) throw new IllegalArgumentException("n_seq > 1 applies to tg tests only");
            return parallelTest(id, info, target, threads, nSeq, nGen, depth, name, idleW, repetitions, warmup, rnd);
        }
        if (warmup) {
            // llama-bench runs one untimed warm-up; a JVM also needs the JIT to compile the hot loops, so repeat the
            // whole test (untimed) until at least WARMUP_NANOS have passed: one run for large models, thousands for tiny
            // ones (whose runs take microseconds and would otherwise be timed before the JIT has compiled them).
            progress("%s %s t=%d: warm-up", info.label(), name, threads);
            long start = System.nanoTime();
            for (int i = 0; i < 10_000 && (i == 0 || System.nanoTime() - start < WARMUP_NANOS); i++) {
                prepare(target, depth, rnd);
                if (prefill) {
                    evaluateChunked(target, randomTokens(rnd, target.vocabSize(), nPrompt));
                } else {
                    int[] one = new int[1];
                    for (int k = 0; k < nGen; k++) {
                        one[0] = rnd.nextInt(target.vocabSize());
                        target.evaluate(one);
                    }
                }
            }
        }
        double[] seconds = new double[repetitions];
        double[] firstTokenMs = new double[repetitions];
        List<Double> perTokenMs = new ArrayList<>();
        List<EnergyResult> energy = new ArrayList<>();
        List<ThermalResult> heat = new ArrayList<>();
        for (int r = 0; r < repetitions; r++) {
            prepare(target, depth, rnd);
            if (prefill) {
                int[] prompt = randomTokens(rnd, target.vocabSize(), nPrompt);
                ThermalMonitor.Window tw = thermal.start();
                EnergyMeter.Window w = meter.start();
                long t0 = System.nanoTime();
                evaluateChunked(target, prompt);
                long t1 = System.nanoTime();
                energy.add(w.stop());
                heat.add(tw.stop());
                seconds[r] = (t1 - t0) / 1e9;
                firstTokenMs[r] = (t1 - t0) / 1e6;             // the prompt's logits give the first token
                perTokenMs.add((t1 - t0) / 1e6 / nPrompt);
            } else {
                int[] ids = randomTokens(rnd, target.vocabSize(), nGen);
                int[] one = new int[1];
                ThermalMonitor.Window tw = thermal.start();
                EnergyMeter.Window w = meter.start();
                long t0 = System.nanoTime(), prev = t0;
                for (int i = 0; i < nGen; i++) {
                    one[0] = ids[i];
                    target.evaluate(one);
                    long now = System.nanoTime();
                    perTokenMs.add((now - prev) / 1e6);
                    prev = now;
                }
                energy.add(w.stop());
                heat.add(tw.stop());
                seconds[r] = (prev - t0) / 1e9;
                firstTokenMs[r] = perTokenMs.get(perTokenMs.size() - nGen);
            }
            progress("%s %s t=%d: rep %d/%d %.2f t/s", info.label(), name, threads, r + 1, repetitions,
                    tokens / seconds[r]);
        }
        return row(id, info, target.kvCacheBytes(), threads, nSeq, nPrompt, nGen, depth, name, seconds, perTokenMs, firstTokenMs,
                energy, heat, idleW, "");
    }

    /**
     * tg at n_seq > 1: the depth's random tokens (at least one) are the shared prompt, then n_gen decode steps of all
     * sequences in one batch each; t/s is the aggregate (all sequences' tokens / decode wall time).
     */
    private BenchRow parallelTest(SystemIdentity id, ModelInfo info, BenchTarget target, int threads, int nSeq, int nGen,
                                  int depth, String name, double idleW, int repetitions, boolean warmup, Random rnd) {
        int[] prompt = randomTokens(rnd, target.vocabSize(), Math.max(1, depth));
        try {
            if (warmup) {
                progress("%s %s t=%d: warm-up", info.label(), name, threads);
                long start = System.nanoTime();
                for (int i = 0; i < 1000 && (i == 0 || System.nanoTime() - start < WARMUP_NANOS); i++) {
                    target.decodeParallel(prompt, nSeq, nGen);
                }
            }
        } catch (UnsupportedOperationException e) {
            return row(id, info, target.kvCacheBytes(), threads, nSeq, 0, nGen, depth, name, new double[0], List.of(),
                    new double[0], List.of(), List.of(), idleW, "n_seq > 1 (multi-sequence decode): not supported by this target");
        }
        double[] seconds = new double[repetitions];
        List<Double> perStepMs = new ArrayList<>();
        List<EnergyResult> energy = new ArrayList<>();
        List<ThermalResult> heat = new ArrayList<>();
        String note = "";
        for (int r = 0; r < repetitions; r++) {
            ThermalMonitor.Window tw = thermal.start();
            EnergyMeter.Window w = meter.start();
            BenchTarget.ParallelDecode d;
            try {
                d = target.decodeParallel(prompt, nSeq, nGen);
            } catch (UnsupportedOperationException e) {
                return row(id, info, target.kvCacheBytes(), threads, nSeq, 0, nGen, depth, name, new double[0],
                        List.of(), new double[0], List.of(), List.of(), idleW,
                        "n_seq > 1 (multi-sequence decode): not supported by this target");
            }
            energy.add(w.stop());
            heat.add(tw.stop());
            if (d.tokens() != nSeq * nGen) note = "decoded " + d.tokens() + " tokens, not n_seq × n_gen (context full)";
            // row() reports n_seq × n_gen / seconds: scale so that it is the t/s of the tokens actually decoded
            seconds[r] = d.tokens() > 0 ? d.seconds() * nSeq * nGen / d.tokens() : Double.NaN;
            perStepMs.add(d.seconds() * 1000 / Math.max(1, nGen));
            progress("%s %s t=%d: rep %d/%d %.2f t/s aggregate", info.label(), name, threads, r + 1, repetitions,
                    d.tokens() / d.seconds());
        }
        // ms/token p50/p95 here are per decode step (one token of every sequence); TTFT does not apply
        double[] ttft = new double[repetitions];
        Arrays.fill(ttft, Double.NaN);
        return row(id, info, target.kvCacheBytes(), threads, nSeq, 0, nGen, depth, name, seconds, perStepMs, ttft,
                energy, heat, idleW, note);
    }

    private BenchRow row(SystemIdentity id, ModelInfo info, long kvBytes, int threads, int nSeq, int nPrompt,
                         int nGen, int depth, String name, double[] seconds, List<Double> perTokenMs,
                         double[] firstTokenMs, List<EnergyResult> energy, List<ThermalResult> heat, double idleW,
                         String note) {
        ThermalResult th = ThermalResult.combine(heat);
        int tokens = nPrompt > 0 ? nPrompt : nGen * nSeq;   // decode: all sequences' tokens (aggregate t/s)
        double[] ts = Arrays.stream(seconds).map(s -> tokens / s).toArray();
        double[] ns = Arrays.stream(seconds).map(s -> s * 1e9).toArray();
        // Energy: sum over repetitions, then per token; average W = joules / seconds of the windows.
        double joules = 0, windowSeconds = 0, aboveIdle = 0;
        boolean power = !energy.isEmpty() && energy.stream().allMatch(EnergyResult::available);
        for (EnergyResult e : energy) {
            joules += e.joules();
            windowSeconds += e.seconds();
            aboveIdle += e.aboveIdleJoules(idleW);
        }
        int totalTokens = tokens * energy.size();
        double watts = power ? joules / windowSeconds : Double.NaN;
        double jPerToken = power ? joules / totalTokens : Double.NaN;
        double aboveIdlePerToken = power ? aboveIdle / totalTokens : Double.NaN;
        boolean prefill = nPrompt > 0;
        List<String> warnings = energy.stream().flatMap(e -> e.warnings().stream()).distinct().toList();
        String fullNote = note + (warnings.isEmpty() ? "" : (note.isEmpty() ? "" : "; ") + String.join("; ", warnings));
        return new BenchRow(info.label(), info.path().toString(), info.mainType().name(), info.typeSummary(),
                info.fileBytes(), info.parameters(), backend, threads, config.nBatch(), nSeq, nPrompt, nGen, depth,
                name, seconds.length, Stats.mean(ns), Stats.stddev(ns), Stats.mean(ts), Stats.stddev(ts),
                Arrays.stream(ts).boxed().toList(), Stats.mean(firstTokenMs),
                Stats.percentile(perTokenMs, 50), Stats.percentile(perTokenMs, 95),
                prefill ? watts : Double.NaN, prefill ? jPerToken : Double.NaN,
                prefill ? Double.NaN : watts, prefill ? Double.NaN : jPerToken, aboveIdlePerToken, idleW,
                meter.description(), SystemIdentity.peakRssBytes(), kvBytes, id.cpu(),
                id.coresAvailable(), id.jdk(), id.vectorBits(), id.vectorSpecies(), fullNote,
                th.maxTempC(), th.meanClockFrac(), th.minClockFrac(), th.throttleBits() < 0 ? null
                        : ThrottleFlags.describe(th.throttleBits()), Double.NaN, Double.NaN, null,
                SystemIdentity.rssFileBytes(), Runtime.getRuntime().totalMemory(), offHeap(), Double.NaN, Double.NaN,
                Double.NaN, prefill ? Double.NaN : Stats.mean(ts) / nSeq);
    }

    /** {@code RssAnon} minus the committed heap (at least 0), or -1 when unknown. */
    private static long offHeap() {
        long anon = SystemIdentity.rssAnonBytes();
        return anon < 0 ? -1 : Math.max(0, anon - Runtime.getRuntime().totalMemory());
    }

    /** Reset the KV cache and fill it to {@code depth} with random tokens (untimed). */
    private void prepare(BenchTarget target, int depth, Random rnd) {
        target.reset();
        if (depth > 0) {
            evaluateChunked(target, randomTokens(rnd, target.vocabSize(), depth));
        }
    }

    private void evaluateChunked(BenchTarget target, int[] tokens) {
        int b = config.nBatch();
        if (tokens.length <= b) {
            target.evaluate(tokens);
            return;
        }
        for (int i = 0; i < tokens.length; i += b) {
            target.evaluate(Arrays.copyOfRange(tokens, i, Math.min(tokens.length, i + b)));
        }
    }

    static int[] randomTokens(Random rnd, int vocab, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = rnd.nextInt(vocab);
        }
        return t;
    }

    private void progress(String fmt, Object... args) {
        if (log != null) {
            log.println(String.format(Locale.ROOT, fmt, args));
            log.flush();
        }
    }
}
