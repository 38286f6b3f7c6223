package io.edgellm.quant.ggml;

import java.lang.foreign.MemorySegment;

/**
 * ggml {@code Q5_1}: 32 weights per block, 5-bit unsigned quants with a half-precision scale {@code d} and minimum
 * {@code m} ({@code block_q5_1} in ggml-common.h). 24 bytes per 32 weights = 6 bits per weight.
 *
 * <pre>
 *  byte 0      2      4            8                                      24
 *       +------+------+------------+--------------------------------------+
 *       |  d   |  m   | qh (u32 LE)| qs[0] qs[1] ... qs[15]               |
 *       | f16  | f16  | bit i = bit 4 of quant i                          |
 *       +------+------+------------+--------------------------------------+
 *
 *  q[j]      = (qs[j] &amp; 0x0F) | ((qh &gt;&gt; j)      &amp; 1) &lt;&lt; 4          j = 0..15
 *  q[j + 16] = (qs[j] &gt;&gt; 4)   | ((qh &gt;&gt; (j+16)) &amp; 1) &lt;&lt; 4
 *  x[i]      = q[i] * d + m
 * </pre>
 *
 * Quantization ({@code quantize_row_q5_1_ref}): {@code d = (max - min) / 31}, {@code q = (uint8)((x - min)*id + 0.5f)}
 * (no clamp, as in ggml), {@code m = min}.
 */
public final class Q5_1Codec {

    private Q5_1Codec() {
    }

    /** Weights per block. */
    public static final int BLOCK_SIZE = 32;
    /** Bytes per block. */
    public static final int BYTES = 24;
    /** Byte offset of the f16 scale {@code d}. */
    public static final int D_OFFSET = 0;
    /** Byte offset of the f16 minimum {@code m}. */
    public static final int M_OFFSET = 2;
    /** Byte offset of the 32 high bits (a little-endian uint32). */
    public static final int QH_OFFSET = 4;
    /** Byte offset of the 16 nibble-pair bytes. */
    public static final int QS_OFFSET = 8;

    /** Dequantizes the block at {@code offset} into {@code dst[dstOffset .. dstOffset+31]} ({@code dequantize_row_q5_1}). */
    public static void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset) {
        float d = LittleEndian.readHalf(src, offset + D_OFFSET);
        float m = LittleEndian.readHalf(src, offset + M_OFFSET);
        int qh = src.get(LittleEndian.INT, offset + QH_OFFSET);
        for (int j = 0; j < BLOCK_SIZE / 2; j++) {
            int q = LittleEndian.readU8(src, offset + QS_OFFSET + j);
            int x0 = (q & 0x0F) | (((qh >>> j) & 1) << 4);
            int x1 = (q >>> 4) | (((qh >>> (j + 16)) & 1) << 4);
            dst[dstOffset + j] = x0 * d + m;
            dst[dstOffset + j + BLOCK_SIZE / 2] = x1 * d + m;
        }
    }

    /** Quantizes {@code src[srcOffset .. srcOffset+31]} into the block at {@code offset} ({@code quantize_row_q5_1_ref}). */
    public static void quantize(float[] src, int srcOffset, MemorySegment dst, long offset) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int j = 0; j < BLOCK_SIZE; j++) {
            float v = src[srcOffset + j];
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
        }
        float d = (max - min) / ((1 << 5) - 1);
        float id = d != 0.0f ? 1.0f / d : 0.0f;
        LittleEndian.writeHalf(dst, offset + D_OFFSET, d);
        LittleEndian.writeHalf(dst, offset + M_OFFSET, min);
        int qh = 0;
        for (int j = 0; j < BLOCK_SIZE / 2; j++) {
            float x0 = (src[srcOffset + j] - min) * id;
            float x1 = (src[srcOffset + BLOCK_SIZE / 2 + j] - min) * id;
            // (uint8_t) cast: truncation toward zero, kept to 8 bits; ggml does not clamp to 31 here
            int xi0 = ((int) (x0 + 0.5f)) & 0xFF;
            int xi1 = ((int) (x1 + 0.5f)) & 0xFF;
            dst.set(LittleEndian.BYTE, offset + QS_OFFSET + j, (byte) ((xi0 & 0x0F) | ((xi1 & 0x0F) << 4)));
            qh |= ((xi0 & 0x10) >>> 4) << j;
            qh |= ((xi1 & 0x10) >>> 4) << (j + BLOCK_SIZE / 2);
        }
        dst.set(LittleEndian.INT, offset + QH_OFFSET, qh);
    }
}
