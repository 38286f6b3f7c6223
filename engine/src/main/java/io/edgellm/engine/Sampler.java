package io.edgellm.engine;

import io.edgellm.SamplingParams;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Token sampler with llama.cpp's semantics and order ({@code common_sampler}: penalties → top-k → top-p → min-p →
 * temperature → dist; see {@code src/llama-sampling.cpp}):
 * <ul>
 *   <li>repetition penalty: for each token seen {@code c > 0} times in the last {@code repeatLastN} accepted tokens
 *       (prompt included), a positive logit is divided by the penalty and a negative one multiplied;</li>
 *   <li>end-of-generation tokens get {@code -inf} when {@code ignoreEos} (llama.cpp's {@code --ignore-eos} logit bias);</li>
 *   <li>greedy ({@code temperature <= 0}): the highest logit, ties to the lowest id;</li>
 *   <li>top-k keeps the k largest; top-p keeps the smallest prefix (by descending probability) whose mass reaches p;
 *       min-p keeps tokens whose probability is at least {@code minP * p_max}; then logits are divided by the
 *       temperature and one token is drawn from their softmax with a {@link SplittableRandom} seeded by {@code seed}.</li>
 * </ul>
 * A fixed seed gives the same sequence for the same logits. Not thread-safe (one per generation).
 */
public final class Sampler {
    private final SamplingParams params;
    private final int[] endOfGeneration;
    private final int[] history;      // ring buffer of the last accepted tokens (penalty window)
    private int historyCount;
    private int historyHead;
    private final SplittableRandom random;
    // scratch, sized to the vocabulary once
    private final float[] work;
    private final Integer[] order;
    private final int[] counts;

    /**
     * @param params          sampling settings
     * @param vocabSize       logits per position
     * @param endOfGeneration token ids treated as end of generation (masked when {@code ignoreEos})
     * @param contextLength   the session's n_ctx (the window when {@code repeatLastN == -1})
     */
    public Sampler(SamplingParams params, int vocabSize, int[] endOfGeneration, int contextLength) {
        this.params = params;
        this.endOfGeneration = endOfGeneration.clone();
        int window = params.repeatLastN() < 0 ? contextLength : params.repeatLastN();
        this.history = new int[Math.max(0, window)];
        this.random = new SplittableRandom(params.seed());
        this.work = new float[vocabSize];
        this.order = params.isGreedy() ? null : new Integer[vocabSize];
        this.counts = new int[vocabSize];
    }

    /** Records a token (prompt or generated) in the repetition-penalty window. */
    public void accept(int token) {
        if (history.length == 0) return;
        history[historyHead] = token;
        historyHead = (historyHead + 1) % history.length;
        historyCount = Math.min(historyCount + 1, history.length);
    }

    /**
     * Picks the next token from {@code logits[off .. off+vocabSize)} (not modified).
     *
     * @return the token id
     */
    public int sample(float[] logits, int off) {
        int n = work.length;
        System.arraycopy(logits, off, work, 0, n);
        applyPenalty(work);
        if (params.ignoreEos()) {
            for (int id : endOfGeneration) {
                if (id >= 0 && id < n) work[id] = Float.NEGATIVE_INFINITY;
            }
        }
        if (params.isGreedy()) {
            return argmax(work, 0, n);
        }
        return sampleStochastic(work, n);
    }

    /** Index of the largest value in {@code x[off .. off+n)} minus off; ties to the lowest index. */
    public static int argmax(float[] x, int off, int n) {
        int best = 0;
        float bestV = x[off];
        for (int i = 1; i < n; i++) {
            if (x[off + i] > bestV) {
                bestV = x[off + i];
                best = i;
            }
        }
        return best;
    }

    private void applyPenalty(float[] x) {
        float penalty = params.repeatPenalty();
        if (penalty == 1.0f || historyCount == 0) return;
        for (int i = 0; i < historyCount; i++) {
            int t = history[(historyHead - 1 - i + history.length) % history.length];
            if (t >= 0 && t < counts.length) counts[t]++;
        }
        for (int i = 0; i < historyCount; i++) {
            int t = history[(historyHead - 1 - i + history.length) % history.length];
            if (t < 0 || t >= counts.length || counts[t] == 0) continue;
            // llama.cpp: logit <= 0 ? logit * penalty : logit / penalty (applied once per distinct token)
            x[t] = x[t] <= 0 ? x[t] * penalty : x[t] / penalty;
            counts[t] = 0;
        }
    }

    private int sampleStochastic(float[] x, int n) {
        // candidates sorted by descending logit (stable: equal logits keep ascending id)
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, 0, n, (a, b) -> Float.compare(x[b], x[a]));
        int size = n;
        if (params.topK() > 0) {
            size = Math.min(size, params.topK());
        }
        float maxLogit = x[order[0]];
        if (params.topP() < 1.0f) {
            // softmax over the current candidates, cumulative mass in descending order
            double sum = 0;
            for (int i = 0; i < size; i++) sum += Math.exp(x[order[i]] - maxLogit);
            double cum = 0;
            for (int i = 0; i < size; i++) {
                cum += Math.exp(x[order[i]] - maxLogit) / sum;
                if (cum >= params.topP()) {
                    size = i + 1;
                    break;
                }
            }
        }
        if (params.minP() > 0f) {
            // keep logit >= max + ln(min_p)  <=>  p >= min_p * p_max
            float minLogit = maxLogit + (float) Math.log(params.minP());
            int keep = 0;
            while (keep < size && x[order[keep]] >= minLogit) keep++;
            size = Math.max(1, keep);
        }
        // temperature, then draw from the softmax
        float invT = 1.0f / params.temperature();
        double[] p = new double[size];
        double sum = 0;
        for (int i = 0; i < size; i++) {
            p[i] = Math.exp((x[order[i]] - maxLogit) * invT);
            sum += p[i];
        }
        double r = random.nextDouble() * sum;
        double cum = 0;
        for (int i = 0; i < size; i++) {
            cum += p[i];
            if (r < cum) return order[i];
        }
        return order[size - 1];
    }
}
