package io.edgellm.bench.accuracy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;

/**
 * KL divergence of a model against stored base log-probabilities, as llama.cpp's
 * {@code llama-perplexity --kl-divergence} computes and prints it.
 *
 * <p>The chunks of the {@link KldBaseFile} are re-evaluated (first token replaced by BOS, second half scored, as in
 * {@link Perplexity}) and, per scored position, with the model's log-probabilities {@code log q} and the decoded base
 * row {@code log p}: {@code nll = -log q[t]}, {@code nll_base = -log p[t]}, {@code Δp = q[t] - p[t]},
 * {@code KLD = Σ_{i: log p[i] > -16} p[i]·(log p[i] - log q[i])} (KL(base ‖ model)), and "same top" when both argmaxes
 * agree. The summary has PPL(Q), PPL(base) (from the 16-bit base rows, so slightly below the base model's own
 * perplexity), their correlation, ratio, ln ratio and difference with uncertainties, KLD mean and percentiles, Δp
 * statistics, RMS Δp and the same-top fraction. Uncertainties are llama.cpp's: {@code sqrt((mean(x²) - mean²)/(n-1))}
 * (0 when {@code n ≤ 10}).
 */
public final class KlDivergence {

    /** A value and its uncertainty (llama.cpp's {@code ±}). */
    public record Estimate(double value, double uncertainty) {
    }

    /**
     * The running values printed after each chunk.
     *
     * @param chunk   1-based chunk number
     * @param ppl     PPL(Q) so far
     * @param lnRatio ln(PPL(Q)/PPL(base)) so far
     * @param kld     mean KLD so far
     * @param dpRms   RMS Δp so far (fraction, printed in %)
     * @param sameTop same-top fraction so far (printed in %)
     */
    public record Running(int chunk, Estimate ppl, Estimate lnRatio, Estimate kld, Estimate dpRms, Estimate sameTop) {
        /** The header line of llama.cpp's per-chunk table. */
        public static final String HEADER =
                "chunk             PPL               ln(PPL(Q)/PPL(base))          KL Divergence              Δp RMS            Same top p";

        /**
         * One row of the table, formatted as llama.cpp prints it.
         *
         * @return the row without a line break
         */
        public String format() {
            return String.format(Locale.ROOT, "%4d    %9.4f ± %9.4f    %10.5f ± %10.5f    %10.5f ± %10.5f    %6.3f ± %6.3f %%    %6.3f ± %6.3f %%",
                    chunk, ppl.value, ppl.uncertainty, lnRatio.value, lnRatio.uncertainty, kld.value, kld.uncertainty,
                    100 * dpRms.value, 100 * dpRms.uncertainty, 100 * sameTop.value, 100 * sameTop.uncertainty);
        }
    }

    /**
     * The summary of a run (llama.cpp's three blocks: perplexity, KL divergence and token probability statistics).
     * Probability differences are fractions ({@link #format} prints them in %).
     *
     * @param count         scored tokens
     * @param pplQ          Mean PPL(Q)
     * @param pplBase       Mean PPL(base)
     * @param corLnPpl      Cor(ln(PPL(Q)), ln(PPL(base))), fraction
     * @param lnRatio       Mean ln(PPL(Q)/PPL(base))
     * @param pplRatio      Mean PPL(Q)/PPL(base)
     * @param pplDiff       Mean PPL(Q)-PPL(base)
     * @param kldMean       Mean KLD
     * @param kldPercentile KLD at the {@link #PERCENTILES} (the 0.5 entry is the median), then maximum and minimum
     * @param dpMean        Mean Δp
     * @param dpPercentile  Δp at the {@link #DP_PERCENTILES} (0.5 = median), then maximum and minimum
     * @param dpRms         RMS Δp
     * @param sameTop       Same top p
     */
    public record Stats(int count, Estimate pplQ, Estimate pplBase, double corLnPpl, Estimate lnRatio, Estimate pplRatio,
                        Estimate pplDiff, Estimate kldMean, double[] kldPercentile, Estimate dpMean,
                        double[] dpPercentile, Estimate dpRms, Estimate sameTop) {

        /** KLD percentiles llama.cpp prints, in its order. */
        public static final double[] PERCENTILES = {0.999, 0.99, 0.95, 0.90, 0.5, 0.10, 0.05, 0.01, 0.001};
        /** Δp percentiles llama.cpp prints, in its order. */
        public static final double[] DP_PERCENTILES = {0.999, 0.99, 0.95, 0.90, 0.75, 0.5, 0.25, 0.10, 0.05, 0.01, 0.001};

        /**
         * KLD at a printed percentile.
         *
         * @param fraction one of {@link #PERCENTILES}, or 1 (maximum), 0 (minimum)
         * @return the value
         */
        public double kld(double fraction) {
            return pick(kldPercentile, PERCENTILES, fraction);
        }

        /**
         * Δp (fraction) at a printed percentile.
         *
         * @param fraction one of {@link #DP_PERCENTILES}, or 1 (maximum), 0 (minimum)
         * @return the value
         */
        public double dp(double fraction) {
            return pick(dpPercentile, DP_PERCENTILES, fraction);
        }

        private static double pick(double[] v, double[] at, double f) {
            if (f == 1) return v[at.length];
            if (f == 0) return v[at.length + 1];
            for (int i = 0; i < at.length; i++) if (at[i] == f) return v[i];
            throw new IllegalArgumentException("not a printed percentile: " + f);
        }

        /**
         * The summary as llama-perplexity prints it.
         *
         * @return lines separated by {@code \n}
         */
        public String format() {
            StringBuilder sb = new StringBuilder();
            sb.append("====== Perplexity statistics ======\n");
            sb.append(f("Mean PPL(Q)                   : %10.6f ± %10.6f\n", pplQ.value, pplQ.uncertainty));
            sb.append(f("Mean PPL(base)                : %10.6f ± %10.6f\n", pplBase.value, pplBase.uncertainty));
            sb.append(f("Cor(ln(PPL(Q)), ln(PPL(base))): %6.2f%%\n", 100 * corLnPpl));
            sb.append(f("Mean ln(PPL(Q)/PPL(base))     : %10.6f ± %10.6f\n", lnRatio.value, lnRatio.uncertainty));
            sb.append(f("Mean PPL(Q)/PPL(base)         : %10.6f ± %10.6f\n", pplRatio.value, pplRatio.uncertainty));
            sb.append(f("Mean PPL(Q)-PPL(base)         : %10.6f ± %10.6f\n", pplDiff.value, pplDiff.uncertainty));
            sb.append("\n====== KL divergence statistics ======\n");
            sb.append(f("Mean    KLD: %10.6f ± %10.6f\n", kldMean.value, kldMean.uncertainty));
            sb.append(f("Maximum KLD: %10.6f\n", kld(1)));
            String[] kl = {"99.9%   KLD", "99.0%   KLD", "95.0%   KLD", "90.0%   KLD", "Median  KLD", "10.0%   KLD",
                    " 5.0%   KLD", " 1.0%   KLD", " 0.1%   KLD"};
            for (int i = 0; i < kl.length; i++) sb.append(f("%s: %10.6f\n", kl[i], kldPercentile[i]));
            sb.append(f("Minimum KLD: %10.6f\n", kld(0)));
            sb.append("\n====== Token probability statistics ======\n");
            sb.append(f("Mean    Δp: %6.3f ± %5.3f %%\n", 100 * dpMean.value, 100 * dpMean.uncertainty));
            sb.append(f("Maximum Δp: %6.3f%%\n", 100 * dp(1)));
            String[] dl = {"99.9%   Δp", "99.0%   Δp", "95.0%   Δp", "90.0%   Δp", "75.0%   Δp", "Median  Δp",
                    "25.0%   Δp", "10.0%   Δp", " 5.0%   Δp", " 1.0%   Δp", " 0.1%   Δp"};
            for (int i = 0; i < dl.length; i++) sb.append(f("%s: %6.3f%%\n", dl[i], 100 * dpPercentile[i]));
            sb.append(f("Minimum Δp: %6.3f%%\n", 100 * dp(0)));
            sb.append(f("RMS Δp    : %6.3f ± %5.3f %%\n", 100 * dpRms.value, 100 * dpRms.uncertainty));
            sb.append(f("Same top p: %6.3f ± %5.3f %%\n", 100 * sameTop.value, 100 * sameTop.uncertainty));
            return sb.toString();
        }

        private static String f(String fmt, Object... args) {
            return String.format(Locale.ROOT, fmt, args);
        }
    }

    /** Called after each chunk with the running values. */
    @FunctionalInterface
    public interface ChunkListener {
        /**
         * A chunk was scored.
         *
         * @param row     the running values
         * @param nChunks chunks in the run
         */
        void chunk(Running row, int nChunks);
    }

    private final int maxChunks;
    private final int bosId;

    // running sums, as llama.cpp's kl_divergence_result
    private double sumNll, sumNll2, sumNllBase, sumNllBase2, sumNllNllBase, sumKld, sumKld2, sumPDiff, sumPDiff2, sumPDiff4;
    private long nSameTop, count;
    private float[] kldValues, pDiffValues;

    /**
     * Creates a KL-divergence computation.
     *
     * @param maxChunks at most this many of the base file's chunks ({@code --chunks}); negative = all
     * @param bosId     BOS id to put at each chunk's first position, or -1 when the vocabulary adds no BOS
     */
    public KlDivergence(int maxChunks, int bosId) {
        this.maxChunks = maxChunks;
        this.bosId = bosId;
    }

    /**
     * Evaluates the base file's chunks with {@code evaluator} and compares.
     *
     * @param evaluator the model under test
     * @param nVocab    the model's vocabulary size (must equal the base's)
     * @param base      the base log-probabilities
     * @param listener  told after each chunk; may be null
     * @return the summary, or null when fewer than 100 tokens were scored (llama.cpp prints none then)
     * @throws IOException              when reading the base file fails
     * @throws IllegalArgumentException when the vocabularies differ
     */
    public Stats run(ChunkEvaluator evaluator, int nVocab, KldBaseFile.Reader base, ChunkListener listener) throws IOException {
        if (nVocab != base.nVocab()) {
            throw new IllegalArgumentException("inconsistent vocabulary: the model has " + nVocab + " tokens, the KLD base "
                    + base.nVocab());
        }
        int nCtx = base.nCtx();
        int nChunk = maxChunks < 0 ? base.nChunk() : Math.min(maxChunks, base.nChunk());
        int first = nCtx / 2;
        int rowsPer = KldBaseFile.rowsPerChunk(nCtx);
        int codes = base.rowCodes();
        int[] tokens = base.tokens();
        kldValues = new float[nChunk * rowsPer];
        pDiffValues = new float[nChunk * rowsPer];
        Running last = null;
        for (int i = 0; i < nChunk; i++) {
            float[][] rows = evaluator.logits(Perplexity.chunk(tokens, i, nCtx, bosId), first);
            if (rows.length != rowsPer) {
                throw new IllegalStateException("evaluator returned " + rows.length + " rows, expected " + rowsPer);
            }
            ByteBuffer b = base.chunk(i);
            for (int j = 0; j < rowsPer; j++) {
                int at = (int) count;
                row(rows[j], b, j * 2 * codes, tokens[i * nCtx + first + j + 1], at);
            }
            last = running(i + 1);
            if (listener != null) listener.chunk(last, nChunk);
        }
        if (count < 100) return null;
        return stats();
    }

    /** One scored position (llama.cpp's log_softmax against a uint16 base row). */
    private void row(float[] logits, ByteBuffer base, int off, int tok, int at) {
        int n = logits.length;
        float max = logits[0];
        int imax = 0;
        for (int i = 1; i < n; i++) {
            if (logits[i] > max) {
                max = logits[i];
                imax = i;
            }
        }
        double sum = LogSoftmax.sumExp(logits, max);
        float logSumExp = (float) Math.log(sum);
        float scale = base.getFloat(off);
        float minLogProb = base.getFloat(off + 4);
        int codes = off + 8;

        float nll = max + logSumExp - logits[tok];
        sumNll += nll;
        sumNll2 += nll * nll;
        float nllBase = -(scale * Short.toUnsignedInt(base.getShort(codes + 2 * tok)) + minLogProb);
        sumNllBase += nllBase;
        sumNllBase2 += nllBase * nllBase;
        sumNllNllBase += nll * nllBase;

        float maxLse = max + logSumExp;
        double kld = 0;
        int imaxBase = -1;
        float pLogBaseMax = 0;
        for (int i = 0; i < n; i++) {
            float pLogBase = scale * Short.toUnsignedInt(base.getShort(codes + 2 * i)) + minLogProb;
            if (i == 0 || pLogBase > pLogBaseMax) {
                pLogBaseMax = pLogBase;
                imaxBase = i;
            }
            if (pLogBase > -KldBaseFile.FLOOR_NATS) {
                float pBase = LogSoftmax.expf(pLogBase);
                kld += pBase * (pLogBase - logits[i] + maxLse);
            }
        }
        sumKld += kld;
        sumKld2 += kld * kld;
        count++;
        if (imax == imaxBase) nSameTop++;

        float pBase = LogSoftmax.expf(-nllBase);
        float p = LogSoftmax.expf(-nll);
        float pDiff = p - pBase;
        sumPDiff += pDiff;
        double pDiff2 = pDiff * pDiff;
        sumPDiff2 += pDiff2;
        sumPDiff4 += pDiff2 * pDiff2;
        kldValues[at] = (float) kld;
        pDiffValues[at] = pDiff;
    }

    private static Estimate meanAndUncertainty(double sum, double sum2, long n) {
        if (n < 1) return new Estimate(0, 0);
        double f = sum / n;
        double df = sum2 / n - f * f;
        df = df > 0 && n > 10 ? Math.sqrt(df / (n - 1)) : 0;
        return new Estimate(f, df);
    }

    private static double covariance(double sa, double sb, double sab, long n) {
        if (n < 10) return 0;
        return (sab / n - (sa / n) * (sb / n)) / (n - 1);
    }

    private Running running(int chunk) {
        Estimate logPpl = meanAndUncertainty(sumNll, sumNll2, count);
        double ppl = Math.exp(logPpl.value);
        Estimate logBase = meanAndUncertainty(sumNllBase, sumNllBase2, count);
        double cov = covariance(sumNll, sumNllBase, sumNllNllBase, count);
        Estimate lnRatio = new Estimate(logPpl.value - logBase.value, Math.sqrt(logPpl.uncertainty * logPpl.uncertainty
                + logBase.uncertainty * logBase.uncertainty - 2 * cov));
        Estimate kld = meanAndUncertainty(sumKld, sumKld2, count);
        Estimate mse = meanAndUncertainty(sumPDiff2, sumPDiff4, count);
        double rms = Math.sqrt(mse.value);
        double top = (double) nSameTop / count;
        return new Running(chunk, new Estimate(ppl, ppl * logPpl.uncertainty), lnRatio, kld,
                new Estimate(rms, 0.5 / rms * mse.uncertainty), new Estimate(top, Math.sqrt(top * (1 - top) / (count - 1))));
    }

    /** llama.cpp's percentile: {@code p = f·(n-1)}, linear interpolation between neighbours, in float. */
    static float percentile(float[] sorted, float fraction) {
        if (fraction <= 0) return sorted[0];
        if (fraction >= 1) return sorted[sorted.length - 1];
        float p = fraction * (sorted.length - 1);
        int ip = (int) p;
        p -= ip;
        return (1 - p) * sorted[ip] + p * sorted[Math.min(ip + 1, sorted.length - 1)];
    }

    static float median(float[] sorted) {
        int n = sorted.length;
        return n % 2 == 0 ? 0.5f * (sorted[n / 2] + sorted[n / 2 - 1]) : sorted[n / 2];
    }

    private static double[] percentiles(float[] sorted, double[] at) {
        double[] v = new double[at.length + 2];
        for (int i = 0; i < at.length; i++) {
            v[i] = at[i] == 0.5 ? median(sorted) : percentile(sorted, (float) at[i]);
        }
        v[at.length] = sorted[sorted.length - 1];
        v[at.length + 1] = sorted[0];
        return v;
    }

    private Stats stats() {
        float[] kl = Arrays.copyOf(kldValues, (int) count);
        float[] dp = Arrays.copyOf(pDiffValues, (int) count);
        Arrays.sort(kl);
        Arrays.sort(dp);
        Estimate logPpl = meanAndUncertainty(sumNll, sumNll2, count);
        double ppl = Math.exp(logPpl.value), pplUnc = ppl * logPpl.uncertainty;
        Estimate logBase = meanAndUncertainty(sumNllBase, sumNllBase2, count);
        double pplBase = Math.exp(logBase.value), pplBaseUnc = pplBase * logBase.uncertainty;
        double cov = covariance(sumNll, sumNllBase, sumNllNllBase, count);
        double cor = cov / (logPpl.uncertainty * logBase.uncertainty);
        double lnRatio = logPpl.value - logBase.value;
        double lnRatioUnc = Math.sqrt(logPpl.uncertainty * logPpl.uncertainty + logBase.uncertainty * logBase.uncertainty - 2 * cov);
        double ratio = Math.exp(lnRatio);
        double pplCov = ppl * pplBase * cov;
        Estimate diff = new Estimate(ppl - pplBase, Math.sqrt(pplUnc * pplUnc + pplBaseUnc * pplBaseUnc - 2 * pplCov));
        Estimate mse = meanAndUncertainty(sumPDiff2, sumPDiff4, count);
        double rms = Math.sqrt(mse.value);
        double top = (double) nSameTop / count;
        return new Stats((int) count, new Estimate(ppl, pplUnc), new Estimate(pplBase, pplBaseUnc), cor,
                new Estimate(lnRatio, lnRatioUnc), new Estimate(ratio, ratio * lnRatioUnc), diff,
                meanAndUncertainty(sumKld, sumKld2, count), percentiles(kl, Stats.PERCENTILES),
                meanAndUncertainty(sumPDiff, sumPDiff2, count), percentiles(dp, Stats.DP_PERCENTILES),
                new Estimate(rms, 0.5 / rms * mse.uncertainty),
                new Estimate(top, Math.sqrt(top * (1 - top) / (count - 1))));
    }
}
