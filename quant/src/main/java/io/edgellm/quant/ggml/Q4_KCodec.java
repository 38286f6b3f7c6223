package io.edgellm.quant.ggml;

import java.lang.foreign.MemorySegment;

/**
 * ggml {@code Q4_K}: super-blocks of 256 weights in 8 sub-blocks of 32 ({@code block_q4_K} in ggml-common.h).
 * 4-bit unsigned quants; each sub-block has a 6-bit scale and a 6-bit minimum, scaled by the super-block's
 * half-precision {@code d} and {@code dmin}. 144 bytes per 256 weights = 4.5 bits per weight.
 *
 * <pre>
 *  byte 0      2      4               16                                   144
 *       +------+------+---------------+------------------------------------+
 *       |  d   | dmin | scales[12]    | qs[128]                            |
 *       | f16  | f16  | 8 x (6-bit sc, 6-bit m)  | 2 nibbles per byte      |
 *       +------+------+---------------+------------------------------------+
 *
 *  Scales and mins of sub-block j (get_scale_min_k4), bytes b = scales[0..11]:
 *    j &lt; 4:  sc = b[j] &amp; 63                          m = b[j+4] &amp; 63
 *    j &gt;= 4: sc = (b[j+4] &amp; 0xF) | (b[j-4] &gt;&gt; 6) &lt;&lt; 4      m = (b[j+4] &gt;&gt; 4) | (b[j] &gt;&gt; 6) &lt;&lt; 4
 *    (the top 2 bits of b[0..7] carry the high bits of sub-blocks 4..7)
 *
 *  Quants: 4 chunks of 64 weights, chunk c reads qs[32c .. 32c+31]:
 *    x[64c + l]      = (d*sc[2c])   * (qs[32c + l] &amp; 0xF) - dmin*m[2c]       l = 0..31
 *    x[64c + 32 + l] = (d*sc[2c+1]) * (qs[32c + l] &gt;&gt; 4)  - dmin*m[2c+1]
 * </pre>
 *
 * Dequantization only ({@code dequantize_row_q4_K}).
 */
public final class Q4_KCodec {

    private Q4_KCodec() {
    }

    /** Weights per super-block. */
    public static final int BLOCK_SIZE = 256;
    /** Bytes per super-block. */
    public static final int BYTES = 144;
    /** Byte offset of the f16 super-block scale {@code d}. */
    public static final int D_OFFSET = 0;
    /** Byte offset of the f16 super-block minimum scale {@code dmin}. */
    public static final int DMIN_OFFSET = 2;
    /** Byte offset of the 12 bytes of packed 6-bit scales and minimums. */
    public static final int SCALES_OFFSET = 4;
    /** Byte offset of the 128 bytes of 4-bit quants. */
    public static final int QS_OFFSET = 16;

    /** The 6-bit scale of sub-block {@code j} (0..7) from the 12 packed bytes at {@code scales} (ggml's get_scale_min_k4). */
    public static int scale(MemorySegment src, long scales, int j) {
        if (j < 4) {
            return LittleEndian.readU8(src, scales + j) & 63;
        }
        return (LittleEndian.readU8(src, scales + j + 4) & 0xF) | ((LittleEndian.readU8(src, scales + j - 4) >>> 6) << 4);
    }

    /** The 6-bit minimum of sub-block {@code j} (0..7) from the 12 packed bytes at {@code scales} (ggml's get_scale_min_k4). */
    public static int min(MemorySegment src, long scales, int j) {
        if (j < 4) {
            return LittleEndian.readU8(src, scales + j + 4) & 63;
        }
        return (LittleEndian.readU8(src, scales + j + 4) >>> 4) | ((LittleEndian.readU8(src, scales + j) >>> 6) << 4);
    }

    /** Dequantizes the super-block at {@code offset} into {@code dst[dstOffset .. dstOffset+255]} ({@code dequantize_row_q4_K}). */
    public static void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset) {
        float d = LittleEndian.readHalf(src, offset + D_OFFSET);
        float dmin = LittleEndian.readHalf(src, offset + DMIN_OFFSET);
        long scales = offset + SCALES_OFFSET;
        int y = dstOffset;
        for (int c = 0; c < 4; c++) {
            float d1 = d * scale(src, scales, 2 * c);
            float m1 = dmin * min(src, scales, 2 * c);
            float d2 = d * scale(src, scales, 2 * c + 1);
            float m2 = dmin * min(src, scales, 2 * c + 1);
            long q = offset + QS_OFFSET + 32L * c;
            for (int l = 0; l < 32; l++) {
                dst[y++] = d1 * (LittleEndian.readU8(src, q + l) & 0xF) - m1;
            }
            for (int l = 0; l < 32; l++) {
                dst[y++] = d2 * (LittleEndian.readU8(src, q + l) >>> 4) - m2;
            }
        }
    }
}
