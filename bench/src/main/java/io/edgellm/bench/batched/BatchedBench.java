package io.edgellm.bench.batched;

import io.edgellm.engine.Batch;
import io.edgellm.engine.KvCache;
import io.edgellm.engine.Transformer;
import io.edgellm.bench.energy.EnergyMeter;
import io.edgellm.bench.energy.EnergyResult;
import java.util.SplittableRandom;

/**
 * The measurement of llama.cpp's {@code llama-batched-bench} ({@code tools/batched-bench/batched-bench.cpp}) on
 * edgellm's multi-sequence forward pass: for each (PP, TG, B), the KV cache is cleared, B prompts of PP random tokens
 * are prefilled (or one, copied to the B sequences with {@code seq_cp} when the prompt is shared), then TG decode
 * steps each evaluate one token of every sequence in one batch (every weight read once for all B).
 * <pre>
 *   N_KV  = shared ? PP + B·TG : B·(PP + TG)
 *   S_PP  = (shared ? PP : B·PP) / T_PP          S_TG = B·TG / T_TG          S = (tokens of both) / (T_PP + T_TG)
 * </pre>
 */
public final class BatchedBench {
    private final Transformer transformer;
    private final Transformer.State state;
    private final int vocab;
    private final int nBatch;
    private final SplittableRandom random = new SplittableRandom(1234);

    /**
     * One result row.
     *
     * @param pp     prompt tokens per sequence
     * @param tg     generated tokens per sequence
     * @param b      parallel sequences
     * @param nKv    KV cells used
     * @param tPp    prefill seconds
     * @param tTg    decode seconds
     * @param pp_    prefill energy (unavailable when there is no power source)
     * @param tg_    decode energy
     * @param shared whether the prompt was shared
     */
    public record Row(int pp, int tg, int b, int nKv, double tPp, double tTg, EnergyResult pp_, EnergyResult tg_,
                      boolean shared) {
        /** @return prefill tokens per second, llama-batched-bench's S_PP */
        public double sPp() {
            return (shared ? pp : (double) b * pp) / tPp;
        }

        /** @return aggregate decode tokens per second, S_TG */
        public double sTg() {
            return (double) b * tg / tTg;
        }

        /** @return total seconds, T */
        public double t() {
            return tPp + tTg;
        }

        /** @return overall tokens per second, S */
        public double s() {
            return ((shared ? pp : (double) b * pp) + (double) b * tg) / t();
        }

        /** @return prefill joules per prompt token, or NaN */
        public double jPerTokenPp() {
            return pp_ != null && pp_.available() ? pp_.joules() / (shared ? pp : (double) b * pp) : Double.NaN;
        }

        /** @return decode joules per generated token, or NaN */
        public double jPerTokenTg() {
            return tg_ != null && tg_.available() ? tg_.joules() / ((double) b * tg) : Double.NaN;
        }
    }

    /**
     * A bench over one state.
     *
     * @param transformer the model's forward pass
     * @param state       a state whose cache holds the largest N_KV of the sweep
     * @param vocab       n_vocab (random tokens are drawn below it)
     * @param nBatch      prompt tokens per forward call (n_batch; the state splits them into micro-batches)
     */
    public BatchedBench(Transformer transformer, Transformer.State state, int vocab, int nBatch) {
        this.transformer = transformer;
        this.state = state;
        this.vocab = vocab;
        this.nBatch = Math.max(1, nBatch);
    }

    /**
     * The KV cells one configuration needs.
     *
     * @param pp     prompt tokens
     * @param tg     generated tokens
     * @param b      sequences
     * @param shared shared prompt
     * @return N_KV
     */
    public static int nKv(int pp, int tg, int b, boolean shared) {
        return shared ? pp + b * tg : b * (pp + tg);
    }

    /**
     * Warm-up: llama-batched-bench decodes 16 tokens once; a JVM also needs its hot loops compiled by C2 first, so
     * this runs a small prefill and decode of {@code b} sequences a few times (untimed).
     *
     * @param b sequences of the warm-up decode (the sweep's largest B, capped by the cache)
     */
    public void warmUp(int b) {
        int pp = 16, tg = 8;
        b = Math.max(1, Math.min(b, state.contextLength() / (pp + tg)));
        for (int i = 0; i < 3; i++) run(pp, tg, b, false, io.edgellm.bench.energy.EnergyMeter.none("warm-up"));
        state.cache().clear();
    }

    /**
     * Runs one configuration.
     *
     * @param pp     prompt tokens per sequence
     * @param tg     generated tokens per sequence
     * @param b      sequences, at most {@link KvCache#MAX_SEQUENCES}
     * @param shared prefill one prompt and copy it to every sequence ({@code -pps})
     * @param meter  energy meter (may report none)
     * @return the row
     * @throws IllegalArgumentException when the configuration does not fit the cache or the sequence limit
     */
    public Row run(int pp, int tg, int b, boolean shared, EnergyMeter meter) {
        if (b < 1 || b > KvCache.MAX_SEQUENCES) {
            throw new IllegalArgumentException("B = " + b + " is out of range [1, " + KvCache.MAX_SEQUENCES + "]");
        }
        int nKv = nKv(pp, tg, b, shared);
        if (nKv > state.contextLength()) {
            throw new IllegalArgumentException("N_KV = " + nKv + " exceeds n_ctx = " + state.contextLength());
        }
        KvCache cache = state.cache();
        cache.clear();
        int prompts = shared ? 1 : b;
        int total = prompts * pp;
        int[] tokens = new int[total];
        for (int i = 0; i < total; i++) tokens[i] = token();
        float[] logits = new float[Math.max(b, prompts) * vocab];
        EnergyMeter.Window w = meter.start();
        long t0 = System.nanoTime();
        // the prompts in n_batch chunks, as decode_helper; the last token of each prompt wants its logits
        Batch chunk = new Batch(Math.max(1, Math.min(nBatch, total)));
        for (int i = 0; i < total; i++) {
            int p = i % pp;
            chunk.add(tokens[i], p, i / pp, p == pp - 1);
            if (chunk.size() == chunk.capacity() || i == total - 1) {
                transformer.forward(state, chunk, logits);
                chunk.clear();
            }
        }
        double tPp = (System.nanoTime() - t0) / 1e9;
        EnergyResult ePp = w.stop();
        if (shared) {
            for (int j = 1; j < b; j++) cache.seqCopy(0, j, -1, -1);
        }
        Batch step = new Batch(b);
        EnergyMeter.Window w2 = meter.start();
        long t1 = System.nanoTime();
        for (int i = 0; i < tg; i++) {
            step.clear();
            for (int j = 0; j < b; j++) step.add(token(), pp + i, j, true);
            transformer.forward(state, step, logits);
        }
        double tTg = (System.nanoTime() - t1) / 1e9;
        EnergyResult eTg = w2.stop();
        cache.clear();
        return new Row(pp, tg, b, nKv, tPp, tTg, ePp, eTg, shared);
    }

    private int token() {
        return random.nextInt(vocab);
    }
}
