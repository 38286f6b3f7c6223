package io.edgellm.quant.kernel;

import io.edgellm.quant.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * The kernel operations, implemented twice: {@code VectorBackend} (JDK Vector API) and {@link ScalarBackend} (the
 * scalar reference codecs). Callers go through {@link Kernels}, which picks one at class initialization; this
 * interface keeps every class that references {@code jdk.incubator.vector} behind a reflective load, so nothing links
 * against the incubator module when it is absent.
 *
 * <p>Arguments are validated by {@link Kernels}; implementations may assume in-range offsets and {@code n} a multiple
 * of the block size.
 */
interface KernelBackend {

    /** Human-readable description (e.g. "Vector API, FloatVector 256 bits" or "scalar"). */
    String description();

    /** Sum over {@code i < n} of {@code W[i] * x[xOffset + i]} for a row of {@code type} at {@code w[wOffset]}. */
    float dot(GgmlType type, MemorySegment w, long wOffset, float[] x, int xOffset, int n);

    /**
     * Q4_1 or Q5_1 weights ({@code w_i = d*q_i + m} per block) with activations whose per-block sums are given:
     * {@code sum_b (d_b * sum_i q_i x_i + m_b * xBlockSums[sumOffset + b])}. With the sums of a Q8_1 activation (its
     * {@code s} field) this is llama.cpp's {@code ggml_vec_dot_q4_1_q8_1} up to the float summation order.
     */
    float dotWithBlockSums(GgmlType type, MemorySegment w, long wOffset, float[] x, int xOffset,
                           float[] xBlockSums, int sumOffset, int n);

    /**
     * Integer Q8_0·Q8_0: {@code sum_b (sum_i qw_i qx_i) * (d_w * d_x)}, w in ggml Q8_0 block layout, the activation
     * row widened ({@link Kernels#widenQ8_0}): quants {@code xq[xqOffset ..]}, one scale per 32 in {@code xd[xdOffset ..]}.
     * The activation quants must lie in [-127, 127] (what every Q8_0 quantizer produces: {@code |q| <= 127}); the
     * weights may use the whole int8 range.
     */
    float dotQ8_0Q8_0(MemorySegment w, long wOffset, short[] xq, int xqOffset, float[] xd, int xdOffset, int n);

    /** Integer Q4_0·Q8_0: {@code sum_b (sum_i (qw_i - 8) qx_i) * d_w * d_x}; w in Q4_0 layout, x as above. */
    float dotQ4_0Q8_0(MemorySegment w, long wOffset, short[] xq, int xqOffset, float[] xd, int xdOffset, int n);

    /**
     * Two activation rows against one Q8_0 weight row, the weight quants loaded once:
     * {@code y[y0] = dotQ8_0Q8_0(w, wOffset, xq, xqOffset0, xd, xdOffset0, n)} and the same for row 1 into
     * {@code y[y1]}, each bit for bit what the one-row kernel returns (decode with 2-3 sequences, llama.cpp's
     * {@code n_seq}; batches of {@link MatMul#TILE_MIN_BATCH} and more take the tile path).
     */
    default void dotQ8_0Q8_0x2(MemorySegment w, long wOffset, short[] xq, int xqOffset0, int xqOffset1, float[] xd,
                               int xdOffset0, int xdOffset1, int n, float[] y, int y0, int y1) {
        y[y0] = dotQ8_0Q8_0(w, wOffset, xq, xqOffset0, xd, xdOffset0, n);
        y[y1] = dotQ8_0Q8_0(w, wOffset, xq, xqOffset1, xd, xdOffset1, n);
    }

    /** {@link #dotQ8_0Q8_0x2} for Q4_0 weights: two rows of {@link #dotQ4_0Q8_0}, each bit for bit. */
    default void dotQ4_0Q8_0x2(MemorySegment w, long wOffset, short[] xq, int xqOffset0, int xqOffset1, float[] xd,
                               int xdOffset0, int xdOffset1, int n, float[] y, int y0, int y1) {
        y[y0] = dotQ4_0Q8_0(w, wOffset, xq, xqOffset0, xd, xdOffset0, n);
        y[y1] = dotQ4_0Q8_0(w, wOffset, xq, xqOffset1, xd, xdOffset1, n);
    }

    /**
     * Integer Q4_K·Q8_K ({@link Kernels#dotKQ8_K}): w in Q4_K layout; the activation row widened
     * ({@link Kernels#widenQ8_K}): quants {@code xq[xqOffset ..]}, one scale per 256 in {@code xd[xdOffset ..]}, the
     * sums of each 32 quants in {@code xs[8*xdOffset ..]}. Every backend returns the same float, bit for bit.
     */
    float dotQ4_KQ8_K(MemorySegment w, long wOffset, short[] xq, int xqOffset, float[] xd, short[] xs, int xdOffset,
                      int n);

    /** Integer Q5_K·Q8_K, arguments as {@link #dotQ4_KQ8_K}. */
    float dotQ5_KQ8_K(MemorySegment w, long wOffset, short[] xq, int xqOffset, float[] xd, short[] xs, int xdOffset,
                      int n);

    /** Integer Q6_K·Q8_K, arguments as {@link #dotQ4_KQ8_K}. */
    float dotQ6_KQ8_K(MemorySegment w, long wOffset, short[] xq, int xqOffset, float[] xd, short[] xs, int xdOffset,
                      int n);

    /** Plain F32 dot of two float arrays. */
    float dotF32(float[] a, int aOffset, float[] b, int bOffset, int n);

    /**
     * Dequantizes {@code n} elements of a row of {@code type} into {@code out[outOffset ..]}: the values of
     * {@link io.edgellm.quant.ggml.Dequantize#row}, bit for bit.
     */
    void dequantize(GgmlType type, MemorySegment w, long wOffset, float[] out, int outOffset, int n);

    /**
     * A tile of dot products of dense rows of length {@code n}: for {@code r < nr}, {@code b < nb} (both at most 4),
     * {@code y[yOffset + b * yStride + r] = w[wOffset + r*n ..] · x[xOffset + b*n ..]}. Every output is summed in one
     * fixed order whatever {@code nr} and {@code nb} are, so how outputs are grouped into tiles never changes a
     * result.
     */
    void dotTile(float[] w, int wOffset, int nr, float[] x, int xOffset, int nb, int n, float[] y, int yOffset,
                 int yStride);
}
