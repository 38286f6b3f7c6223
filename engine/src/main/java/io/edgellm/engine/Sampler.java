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
    private final int[] order;
    private final long[] keys;
    private final int[] counts;

    /**
     * A sampler for one generation.
     *
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
        this.order = params.isGreedy() ? null : new int[vocabSize];
        this.keys = params.isGreedy() || params.topK() > 0 ? null : new long[vocabSize];
        this.counts = new int[vocabSize];
    }

    /**
     * Records a token (prompt or generated) in the repetition-penalty window.
     *
     * @param token the token id
     */
    public void accept(int token) {
        if (history.length == 0) return;
        history[historyHead] = token;
        historyHead = (historyHead + 1) % history.length;
        historyCount = Math.min(historyCount + 1, history.length);
    }

    /**
     * Picks the next token from {@code logits[off .. off+vocabSize)} (not modified).
     *
     * @param logits the model's output
     * @param off    first logit
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

    /**
     * Sort key: ascending keys = descending logits, ties by ascending id. The float's bits are mapped to an unsigned
     * order-preserving int, inverted, and put above the id.
     */
    private static long key(float v, int id) {
        int bits = Float.floatToIntBits(v);
        int ordered = bits ^ ((bits >> 31) | 0x80000000);          // monotone: larger float -> larger unsigned int
        return (((long) ~ordered & 0xFFFFFFFFL) << 32 | id) ^ Long.MIN_VALUE; // unsigned order as signed order
    }

    private void sortAll(float[] x, int n, int[] out) {
        for (int i = 0; i < n; i++) keys[i] = key(x[i], i);
        Arrays.sort(keys, 0, n);
        for (int i = 0; i < n; i++) out[i] = (int) (keys[i] & 0x7FFFFFFFL);
    }

    /** The k best candidates into out[0..k), sorted: a size-k heap whose root is the worst kept key (O(n log k)). */
    static void selectTopK(float[] x, int n, int k, int[] out) {
        long[] heap = new long[k];
        for (int i = 0; i < k; i++) heap[i] = key(x[i], i);
        // max-heap on the key (largest key = worst candidate at the root)
        for (int i = k / 2 - 1; i >= 0; i--) siftDown(heap, i, k);
        for (int i = k; i < n; i++) {
            long kk = key(x[i], i);
            if (kk < heap[0]) {
                heap[0] = kk;
                siftDown(heap, 0, k);
            }
        }
        Arrays.sort(heap);
        for (int i = 0; i < k; i++) out[i] = (int) (heap[i] & 0x7FFFFFFFL);
    }

    private static void siftDown(long[] h, int i, int n) {
        while (true) {
            int l = 2 * i + 1, r = l + 1, big = i;
            if (l < n && h[l] > h[big]) big = l;
            if (r < n && h[r] > h[big]) big = r;
            if (big == i) return;
            long t = h[i];
            h[i] = h[big];
            h[big] = t;
            i = big;
        }
    }

    /**
     * Argmax with ties to the lowest index.
     *
     * @param x   values
     * @param off first value
     * @param n   values
     * @return the index of the largest value in {@code x[off .. off+n)}, relative to off
     */
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
        // candidates in descending logit order (equal logits: ascending id); with top-k only the k best are selected
        int size = params.topK() > 0 ? Math.min(params.topK(), n) : n;
        int[] order = this.order;
        if (size < n) {
            selectTopK(x, n, size, order);
        } else {
            sortAll(x, n, order);
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
