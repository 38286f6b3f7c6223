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
 * Dequantization only ({@code dequantize_row_q6_K}).
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
}
