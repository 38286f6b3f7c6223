package io.edgellm.engine;

import io.edgellm.KvCacheType;

/**
 * The key/value cache: {@code n_ctx} cells, each holding the K and V rows of one token of one or more sequences
 * (llama.cpp's unified {@code llama_kv_cache}: a cell has a position and a set of sequence ids).
 * <pre>
 *   layer l, K:  [nCtx][kvDimK]   row c = the (RoPE-rotated) keys of all KV heads stored in cell c
 *   layer l, V:  [nCtx][kvDimV]   row c = the values of all KV heads stored in cell c
 *   head h of a row starts at h * headSize
 *   cell c:      pos(c) (-1 = empty), seqs(c) = bit set of sequence ids 0..63
 * </pre>
 * A token of sequence s at position p attends to the cells whose set holds s and whose position is {@code <= p}
 * (and {@code > p - window} in a sliding-window layer). While only sequence 0 is stored with positions 0, 1, 2, ... in
 * cells 0, 1, 2, ... the cache is <em>linear</em> and attention reads cells {@code [0, p]} directly.
 * F32 keeps floats; F16 stores IEEE half bits in {@code short[]} ({@link Float#floatToFloat16}, round to nearest even),
 * like llama.cpp's {@code -ctk f16 -ctv f16}. Not thread-safe for writes; concurrent reads of written rows are fine.
 */
public final class KvCache {
    /** Largest sequence id + 1 (the cell sets are one {@code long}). */
    public static final int MAX_SEQUENCES = 64;

    private final KvCacheType type;
    private final int nCtx;
    private final int kvDimK;
    private final int kvDimV;
    private final float[][] kF32;
    private final float[][] vF32;
    private final short[][] kF16;
    private final short[][] vF16;
    private final int[] cellPos;
    private final long[] cellSeqs;
    /** Position change of each cell not yet applied to its K rows ({@link #seqAdd}, {@link #applyKShift}). */
    private final int[] cellShift;
    /** True while some {@code cellShift[c] != 0}. */
    private boolean shiftPending;
    /** Cells in use (any non-empty set). */
    private int used;
    /** Next cell to try when allocating. */
    private int head;
    /** True while cell c holds (position c, sequence 0 only) for c &lt; used and every other cell is empty. */
    private boolean linear = true;

    /**
     * Allocates the cache (zeroed, all cells empty).
     *
     * @param type   element type
     * @param nLayer layers
     * @param nCtx   cells (n_ctx)
     * @param kvDimK elements of one K row ({@code n_head_kv * head_k})
     * @param kvDimV elements of one V row ({@code n_head_kv * head_v})
     * @throws IllegalArgumentException when one layer's cache does not fit in a Java array, or the whole cache does not
     *                                  fit in the Java heap that is left ({@link Runtime#maxMemory()} minus what is in
     *                                  use): checked before anything is allocated, so a huge {@code n_ctx} fails at once
     * @throws OutOfMemoryError         when the allocation fails anyway; its message names the KV cache and its size
     */
    public KvCache(KvCacheType type, int nLayer, int nCtx, int kvDimK, int kvDimV) {
        long perLayer = (long) nCtx * Math.max(kvDimK, kvDimV);
        if (perLayer > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("KV cache of " + nCtx + " x " + Math.max(kvDimK, kvDimV)
                    + " elements per layer is too large for one Java array; use a smaller context");
        }
        long need = (long) nLayer * nCtx * ((long) kvDimK + kvDimV) * type.bytesPerElement();
        checkHeap(need, nCtx, type);
        this.type = type;
        this.nCtx = nCtx;
        this.kvDimK = kvDimK;
        this.kvDimV = kvDimV;
        try {
            if (type == KvCacheType.F32) {
                kF32 = new float[nLayer][nCtx * kvDimK];
                vF32 = new float[nLayer][nCtx * kvDimV];
                kF16 = null;
                vF16 = null;
            } else {
                kF16 = new short[nLayer][nCtx * kvDimK];
                vF16 = new short[nLayer][nCtx * kvDimV];
                kF32 = null;
                vF32 = null;
            }
        } catch (OutOfMemoryError e) {
            OutOfMemoryError named = new OutOfMemoryError(describe(need, nCtx, type) + ": " + e.getMessage());
            named.initCause(e);
            throw named;
        }
        cellPos = new int[nCtx];
        cellSeqs = new long[nCtx];
        cellShift = new int[nCtx];
        java.util.Arrays.fill(cellPos, -1);
    }

    private static String describe(long bytes, int nCtx, KvCacheType type) {
        return "KV cache of n_ctx " + nCtx + " (" + type.name().toLowerCase(java.util.Locale.ROOT) + ", "
                + mib(bytes) + ")";
    }

    private static String mib(long bytes) {
        return bytes >= 10L << 30 ? (bytes >> 30) + " GiB" : String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    /** Fails before allocating when {@code bytes} cannot fit in the heap that is left. */
    private static void checkHeap(long bytes, int nCtx, KvCacheType type) {
        Runtime rt = Runtime.getRuntime();
        long max = rt.maxMemory();
        if (max == Long.MAX_VALUE) {
            return;                                            // no limit known
        }
        long available = max - (rt.totalMemory() - rt.freeMemory());
        if (bytes > available) {
            throw new IllegalArgumentException(describe(bytes, nCtx, type) + " does not fit in the Java heap ("
                    + mib(available) + " free of " + mib(max) + " max); use a smaller context (-c) or a larger heap"
                    + " (-Xmx; for the CLI EDGELLM_JAVA_OPTS=-Xmx...)");
        }
    }

    // ---- cells and sequences (llama.cpp llama_memory_seq_* ) ------------------------------------------------------

    /**
     * Empties every cell (llama.cpp {@code llama_memory_clear}).
     */
    public void clear() {
        java.util.Arrays.fill(cellPos, -1);
        java.util.Arrays.fill(cellSeqs, 0L);
        java.util.Arrays.fill(cellShift, 0);
        shiftPending = false;
        used = 0;
        head = 0;
        linear = true;
    }

    /**
     * Takes a free cell for a new token.
     *
     * @param pos its position
     * @param seq its sequence id, {@code 0 <= seq < }{@link #MAX_SEQUENCES}
     * @return the cell index
     * @throws IllegalStateException when every cell is in use (context full)
     */
    public int allocate(int pos, int seq) {
        checkSeq(seq);
        if (used >= nCtx) {
            throw new IllegalStateException("context full: all " + nCtx + " KV cells are in use (n_ctx = " + nCtx + ")");
        }
        int c = head;
        while (cellPos[c] >= 0) c = c + 1 == nCtx ? 0 : c + 1;
        if (linear && !(seq == 0 && pos == c && c == used)) linear = false;
        cellPos[c] = pos;
        cellSeqs[c] = 1L << seq;
        cellShift[c] = 0;
        used++;
        head = c + 1 == nCtx ? 0 : c + 1;
        return c;
    }

    /**
     * Removes the tokens of a sequence with positions in {@code [p0, p1)} (llama.cpp {@code llama_memory_seq_rm});
     * cells left without a sequence become free.
     *
     * @param seq sequence id, or -1 for every sequence
     * @param p0  first position (negative: 0)
     * @param p1  end position, exclusive (negative: infinity)
     */
    public void seqRemove(int seq, int p0, int p1) {
        if (seq >= 0) checkSeq(seq);
        int lo = Math.max(0, p0);
        int hi = p1 < 0 ? Integer.MAX_VALUE : p1;
        long mask = seq < 0 ? -1L : 1L << seq;
        boolean keepLinear = linear && (seq <= 0) && hi == Integer.MAX_VALUE;
        for (int c = 0; c < nCtx; c++) {
            int p = cellPos[c];
            if (p < lo || p >= hi || (cellSeqs[c] & mask) == 0) continue;
            cellSeqs[c] &= ~mask;
            if (cellSeqs[c] == 0) {
                cellPos[c] = -1;
                cellShift[c] = 0;
                used--;
                if (c < head) head = c;
            }
        }
        linear = keepLinear;
        if (used == 0) clear();
    }

    /**
     * Frees one cell whatever it holds (undoing an {@link #allocate} whose forward pass failed).
     *
     * @param cell the cell
     */
    public void free(int cell) {
        if (cellPos[cell] < 0) return;
        cellPos[cell] = -1;
        cellSeqs[cell] = 0;
        cellShift[cell] = 0;
        used--;
        if (cell < head) head = cell;
        if (cell != used) linear = false;
        if (used == 0) clear();
    }

    /**
     * Makes the tokens of {@code src} with positions in {@code [p0, p1)} also belong to {@code dst}, sharing their cells
     * (llama.cpp {@code llama_memory_seq_cp}): a prompt prefilled once serves several continuations.
     *
     * @param src source sequence
     * @param dst destination sequence
     * @param p0  first position (negative: 0)
     * @param p1  end position, exclusive (negative: infinity)
     */
    public void seqCopy(int src, int dst, int p0, int p1) {
        checkSeq(src);
        checkSeq(dst);
        if (src == dst) return;
        int lo = Math.max(0, p0);
        int hi = p1 < 0 ? Integer.MAX_VALUE : p1;
        for (int c = 0; c < nCtx; c++) {
            int p = cellPos[c];
            if (p >= lo && p < hi && (cellSeqs[c] & (1L << src)) != 0) {
                cellSeqs[c] |= 1L << dst;
                linear = false;
            }
        }
    }

    /**
     * Adds {@code delta} to the positions of the tokens of a sequence with positions in {@code [p0, p1)} (llama.cpp
     * {@code llama_memory_seq_add}; the context shift moves the tail of a full context back by
     * {@code -n_discard}). A cell whose position becomes negative is freed. A cell shared with other sequences moves for
     * all of them, as in llama.cpp. The K rows of the moved cells still hold keys rotated for the old positions until
     * {@link #applyKShift} re-rotates them (llama.cpp does that K-shift before the next decode); call it before the
     * next forward pass.
     *
     * @param seq   sequence id
     * @param p0    first position (negative: 0)
     * @param p1    end position, exclusive (negative: infinity)
     * @param delta positions to add (negative moves back)
     */
    public void seqAdd(int seq, int p0, int p1, int delta) {
        checkSeq(seq);
        int lo = Math.max(0, p0);
        int hi = p1 < 0 ? Integer.MAX_VALUE : p1;
        if (delta == 0 || lo >= hi) return;
        long bit = 1L << seq;
        for (int c = 0; c < nCtx; c++) {
            int p = cellPos[c];
            if (p < lo || p >= hi || (cellSeqs[c] & bit) == 0) continue;
            linear = false;
            if (p + delta < 0) {
                cellPos[c] = -1;
                cellSeqs[c] = 0;
                cellShift[c] = 0;
                used--;
                if (c < head) head = c;
                continue;
            }
            cellPos[c] = p + delta;
            cellShift[c] += delta;
            shiftPending = true;
        }
        if (used == 0) clear();
    }

    /**
     * Whether some cells were moved by {@link #seqAdd} and their K rows are not re-rotated yet.
     *
     * @return true when {@link #applyKShift} has work to do
     */
    public boolean shiftPending() {
        return shiftPending;
    }

    /**
     * Re-rotates the K rows of every cell moved by {@link #seqAdd} since the last call, in every layer (llama.cpp's
     * K-shift, {@code build_rope_shift}): each KV head's first {@code n_rot} dimensions are rotated by the cell's
     * position change ({@link Rope#shiftAngles}), so a key cached at position {@code p} becomes the key of position
     * {@code p + delta} without recomputing the layer; V rows do not depend on the position. Exact up to float
     * rounding in an F32 cache; an F16 cache dequantizes the row, rotates and rounds it back to F16, so a moved key
     * carries one more F16 rounding (relative error about 2^-11 per shift) than a freshly computed one.
     *
     * @param rope     the network's RoPE schedule for this cache's context ({@code Network.rope(n_ctx)})
     * @param headSize elements per KV head in a K row ({@code head_k}); the row holds {@code kvDimK / headSize} heads
     * @throws IllegalArgumentException when {@code headSize} does not divide the K row or is below {@code n_rot}
     */
    public void applyKShift(Rope rope, int headSize) {
        if (!shiftPending) return;
        if (headSize <= 0 || kvDimK % headSize != 0 || rope.nRot() > headSize) {
            throw new IllegalArgumentException("K-shift: head size " + headSize + " does not fit a K row of " + kvDimK
                    + " with n_rot " + rope.nRot());
        }
        int half = rope.nRot() / 2;
        float[] cos = new float[half], sin = new float[half];
        float[] row = new float[kvDimK];
        int heads = kvDimK / headSize;
        int nLayer = kF32 != null ? kF32.length : kF16.length;
        for (int c = 0; c < nCtx; c++) {
            int d = cellShift[c];
            if (d == 0) continue;
            cellShift[c] = 0;
            if (cellPos[c] < 0) continue;
            rope.shiftAngles(d, cos, sin, 0);
            int base = c * kvDimK;
            for (int l = 0; l < nLayer; l++) {
                if (kF32 != null) {
                    float[] kc = kF32[l];
                    for (int h = 0; h < heads; h++) rope.rotate(kc, base + h * headSize, cos, sin, 0);
                } else {
                    short[] kc = kF16[l];
                    for (int i = 0; i < kvDimK; i++) row[i] = Float.float16ToFloat(kc[base + i]);
                    for (int h = 0; h < heads; h++) rope.rotate(row, h * headSize, cos, sin, 0);
                    for (int i = 0; i < kvDimK; i++) kc[base + i] = Float.floatToFloat16(row[i]);
                }
            }
        }
        shiftPending = false;
    }

    /**
     * Position held by a cell.
     *
     * @param cell cell index, {@code 0 <= cell < n_ctx}
     * @return its position, or -1 when the cell is empty
     */
    public int cellPosition(int cell) {
        return cellPos[cell];
    }

    /**
     * Copies the K row of one cell as floats (an F16 cache is widened).
     *
     * @param layer layer index
     * @param cell  cell index
     * @param dst   destination, {@code kvDimK} floats at {@code off}
     * @param off   offset in dst
     */
    public void readK(int layer, int cell, float[] dst, int off) {
        int base = cell * kvDimK;
        if (kF32 != null) {
            System.arraycopy(kF32[layer], base, dst, off, kvDimK);
        } else {
            short[] kc = kF16[layer];
            for (int i = 0; i < kvDimK; i++) dst[off + i] = Float.float16ToFloat(kc[base + i]);
        }
    }

    /**
     * Largest position stored for a sequence (llama.cpp {@code llama_memory_seq_pos_max}).
     *
     * @param seq sequence id
     * @return the position, or -1 when the sequence has no tokens
     */
    public int seqPosMax(int seq) {
        checkSeq(seq);
        if (linear) return seq == 0 ? used - 1 : -1;     // cell c holds position c of sequence 0
        int max = -1;
        for (int c = 0; c < nCtx; c++) {
            if ((cellSeqs[c] & (1L << seq)) != 0) max = Math.max(max, cellPos[c]);
        }
        return max;
    }

    /**
     * Cells holding a token of a sequence (shared cells count for every sequence they hold).
     *
     * @param seq sequence id
     * @return the number of cells
     */
    public int seqCells(int seq) {
        checkSeq(seq);
        int n = 0;
        for (int c = 0; c < nCtx; c++) {
            if ((cellSeqs[c] & (1L << seq)) != 0) n++;
        }
        return n;
    }

    /**
     * Cells in use.
     *
     * @return cells holding at least one sequence's token
     */
    public int usedCells() {
        return used;
    }

    /**
     * Free cells.
     *
     * @return {@code n_ctx - used}
     */
    public int freeCells() {
        return nCtx - used;
    }

    /**
     * Whether the cache holds only sequence 0 in cells {@code 0 .. used-1} at positions equal to the cell index.
     *
     * @return true in the single-sequence layout
     */
    public boolean linear() {
        return linear;
    }

    /**
     * The cells a token of sequence {@code seq} at position {@code pos} attends to: those holding {@code seq} at a
     * position {@code <= pos}, and {@code > pos - window} when {@code window > 0}, in position order. Position order
     * makes attention's sums run in the same order as in the single-sequence layout whatever cells a sequence got
     * (cells freed by other sequences are reused out of order), so a sequence decoded beside others gets the same
     * scores as alone. Cells are scanned once; they are sorted only when found out of order.
     *
     * @param seq    sequence id
     * @param pos    the query token's position
     * @param window sliding-window size, or 0 for none
     * @param out    destination, at least n_ctx ints
     * @return the number of cells written
     */
    public int visible(int seq, int pos, int window, int[] out) {
        long bit = 1L << seq;
        int n = 0;
        boolean ordered = true;
        for (int c = 0; c < nCtx; c++) {
            int p = cellPos[c];
            if (p < 0 || p > pos || (cellSeqs[c] & bit) == 0) continue;
            if (window > 0 && pos - p >= window) continue;
            if (n > 0 && p < cellPos[out[n - 1]]) ordered = false;
            out[n++] = c;
        }
        if (!ordered) {
            if (sortKeys.length < n) sortKeys = new long[nCtx];
            for (int i = 0; i < n; i++) sortKeys[i] = ((long) cellPos[out[i]] << 32) | out[i];
            java.util.Arrays.sort(sortKeys, 0, n);
            for (int i = 0; i < n; i++) out[i] = (int) sortKeys[i];
        }
        return n;
    }

    /** Scratch of {@link #visible}: (position, cell) pairs to sort. */
    private long[] sortKeys = new long[0];

    /**
     * Bytes held by one cell over all layers.
     *
     * @param nLayer layers (as allocated)
     * @return {@code nLayer * (kvDimK + kvDimV) * bytesPerElement}
     */
    public long bytesPerCell(int nLayer) {
        return (long) nLayer * (kvDimK + kvDimV) * type.bytesPerElement();
    }

    private static void checkSeq(int seq) {
        if (seq < 0 || seq >= MAX_SEQUENCES) {
            throw new IllegalArgumentException("sequence id " + seq + " is out of range [0, " + MAX_SEQUENCES + ")");
        }
    }

    /**
     * Bytes held by the cache.
     *
     * @param nLayer layers (as allocated)
     * @return {@code nLayer * nCtx * (kvDimK + kvDimV) * bytesPerElement}
     */
    public long bytes(int nLayer) {
        return (long) nLayer * nCtx * (kvDimK + kvDimV) * type.bytesPerElement();
    }

    /**
     * Returns the number of positions.
     *
     * @return positions (n_ctx)
     */
    public int contextLength() {
        return nCtx;
    }

    /**
     * Returns the element type.
     *
     * @return the element type
     */
    public KvCacheType type() {
        return type;
    }

    /**
     * Stores the K and V rows of one token in its cell.
     *
     * @param layer layer index
     * @param cell  cell index (from {@link #allocate})
     * @param k     source of the K row ({@code kvDimK} floats at {@code kOff})
     * @param kOff  offset in k
     * @param v     source of the V row ({@code kvDimV} floats at {@code vOff})
     * @param vOff  offset in v
     */
    public void put(int layer, int cell, float[] k, int kOff, float[] v, int vOff) {
        if (kF32 != null) {
            System.arraycopy(k, kOff, kF32[layer], cell * kvDimK, kvDimK);
            System.arraycopy(v, vOff, vF32[layer], cell * kvDimV, kvDimV);
        } else {
            short[] kc = kF16[layer], vc = vF16[layer];
            int kb = cell * kvDimK, vb = cell * kvDimV;
            for (int i = 0; i < kvDimK; i++) kc[kb + i] = Float.floatToFloat16(k[kOff + i]);
            for (int i = 0; i < kvDimV; i++) vc[vb + i] = Float.floatToFloat16(v[vOff + i]);
        }
    }

    /**
     * Attention scores {@code att[j] = scale * q·K[cell_j][head]} for {@code j < n}, where {@code cell_j} is
     * {@code cells[j]}, or {@code start + j} when {@code cells} is null (a run of consecutive cells).
     *
     * @param layer    layer index
     * @param kvHead   KV head index
     * @param headSize elements per head
     * @param q        query vector ({@code headSize} floats at {@code qOff})
     * @param qOff     offset in q
     * @param scale    {@code 1/sqrt(head_k)} or the architecture's attention scale
     * @param att      destination, at least n floats
     * @param cells    the cells to score, or null for {@code start .. start+n-1}
     * @param start    first cell when {@code cells} is null
     * @param n        cells to score
     */
    public void scores(int layer, int kvHead, int headSize, float[] q, int qOff, float scale, float[] att,
                       int[] cells, int start, int n) {
        int hOff = kvHead * headSize;
        if (kF32 != null) {
            float[] kc = kF32[layer];
            for (int j = 0; j < n; j++) {
                int c = cells == null ? start + j : cells[j];
                att[j] = VectorMath.dot(q, qOff, kc, c * kvDimK + hOff, headSize) * scale;
            }
        } else {
            short[] kc = kF16[layer];
            for (int j = 0; j < n; j++) {
                int base = (cells == null ? start + j : cells[j]) * kvDimK + hOff;
                float s = 0;
                // like ggml's mul_mat with an F16 K cache: q is rounded to F16 (vec_dot_type) before the dot
                for (int d = 0; d < headSize; d++) {
                    s += Float.float16ToFloat(Float.floatToFloat16(q[qOff + d])) * Float.float16ToFloat(kc[base + d]);
                }
                att[j] = s * scale;
            }
        }
    }

    /**
     * {@link #scores}, softmax and {@link #weightedValues} in llama.cpp's x86 order ({@link LlamaCppX86Math}) over the
     * cells {@code cells[0 .. n)}, or the consecutive cells {@code start .. start+n-1} when {@code cells} is null (the
     * same sums in the same order either way, so a sequence scattered over the cache gets what it gets alone); F32
     * cache only (an F16 cache uses the plain methods).
     *
     * @param layer    layer index
     * @param kvHead   KV head index
     * @param headSize elements per head (keys and values)
     * @param q        query vector at {@code qOff}
     * @param qOff     offset in q
     * @param scale    {@code 1/sqrt(head_k)}
     * @param att      scratch, at least n floats
     * @param cells    the cells, or null for {@code start .. start+n-1}
     * @param start    first cell when {@code cells} is null
     * @param n        cells
     * @param out      destination ({@code headSize} floats at {@code outOff})
     * @param outOff   offset in out
     */
    public void attendLlamaCppX86(int layer, int kvHead, int headSize, float[] q, int qOff, float scale, float[] att,
                                  int[] cells, int start, int n, float[] out, int outOff) {
        if (kF32 == null) {
            scores(layer, kvHead, headSize, q, qOff, scale, att, cells, start, n);
            Ops.softmax(att, 0, n);
            weightedValues(layer, kvHead, headSize, att, cells, start, n, out, outOff);
            return;
        }
        float[] kc = kF32[layer], vc = vF32[layer];
        int hOff = kvHead * headSize;
        for (int j = 0; j < n; j++) {
            int c = cells == null ? start + j : cells[j];
            att[j] = LlamaCppX86Math.dotF32(kc, c * kvDimK + hOff, q, qOff, headSize) * scale;
        }
        LlamaCppX86Math.softmax(att, n);
        for (int d = 0; d < headSize; d++) {
            out[outOff + d] = cells == null
                    ? LlamaCppX86Math.weightedSum(att, n, vc, start * kvDimV + hOff + d, kvDimV)
                    : LlamaCppX86Math.weightedSum(att, n, vc, cells, hOff + d, kvDimV);
        }
    }

    /**
     * Weighted sum of values: {@code out[d] = sum_j att[j] * V[cell_j][head][d]} for {@code j < n}, {@code d < headSize}.
     *
     * @param layer    layer index
     * @param kvHead   KV head index
     * @param headSize elements per head
     * @param att      attention probabilities, n floats
     * @param cells    the cells, or null for {@code start .. start+n-1}
     * @param start    first cell when {@code cells} is null
     * @param n        cells
     * @param out      destination ({@code headSize} floats at {@code outOff}, overwritten)
     * @param outOff   offset in out
     */
    public void weightedValues(int layer, int kvHead, int headSize, float[] att, int[] cells, int start, int n,
                               float[] out, int outOff) {
        java.util.Arrays.fill(out, outOff, outOff + headSize, 0f);
        int hOff = kvHead * headSize;
        if (vF32 != null) {
            float[] vc = vF32[layer];
            for (int j = 0; j < n; j++) {
                int c = cells == null ? start + j : cells[j];
                VectorMath.axpy(att[j], vc, c * kvDimV + hOff, out, outOff, headSize);
            }
        } else {
            short[] vc = vF16[layer];
            for (int j = 0; j < n; j++) {
                float a = Float.float16ToFloat(Float.floatToFloat16(att[j])); // probabilities rounded to F16 likewise
                int base = (cells == null ? start + j : cells[j]) * kvDimV + hOff;
                for (int d = 0; d < headSize; d++) out[outOff + d] += a * Float.float16ToFloat(vc[base + d]);
            }
        }
    }
}
