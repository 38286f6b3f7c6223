package io.edgellm.bench.accuracy;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Perplexity of a model over a text, computed as llama.cpp's {@code llama-perplexity} does (its default mode, without
 * {@code --ppl-stride}), so the numbers can be compared with llama.cpp's.
 *
 * <p>Method: the whole text is tokenized once (BOS first when the vocabulary adds BOS) and cut into
 * {@code n_chunk = floor(n_tokens / n_ctx)} chunks of {@code n_ctx} tokens (the remainder is ignored). Each chunk is
 * evaluated from an empty context with its first token <em>replaced</em> by BOS (when the vocabulary adds BOS), and only
 * its second half is scored: the logits at positions {@code first = n_ctx/2 .. n_ctx-2} predict the next token, so
 * {@code n_ctx/2 - 1} tokens per chunk. Per token {@code nll = -log softmax(logits)[next]}; after every chunk the running
 * estimate {@code exp(Σnll / count)} is reported, and at the end {@code PPL = exp(mean)} with the uncertainty
 * {@code PPL · sqrt((mean(nll²) - mean²) / (count - 1))} (the standard error of the mean NLL, through exp).
 *
 * <p>With a {@link KldBaseFile.Writer} the scored rows are also stored for a later {@link KlDivergence} run (llama.cpp's
 * {@code --kl-divergence-base}); the NLL is then taken from the same routine that encodes the row, as llama.cpp does.
 */
public final class Perplexity {
    private final int nCtx;
    private final int maxChunks;
    private final int bosId;

    /** Called after each chunk. */
    @FunctionalInterface
    public interface ChunkListener {
        /**
         * A chunk was scored.
         *
         * @param chunk      1-based chunk number
         * @param nChunks    chunks in the run
         * @param runningPpl perplexity over all tokens scored so far
         */
        void chunk(int chunk, int nChunks, double runningPpl);
    }

    /**
     * The result of a run.
     *
     * @param nCtx       chunk length, tokens
     * @param nChunks    chunks evaluated
     * @param count      tokens scored ({@code nChunks · (nCtx/2 - 1)})
     * @param runningPpl the running estimate after each chunk (llama-perplexity's {@code [i]} values)
     * @param ppl        the final estimate
     * @param pplError   its uncertainty (llama-perplexity's {@code +/-}); NaN when the variance is not positive
     * @param meanNll    mean negative log-likelihood, nats per token
     * @param seconds    wall time of the evaluation
     */
    public record Result(int nCtx, int nChunks, int count, double[] runningPpl, double ppl, double pplError,
                         double meanNll, double seconds) {
        /**
         * The running estimates as llama-perplexity prints them: {@code [1]12.3456,[2]11.2345,...}.
         *
         * @return one line without a line break
         */
        public String runningLine() {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < runningPpl.length; i++) {
                sb.append('[').append(i + 1).append(']').append(String.format(Locale.ROOT, "%.4f", runningPpl[i])).append(',');
            }
            return sb.toString();
        }

        /**
         * llama-perplexity's last line: {@code Final estimate: PPL = 12.3456 +/- 0.12345}.
         *
         * @return the line without a line break
         */
        public String finalLine() {
            return String.format(Locale.ROOT, "Final estimate: PPL = %.4f +/- %.5f", ppl, pplError);
        }
    }

    /**
     * Creates a perplexity computation.
     *
     * @param nCtx      chunk length ({@code -c}), at least 4
     * @param maxChunks at most this many chunks ({@code --chunks}); negative = all
     * @param bosId     BOS token id to put at each chunk's first position, or -1 when the vocabulary adds no BOS
     */
    public Perplexity(int nCtx, int maxChunks, int bosId) {
        if (nCtx < 4) throw new IllegalArgumentException("n_ctx must be at least 4, got " + nCtx);
        this.nCtx = nCtx;
        this.maxChunks = maxChunks;
        this.bosId = bosId;
    }

    /**
     * Number of chunks a text of {@code nTokens} gives.
     *
     * @param nTokens tokens of the text (BOS included)
     * @return {@code min(floor(nTokens / nCtx), maxChunks)}
     */
    public int chunks(int nTokens) {
        int n = nTokens / nCtx;
        return maxChunks < 0 ? n : Math.min(n, maxChunks);
    }

    /**
     * The tokens of chunk {@code i} as evaluated: the first one replaced by BOS where the vocabulary adds BOS.
     *
     * @param tokens the text's tokens
     * @param i      chunk index
     * @param nCtx   chunk length
     * @param bosId  BOS id or -1
     * @return a new array of {@code nCtx} ids
     */
    static int[] chunk(int[] tokens, int i, int nCtx, int bosId) {
        int[] c = Arrays.copyOfRange(tokens, i * nCtx, (i + 1) * nCtx);
        if (bosId >= 0) c[0] = bosId;
        return c;
    }

    /**
     * Runs the computation.
     *
     * @param evaluator evaluates chunks (e.g. {@link ChunkEvaluator#of})
     * @param tokens    the whole text's tokens (BOS first when the vocabulary adds BOS)
     * @param base      when not null, receives every scored row (the {@code --kl-divergence-base} file); its header
     *                  must announce {@link #chunks}{@code (tokens.length)} chunks
     * @param listener  told after each chunk; may be null
     * @return the running and final estimates
     * @throws IllegalArgumentException when the text has fewer than {@code 2 · n_ctx} tokens (llama.cpp's requirement)
     * @throws IOException              when writing the base file fails
     */
    public Result run(ChunkEvaluator evaluator, int[] tokens, KldBaseFile.Writer base, ChunkListener listener)
            throws IOException {
        if (tokens.length < 2 * nCtx) {
            throw new IllegalArgumentException("you need at least " + (2 * nCtx) + " tokens to evaluate perplexity with a "
                    + "context of " + nCtx + "; the text tokenizes to only " + tokens.length);
        }
        int nChunk = chunks(tokens.length);
        if (nChunk < 1) throw new IllegalArgumentException("--chunks must be at least 1 (got " + maxChunks + ")");
        int first = nCtx / 2;
        double nll = 0, nll2 = 0;
        int count = 0;
        double[] running = new double[nChunk];
        long t0 = System.nanoTime();
        for (int i = 0; i < nChunk; i++) {
            float[][] rows = evaluator.logits(chunk(tokens, i, nCtx, bosId), first);
            if (rows.length != nCtx - 1 - first) {
                throw new IllegalStateException("evaluator returned " + rows.length + " rows, expected " + (nCtx - 1 - first));
            }
            int start = i * nCtx;
            for (int j = 0; j < rows.length; j++) {
                int next = tokens[start + first + j + 1];
                double v = base != null ? base.writeRow(rows[j], next) : LogSoftmax.nll(rows[j], next);
                nll += v;
                nll2 += v * v;
            }
            count += rows.length;
            running[i] = Math.exp(nll / count);
            if (listener != null) listener.chunk(i + 1, nChunk, running[i]);
        }
        double mean = nll / count;
        double var = nll2 / count - mean * mean;
        double ppl = Math.exp(mean);
        double err = var > 0 ? Math.sqrt(var / (count - 1)) * ppl : Double.NaN;
        return new Result(nCtx, nChunk, count, running, ppl, err, mean, (System.nanoTime() - t0) / 1e9);
    }
}
