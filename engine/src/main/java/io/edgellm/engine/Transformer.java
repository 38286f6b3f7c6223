package io.edgellm.engine;

import io.edgellm.KvCacheType;
import io.edgellm.ModelConfig;
import io.edgellm.quant.kernel.AccumulationOrder;
import io.edgellm.quant.kernel.ActivationPrecision;
import io.edgellm.quant.kernel.ActivationQuantizer;
import io.edgellm.quant.kernel.MatMul;
import io.edgellm.quant.kernel.Parallel;

/**
 * The driver of the forward pass shared by every architecture: it checks a batch, cuts it into micro-batches of at
 * most the state's batch size, gives each token a KV cache cell and runs the architecture's {@link Network#forward}
 * over each micro-batch. What a layer computes is the architecture's: see {@code io.edgellm.engine.arch}.
 * The network is shared and immutable, so one Transformer serves any number of {@link State}s concurrently.
 */
public final class Transformer {
    private final ModelConfig cfg;
    private final Network net;

    /**
     * The forward pass of a bound network.
     *
     * @param cfg hyperparameters
     * @param net the architecture's bound network
     */
    public Transformer(ModelConfig cfg, Network net) {
        this.cfg = cfg;
        this.net = net;
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
     * Returns the bound network.
     *
     * @return the architecture's network
     */
    public Network network() {
        return net;
    }

    /**
     * Returns the RoPE schedule at the model's training context.
     *
     * @return the rope
     */
    public Rope rope() {
        return net.rope(cfg.contextLength());
    }

    /**
     * A new state (KV cache, pool, scratch).
     *
     * @param nCtx      KV cache cells
     * @param nBatch    largest micro-batch per forward (capped at nCtx)
     * @param threads   worker threads of the state's pool
     * @param kvType    KV cache element type
     * @param precision matmul activation precision
     * @return the state; close it to stop its threads
     */
    public State newState(int nCtx, int nBatch, int threads, KvCacheType kvType, ActivationPrecision precision) {
        return newState(nCtx, nBatch, threads, kvType, precision, AccumulationOrder.KERNEL);
    }

    /**
     * A new state with a given matmul summation order.
     *
     * @param nCtx      KV cache cells
     * @param nBatch    largest micro-batch per forward (capped at nCtx)
     * @param threads   worker threads of the state's pool
     * @param kvType    KV cache element type
     * @param precision matmul activation precision
     * @param order     summation order of the Q8_0 / Q4_0 dot products; {@link AccumulationOrder#LLAMA_CPP_X86} also
     *                  selects llama.cpp's x86 activation quantizer ({@link ActivationQuantizer#LLAMA_CPP_X86})
     * @return the state; close it to stop its threads
     */
    public State newState(int nCtx, int nBatch, int threads, KvCacheType kvType, ActivationPrecision precision,
                          AccumulationOrder order) {
        return new State(this, nCtx, Math.min(nBatch, nCtx), threads, kvType, precision, order);
    }

    /**
     * Mutable buffers of one engine: the KV cache (with its sequences), the thread pool, the matmul scratch and the
     * activations of one micro-batch. Not thread-safe: one forward at a time.
     */
    public static final class State implements AutoCloseable {
        final Parallel pool;
        final MatMul mm;
        final KvCache cache;
        final int nBatch;
        final int vocab;
        final float[][] att;
        final int[] cells;
        final Forward forward;
        /** Reused by the single-sequence {@code forward}: the batch, and the cells a call took (freed on failure). */
        Batch single;
        int[] taken = new int[1];
        long weightPasses;
        long matmulRows;
        /** {@link AccumulationOrder#LLAMA_CPP_X86}: attention and SwiGLU also follow llama.cpp ({@link LlamaCppX86Math}). */
        final boolean llamaCppX86;

        State(Transformer t, int nCtx, int nBatch, int threads, KvCacheType kvType, ActivationPrecision precision,
              AccumulationOrder order) {
            ModelConfig c = t.cfg;
            this.pool = Parallel.create(threads);
            this.mm = new MatMul(pool);
            mm.activationPrecision(precision).accumulationOrder(order);
            this.llamaCppX86 = order == AccumulationOrder.LLAMA_CPP_X86;
            if (llamaCppX86) {
                mm.activationQuantizer(ActivationQuantizer.LLAMA_CPP_X86);   // reproduce the x86 build on any CPU
            }
            this.cache = new KvCache(kvType, c.blockCount(), nCtx, c.kvDimK(), c.kvDimV());
            this.nBatch = nBatch;
            this.vocab = c.vocabSize();
            this.att = new float[pool.threads()][nCtx];
            this.cells = new int[nBatch];
            this.forward = new Forward(this, c.embeddingLength(), c.blockCount(), t.net.rope(nCtx));
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
         * @return KV cells (n_ctx), tokens
         */
        public int contextLength() {
            return cache.contextLength();
        }

        /**
         * Returns the batch size.
         *
         * @return the largest number of tokens evaluated in one micro-batch (n_ubatch)
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
     * Evaluates {@code tokens[off .. off+n)} of sequence 0 at positions {@code pos .. pos+n-1}, in micro-batches of
     * the state's batch size. Cached tokens of sequence 0 at positions {@code >= pos} are dropped first, so a session
     * can rewind.
     *
     * @param s       the state (KV cache, scratch)
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
        checkTokens(tokens, off, n);
        if (s.cache.seqPosMax(0) >= pos) s.cache.seqRemove(0, pos, -1);
        if (s.single == null || s.single.capacity() < n) s.single = new Batch(n);   // reused: decode calls this per token
        Batch b = s.single;
        b.clear();
        for (int i = 0; i < n; i++) b.add(tokens[off + i], pos + i, 0, out != null && (allRows || i == n - 1));
        run(s, b, out);
    }

    /**
     * Evaluates a batch of tokens of any sequences (llama.cpp {@code llama_decode}): each token gets a free KV cell,
     * RoPE at its own position and attention over its own sequence's cells.
     *
     * @param s   the state
     * @param b   the batch; per sequence, positions must be larger than every position already cached for it
     * @param out logits destination, {@code b.outputs() * n_vocab} floats in batch order, or null
     * @throws IllegalArgumentException for an out-of-range token or sequence id, a position that is not after the
     *                                  sequence's cached ones, or a destination too small
     * @throws IllegalStateException    when the cache has fewer free cells than the batch has tokens (context full)
     */
    public void forward(State s, Batch b, float[] out) {
        if (b.n == 0) throw new IllegalArgumentException("no tokens to evaluate");
        checkTokens(b.token, 0, b.n);
        if (out != null && out.length < (long) b.outputs() * cfg.vocabSize()) {
            throw new IllegalArgumentException("logits destination of " + out.length + " floats for " + b.outputs()
                    + " output rows of " + cfg.vocabSize());
        }
        java.util.Map<Integer, Integer> last = new java.util.HashMap<>();
        for (int i = 0; i < b.n; i++) {
            int sq = b.seq[i];
            if (sq < 0 || sq >= KvCache.MAX_SEQUENCES) {
                throw new IllegalArgumentException("token " + i + ": sequence id " + sq + " is out of range [0, "
                        + KvCache.MAX_SEQUENCES + ")");
            }
            int prev = last.computeIfAbsent(sq, q -> s.cache.seqPosMax(q));
            if (b.pos[i] <= prev) {
                throw new IllegalArgumentException("token " + i + ": position " + b.pos[i] + " of sequence " + sq
                        + " is not after its last cached position " + prev);
            }
            last.put(sq, b.pos[i]);
        }
        run(s, b, out);
    }

    private void run(State s, Batch b, float[] out) {
        if (s.cache.freeCells() < b.n) {
            throw new IllegalStateException("context full: " + b.n + " tokens need KV cells but only "
                    + s.cache.freeCells() + " of n_ctx = " + s.contextLength() + " are free");
        }
        Forward f = s.forward;
        int vocab = cfg.vocabSize();
        int outRow = 0;
        if (s.taken.length < b.n) s.taken = new int[b.n];
        int[] taken = s.taken;
        int nTaken = 0;
        try {
            for (int c = 0; c < b.n; c += s.nBatch) {
                int m = Math.min(s.nBatch, b.n - c);
                int wanted = 0;
                for (int t = 0; t < m; t++) {
                    int i = c + t;
                    f.tokens[t] = b.token[i];
                    f.pos[t] = b.pos[i];
                    f.seq[t] = b.seq[i];
                    f.wanted[t] = out != null && b.logits[i];
                    if (f.wanted[t]) wanted++;
                    s.cells[t] = s.cache.allocate(b.pos[i], b.seq[i]);
                    taken[nTaken++] = s.cells[t];
                }
                f.begin(m);
                f.logits = wanted > 0 ? out : null;
                f.logitsOff = outRow * vocab;
                net.forward(f);
                outRow += wanted;
            }
        } catch (RuntimeException | Error e) {
            for (int i = 0; i < nTaken; i++) s.cache.free(taken[i]);
            throw e;
        }
    }

    private void checkTokens(int[] tokens, int off, int n) {
        for (int i = 0; i < n; i++) {
            int t = tokens[off + i];
            if (t < 0 || t >= cfg.vocabSize()) {
                throw new IllegalArgumentException("token id " + t + " at index " + i + " is out of range [0, " + cfg.vocabSize() + ")");
            }
        }
    }
}
