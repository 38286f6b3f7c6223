package io.edgellm.engine;

import io.edgellm.KvCacheType;
import io.edgellm.ModelConfig;
import io.edgellm.quant.ggml.Dequantize;
import io.edgellm.quant.kernel.AccumulationOrder;
import io.edgellm.quant.kernel.ActivationPrecision;
import io.edgellm.quant.kernel.ActivationQuantizer;
import io.edgellm.quant.kernel.MatMul;
import io.edgellm.quant.kernel.Parallel;
import io.edgellm.quant.kernel.QTensor;

/**
 * The decoder forward pass shared by all architectures (llama.cpp {@code llm_build_llama} and relatives), over a batch
 * of consecutive tokens:
 * <pre>
 *   x = token_embd[tokens]                                       [n, n_embd]
 *   for each layer:
 *     n = RMSNorm(x) * attn_norm
 *     q = Wq·n (+bq), k = Wk·n (+bk), v = Wv·n (+bv)              one MatMul.matmul per weight for the whole batch
 *     RoPE(q), RoPE(k) at positions pos .. pos+n-1;  K/V rows → KV cache
 *     per (token, head): softmax(q·K[0..p]ᵀ / sqrt(head_k)) · V[0..p]     causal, grouped-query (head h reads KV head h/group)
 *     x += Wo · attn
 *     m = RMSNorm(x) * ffn_norm;  x += Wdown · (silu(Wgate·m) * (Wup·m))
 *   logits = Wout · (RMSNorm(x) * output_norm)                     only for the rows asked for
 * </pre>
 * The weights are shared and immutable, so one Transformer serves any number of {@link State}s concurrently.
 */
public final class Transformer {
    private final ModelConfig cfg;
    private final ModelWeights w;
    private final Rope rope;
    private final float attnScale;
    /** Elements of the SwiGLU gate per parallel task. */
    private static final int SWIGLU_CHUNK = 2048;

    /**
     * The forward pass over bound weights.
     *
     * @param cfg      hyperparameters
     * @param w        weights
     * @param ropeMode the architecture's RoPE pairing
     */
    public Transformer(ModelConfig cfg, ModelWeights w, Rope.Mode ropeMode) {
        this.cfg = cfg;
        this.w = w;
        float[] freqFactors = w.ropeFreqs();
        ModelConfig.RopeScaling sc = cfg.ropeScaling();
        if (freqFactors == null && sc.type() == ModelConfig.RopeScaling.Type.LLAMA3) {
            freqFactors = Rope.llama3FreqFactors(cfg.ropeDimensionCount(), cfg.ropeFreqBase(), sc.factor(),
                    sc.lowFreqFactor(), sc.highFreqFactor(), sc.originalContextLength());
        }
        this.rope = new Rope(ropeMode, cfg.ropeDimensionCount(), cfg.ropeFreqBase(), sc,
                sc.originalContextLength() > 0 ? sc.originalContextLength() : cfg.contextLength(), freqFactors);
        this.attnScale = (float) (1.0 / Math.sqrt(cfg.keyLength()));
    }

    /**
     * Returns the hyperparameters.
     *
     * @return the config
     */
    public ModelConfig config() {
        return cfg;
    }

    /**
     * Returns the weights.
     *
     * @return the bound weights
     */
    public ModelWeights weights() {
        return w;
    }

    /**
     * Returns the RoPE schedule.
     *
     * @return the rope
     */
    public Rope rope() {
        return rope;
    }

    /**
     * A new per-session state.
     *
     * @param nCtx      KV cache positions
     * @param nBatch    largest batch per forward (capped at nCtx)
     * @param threads   worker threads of the state's pool
     * @param kvType    KV cache element type
     * @param precision matmul activation precision
     * @return the state; close it to stop its threads
     */
    public State newState(int nCtx, int nBatch, int threads, KvCacheType kvType, ActivationPrecision precision) {
        return newState(nCtx, nBatch, threads, kvType, precision, AccumulationOrder.KERNEL);
    }

    /**
     * A new per-session state with a given matmul summation order.
     *
     * @param nCtx      KV cache positions
     * @param nBatch    largest batch per forward (capped at nCtx)
     * @param threads   worker threads of the state's pool
     * @param kvType    KV cache element type
     * @param precision matmul activation precision
     * @param order     summation order of the Q8_0 / Q4_0 dot products; {@link AccumulationOrder#LLAMA_CPP_X86} also
     *                  selects llama.cpp's x86 activation quantizer ({@link ActivationQuantizer#LLAMA_CPP_X86})
     * @return the state; close it to stop its threads
     */
    public State newState(int nCtx, int nBatch, int threads, KvCacheType kvType, ActivationPrecision precision,
                          AccumulationOrder order) {
        return new State(cfg, nCtx, Math.min(nBatch, nCtx), threads, kvType, precision, order);
    }

    /**
     * Mutable per-session buffers: the KV cache, the thread pool, the matmul scratch and the activations of one batch.
     * Not thread-safe: one forward at a time.
     */
    public static final class State implements AutoCloseable {
        final Parallel pool;
        final MatMul mm;
        final KvCache cache;
        final int nBatch;
        final float[] x, xb, xb2, q, k, v, attOut, hb, hb2, cos, sin;
        final float[][] att;
        long weightPasses;
        long matmulRows;
        /** {@link AccumulationOrder#LLAMA_CPP_X86}: attention and SwiGLU also follow llama.cpp ({@link LlamaCppX86Math}). */
        final boolean llamaCppX86;

        State(ModelConfig c, int nCtx, int nBatch, int threads, KvCacheType kvType, ActivationPrecision precision,
              AccumulationOrder order) {
            this.pool = Parallel.create(threads);
            this.mm = new MatMul(pool);
            mm.activationPrecision(precision).accumulationOrder(order);
            this.llamaCppX86 = order == AccumulationOrder.LLAMA_CPP_X86;
            if (order == AccumulationOrder.LLAMA_CPP_X86) {
                mm.activationQuantizer(ActivationQuantizer.LLAMA_CPP_X86);   // reproduce the x86 build on any CPU
            }
            this.cache = new KvCache(kvType, c.blockCount(), nCtx, c.kvDimK(), c.kvDimV());
            this.nBatch = nBatch;
            int e = c.embeddingLength();
            x = new float[nBatch * e];
            xb = new float[nBatch * Math.max(e, c.headCount() * c.valueLength())];
            xb2 = new float[nBatch * e];
            q = new float[nBatch * c.queryDim()];
            k = new float[nBatch * c.kvDimK()];
            v = new float[nBatch * c.kvDimV()];
            attOut = new float[nBatch * c.headCount() * c.valueLength()];
            hb = new float[nBatch * c.feedForwardLength()];
            hb2 = new float[nBatch * c.feedForwardLength()];
            cos = new float[nBatch * c.ropeDimensionCount() / 2];
            sin = new float[nBatch * c.ropeDimensionCount() / 2];
            att = new float[pool.threads()][nCtx];
        }

        /**
         * Returns the cache.
         *
         * @return the KV cache
         */
        public KvCache cache() {
            return cache;
        }

        /**
         * Returns the context length.
         *
         * @return KV positions (n_ctx), tokens
         */
        public int contextLength() {
            return cache.contextLength();
        }

        /**
         * Returns the batch size.
         *
         * @return the largest number of tokens evaluated in one forward pass
         */
        public int batchSize() {
            return nBatch;
        }

        /**
         * Weight passes so far.
         *
         * @return MatMul calls since creation (each reads every block of one weight matrix once)
         */
        public long weightPasses() {
            return weightPasses;
        }

        /**
         * Activation rows multiplied so far.
         *
         * @return the sum over MatMul calls of the batch size
         */
        public long matmulRows() {
            return matmulRows;
        }

        @Override
        public void close() {
            pool.close();
        }
    }

    /**
     * Evaluates {@code tokens[off .. off+n)} at positions {@code pos .. pos+n-1}, in chunks of the state's batch size,
     * appending their K/V to the cache.
     *
     * @param s       the session state (KV cache, scratch)
     * @param tokens  token ids
     * @param off     first token in {@code tokens}
     * @param n       tokens to evaluate
     * @param pos     position of the first token
     * @param allRows true: logits of every token; false: of the last one only
     * @param out logits destination: when {@code allRows}, {@code n * n_vocab} floats (row i = logits after token i);
     *            otherwise {@code n_vocab} floats, the logits after the last token. May be null to skip the output layer.
     * @throws IllegalArgumentException when {@code pos + n} exceeds the context or a token id is out of range
     */
    public void forward(State s, int[] tokens, int off, int n, int pos, float[] out, boolean allRows) {
        if (n <= 0) throw new IllegalArgumentException("no tokens to evaluate");
        if (pos < 0 || pos + n > s.contextLength()) {
            throw new IllegalArgumentException("context full: positions " + pos + ".." + (pos + n - 1)
                    + " do not fit in n_ctx = " + s.contextLength());
        }
        for (int i = 0; i < n; i++) {
            int t = tokens[off + i];
            if (t < 0 || t >= cfg.vocabSize()) {
                throw new IllegalArgumentException("token id " + t + " at index " + i + " is out of range [0, " + cfg.vocabSize() + ")");
            }
        }
        int vocab = cfg.vocabSize();
        for (int c = 0; c < n; c += s.nBatch) {
            int m = Math.min(s.nBatch, n - c);
            boolean last = c + m == n;
            if (out == null) {
                chunk(s, tokens, off + c, m, pos + c, null, 0, 0, 0);
            } else if (allRows) {
                chunk(s, tokens, off + c, m, pos + c, out, c * vocab, 0, m);
            } else if (last) {
                chunk(s, tokens, off + c, m, pos + c, out, 0, m - 1, m);
            } else {
                chunk(s, tokens, off + c, m, pos + c, null, 0, 0, 0);
            }
        }
    }

    /** One batch of m tokens; writes logits of rows [rowFrom, rowTo) to out[outOff ..]. */
    private void chunk(State s, int[] tokens, int off, int m, int pos, float[] out, int outOff, int rowFrom, int rowTo) {
        final int e = cfg.embeddingLength();
        final int qDim = cfg.queryDim(), kDim = cfg.kvDimK(), vDim = cfg.kvDimV();
        final int nHead = cfg.headCount(), hk = cfg.keyLength(), hv = cfg.valueLength();
        final int nKvHead = cfg.headCountKv(), group = cfg.groupSize();
        final int ff = cfg.feedForwardLength();
        final int half = rope.nRot() / 2;
        final float eps = cfg.rmsEpsilon();

        // token embeddings (ggml_get_rows: dequantize the rows)
        QTensor emb = w.tokenEmbedding();
        long rowBytes = emb.type().rowBytes(emb.cols());
        for (int t = 0; t < m; t++) {
            Dequantize.row(emb.type(), emb.data(), tokens[off + t] * rowBytes, s.x, t * e, e);
        }
        for (int t = 0; t < m; t++) {
            rope.angles(pos + t, s.cos, s.sin, t * half);
        }

        for (int l = 0; l < cfg.blockCount(); l++) {
            final ModelWeights.Layer L = w.layers().get(l);
            final int layer = l;
            // ---- attention
            rmsNormRows(s, s.x, s.xb, L.attnNorm(), m, e, eps);
            matmul(s, L.wq(), s.xb, m, s.q);
            matmul(s, L.wk(), s.xb, m, s.k);
            matmul(s, L.wv(), s.xb, m, s.v);
            addBias(s.q, L.bq(), m, qDim);
            addBias(s.k, L.bk(), m, kDim);
            addBias(s.v, L.bv(), m, vDim);
            for (int t = 0; t < m; t++) {
                for (int h = 0; h < nHead; h++) rope.rotate(s.q, t * qDim + h * hk, s.cos, s.sin, t * half);
                for (int h = 0; h < nKvHead; h++) rope.rotate(s.k, t * kDim + h * hk, s.cos, s.sin, t * half);
                s.cache.put(layer, pos + t, s.k, t * kDim, s.v, t * vDim);
            }
            // one task per (token, head); token t attends to cache positions 0 .. pos+t (causal mask)
            s.pool.forRange(m * nHead, (start, end, worker) -> {
                float[] att = s.att[worker];
                for (int idx = start; idx < end; idx++) {
                    int t = idx / nHead, h = idx % nHead;
                    int nKv = pos + t + 1;
                    int kvHead = h / group;
                    if (s.llamaCppX86 && hk == hv) {
                        s.cache.attendLlamaCppX86(layer, kvHead, hk, s.q, t * qDim + h * hk, attnScale, att, nKv,
                                s.attOut, t * nHead * hv + h * hv);
                        continue;
                    }
                    s.cache.scores(layer, kvHead, hk, s.q, t * qDim + h * hk, attnScale, att, nKv);
                    Ops.softmax(att, 0, nKv);
                    s.cache.weightedValues(layer, kvHead, hv, att, nKv, s.attOut, t * nHead * hv + h * hv);
                }
            });
            matmul(s, L.wo(), s.attOut, m, s.xb2);
            Ops.add(s.x, s.xb2, 0, m * e);

            // ---- feed-forward (SwiGLU)
            rmsNormRows(s, s.x, s.xb, L.ffnNorm(), m, e, eps);
            matmul(s, L.wGate(), s.xb, m, s.hb);
            matmul(s, L.wUp(), s.xb, m, s.hb2);
            // silu(gate) * up over all m*ff elements, split in chunks so that a single decoded token also uses every thread
            if (s.llamaCppX86) {
                LlamaCppX86Math.swigluRows(s.hb, s.hb2, m, ff);
                matmul(s, L.wDown(), s.hb, m, s.xb2);
                Ops.add(s.x, s.xb2, 0, m * e);
                continue;
            }
            final int total = m * ff;
            final int chunks = (total + SWIGLU_CHUNK - 1) / SWIGLU_CHUNK;
            s.pool.forRange(chunks, (start, end, worker) -> {
                int from = start * SWIGLU_CHUNK, to = Math.min(total, end * SWIGLU_CHUNK);
                Ops.swiglu(s.hb, s.hb2, from, to - from);
            });
            matmul(s, L.wDown(), s.hb, m, s.xb2);
            Ops.add(s.x, s.xb2, 0, m * e);
        }

        if (out == null || rowTo <= rowFrom) return;
        // final norm of the rows asked for, packed at the start of xb, then the output projection
        int rows = rowTo - rowFrom;
        for (int r = 0; r < rows; r++) {
            Ops.rmsNorm(s.xb, r * e, s.x, (rowFrom + r) * e, w.outputNorm(), e, eps);
        }
        matmul(s, w.output(), s.xb, rows, out, outOff);
    }

    private static void matmul(State s, QTensor w, float[] x, int n, float[] y) {
        matmul(s, w, x, n, y, 0);
    }

    private static void matmul(State s, QTensor w, float[] x, int n, float[] y, int yOff) {
        s.weightPasses++;
        s.matmulRows += n;
        if (n == 1) {
            s.mm.matvec(w, x, 0, y, yOff);
        } else {
            s.mm.matmul(w, x, 0, n, y, yOff);
        }
    }

    private static void addBias(float[] y, float[] bias, int m, int dim) {
        if (bias == null) return;
        for (int t = 0; t < m; t++) {
            for (int i = 0; i < dim; i++) y[t * dim + i] += bias[i];
        }
    }

    private static void rmsNormRows(State s, float[] in, float[] out, float[] weight, int m, int e, float eps) {
        if (m == 1) {
            Ops.rmsNorm(out, 0, in, 0, weight, e, eps);
            return;
        }
        s.pool.forRange(m, (start, end, worker) -> {
            for (int t = start; t < end; t++) Ops.rmsNorm(out, t * e, in, t * e, weight, e, eps);
        });
    }
}
