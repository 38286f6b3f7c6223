package io.edgellm.quant.kernel;

import io.edgellm.quant.ggml.LittleEndian;

import java.lang.foreign.MemorySegment;

/**
 * Scalar dot products that add in exactly the order llama.cpp's x86 CPU backend does (AVX2 / AVX-512 builds), for
 * {@link AccumulationOrder#LLAMA_CPP_X86}. This is a <em>reproducibility</em> mode, not a fast path: it is plain Java
 * ({@link Math#fma}) and several times slower than the Vector API kernels. It exists because a tiny float difference
 * in a dot product can flip the Q8_0 rounding of a later activation, which tiny models amplify to 0.1–0.3 in the
 * logits; adding in llama.cpp's order removes those flips.
 *
 * <h2>Block layouts (ggml)</h2>
 * <pre>
 * block_q8_0 (34 B): | d: f16 | qs[32]: int8, element i = qs[i]                               |
 * block_q4_0 (18 B): | d: f16 | qs[16]: element j = (qs[j] &amp; 0xF) - 8, element j+16 = (qs[j] &gt;&gt; 4) - 8 |
 * </pre>
 *
 * <h2>1. Eight lanes ({@code ggml_vec_dot_q8_0_q8_0}, {@code ggml_vec_dot_q4_0_q8_0}, llamafile {@code tinyBLAS_Q0_AVX})</h2>
 * One 32-element block is one 256-bit register of 32 int8. {@code mul_sum_i8_pairs_float} (or {@code _mm256_dpbusd_epi32}
 * / {@code updot} in sgemm) multiplies byte by byte and adds each group of four neighbouring products into one int32
 * lane, so lane {@code l} (0..7) holds the exact integer
 * <pre>
 *   q[l] = w[4l]·x[4l] + w[4l+1]·x[4l+1] + w[4l+2]·x[4l+2] + w[4l+3]·x[4l+3]
 *
 *   elements  0  1  2  3 | 4  5  6  7 | ... | 28 29 30 31
 *   lane      ----0----- | ----1----- | ... | ----7------
 * </pre>
 * (for Q4_0 the register holds the low nibbles as elements 0..15 and the high nibbles as 16..31, so the grouping is
 * again by element index). The lane is converted to float (exact: |q| &le; 4·128·128) and accumulated per lane with one
 * fused multiply-add: {@code acc[l] = fma(d, q[l], acc[l])}, {@code d = f16(w.d) · f16(x.d)} rounded to float, blocks
 * in order. At the end {@code hsum_float_8}: {@code r[i] = acc[i] + acc[i+4]} (i = 0..3), then
 * {@code (r[0] + r[2]) + (r[1] + r[3])}.
 *
 * <h2>2. Whole blocks (repacked Q4_0, {@code ggml_gemv_q4_0_8x8_q8_0} / {@code ggml_gemm_q4_0_8x8_q8_0})</h2>
 * With AVX2, llama.cpp repacks every Q4_0 matrix whose row count is a multiple of 8 and that is used by a matmul into
 * {@code block_q4_0x8} (8 rows interleaved; {@code CPU_REPACK} buffer). Its kernels compute each row's whole-block integer
 * dot {@code isum} and accumulate one float per row: {@code acc = fma((float) isum, f16(w.d) · f16(x.d), acc)}, blocks in
 * order, no horizontal sum. The token embedding is read with {@code GET_ROWS} and therefore never repacked, even when it
 * doubles as the output matrix (tied embeddings).
 *
 * <h2>3. F16 weights ({@code ggml_vec_dot_f16}, AVX-512 build)</h2>
 * Activations are rounded to F16. Four accumulators of 16 float lanes take the first {@code n & ~63} elements
 * (element {@code i + 16j + l} of each 64-element step goes to accumulator {@code j}, lane {@code l}, by FMA); they are
 * reduced as {@code (s0 + s2) + (s1 + s3)} lane-wise, then across lanes by {@code _mm512_reduce_add_ps}; the leftover
 * elements are added one by one in double ({@code ggml_float}); the result is rounded to float. (llamafile's F16 sgemm
 * is not used when the row length is not a multiple of 16, as in stories260K's {@code ffn_down}; an AVX2-only build would
 * use 8-lane registers instead: this mode follows the AVX-512 machine the golden data came from.)
 *
 * <p>Sources: ggml {@code ggml-cpu/vec.cpp}, {@code ggml-cpu/simd-mappings.h}, {@code ggml-cpu/arch/x86/quants.c} ({@code hsum_float_8}, {@code mul_sum_i8_pairs_float}),
 * {@code ggml-cpu/llamafile/sgemm.cpp} ({@code tinyBLAS_Q0_AVX}, {@code hsum}), {@code ggml-cpu/arch/x86/repack.cpp}
 * and {@code ggml-cpu/repack.cpp} ({@code ggml_repack_get_optimal_repack_type}).
 */
public final class LlamaCppX86Dot {

    /** Bytes of a Q8_0 block: f16 scale + 32 int8. */
    static final int Q8_0_BYTES = 34;
    /** Bytes of a Q4_0 block: f16 scale + 16 bytes of nibbles. */
    static final int Q4_0_BYTES = 18;

    private LlamaCppX86Dot() {
    }

    /**
     * Q8_0 weights · Q8_0 activations in the eight-lane order (section 1).
     *
     * @param w   weight row (ggml Q8_0 blocks) at {@code wOff}
     * @param xq  activation row (ggml Q8_0 blocks) at {@code xqOff}
     * @param n   elements, a multiple of 32
     * @return the dot product as llama.cpp's AVX2 / AVX-512 build computes it
     */
    public static float dotQ8_0Q8_0(MemorySegment w, long wOff, MemorySegment xq, long xqOff, int n) {
        float[] acc = new float[8];
        int[] lane = new int[8];
        for (int b = 0; b < n / 32; b++) {
            long wb = wOff + (long) b * Q8_0_BYTES;
            long xb = xqOff + (long) b * Q8_0_BYTES;
            float d = LittleEndian.readHalf(w, wb) * LittleEndian.readHalf(xq, xb);
            for (int l = 0; l < 8; l++) {
                int s = 0;
                for (int i = 4 * l; i < 4 * l + 4; i++) {
                    s += w.get(LittleEndian.BYTE, wb + 2 + i) * xq.get(LittleEndian.BYTE, xb + 2 + i);
                }
                lane[l] = s;
            }
            accumulate(acc, d, lane);
        }
        return hsum8(acc);
    }

    /**
     * Q4_0 weights · Q8_0 activations in the eight-lane order (section 1: {@code ggml_vec_dot_q4_0_q8_0}, used for Q4_0
     * matrices that are not repacked).
     *
     * @param w   weight row (ggml Q4_0 blocks) at {@code wOff}
     * @param xq  activation row (ggml Q8_0 blocks) at {@code xqOff}
     * @param n   elements, a multiple of 32
     * @return the dot product as llama.cpp's AVX2 / AVX-512 build computes it
     */
    public static float dotQ4_0Q8_0(MemorySegment w, long wOff, MemorySegment xq, long xqOff, int n) {
        float[] acc = new float[8];
        int[] lane = new int[8];
        for (int b = 0; b < n / 32; b++) {
            long wb = wOff + (long) b * Q4_0_BYTES;
            long xb = xqOff + (long) b * Q8_0_BYTES;
            float d = LittleEndian.readHalf(w, wb) * LittleEndian.readHalf(xq, xb);
            for (int l = 0; l < 8; l++) {
                int s = 0;
                for (int i = 4 * l; i < 4 * l + 4; i++) {
                    s += q4(w, wb, i) * xq.get(LittleEndian.BYTE, xb + 2 + i);
                }
                lane[l] = s;
            }
            accumulate(acc, d, lane);
        }
        return hsum8(acc);
    }

    /**
     * Q4_0 weights · Q8_0 activations in the repacked (whole-block) order (section 2).
     *
     * @param w   weight row (ggml Q4_0 blocks, as stored in the GGUF) at {@code wOff}
     * @param xq  activation row (ggml Q8_0 blocks) at {@code xqOff}
     * @param n   elements, a multiple of 32
     * @return the dot product as llama.cpp's {@code q4_0_8x8} repacked kernels compute it
     */
    public static float dotQ4_0Q8_0Repacked(MemorySegment w, long wOff, MemorySegment xq, long xqOff, int n) {
        float acc = 0f;
        for (int b = 0; b < n / 32; b++) {
            long wb = wOff + (long) b * Q4_0_BYTES;
            long xb = xqOff + (long) b * Q8_0_BYTES;
            float d = LittleEndian.readHalf(w, wb) * LittleEndian.readHalf(xq, xb);
            int isum = 0;
            for (int i = 0; i < 32; i++) {
                isum += q4(w, wb, i) * xq.get(LittleEndian.BYTE, xb + 2 + i);
            }
            acc = Math.fma((float) isum, d, acc);
        }
        return acc;
    }

    /**
     * F16 weights · F16-rounded activations as {@code ggml_vec_dot_f16} of an AVX-512 build adds them (section 3).
     *
     * @param w    weight row (IEEE half, little-endian) at {@code wOff}
     * @param x    activations already rounded to F16 (exact halves stored as float)
     * @param xOff first activation
     * @param n    elements (any count)
     * @return the dot product as llama.cpp's AVX-512 build computes it
     */
    public static float dotF16(MemorySegment w, long wOff, float[] x, int xOff, int n) {
        float[][] sum = new float[4][16];
        int np = n & ~63;
        for (int i = 0; i < np; i += 64) {
            for (int j = 0; j < 4; j++) {
                for (int l = 0; l < 16; l++) {
                    int e = i + 16 * j + l;
                    sum[j][l] = Math.fma(LittleEndian.readHalf(w, wOff + 2L * e), x[xOff + e], sum[j][l]);
                }
            }
        }
        // GGML_F32x16_REDUCE: sum0 += sum2, sum1 += sum3, then sum0 += sum1, then _mm512_reduce_add_ps
        float[] v = new float[16];
        for (int l = 0; l < 16; l++) {
            v[l] = (sum[0][l] + sum[2][l]) + (sum[1][l] + sum[3][l]);
        }
        double acc = reduceAdd16(v);
        for (int e = np; e < n; e++) {            // leftovers in ggml_float (double); the f16·f16 product is exact
            acc += LittleEndian.readHalf(w, wOff + 2L * e) * x[xOff + e];
        }
        return (float) acc;
    }

    /**
     * GCC's {@code _mm512_reduce_add_ps}: upper 256 bits + lower 256, then upper 128 + lower 128, then lanes 0+2 and
     * 1+3, then those two.
     */
    static float reduceAdd16(float[] v) {
        float[] t3 = new float[8];
        for (int i = 0; i < 8; i++) {
            t3[i] = v[i + 8] + v[i];
        }
        float[] t6 = new float[4];
        for (int i = 0; i < 4; i++) {
            t6[i] = t3[i + 4] + t3[i];
        }
        return (t6[0] + t6[2]) + (t6[1] + t6[3]);
    }

    /**
     * Whether llama.cpp (x86, AVX2) repacks this Q4_0 matrix: {@code ggml_repack_get_optimal_repack_type} takes Q4_0
     * with {@code ne[1] % 8 == 0}; the token embedding stays unpacked because its first use is {@code GET_ROWS}.
     *
     * @param name tensor name
     * @param rows rows ({@code ne[1]})
     * @return true when the whole-block order of {@link #dotQ4_0Q8_0Repacked} applies
     */
    public static boolean q4_0IsRepacked(String name, int rows) {
        return rows % 8 == 0 && !"token_embd.weight".equals(name);
    }

    /** Element {@code i} (0..31) of the Q4_0 block at {@code wb}, minus 8. */
    private static int q4(MemorySegment w, long wb, int i) {
        int packed = w.get(LittleEndian.BYTE, wb + 2 + (i & 15)) & 0xFF;
        return (i < 16 ? packed & 0x0F : packed >>> 4) - 8;
    }

    /** {@code acc[l] = fma(d, lane[l], acc[l])}: one {@code _mm256_fmadd_ps}. */
    private static void accumulate(float[] acc, float d, int[] lane) {
        for (int l = 0; l < 8; l++) {
            acc[l] = Math.fma(d, (float) lane[l], acc[l]);
        }
    }

    /** {@code hsum_float_8}: upper half + lower half, then lanes 0+2 and 1+3, then those two. */
    static float hsum8(float[] acc) {
        float r0 = acc[4] + acc[0];
        float r1 = acc[5] + acc[1];
        float r2 = acc[6] + acc[2];
        float r3 = acc[7] + acc[3];
        return (r0 + r2) + (r1 + r3);
    }
}
