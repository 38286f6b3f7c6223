package io.edgellm.quant.ggml;

import io.edgellm.quant.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Scalar reference dot products: the ground truth the Vector API kernels are tested against.
 *
 * <ul>
 *   <li>{@link #dot}: weights dequantized block by block, activations kept in F32, one plain float accumulator
 *       summed in element order ({@code sum += w[i] * x[i]}, no FMA). Simple and exactly reproducible, not
 *       llama.cpp's arithmetic (llama.cpp first rounds the activations to {@code vecDotType()}).</li>
 *   <li>{@link #dotQ8_0}, {@link #dotQ8_1}, {@link #dotQ8_K}: llama.cpp's integer paths (weights against
 *       activations quantized to the weight type's {@code vecDotType()}), in the order of the generic C versions
 *       {@code ggml_vec_dot_*_generic}: per block an exact int sum of quant products, scaled by the block scales and
 *       added to float accumulators. The SIMD builds of llama.cpp compute the same integer sums but add the floats
 *       in other orders (e.g. 8 lanes with FMA on AVX2), so they agree with these to float rounding, not to the bit.</li>
 * </ul>
 */
public final class ScalarDot {

    private ScalarDot() {
    }

    /** Per-thread scratch (one super-block of floats and ints), so the reference dots allocate nothing per call. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        final float[] values = new float[256];
        final int[] quants = new int[256];
        final int[] lanes = new int[8];
        final float[] laneSums = new float[8];
    }

    /**
     * {@code sum_i dequant(w)[i] * x[xOffset + i]} for {@code i < n}, in float, in index order.
     *
     * @param type    weight type (any type {@link Dequantize#row} accepts)
     * @param w       weight blocks
     * @param wOffset byte offset of the first block in {@code w}
     * @param x       activations (F32)
     * @param xOffset index of the first activation
     * @param n       number of elements, a multiple of {@code type.blockSize()}
     * @return the dot product
     * @throws IllegalArgumentException for a bad {@code n}, out-of-range offsets or a non-float type
     */
    public static float dot(GgmlType type, MemorySegment w, long wOffset, float[] x, int xOffset, int n) {
        long bytes = Checks.rowBytes(type, n);
        Checks.segmentRange(type, "w", w, wOffset, bytes);
        Checks.arrayRange(type, "x", x, xOffset, n);
        // one block (or a chunk of 256 plain values) at a time: no allocation proportional to n
        int chunk = type.blockSize() == 1 ? 256 : type.blockSize();
        long chunkBytes = (long) chunk / type.blockSize() * type.bytesPerBlock();
        float[] buf = SCRATCH.get().values;
        float sum = 0.0f;
        for (int i = 0; i < n; i += chunk) {
            int len = Math.min(chunk, n - i);
            Dequantize.row(type, w, wOffset + (i / chunk) * chunkBytes, buf, 0, len);
            for (int j = 0; j < len; j++) {
                sum += buf[j] * x[xOffset + i + j];
            }
        }
        return sum;
    }

    /**
     * llama.cpp's integer dot product of a Q8_0, Q4_0 or Q5_0 weight row with Q8_0 activations (as produced by
     * {@link Quantize#row} with {@link GgmlType#Q8_0}), with the float operations of ggml's generic C code:
     * <pre>
     *   Q8_0: sumf += (float) sumi * (d_w * d_x)
     *   Q4_0: sumf += ((float) sumi * d_w) * d_x        (weights q - 8)
     *   Q5_0: sumf += (d_w * d_x) * (float) sumi        (weights q - 16)
     * </pre>
     * where {@code sumi} is the exact int sum of the 32 products of the block.
     *
     * @param wType  Q8_0, Q4_0 or Q5_0
     * @param w      weight blocks
     * @param wOff   byte offset of the first weight block
     * @param xq     activation blocks in Q8_0
     * @param xqOff  byte offset of the first activation block
     * @param n      number of elements, a multiple of 32
     * @return the dot product
     * @throws IllegalArgumentException for another weight type, a bad {@code n} or out-of-range offsets
     */
    public static float dotQ8_0(GgmlType wType, MemorySegment w, long wOff, MemorySegment xq, long xqOff, int n) {
        if (wType != GgmlType.Q8_0 && wType != GgmlType.Q4_0 && wType != GgmlType.Q5_0) {
            throw new IllegalArgumentException(wType + ": dotQ8_0 takes Q8_0, Q4_0 or Q5_0 weights");
        }
        Checks.segmentRange(wType, "w", w, wOff, Checks.rowBytes(wType, n));
        Checks.segmentRange(GgmlType.Q8_0, "xq", xq, xqOff, Checks.rowBytes(GgmlType.Q8_0, n));
        int blocks = n / 32;
        float sumf = 0.0f;
        for (int b = 0; b < blocks; b++) {
            long wb = wOff + (long) b * wType.bytesPerBlock();
            long xb = xqOff + (long) b * Q8_0Codec.BYTES;
            long xqs = xb + Q8_0Codec.QS_OFFSET;
            float dx = LittleEndian.readHalf(xq, xb + Q8_0Codec.D_OFFSET);
            switch (wType) {
                case Q8_0 -> {
                    int sumi = 0;
                    for (int j = 0; j < 32; j++) {
                        sumi += w.get(LittleEndian.BYTE, wb + Q8_0Codec.QS_OFFSET + j) * xq.get(LittleEndian.BYTE, xqs + j);
                    }
                    float dw = LittleEndian.readHalf(w, wb + Q8_0Codec.D_OFFSET);
                    sumf += sumi * (dw * dx);
                }
                case Q4_0 -> {
                    int sumi0 = 0;
                    int sumi1 = 0;
                    for (int j = 0; j < 16; j++) {
                        int q = LittleEndian.readU8(w, wb + Q4_0Codec.QS_OFFSET + j);
                        sumi0 += ((q & 0x0F) - 8) * xq.get(LittleEndian.BYTE, xqs + j);
                        sumi1 += ((q >>> 4) - 8) * xq.get(LittleEndian.BYTE, xqs + j + 16);
                    }
                    int sumi = sumi0 + sumi1;
                    float dw = LittleEndian.readHalf(w, wb + Q4_0Codec.D_OFFSET);
                    sumf += sumi * dw * dx;
                }
                default -> { // Q5_0
                    int qh = w.get(LittleEndian.INT, wb + Q5_0Codec.QH_OFFSET);
                    int sumi0 = 0;
                    int sumi1 = 0;
                    for (int j = 0; j < 16; j++) {
                        int q = LittleEndian.readU8(w, wb + Q5_0Codec.QS_OFFSET + j);
                        int x0 = ((q & 0x0F) | (((qh >>> j) & 1) << 4)) - 16;
                        int x1 = ((q >>> 4) | (((qh >>> (j + 16)) & 1) << 4)) - 16;
                        sumi0 += x0 * xq.get(LittleEndian.BYTE, xqs + j);
                        sumi1 += x1 * xq.get(LittleEndian.BYTE, xqs + j + 16);
                    }
                    int sumi = sumi0 + sumi1;
                    float dw = LittleEndian.readHalf(w, wb + Q5_0Codec.D_OFFSET);
                    sumf += (dw * dx) * sumi;
                }
            }
        }
        return sumf;
    }

    /**
     * llama.cpp's integer dot product of a Q4_1 or Q5_1 weight row with Q8_1 activations, in the order of
     * {@code ggml_vec_dot_q4_1_q8_1_generic} / {@code ggml_vec_dot_q5_1_q8_1_generic}. Per block, with the exact int
     * sum {@code sumi} of quant products (weight quants unsigned, 0..15 or 0..31):
     * <pre>
     *   sumf += (d_w * d_x) * sumi + m_w * s_x        (s_x = f16(d_x * sum(x quants)) from the Q8_1 block)
     * </pre>
     * The minimum's contribution {@code m * sum(x)} comes from the precomputed {@code s}: that is why Q4_1/Q5_1 pair
     * with Q8_1 rather than Q8_0.
     *
     * @param wType Q4_1 or Q5_1
     * @param xq    activation blocks in Q8_1 ({@link Quantize#row} with {@link GgmlType#Q8_1})
     * @param n     number of elements, a multiple of 32
     * @throws IllegalArgumentException for another weight type, a bad {@code n} or out-of-range offsets
     */
    public static float dotQ8_1(GgmlType wType, MemorySegment w, long wOff, MemorySegment xq, long xqOff, int n) {
        if (wType != GgmlType.Q4_1 && wType != GgmlType.Q5_1) {
            throw new IllegalArgumentException(wType + ": dotQ8_1 takes Q4_1 or Q5_1 weights");
        }
        Checks.segmentRange(wType, "w", w, wOff, Checks.rowBytes(wType, n));
        Checks.segmentRange(GgmlType.Q8_1, "xq", xq, xqOff, Checks.rowBytes(GgmlType.Q8_1, n));
        float sumf = 0.0f;
        for (int b = 0; b < n / 32; b++) {
            long wb = wOff + (long) b * wType.bytesPerBlock();
            long xb = xqOff + (long) b * Q8_1Codec.BYTES;
            long xqs = xb + Q8_1Codec.QS_OFFSET;
            int sumi0 = 0;
            int sumi1 = 0;
            if (wType == GgmlType.Q4_1) {
                for (int j = 0; j < 16; j++) {
                    int q = LittleEndian.readU8(w, wb + Q4_1Codec.QS_OFFSET + j);
                    sumi0 += (q & 0x0F) * xq.get(LittleEndian.BYTE, xqs + j);
                    sumi1 += (q >>> 4) * xq.get(LittleEndian.BYTE, xqs + j + 16);
                }
            } else {
                int qh = w.get(LittleEndian.INT, wb + Q5_1Codec.QH_OFFSET);
                for (int j = 0; j < 16; j++) {
                    int q = LittleEndian.readU8(w, wb + Q5_1Codec.QS_OFFSET + j);
                    int x0 = (q & 0x0F) | (((qh >>> j) & 1) << 4);
                    int x1 = (q >>> 4) | (((qh >>> (j + 16)) & 1) << 4);
                    sumi0 += x0 * xq.get(LittleEndian.BYTE, xqs + j);
                    sumi1 += x1 * xq.get(LittleEndian.BYTE, xqs + j + 16);
                }
            }
            int sumi = sumi0 + sumi1;
            // Q4_1 and Q5_1 share the header layout: d at 0, m at 2
            float dw = LittleEndian.readHalf(w, wb + Q4_1Codec.D_OFFSET);
            float mw = LittleEndian.readHalf(w, wb + Q4_1Codec.M_OFFSET);
            float dx = LittleEndian.readHalf(xq, xb + Q8_1Codec.D_OFFSET);
            float sx = LittleEndian.readHalf(xq, xb + Q8_1Codec.S_OFFSET);
            sumf += (dw * dx) * sumi + mw * sx;
        }
        return sumf;
    }

    /**
     * llama.cpp's integer dot product of a K-quant weight row (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K) with Q8_K activations,
     * in the order of the generic C versions {@code ggml_vec_dot_q*_K_q8_K_generic}:
     * <ul>
     *   <li>Q2_K: per super-block {@code isum = sum over sub-blocks of scale * (int sum of q8 * q2)} and
     *       {@code summs = sum_g bsums[g] * min[g]}; {@code sumf += (d_x*d_w) * isum - (d_x*dmin_w) * summs}.</li>
     *   <li>Q3_K, Q6_K: eight int32 lanes ({@code lane = element index mod 8}) accumulate
     *       {@code scale * (q8 * q)} over the super-block; then {@code sums[lane] += (d_w*d_x) * lane}; the eight
     *       float {@code sums} are added in lane order at the very end.</li>
     *   <li>Q4_K, Q5_K: as Q3_K for the scales, and per super-block
     *       {@code sumf -= (dmin_w*d_x) * sum_g(bsums[g] * min[g/2])}; the lane sums are added to {@code sumf} at the
     *       end.</li>
     * </ul>
     * The integer parts are exact; the float operations are those of the C code, without fused multiply-add.
     *
     * @param wType Q2_K, Q3_K, Q4_K, Q5_K or Q6_K
     * @param xq    activation super-blocks in Q8_K ({@link Quantize#row} with {@link GgmlType#Q8_K}), including
     *              their {@code bsums}
     * @param n     number of elements, a multiple of 256
     * @throws IllegalArgumentException for another weight type, a bad {@code n} or out-of-range offsets
     */
    public static float dotQ8_K(GgmlType wType, MemorySegment w, long wOff, MemorySegment xq, long xqOff, int n) {
        switch (wType) {
            case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> {
            }
            default -> throw new IllegalArgumentException(wType + ": dotQ8_K takes Q2_K, Q3_K, Q4_K, Q5_K or Q6_K weights");
        }
        Checks.segmentRange(wType, "w", w, wOff, Checks.rowBytes(wType, n));
        Checks.segmentRange(GgmlType.Q8_K, "xq", xq, xqOff, Checks.rowBytes(GgmlType.Q8_K, n));
        int nb = n / 256;
        Scratch scratch = SCRATCH.get();
        int[] q = scratch.quants;
        float[] sums = scratch.laneSums;
        int[] aux32 = scratch.lanes;
        java.util.Arrays.fill(sums, 0.0f);
        float sumf = 0.0f;
        for (int i = 0; i < nb; i++) {
            long wb = wOff + (long) i * wType.bytesPerBlock();
            long xb = xqOff + (long) i * Q8_KCodec.BYTES;
            long q8 = xb + Q8_KCodec.QS_OFFSET;
            float dx = xq.get(LittleEndian.FLOAT, xb + Q8_KCodec.D_OFFSET);
            if (wType == GgmlType.Q2_K) {
                int summs = 0;
                for (int g = 0; g < 16; g++) {
                    int sc = LittleEndian.readU8(w, wb + Q2_KCodec.SCALES_OFFSET + g);
                    summs += xq.get(LittleEndian.SHORT, xb + Q8_KCodec.BSUMS_OFFSET + 2L * g) * (sc >>> 4);
                }
                float dall = dx * LittleEndian.readHalf(w, wb + Q2_KCodec.D_OFFSET);
                float dmin = dx * LittleEndian.readHalf(w, wb + Q2_KCodec.DMIN_OFFSET);
                int isum = 0;
                int is = 0;
                int e = 0; // element index
                for (int half = 0; half < 2; half++) {
                    long q2 = wb + Q2_KCodec.QS_OFFSET + 32L * half;
                    for (int shift = 0; shift < 8; shift += 2) {
                        for (int k = 0; k < 2; k++) {
                            int d = LittleEndian.readU8(w, wb + Q2_KCodec.SCALES_OFFSET + is++) & 0xF;
                            int isuml = 0;
                            for (int l = 0; l < 16; l++) {
                                int quant = (LittleEndian.readU8(w, q2 + 16L * k + l) >>> shift) & 3;
                                isuml += xq.get(LittleEndian.BYTE, q8 + e++) * quant;
                            }
                            isum += d * isuml;
                        }
                    }
                }
                sumf += dall * isum - dmin * summs;
                continue;
            }
            // the weight quants (signed for Q3_K/Q6_K, unsigned for Q4_K/Q5_K) in element order
            unpackKQuants(wType, w, wb, q);
            java.util.Arrays.fill(aux32, 0);
            for (int e = 0; e < 256; e++) {
                int scale = switch (wType) {
                    case Q3_K -> Q3_KCodec.scale(w, wb, e / 16);
                    case Q6_K -> w.get(LittleEndian.BYTE, wb + Q6_KCodec.SCALES_OFFSET + e / 16);
                    case Q4_K -> Q4_KCodec.scale(w, wb + Q4_KCodec.SCALES_OFFSET, e / 32);
                    default -> Q4_KCodec.scale(w, wb + Q5_KCodec.SCALES_OFFSET, e / 32); // Q5_K
                };
                // q8 * q fits in int16 for every K-quant (C keeps it in aux16); scale * that accumulates in int32
                aux32[e % 8] += scale * (xq.get(LittleEndian.BYTE, q8 + e) * q[e]);
            }
            int minSum = 0;
            if (wType == GgmlType.Q4_K || wType == GgmlType.Q5_K) {
                long scales = wb + Q4_KCodec.SCALES_OFFSET; // same offset in Q5_K
                for (int g = 0; g < 16; g++) {
                    minSum += xq.get(LittleEndian.SHORT, xb + Q8_KCodec.BSUMS_OFFSET + 2L * g)
                            * Q4_KCodec.min(w, scales, g / 2);
                }
            }
            long dOffset = switch (wType) {
                case Q3_K -> Q3_KCodec.D_OFFSET;
                case Q6_K -> Q6_KCodec.D_OFFSET;
                default -> Q4_KCodec.D_OFFSET; // Q4_K, Q5_K
            };
            float d = LittleEndian.readHalf(w, wb + dOffset) * dx;
            for (int l = 0; l < 8; l++) {
                sums[l] += d * aux32[l];
            }
            if (wType == GgmlType.Q4_K || wType == GgmlType.Q5_K) {
                float dmin = LittleEndian.readHalf(w, wb + Q4_KCodec.DMIN_OFFSET) * dx;
                sumf -= dmin * minSum;
            }
        }
        for (int l = 0; l < 8; l++) {
            sumf += sums[l];
        }
        return sumf;
    }

    /** The 256 integer weight quants of one K-quant super-block in element order (without scales and minimums). */
    private static void unpackKQuants(GgmlType type, MemorySegment w, long wb, int[] q) {
        switch (type) {
            case Q3_K -> {
                int m = 1;
                int e = 0;
                for (int half = 0; half < 2; half++) {
                    long qs = wb + Q3_KCodec.QS_OFFSET + 32L * half;
                    for (int shift = 0; shift < 8; shift += 2) {
                        for (int l = 0; l < 32; l++) {
                            int low = (LittleEndian.readU8(w, qs + l) >>> shift) & 3;
                            boolean high = (LittleEndian.readU8(w, wb + Q3_KCodec.HMASK_OFFSET + l) & m) != 0;
                            q[e++] = low - (high ? 0 : 4);
                        }
                        m <<= 1;
                    }
                }
            }
            case Q4_K -> {
                for (int c = 0; c < 4; c++) {
                    for (int l = 0; l < 32; l++) {
                        int b = LittleEndian.readU8(w, wb + Q4_KCodec.QS_OFFSET + 32L * c + l);
                        q[64 * c + l] = b & 0xF;
                        q[64 * c + 32 + l] = b >>> 4;
                    }
                }
            }
            case Q5_K -> {
                for (int c = 0; c < 4; c++) {
                    for (int l = 0; l < 32; l++) {
                        int b = LittleEndian.readU8(w, wb + Q5_KCodec.QS_OFFSET + 32L * c + l);
                        int h = LittleEndian.readU8(w, wb + Q5_KCodec.QH_OFFSET + l);
                        q[64 * c + l] = (b & 0xF) + ((h >>> (2 * c)) & 1) * 16;
                        q[64 * c + 32 + l] = (b >>> 4) + ((h >>> (2 * c + 1)) & 1) * 16;
                    }
                }
            }
            default -> { // Q6_K
                for (int h = 0; h < 2; h++) {
                    long ql = wb + Q6_KCodec.QL_OFFSET + 64L * h;
                    long qh = wb + Q6_KCodec.QH_OFFSET + 32L * h;
                    for (int l = 0; l < 32; l++) {
                        int lo1 = LittleEndian.readU8(w, ql + l);
                        int lo2 = LittleEndian.readU8(w, ql + l + 32);
                        int hi = LittleEndian.readU8(w, qh + l);
                        q[128 * h + l] = ((lo1 & 0xF) | ((hi & 3) << 4)) - 32;
                        q[128 * h + l + 32] = ((lo2 & 0xF) | (((hi >>> 2) & 3) << 4)) - 32;
                        q[128 * h + l + 64] = ((lo1 >>> 4) | (((hi >>> 4) & 3) << 4)) - 32;
                        q[128 * h + l + 96] = ((lo2 >>> 4) | (((hi >>> 6) & 3) << 4)) - 32;
                    }
                }
            }
        }
    }
}
