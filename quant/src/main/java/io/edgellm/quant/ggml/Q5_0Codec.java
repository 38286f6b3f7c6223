package io.edgellm.quant.ggml;

import java.lang.foreign.MemorySegment;

/**
 * ggml {@code Q5_0}: 32 weights per block, 5-bit unsigned quants with an implicit offset of 16 and one half-precision
 * scale ({@code block_q5_0} in ggml-common.h). 22 bytes per 32 weights = 5.5 bits per weight. The low 4 bits of each
 * quant are packed like Q4_0; the fifth bits of all 32 quants sit in one little-endian 32-bit word {@code qh}.
 *
 * <pre>
 *  byte 0      2            6                                      22
 *       +------+------------+--------------------------------------+
 *       |  d   | qh (u32 LE)| qs[0] qs[1] ... qs[15]               |
 *       | f16  | bit i = bit 4 of quant i                          |
 *       +------+------------+--------------------------------------+
 *
 *  q[j]      = (qs[j] &amp; 0x0F) | ((qh &gt;&gt; j)      &amp; 1) &lt;&lt; 4          j = 0..15
 *  q[j + 16] = (qs[j] &gt;&gt; 4)   | ((qh &gt;&gt; (j+16)) &amp; 1) &lt;&lt; 4
 *  x[i]      = (q[i] - 16) * d
 * </pre>
 *
 * Quantization ({@code quantize_row_q5_0_ref}): as Q4_0 with 16 levels each side: {@code d = max / -16},
 * {@code q = min(31, (int8)(x*id + 16.5f))}.
 */
public final class Q5_0Codec {

    private Q5_0Codec() {
    }

    /** Weights per block. */
    public static final int BLOCK_SIZE = 32;
    /** Bytes per block. */
    public static final int BYTES = 22;
    /** Byte offset of the f16 scale {@code d}. */
    public static final int D_OFFSET = 0;
    /** Byte offset of the 32 high bits (a little-endian uint32). */
    public static final int QH_OFFSET = 2;
    /** Byte offset of the 16 nibble-pair bytes. */
    public static final int QS_OFFSET = 6;

    /** Dequantizes the block at {@code offset} into {@code dst[dstOffset .. dstOffset+31]} ({@code dequantize_row_q5_0}). */
    public static void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset) {
        float d = LittleEndian.readHalf(src, offset + D_OFFSET);
        int qh = src.get(LittleEndian.INT, offset + QH_OFFSET);
        for (int j = 0; j < BLOCK_SIZE / 2; j++) {
            int q = LittleEndian.readU8(src, offset + QS_OFFSET + j);
            int xh0 = ((qh >>> j) & 1) << 4;
            int xh1 = ((qh >>> (j + 16)) & 1) << 4;
            int x0 = ((q & 0x0F) | xh0) - 16;
            int x1 = ((q >>> 4) | xh1) - 16;
            dst[dstOffset + j] = x0 * d;
            dst[dstOffset + j + BLOCK_SIZE / 2] = x1 * d;
        }
    }

    /** Quantizes {@code src[srcOffset .. srcOffset+31]} into the block at {@code offset} ({@code quantize_row_q5_0_ref}). */
    public static void quantize(float[] src, int srcOffset, MemorySegment dst, long offset) {
        float amax = 0.0f;
        float max = 0.0f;
        for (int j = 0; j < BLOCK_SIZE; j++) {
            float v = src[srcOffset + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -16;
        float id = d != 0.0f ? 1.0f / d : 0.0f;
        LittleEndian.writeHalf(dst, offset + D_OFFSET, d);
        int qh = 0;
        for (int j = 0; j < BLOCK_SIZE / 2; j++) {
            float x0 = src[srcOffset + j] * id;
            float x1 = src[srcOffset + BLOCK_SIZE / 2 + j] * id;
            int xi0 = Math.min(31, (int) (x0 + 16.5f));
            int xi1 = Math.min(31, (int) (x1 + 16.5f));
            dst.set(LittleEndian.BYTE, offset + QS_OFFSET + j, (byte) ((xi0 & 0x0F) | ((xi1 & 0x0F) << 4)));
            // the 5th bit of each quant goes to bit j (first half) or bit j+16 (second half) of qh
            qh |= ((xi0 & 0x10) >>> 4) << j;
            qh |= ((xi1 & 0x10) >>> 4) << (j + BLOCK_SIZE / 2);
        }
        dst.set(LittleEndian.INT, offset + QH_OFFSET, qh);
    }
}
