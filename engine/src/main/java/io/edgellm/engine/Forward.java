package io.edgellm.engine;

import io.edgellm.engine.nn.Attention;
import io.edgellm.engine.nn.Experts;
import io.edgellm.engine.nn.FeedForward;
import io.edgellm.engine.nn.Linear;
import io.edgellm.engine.nn.Norm;
import io.edgellm.quant.ggml.Dequantize;
import io.edgellm.quant.kernel.QTensor;
import java.util.Arrays;

/**
 * The building blocks of a decoder forward pass over one micro-batch of token rows, as an architecture's
 * {@link Network#forward} calls them (llama.cpp's {@code llm_graph_context}: {@code build_norm}, {@code build_attn},
 * {@code build_ffn}, {@code build_moe_ffn}, {@code build_inp_out_ids}). Each call runs over every active row; the
 * matrix products go through the engine's {@link io.edgellm.quant.kernel.MatMul} (one weight pass for all rows) and the
 * element-wise work is split over its thread pool.
 *
 * <p>Row buffers, {@code rows() x n_embd} floats each, row-major: {@link #x} (the residual stream), {@link #cur} (a
 * norm's output, the input of a sub-block), {@link #attnOut} and {@link #ffnOut} (sub-block outputs). Rows carry their
 * own position and sequence id: RoPE uses each row's position and attention reads each row's own sequence in the
 * {@link KvCache}.
 *
 * <p>Output rows (llama.cpp {@code inp_out_ids}): in the last layer, once the K/V of every row are in the cache,
 * {@link #attention} keeps only the rows whose logits are wanted: {@link #x}, the attention input and the row metadata
 * shrink to them, so the rest of that layer, the output norm and the output matrix run for those rows only.
 *
 * <p>Not thread-safe: one forward at a time per {@link Transformer.State}.
 */
public final class Forward {
    /** Elements per parallel task of the element-wise passes. */
    private static final int CHUNK = 2048;

    private final Transformer.State s;
    private final int nEmbd;
    private final int nLayer;
    private final Rope rope;
    private final int half;

    /** Residual stream, {@code rows x n_embd}. */
    public float[] x;
    /** A norm's output / a sub-block's input, {@code rows x n_embd}. */
    public float[] cur;
    /** Attention output, {@code rows x n_embd}. */
    public float[] attnOut;
    /** Feed-forward output, {@code rows x n_embd}. */
    public float[] ffnOut;

    // per-row metadata of the micro-batch
    int rows;
    int[] tokens;
    int[] pos;
    int[] seq;
    boolean[] wanted;
    int wantedCount;
    /** Visible cells per row for window 0 (global) and for {@link #visWindow}. */
    private final Visibility global;
    private final Visibility windowed;
    private int visWindow;
    /** Logits destination of this micro-batch: row r of the active rows goes to {@code logits[logitsOff + r*vocab]}. */
    float[] logits;
    int logitsOff;

    // scratch
    private float[] q, k, v, qkv, heads, hb, hb2, wide, cos, sin;
    private float[] routerLogits, gathered, expertOut, sharedOut;
    private int[] sel;
    private float[] selW;
    private int[] expertRows;

    Forward(Transformer.State s, int nEmbd, int nLayer, Rope rope) {
        this.s = s;
        this.nEmbd = nEmbd;
        this.nLayer = nLayer;
        this.rope = rope;
        this.half = rope.nRot() / 2;
        int nb = s.nBatch;
        x = new float[nb * nEmbd];
        cur = new float[nb * nEmbd];
        attnOut = new float[nb * nEmbd];
        ffnOut = new float[nb * nEmbd];
        tokens = new int[nb];
        pos = new int[nb];
        seq = new int[nb];
        wanted = new boolean[nb];
        cos = new float[nb * half];
        sin = new float[nb * half];
        global = new Visibility(nb);
        windowed = new Visibility(nb);
    }

    /**
     * Number of active rows.
     *
     * @return rows of the micro-batch still computed (after the last layer's attention: the output rows)
     */
    public int rows() {
        return rows;
    }

    /**
     * Model width.
     *
     * @return n_embd
     */
    public int embd() {
        return nEmbd;
    }

    /**
     * Layer count.
     *
     * @return n_layer
     */
    public int layers() {
        return nLayer;
    }

    /** Sets up the rows; called by {@link Transformer} after it has allocated each row's KV cell. */
    void begin(int n) {
        rows = n;
        int w = 0;
        for (int i = 0; i < n; i++) if (wanted[i]) w++;
        wantedCount = w;
        visWindow = -1;
        global.valid = false;
        windowed.valid = false;
        for (int t = 0; t < n; t++) rope.angles(pos[t], cos, sin, t * half);
    }

    // ---- embeddings and output -------------------------------------------------------------------------------------

    /**
     * {@code x[r] = table[token_r]}: the embedding rows of the tokens, dequantized ({@code ggml_get_rows}).
     *
     * @param table {@code token_embd.weight}, one row of n_embd per token
     */
    public void embed(QTensor table) {
        long rowBytes = table.type().rowBytes(table.cols());
        for (int t = 0; t < rows; t++) {
            Dequantize.row(table.type(), table.data(), tokens[t] * rowBytes, x, t * nEmbd, nEmbd);
        }
    }

    /**
     * {@code buf *= factor} over the active rows ({@code ggml_scale}; gemma's {@code sqrt(n_embd)} embedding scale).
     *
     * @param buf    a row buffer
     * @param factor the factor
     */
    public void scale(float[] buf, float factor) {
        Ops.scale(buf, 0, rows * nEmbd, factor);
    }

    /**
     * {@code acc += x} over the active rows (a residual connection).
     *
     * @param acc accumulating row buffer
     * @param add addend row buffer
     */
    public void add(float[] acc, float[] add) {
        Ops.add(acc, add, 0, rows * nEmbd);
    }

    /**
     * The logits of the active rows: {@code output · in (+ bias)} into the forward's destination, one row of n_vocab
     * per output row. Does nothing when no row wants logits.
     *
     * @param output the output projection ({@code output.weight}, or the tied {@code token_embd.weight})
     * @param in     the final norm's output
     */
    public void logits(Linear output, float[] in) {
        if (logits == null || rows == 0) return;
        linear(output, in, logits, logitsOff);
    }

    /**
     * Soft-caps the logits of the active rows: {@code cap * tanh(logit / cap)} (gemma2's {@code final_logit_softcapping}).
     *
     * @param cap the cap, &gt; 0
     */
    public void softcapLogits(float cap) {
        if (logits == null || rows == 0) return;
        int vocab = s.vocab;
        VectorMath.softcap(logits, logitsOff, rows * vocab, cap);
    }

    // ---- norms and linear layers ----------------------------------------------------------------------------------

    /**
     * {@code out = norm(in)} per active row (RMSNorm or LayerNorm with bias, {@code build_norm}).
     *
     * @param in   input row buffer
     * @param out  output row buffer (may be {@code in})
     * @param norm the norm's weights and epsilon
     */
    public void norm(float[] in, float[] out, Norm norm) {
        final int e = nEmbd;
        if (rows == 1) {
            normRow(in, out, 0, norm);
            return;
        }
        s.pool.forRange(rows, (start, end, worker) -> {
            for (int t = start; t < end; t++) normRow(in, out, t * e, norm);
        });
    }

    private void normRow(float[] in, float[] out, int off, Norm norm) {
        if (norm.kind() == Norm.Kind.RMS) {
            Ops.rmsNorm(out, off, in, off, norm.weight(), nEmbd, norm.eps());
        } else {
            VectorMath.layerNorm(out, off, in, off, norm.weight(), norm.bias(), nEmbd, norm.eps());
        }
    }

    /**
     * {@code out = W · in (+ b)} over the active rows.
     *
     * @param l   the layer
     * @param in  {@code rows x l.in()} floats
     * @param out {@code rows x l.out()} floats
     */
    public void linear(Linear l, float[] in, float[] out) {
        linear(l, in, out, 0);
    }

    private void linear(Linear l, float[] in, float[] out, int outOff) {
        matmul(l.weight(), in, rows, out, outOff);
        float[] b = l.bias();
        if (b != null) {
            int n = b.length;
            for (int t = 0; t < rows; t++) {
                int o = outOff + t * n;
                for (int i = 0; i < n; i++) out[o + i] += b[i];
            }
        }
    }

    private void matmul(QTensor w, float[] in, int n, float[] out, int outOff) {
        if (n == 0) return;
        s.weightPasses++;
        s.matmulRows += n;
        if (n == 1) {
            s.mm.matvec(w, in, 0, out, outOff);
        } else {
            s.mm.matmul(w, in, 0, n, out, outOff);
        }
    }

    // ---- attention --------------------------------------------------------------------------------------------------

    /**
     * Options of one attention layer.
     *
     * @param scale   the factor on {@code q·k} (usually {@code 1/sqrt(head_k)})
     * @param softcap attention-logit soft-cap ({@code cap * tanh(s / cap)} before the softmax), or 0 for none
     * @param window  sliding window: a token sees the previous {@code window - 1} positions and itself, or 0 for all
     */
    public record AttentionOptions(float scale, float softcap, int window) {
        /**
         * Plain causal attention with a scale.
         *
         * @param scale factor on {@code q·k}
         * @return the options
         */
        public static AttentionOptions scaled(float scale) {
            return new AttentionOptions(scale, 0f, 0);
        }
    }

    /**
     * Self-attention of the active rows (llama.cpp {@code build_qkv} + {@code build_attn}): Q, K, V projections (split
     * or fused, biases added), RoPE on Q and K at each row's position, K/V stored in each row's cache cell, then per
     * (row, head) {@code softmax(scale · q·K^T [softcap] [window mask]) · V} over the cells of the row's sequence
     * (grouped-query: head h reads KV head {@code h / (n_head / n_head_kv)}), and the output projection.
     * In the last layer the rows not asked for are dropped after their K/V are stored (see the class comment).
     *
     * @param layer   layer index
     * @param w       the projections
     * @param in      input row buffer (a norm's output); compacted with the rows in the last layer
     * @param out     output row buffer, {@code rows x n_embd}
     * @param o       scale, soft-cap and window
     * @param nHead   query heads
     * @param nHeadKv key/value heads
     * @param headK   per-head query/key size
     * @param headV   per-head value size
     */
    public void attention(int layer, Attention w, float[] in, float[] out, AttentionOptions o,
                          int nHead, int nHeadKv, int headK, int headV) {
        final int m = rows;
        final int qDim = nHead * headK, kDim = nHeadKv * headK, vDim = nHeadKv * headV;
        q = ensure(q, m * qDim);
        k = ensure(k, m * kDim);
        v = ensure(v, m * vDim);
        if (w.qkv() != null) {
            int all = qDim + kDim + vDim;
            qkv = ensure(qkv, m * all);
            linear(w.qkv(), in, qkv);
            for (int t = 0; t < m; t++) {
                System.arraycopy(qkv, t * all, q, t * qDim, qDim);
                System.arraycopy(qkv, t * all + qDim, k, t * kDim, kDim);
                System.arraycopy(qkv, t * all + qDim + kDim, v, t * vDim, vDim);
            }
        } else {
            linear(w.q(), in, q);
            linear(w.k(), in, k);
            linear(w.v(), in, v);
        }
        KvCache cache = s.cache;
        for (int t = 0; t < m; t++) {
            for (int h = 0; h < nHead; h++) rope.rotate(q, t * qDim + h * headK, cos, sin, t * half);
            for (int h = 0; h < nHeadKv; h++) rope.rotate(k, t * kDim + h * headK, cos, sin, t * half);
            cache.put(layer, s.cells[t], k, t * kDim, v, t * vDim);
        }
        if (layer == nLayer - 1 && wantedCount < rows) {
            keepOutputRows(in, qDim);
        }
        final int n = rows;
        final Visibility vis = visibility(o.window());
        final int group = nHead / nHeadKv;
        final boolean x86 = s.llamaCppX86 && headK == headV && o.softcap() == 0f;
        final float scale = o.scale(), cap = o.softcap();
        final int hd = nHead * headV;
        heads = ensure(heads, Math.max(1, n) * hd);
        final float[] qq = q, hh = heads;
        s.pool.forRange(n * nHead, (start, end, worker) -> {
            float[] att = s.att[worker];
            for (int idx = start; idx < end; idx++) {
                int t = idx / nHead, h = idx % nHead;
                int kvHead = h / group;
                int[] cells = vis.cells[t];
                int first = vis.start[t], cnt = vis.count[t];
                int qOff = t * qDim + h * headK, oOff = t * hd + h * headV;
                if (x86) {
                    cache.attendLlamaCppX86(layer, kvHead, headK, qq, qOff, scale, att, cells, first, cnt, hh, oOff);
                    continue;
                }
                cache.scores(layer, kvHead, headK, qq, qOff, scale, att, cells, first, cnt);
                if (cap > 0f) VectorMath.softcap(att, 0, cnt, cap);
                Ops.softmax(att, 0, cnt);
                cache.weightedValues(layer, kvHead, headV, att, cells, first, cnt, hh, oOff);
            }
        });
        linear(w.out(), heads, out);
    }

    /** Drops the rows whose logits are not wanted (llama.cpp's {@code ggml_get_rows(cur, inp_out_ids)}). */
    private void keepOutputRows(float[] in, int qDim) {
        int r = 0;
        for (int t = 0; t < rows; t++) {
            if (!wanted[t]) continue;
            if (r != t) {
                System.arraycopy(x, t * nEmbd, x, r * nEmbd, nEmbd);
                System.arraycopy(in, t * nEmbd, in, r * nEmbd, nEmbd);
                System.arraycopy(q, t * qDim, q, r * qDim, qDim);
                tokens[r] = tokens[t];
                pos[r] = pos[t];
                seq[r] = seq[t];
                wanted[r] = true;
                s.cells[r] = s.cells[t];
                global.move(t, r);
                windowed.move(t, r);
                System.arraycopy(cos, t * half, cos, r * half, half);
                System.arraycopy(sin, t * half, sin, r * half, half);
            }
            r++;
        }
        rows = r;
    }

    private Visibility visibility(int window) {
        Visibility vis;
        if (window <= 0) {
            vis = global;
        } else {
            if (visWindow != window) windowed.valid = false;
            visWindow = window;
            vis = windowed;
        }
        if (!vis.valid) vis.compute(s.cache, rows, pos, seq, Math.max(0, window));
        return vis;
    }

    /** Per row: the cache cells it attends to, as a run {@code [start, start+count)} or an explicit list. */
    private static final class Visibility {
        final int[][] cells;
        final int[] start;
        final int[] count;
        private final int[][] lists;
        boolean valid;

        Visibility(int nb) {
            cells = new int[nb][];
            lists = new int[nb][];
            start = new int[nb];
            count = new int[nb];
        }

        void compute(KvCache cache, int n, int[] pos, int[] seq, int window) {
            boolean linear = cache.linear();
            for (int t = 0; t < n; t++) {
                if (linear) {
                    int p = pos[t];
                    int first = window > 0 ? Math.max(0, p - window + 1) : 0;
                    cells[t] = null;
                    start[t] = first;
                    count[t] = p - first + 1;
                } else {
                    if (lists[t] == null) lists[t] = new int[cache.contextLength()];
                    cells[t] = lists[t];
                    start[t] = 0;
                    count[t] = cache.visible(seq[t], pos[t], window, lists[t]);
                }
            }
            valid = true;
        }

        void move(int from, int to) {
            int[] tmp = lists[to];
            lists[to] = lists[from];
            lists[from] = tmp;
            cells[to] = cells[from] == null ? null : lists[to];
            start[to] = start[from];
            count[to] = count[from];
        }
    }

    // ---- feed-forward -----------------------------------------------------------------------------------------------

    /**
     * A feed-forward block over the active rows ({@code build_ffn}): gated (SwiGLU / GeGLU), fused gate|up, or plain.
     *
     * @param w   the weights
     * @param in  input row buffer
     * @param out output row buffer, {@code rows x n_embd}
     */
    public void ffn(FeedForward w, float[] in, float[] out) {
        ffn(w, in, rows, out);
    }

    private void ffn(FeedForward w, float[] in, int n, float[] out) {
        final int ff = w.hidden();
        hb = ensure(hb, n * ff);
        int saved = rows;
        rows = n;
        try {
            if (w.fusedGate()) {
                wide = ensure(wide, n * 2 * ff);
                linear(w.up(), in, wide);
                for (int t = 0; t < n; t++) {
                    System.arraycopy(wide, t * 2 * ff, hb, t * ff, ff);
                }
                hb2 = ensure(hb2, n * ff);
                for (int t = 0; t < n; t++) {
                    System.arraycopy(wide, t * 2 * ff + ff, hb2, t * ff, ff);
                }
                glu(w.activation(), hb, hb2, n * ff);
            } else if (w.gate() != null) {
                hb2 = ensure(hb2, n * ff);
                linear(w.gate(), in, hb);
                linear(w.up(), in, hb2);
                if (s.llamaCppX86 && w.activation() == FeedForward.Activation.SILU) {
                    LlamaCppX86Math.swigluRows(hb, hb2, n, ff);
                } else {
                    glu(w.activation(), hb, hb2, n * ff);
                }
            } else {
                linear(w.up(), in, hb);
                activate(w.activation(), hb, n * ff);
            }
            linear(w.down(), hb, out);
        } finally {
            rows = saved;
        }
    }

    /** {@code gate = act(gate) * up} over {@code total} elements, split over the pool. */
    private void glu(FeedForward.Activation act, float[] gate, float[] up, int total) {
        int chunks = (total + CHUNK - 1) / CHUNK;
        s.pool.forRange(chunks, (start, end, worker) -> {
            int from = start * CHUNK, to = Math.min(total, end * CHUNK);
            if (act == FeedForward.Activation.SILU) {
                Ops.swiglu(gate, up, from, to - from);
            } else {
                Ops.geglu(gate, up, from, to - from);
            }
        });
    }

    private void activate(FeedForward.Activation act, float[] buf, int total) {
        int chunks = (total + CHUNK - 1) / CHUNK;
        s.pool.forRange(chunks, (start, end, worker) -> {
            int from = start * CHUNK, to = Math.min(total, end * CHUNK);
            if (act == FeedForward.Activation.SILU) {
                for (int i = from; i < to; i++) buf[i] = buf[i] / (1.0f + (float) Math.exp(-buf[i]));
            } else {
                Ops.gelu(buf, from, to - from);
            }
        });
    }

    /**
     * A mixture-of-experts block over the active rows ({@code build_moe_ffn}): route every row, then for each expert
     * that some row selected, gather those rows and run the expert's three matrices once for all of them (llama.cpp's
     * {@code mul_mat_id} idea: each selected expert's weights are read once per micro-batch), scatter the weighted
     * results back; plus the shared expert with its sigmoid gate when present.
     *
     * @param w   the experts
     * @param in  input row buffer
     * @param out output row buffer, {@code rows x n_embd}
     */
    public void moe(Experts w, float[] in, float[] out) {
        final int m = rows, nE = w.count(), used = w.used(), e = nEmbd, ff = w.hidden();
        routerLogits = ensure(routerLogits, m * nE);
        linear(w.router(), in, routerLogits);
        if (sel == null || sel.length < m * used) {
            sel = new int[m * used];
            selW = new float[m * used];
        }
        for (int t = 0; t < m; t++) {
            int o = t * nE;
            Ops.softmax(routerLogits, o, nE);
            // top-k, highest probability first (ties: lower expert id first)
            for (int j = 0; j < used; j++) {
                int best = -1;
                for (int ex = 0; ex < nE; ex++) {
                    boolean taken = false;
                    for (int i = 0; i < j; i++) taken |= sel[t * used + i] == ex;
                    if (!taken && (best < 0 || routerLogits[o + ex] > routerLogits[o + best])) best = ex;
                }
                sel[t * used + j] = best;
                selW[t * used + j] = routerLogits[o + best];
            }
            if (w.normalize()) {
                float sum = 0;
                for (int j = 0; j < used; j++) sum += selW[t * used + j];
                sum = Math.max(sum, 6.103515625e-5f);
                for (int j = 0; j < used; j++) selW[t * used + j] /= sum;
            }
        }
        Arrays.fill(out, 0, m * e, 0f);
        gathered = ensure(gathered, m * e);
        expertOut = ensure(expertOut, m * e);
        if (expertRows == null || expertRows.length < m) expertRows = new int[m];
        for (int ex = 0; ex < nE; ex++) {
            int c = 0;
            for (int t = 0; t < m; t++) {
                for (int j = 0; j < used; j++) {
                    if (sel[t * used + j] == ex) {
                        expertRows[c++] = t * used + j;
                        break;
                    }
                }
            }
            if (c == 0) continue;
            for (int i = 0; i < c; i++) {
                int t = expertRows[i] / used;
                System.arraycopy(in, t * e, gathered, i * e, e);
            }
            ffn(w.experts()[ex], gathered, c, expertOut);
            for (int i = 0; i < c; i++) {
                int slot = expertRows[i], t = slot / used;
                VectorMath.axpy(selW[slot], expertOut, i * e, out, t * e, e);
            }
        }
        if (w.shared() != null) {
            sharedOut = ensure(sharedOut, m * e);
            ffn(w.shared(), in, m, sharedOut);
            float[] g = w.sharedGate();
            for (int t = 0; t < m; t++) {
                float scale = 1f;
                if (g != null) {
                    float z = VectorMath.dot(g, 0, in, t * e, e);
                    scale = 1.0f / (1.0f + (float) Math.exp(-z));
                }
                VectorMath.axpy(scale, sharedOut, t * e, out, t * e, e);
            }
        }
    }

    private static float[] ensure(float[] b, int n) {
        return b != null && b.length >= n ? b : new float[Math.max(n, 1)];
    }
}
