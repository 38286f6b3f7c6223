package io.edgellm.engine;

import io.edgellm.quant.kernel.AccumulationOrder;

/**
 * The float operations of the forward pass between two matmuls (attention scores, softmax, weighted values, SwiGLU)
 * computed exactly as llama.cpp's x86 build with AVX-512 does them, for {@link AccumulationOrder#LLAMA_CPP_X86}.
 * A reproducibility mode (scalar Java, slow), not a fast path: with it the inputs of the next Q8_0 rounding equal
 * llama.cpp's bit for bit, so no activation rounds to the other integer ("flip").
 *
 * <ul>
 *   <li>{@code exp}: {@code ggml_v_expf} (ggml-cpu/vec.h, "adapted from arm limited optimized routine", max error
 *       1.45 + 0.5 ulp) for every full group of 16 elements, the C library's {@code expf} for the rest;</li>
 *   <li>softmax ({@code ggml_vec_soft_max_f32}): the KQ row is padded with masked (-inf, exp 0) positions to a multiple
 *       of 16, so every value uses {@code ggml_v_expf}; each group of 16 is summed with {@code _mm512_reduce_add_ps}
 *       and added to a double;</li>
 *   <li>KQ ({@code ggml_vec_dot_f32}, q is a permuted, non-contiguous view so llamafile is skipped): 4 accumulators of
 *       16 lanes per 64 elements, then the rest one by one ({@code sumf += x*y}, a multiply and an add: not contracted
 *       to an FMA; the FMA variant was tried and gives flips on stories260K-Q4_0);</li>
 *   <li>KQV (llamafile {@code tinyBLAS} F32, the row length n_kv is padded to a multiple of 16): lane {@code j % 16}
 *       accumulates position {@code j} by FMA, then {@code _mm512_reduce_add_ps};</li>
 *   <li>SwiGLU ({@code ggml_vec_swiglu_f32}): {@code x / (1 + ggml_v_expf(-x)) * g} for full groups of 16 of each row,
 *       {@code x / (1 + expf(-x)) * g} for the rest.</li>
 * </ul>
 */
final class LlamaCppX86Math {
    private LlamaCppX86Math() {
    }

    /** {@code ggml_v_expf} for one lane; falls back to exp for |n| > 192 (far outside what these models produce). */
    static float vExpf(float x) {
        final float r = 0x1.8p23f;
        float z = Math.fma(x, 0x1.715476p+0f, r);
        float n = z - r;
        float b = Math.fma(-n, 0x1.7f7d1cp-20f, Math.fma(-n, 0x1.62e4p-1f, x));
        if (Math.abs(n) > 192 || Float.isNaN(n)) {
            return (float) Math.exp(x);
        }
        float u = b * b;
        float j = Math.fma(
                Math.fma(Math.fma(0x1.0e4020p-7f, b, 0x1.573e2ep-5f), u, Math.fma(0x1.555e66p-3f, b, 0x1.fffdb6p-2f)),
                u,
                Math.fma(0x1.ffffecp-1f, b, 1.0f));
        return Math.scalb(j, (int) n);   // _mm512_scalef_ps(j, n)
    }

    /** GCC's {@code _mm512_reduce_add_ps} of {@code v[off .. off+16)}. */
    static float reduceAdd16(float[] v, int off) {
        float t0 = v[off + 8] + v[off], t1 = v[off + 9] + v[off + 1], t2 = v[off + 10] + v[off + 2];
        float t3 = v[off + 11] + v[off + 3], t4 = v[off + 12] + v[off + 4], t5 = v[off + 13] + v[off + 5];
        float t6 = v[off + 14] + v[off + 6], t7 = v[off + 15] + v[off + 7];
        float s0 = t4 + t0, s1 = t5 + t1, s2 = t6 + t2, s3 = t7 + t3;
        return (s0 + s2) + (s1 + s3);
    }

    /** In-place softmax of {@code x[0 .. n)} as {@code ggml_vec_soft_max_f32} on a row padded to 16 with masked entries. */
    static void softmax(float[] x, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[i]);
        }
        double sum = 0;
        float[] group = new float[16];
        for (int g = 0; g < n; g += 16) {
            for (int l = 0; l < 16; l++) {
                int i = g + l;
                group[l] = i < n ? vExpf(x[i] - max) : 0f;
                if (i < n) x[i] = group[l];
            }
            sum += reduceAdd16(group, 0);
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) {
            x[i] *= inv;
        }
    }

    /** {@code ggml_vec_dot_f32} (AVX-512) of {@code a[aOff ..]} and {@code b[bOff ..]} over {@code n} elements. */
    static float dotF32(float[] a, int aOff, float[] b, int bOff, int n) {
        int np = n & ~63;
        float sumf = 0f;
        if (np > 0) {
            float[] acc = new float[64];   // 4 registers of 16 lanes
            for (int i = 0; i < np; i += 64) {
                for (int e = 0; e < 64; e++) {
                    acc[e] = Math.fma(a[aOff + i + e], b[bOff + i + e], acc[e]);
                }
            }
            for (int l = 0; l < 16; l++) {      // GGML_F32x16_REDUCE: x0 += x2, x1 += x3, x0 += x1
                acc[l] = (acc[l] + acc[32 + l]) + (acc[16 + l] + acc[48 + l]);
            }
            sumf = reduceAdd16(acc, 0);
        }
        for (int i = np; i < n; i++) {
            sumf += a[aOff + i] * b[bOff + i];   // not fused: an FMA here gives flips on stories260K-Q4_0
        }
        return sumf;
    }

    /** llamafile tinyBLAS F32 (AVX-512): {@code sum_j p[j] * v[vOff + j*stride]}, lane {@code j % 16}. */
    static float weightedSum(float[] p, int n, float[] v, int vOff, int stride) {
        float[] acc = new float[16];
        for (int j = 0; j < n; j++) {
            acc[j & 15] = Math.fma(v[vOff + j * stride], p[j], acc[j & 15]);
        }
        return reduceAdd16(acc, 0);
    }

    /** {@link #weightedSum(float[], int, float[], int, int)} over listed cells: {@code sum_j p[j] * v[cells[j]*stride + off]}. */
    static float weightedSum(float[] p, int n, float[] v, int[] cells, int off, int stride) {
        float[] acc = new float[16];
        for (int j = 0; j < n; j++) {
            acc[j & 15] = Math.fma(v[cells[j] * stride + off], p[j], acc[j & 15]);
        }
        return reduceAdd16(acc, 0);
    }

    /** {@code ggml_vec_swiglu_f32} over rows of {@code rowLen}: {@code gate[i] = silu(gate[i]) * up[i]}. */
    static void swigluRows(float[] gate, float[] up, int rows, int rowLen) {
        int vec = rowLen & ~15;
        for (int r = 0; r < rows; r++) {
            int o = r * rowLen;
            for (int i = 0; i < rowLen; i++) {
                float g = gate[o + i];
                float e = i < vec ? vExpf(0f - g) : (float) Math.exp(-g);
                gate[o + i] = g / (1.0f + e) * up[o + i];
            }
        }
    }
}
