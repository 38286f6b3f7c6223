package io.edgellm.quant.ggml;

import java.lang.foreign.MemorySegment;

/**
 * ggml {@code Q5_K}: as {@link Q4_KCodec} plus a fifth quant bit per weight in {@code qh}
 * ({@code block_q5_K} in ggml-common.h). 176 bytes per 256 weights = 5.5 bits per weight.
 *
 * <pre>
 *  byte 0      2      4               16              48                                  176
 *       +------+------+---------------+---------------+-----------------------------------+
 *       |  d   | dmin | scales[12]    | qh[32]        | qs[128]                           |
 *       | f16  | f16  | as Q4_K       | high bits     | low nibbles, as Q4_K              |
 *       +------+------+---------------+---------------+-----------------------------------+
 *
 *  Chunk c (0..3) of 64 weights reads qs[32c .. 32c+31] and the bits 2c, 2c+1 of qh[0..31]:
 *    x[64c + l]      = (d*sc[2c])   * ((qs[32c+l] &amp; 0xF) + (qh[l] bit 2c   ? 16 : 0)) - dmin*m[2c]
 *    x[64c + 32 + l] = (d*sc[2c+1]) * ((qs[32c+l] &gt;&gt; 4)  + (qh[l] bit 2c+1 ? 16 : 0)) - dmin*m[2c+1]
 * </pre>
 *
 * Dequantization {@code dequantize_row_q5_K}; quantization {@code quantize_row_q5_K_ref}.
 */
public final class Q5_KCodec {

    private Q5_KCodec() {
    }

    /** Weights per super-block. */
    public static final int BLOCK_SIZE = 256;
    /** Bytes per super-block. */
    public static final int BYTES = 176;
    /** Byte offset of the f16 super-block scale {@code d}. */
    public static final int D_OFFSET = 0;
    /** Byte offset of the f16 super-block minimum scale {@code dmin}. */
    public static final int DMIN_OFFSET = 2;
    /** Byte offset of the 12 bytes of packed 6-bit scales and minimums (layout of {@link Q4_KCodec}). */
    public static final int SCALES_OFFSET = 4;
    /** Byte offset of the 32 bytes of high bits. */
    public static final int QH_OFFSET = 16;
    /** Byte offset of the 128 bytes of low 4-bit quants. */
    public static final int QS_OFFSET = 48;

    /** Dequantizes the super-block at {@code offset} into {@code dst[dstOffset .. dstOffset+255]} ({@code dequantize_row_q5_K}). */
    public static void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset) {
        float d = LittleEndian.readHalf(src, offset + D_OFFSET);
        float dmin = LittleEndian.readHalf(src, offset + DMIN_OFFSET);
        long scales = offset + SCALES_OFFSET;
        long qh = offset + QH_OFFSET;
        int y = dstOffset;
        int u1 = 1;
        int u2 = 2;
        for (int c = 0; c < 4; c++) {
            float d1 = d * Q4_KCodec.scale(src, scales, 2 * c);
            float m1 = dmin * Q4_KCodec.min(src, scales, 2 * c);
            float d2 = d * Q4_KCodec.scale(src, scales, 2 * c + 1);
            float m2 = dmin * Q4_KCodec.min(src, scales, 2 * c + 1);
            long ql = offset + QS_OFFSET + 32L * c;
            for (int l = 0; l < 32; l++) {
                int q = (LittleEndian.readU8(src, ql + l) & 0xF) + ((LittleEndian.readU8(src, qh + l) & u1) != 0 ? 16 : 0);
                dst[y++] = d1 * q - m1;
            }
            for (int l = 0; l < 32; l++) {
                int q = (LittleEndian.readU8(src, ql + l) >>> 4) + ((LittleEndian.readU8(src, qh + l) & u2) != 0 ? 16 : 0);
                dst[y++] = d2 * q - m2;
            }
            u1 <<= 2;
            u2 <<= 2;
        }
    }

    /**
     * Quantizes {@code src[srcOffset .. srcOffset+255]} into the super-block at {@code offset}
     * ({@code quantize_row_q5_K_ref}): as {@link Q4_KCodec#quantize} with 5-bit quants (0..31) and the search
     * parameters of Q5_K; the fifth bit of each quant goes to {@code qh}.
     */
    public static void quantize(float[] src, int srcOffset, MemorySegment dst, long offset) {
        Q4_KCodec.quantizeQ4OrQ5(src, srcOffset, dst, offset, 31, -0.5f, 0.1f, 15, L -> {
            byte[] qh = new byte[32];
            int m1 = 1;
            int m2 = 2;
            for (int c = 0; c < 4; c++) {
                for (int j = 0; j < 32; j++) {
                    int l1 = L[64 * c + j];
                    if (l1 > 15) {
                        l1 -= 16;
                        qh[j] |= (byte) m1;
                    }
                    int l2 = L[64 * c + j + 32];
                    if (l2 > 15) {
                        l2 -= 16;
                        qh[j] |= (byte) m2;
                    }
                    dst.set(LittleEndian.BYTE, offset + QS_OFFSET + 32L * c + j, (byte) (l1 | (l2 << 4)));
                }
                m1 <<= 2;
                m2 <<= 2;
            }
            MemorySegment.copy(qh, 0, dst, LittleEndian.BYTE, offset + QH_OFFSET, 32);
        });
    }
}
