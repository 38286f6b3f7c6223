package io.edgellm.quant.ggml;

import java.lang.foreign.MemorySegment;

/**
 * ggml {@code Q6_K}: super-blocks of 256 weights in 16 sub-blocks of 16 ({@code block_q6_K} in ggml-common.h).
 * 6-bit quants with an implicit offset of 32 (low 4 bits in {@code ql}, high 2 bits in {@code qh}); each sub-block
 * has a signed 8-bit scale; one half-precision {@code d}. No minimums. 210 bytes per 256 weights = 6.5625 bits per
 * weight.
 *
 * <pre>
 *  byte 0                          128               192              208    210
 *       +--------------------------+-----------------+----------------+------+
 *       | ql[128]                  | qh[64]          | scales[16]     |  d   |
 *       | low 4 bits, 2 per byte   | high 2 bits x 4 | int8 each      | f16  |
 *       +--------------------------+-----------------+----------------+------+
 *
 *  Two halves h = 0,1 of 128 weights; half h reads ql[64h .. 64h+63], qh[32h .. 32h+31], scales[8h .. 8h+7].
 *  For l = 0..31 (relative to the half, is = l/16):
 *    q1 = (ql[l]    &amp; 0xF) | ((qh[l] &gt;&gt; 0) &amp; 3) &lt;&lt; 4     -&gt; weight l,      scale sc[is + 0]
 *    q2 = (ql[l+32] &amp; 0xF) | ((qh[l] &gt;&gt; 2) &amp; 3) &lt;&lt; 4     -&gt; weight l + 32, scale sc[is + 2]
 *    q3 = (ql[l]    &gt;&gt; 4)  | ((qh[l] &gt;&gt; 4) &amp; 3) &lt;&lt; 4     -&gt; weight l + 64, scale sc[is + 4]
 *    q4 = (ql[l+32] &gt;&gt; 4)  | ((qh[l] &gt;&gt; 6) &amp; 3) &lt;&lt; 4     -&gt; weight l + 96, scale sc[is + 6]
 *    x  = (d * sc) * (q - 32)
 * </pre>
 *
 * Dequantization {@code dequantize_row_q6_K}; quantization {@code quantize_row_q6_K_ref}.
 */
public final class Q6_KCodec {

    private Q6_KCodec() {
    }

    /** Weights per super-block. */
    public static final int BLOCK_SIZE = 256;
    /** Bytes per super-block. */
    public static final int BYTES = 210;
    /** Byte offset of the 128 bytes of low 4-bit quants. */
    public static final int QL_OFFSET = 0;
    /** Byte offset of the 64 bytes of high 2-bit quants. */
    public static final int QH_OFFSET = 128;
    /** Byte offset of the 16 signed 8-bit sub-block scales. */
    public static final int SCALES_OFFSET = 192;
    /** Byte offset of the f16 super-block scale {@code d}. */
    public static final int D_OFFSET = 208;

    /** Dequantizes the super-block at {@code offset} into {@code dst[dstOffset .. dstOffset+255]} ({@code dequantize_row_q6_K}). */
    public static void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset) {
        float d = LittleEndian.readHalf(src, offset + D_OFFSET);
        for (int h = 0; h < 2; h++) {
            long ql = offset + QL_OFFSET + 64L * h;
            long qh = offset + QH_OFFSET + 32L * h;
            long sc = offset + SCALES_OFFSET + 8L * h;
            int y = dstOffset + 128 * h;
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int lo1 = LittleEndian.readU8(src, ql + l);
                int lo2 = LittleEndian.readU8(src, ql + l + 32);
                int hi = LittleEndian.readU8(src, qh + l);
                int q1 = ((lo1 & 0xF) | (((hi >>> 0) & 3) << 4)) - 32;
                int q2 = ((lo2 & 0xF) | (((hi >>> 2) & 3) << 4)) - 32;
                int q3 = ((lo1 >>> 4) | (((hi >>> 4) & 3) << 4)) - 32;
                int q4 = ((lo2 >>> 4) | (((hi >>> 6) & 3) << 4)) - 32;
                dst[y + l] = d * src.get(LittleEndian.BYTE, sc + is) * q1;
                dst[y + l + 32] = d * src.get(LittleEndian.BYTE, sc + is + 2) * q2;
                dst[y + l + 64] = d * src.get(LittleEndian.BYTE, sc + is + 4) * q3;
                dst[y + l + 96] = d * src.get(LittleEndian.BYTE, sc + is + 6) * q4;
            }
        }
    }

    /**
     * Quantizes {@code src[srcOffset .. srcOffset+255]} into the super-block at {@code offset}
     * ({@code quantize_row_q6_K_ref}): per sub-block of 16 a symmetric scale search ({@code make_qx_quants}, nmax 32,
     * weights {@code x*x}); the 16 scales are quantized to int8 against the largest-magnitude one
     * ({@code d = max_scale / -128}), then the weights re-quantized with the rounded scales.
     */
    public static void quantize(float[] src, int srcOffset, MemorySegment dst, long offset) {
        int[] L = new int[BLOCK_SIZE];
        float[] scales = new float[16];
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int ib = 0; ib < 16; ib++) {
            float scale = KQuants.makeQxQuants(16, 32, src, srcOffset + 16 * ib, L, 16 * ib);
            scales[ib] = scale;
            float absScale = Math.abs(scale);
            if (absScale > maxAbsScale) {
                maxAbsScale = absScale;
                maxScale = scale;
            }
        }
        if (maxAbsScale < KQuants.GROUP_MAX_EPS) {
            dst.asSlice(offset, BYTES).fill((byte) 0);
            return;
        }
        float iscale = -128.0f / maxScale;
        LittleEndian.writeHalf(dst, offset + D_OFFSET, 1 / iscale);
        for (int ib = 0; ib < 16; ib++) {
            dst.set(LittleEndian.BYTE, offset + SCALES_OFFSET + ib,
                    (byte) Math.min(127, GgmlMath.nearestInt(iscale * scales[ib])));
        }
        float dStored = LittleEndian.readHalf(dst, offset + D_OFFSET);
        for (int j = 0; j < 16; j++) {
            float d = dStored * dst.get(LittleEndian.BYTE, offset + SCALES_OFFSET + j);
            if (d == 0) {
                continue;
            }
            for (int ii = 0; ii < 16; ii++) {
                int l = GgmlMath.nearestInt(src[srcOffset + 16 * j + ii] / d);
                L[16 * j + ii] = Math.max(-32, Math.min(31, l)) + 32;
            }
        }
        for (int h = 0; h < 2; h++) {
            int j = 128 * h;
            long ql = offset + QL_OFFSET + 64L * h;
            long qh = offset + QH_OFFSET + 32L * h;
            for (int l = 0; l < 32; l++) {
                int q1 = L[j + l] & 0xF;
                int q2 = L[j + l + 32] & 0xF;
                int q3 = L[j + l + 64] & 0xF;
                int q4 = L[j + l + 96] & 0xF;
                dst.set(LittleEndian.BYTE, ql + l, (byte) (q1 | (q3 << 4)));
                dst.set(LittleEndian.BYTE, ql + l + 32, (byte) (q2 | (q4 << 4)));
                dst.set(LittleEndian.BYTE, qh + l, (byte) ((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2)
                        | ((L[j + l + 64] >> 4) << 4) | ((L[j + l + 96] >> 4) << 6)));
            }
        }
    }
}
