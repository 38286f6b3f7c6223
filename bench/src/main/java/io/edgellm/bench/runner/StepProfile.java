package io.edgellm.bench.runner;

import io.edgellm.SamplingParams;
import io.edgellm.engine.Sampler;
import io.edgellm.quant.kernel.KernelProfile;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * {@code edgellm bench --profile}: where the time of one decode step and one prefill chunk goes, per operation.
 *
 * <p>For each model and thread count: a warm-up (the pp and tg tests run untimed until the JIT has compiled them),
 * then with {@link KernelProfile} recording: one prefill chunk of {@code -p} tokens after {@code -d} cached tokens,
 * and {@code -n} decode steps (reported per step). Each {@code MatMul} call is attributed to its weight type and shape
 * (activation rounding, kernel, pool wake-up/join and load imbalance); sections the forward pass times itself through
 * {@link KernelProfile#end(String, long)} get their own rows; what is left of the step's wall time is the rest of the
 * forward pass (attention, norms, RoPE, residuals, embedding lookup), one row until the forward pass names its parts.
 * Sampling is not part of the bench's forward pass; its row times the engine's {@link Sampler} (llama.cpp's default
 * chain and greedy) on the vocabulary-sized logits of the last step, separately.
 *
 * <p>Cost of the recording itself: two {@code System.nanoTime()} calls per worker per matmul and a few per call
 * (about 100 ns per matmul, 0.1 % of a 1B model's decode step).
 */
public final class StepProfile {

    private final BenchConfig config;
    private final BenchRunner.TargetFactory factory;
    private final PrintWriter log;

    /**
     * @param config  models, threads, the first of {@code nPrompt}, {@code nGen} and {@code depths} are used
     * @param factory opens the model
     * @param log     progress (stderr), or null
     */
    public StepProfile(BenchConfig config, BenchRunner.TargetFactory factory, PrintWriter log) {
        this.config = config;
        this.factory = factory;
        this.log = log;
    }

    /** Runs the profile of every model and thread count and returns the markdown report. */
    public String run() throws IOException {
        int nPrompt = config.nPrompt().get(0), nGen = config.nGen().get(0), depth = config.depths().get(0);
        StringBuilder sb = new StringBuilder();
        for (Path model : config.models()) {
            ModelInfo info = ModelInfo.read(model);
            for (int threads : config.threads()) {
                try (BenchTarget target = factory.open(model, threads, depth + Math.max(nPrompt, nGen) + 1)) {
                    Random rnd = new Random(config.seed());
                    progress("%s t=%d: warm-up", info.label(), threads);
                    long start = System.nanoTime();
                    for (int i = 0; i < 10 && (i < 2 || System.nanoTime() - start < 2 * BenchRunner.WARMUP_NANOS); i++) {
                        if (nPrompt > 0) {
                            prefill(target, depth, nPrompt, rnd);
                        }
                        if (nGen > 0) {
                            decode(target, depth, nGen, rnd);
                        }
                    }
                    if (nPrompt > 0) {
                        progress("%s t=%d: profiling pp%d", info.label(), threads, nPrompt);
                        KernelProfile.reset();
                        KernelProfile.enable(true);
                        long wall;
                        try {
                            wall = prefill(target, depth, nPrompt, rnd);
                        } finally {
                            KernelProfile.enable(false);
                        }
                        table(sb, String.format(Locale.ROOT, "%s, %d threads: one prefill chunk of %d tokens%s",
                                info.label(), threads, nPrompt, depth > 0 ? " at depth " + depth : ""),
                                KernelProfile.snapshot(), wall, 1, nPrompt, -1);
                    }
                    if (nGen > 0) {
                        progress("%s t=%d: profiling tg%d", info.label(), threads, nGen);
                        KernelProfile.reset();
                        KernelProfile.enable(true);
                        long wall;
                        try {
                            wall = decode(target, depth, nGen, rnd);
                        } finally {
                            KernelProfile.enable(false);
                        }
                        long sampling = samplingNanos(target.vocabSize(), rnd);
                        table(sb, String.format(Locale.ROOT, "%s, %d threads: one decode step (mean of %d steps%s)",
                                info.label(), threads, nGen, depth > 0 ? " after depth " + depth : ""),
                                KernelProfile.snapshot(), wall, nGen, 1, sampling);
                    }
                }
            }
        }
        return sb.toString();
    }

    private static long prefill(BenchTarget target, int depth, int n, Random rnd) {
        boolean on = KernelProfile.enabled();
        KernelProfile.enable(false);      // the depth refill is not part of the profile
        target.reset();
        if (depth > 0) {
            target.evaluate(BenchRunner.randomTokens(rnd, target.vocabSize(), depth));
        }
        int[] p = BenchRunner.randomTokens(rnd, target.vocabSize(), n);
        KernelProfile.enable(on);
        long t0 = System.nanoTime();
        target.evaluate(p);
        return System.nanoTime() - t0;
    }

    private static long decode(BenchTarget target, int depth, int n, Random rnd) {
        boolean on = KernelProfile.enabled();
        KernelProfile.enable(false);
        target.reset();
        if (depth > 0) {
            target.evaluate(BenchRunner.randomTokens(rnd, target.vocabSize(), depth));
        }
        KernelProfile.enable(on);
        int[] one = new int[1];
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            one[0] = rnd.nextInt(target.vocabSize());
            target.evaluate(one);
        }
        return System.nanoTime() - t0;
    }

    /** Nanoseconds of one {@link Sampler#sample} with llama.cpp's default chain, on random logits (mean of 200). */
    static long samplingNanos(int vocab, Random rnd) {
        float[] logits = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            logits[i] = (float) rnd.nextGaussian() * 3f;
        }
        Sampler s = new Sampler(SamplingParams.defaults(), vocab, new int[0], 4096);
        int sink = 0;
        for (int i = 0; i < 200; i++) {           // warm-up
            sink += s.sample(logits, 0);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            sink += s.sample(logits, 0);
        }
        long t = (System.nanoTime() - t0) / 200;
        return sink == Integer.MIN_VALUE ? t + 1 : t;
    }

    private static void table(StringBuilder sb, String title, KernelProfile.Snapshot snap, long wallNanos, int steps,
                              int tokens, long samplingNanos) {
        double stepMs = wallNanos / 1e6 / steps;
        sb.append("### ").append(title).append(String.format(Locale.ROOT, ": %.2f ms (%.2f t/s)%n%n", stepMs,
                tokens * 1e3 / stepMs));
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"operation", "shape (rows × cols)", "path", "calls", "ms", "share", "weights GB/s",
                "GFLOP/s", "act. rounding ms", "pool wake/join ms", "imbalance ms"});
        long matmul = 0;
        for (KernelProfile.MatMulShape m : snap.matmuls()) {
            matmul += m.wallNanos();
            rows.add(new String[] {"matmul " + m.type(), m.rows() + " × " + m.cols() + (m.batch() > 1 ? " · " + m.batch() : ""),
                    m.tiles() ? "tile" : m.batch() > 1 ? "fused batch" : "fused", num(m.calls() / (double) steps, 1),
                    ms(m.wallNanos(), steps), pct(m.wallNanos(), wallNanos), num(m.gbPerSecond(), 1), num(m.gflops(), 1),
                    ms(m.roundNanos(), steps), ms(m.threadingNanos(), steps), ms(m.imbalanceNanos(), steps)});
        }
        rows.add(new String[] {"**matmul, all**", "", "", "", ms(matmul, steps), pct(matmul, wallNanos), "", "", "", "", ""});
        long named = 0;
        for (KernelProfile.SectionTime s : snap.sections()) {
            named += s.nanos();
            rows.add(new String[] {s.name(), "", "", num(s.calls() / (double) steps, 1), ms(s.nanos(), steps),
                    pct(s.nanos(), wallNanos), "", "", "", "", ""});
        }
        long rest = wallNanos - matmul - named;
        rows.add(new String[] {snap.sections().isEmpty() ? "rest of the forward pass (attention, norms, RoPE, residuals, embedding)"
                : "rest of the forward pass", "", "", "", ms(rest, steps), pct(rest, wallNanos), "", "", "", "", ""});
        if (samplingNanos >= 0) {
            rows.add(new String[] {"sampling (default chain, separate)", "vocab", "", "1", ms(samplingNanos, 1),
                    pct(samplingNanos, wallNanos / steps), "", "", "", "", ""});
        }
        int cols = rows.get(0).length;
        for (int i = 0; i < rows.size(); i++) {
            sb.append("| ").append(String.join(" | ", rows.get(i))).append(" |\n");
            if (i == 0) {
                sb.append("|---|---|---|").append("---:|".repeat(cols - 3)).append('\n');
            }
        }
        sb.append('\n');
    }

    private static String ms(long nanos, int steps) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6 / steps);
    }

    private static String pct(long part, long whole) {
        return String.format(Locale.ROOT, "%.1f %%", 100.0 * part / whole);
    }

    private static String num(double v, int decimals) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : "-";
    }

    private void progress(String fmt, Object... args) {
        if (log != null) {
            log.println(String.format(Locale.ROOT, fmt, args));
            log.flush();
        }
    }
}
