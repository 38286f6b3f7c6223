package io.edgellm.quant.ggml;

import java.lang.foreign.MemorySegment;

/**
 * ggml {@code Q4_1}: 32 weights per block, 4-bit unsigned quants with a half-precision scale {@code d} and minimum
 * {@code m} ({@code block_q4_1} in ggml-common.h). 20 bytes per 32 weights = 5 bits per weight.
 *
 * <pre>
 *  byte 0      2      4                                      20
 *       +------+------+--------------------------------------+
 *       |  d   |  m   | qs[0] qs[1] ... qs[15]               |
 *       | f16  | f16  |                                      |
 *       +------+------+--------------------------------------+
 *
 *  qs[j] = | hi nibble: quant of x[j+16] | lo nibble: quant of x[j] |      j = 0..15
 *
 *  x[j]      = (qs[j] &amp; 0x0F) * d + m
 *  x[j + 16] = (qs[j] &gt;&gt; 4)   * d + m
 * </pre>
 *
 * Quantization ({@code quantize_row_q4_1_ref}): {@code d = (max - min) / 15}, {@code id = 1/d},
 * {@code q = min(15, (int8)((x - min) * id + 0.5f))}, {@code m = min}.
 */
public final class Q4_1Codec {

    private Q4_1Codec() {
    }

    /** Weights per block. */
    public static final int BLOCK_SIZE = 32;
    /** Bytes per block. */
    public static final int BYTES = 20;
    /** Byte offset of the f16 scale {@code d}. */
    public static final int D_OFFSET = 0;
    /** Byte offset of the f16 minimum {@code m}. */
    public static final int M_OFFSET = 2;
    /** Byte offset of the 16 nibble-pair bytes. */
    public static final int QS_OFFSET = 4;

    /** Dequantizes the block at {@code offset} into {@code dst[dstOffset .. dstOffset+31]} ({@code dequantize_row_q4_1}). */
    public static void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset) {
        float d = LittleEndian.readHalf(src, offset + D_OFFSET);
        float m = LittleEndian.readHalf(src, offset + M_OFFSET);
        for (int j = 0; j < BLOCK_SIZE / 2; j++) {
            int q = LittleEndian.readU8(src, offset + QS_OFFSET + j);
            int x0 = q & 0x0F;
            int x1 = q >>> 4;
            // a product rounded to float, then a sum rounded to float: no fused multiply-add
            dst[dstOffset + j] = x0 * d + m;
            dst[dstOffset + j + BLOCK_SIZE / 2] = x1 * d + m;
        }
    }

    /** Quantizes {@code src[srcOffset .. srcOffset+31]} into the block at {@code offset} ({@code quantize_row_q4_1_ref}). */
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
        float d = (max - min) / ((1 << 4) - 1);
        float id = d != 0.0f ? 1.0f / d : 0.0f;
        LittleEndian.writeHalf(dst, offset + D_OFFSET, d);
        LittleEndian.writeHalf(dst, offset + M_OFFSET, min);
        for (int j = 0; j < BLOCK_SIZE / 2; j++) {
            float x0 = (src[srcOffset + j] - min) * id;
            float x1 = (src[srcOffset + BLOCK_SIZE / 2 + j] - min) * id;
            int xi0 = Math.min(15, (int) (x0 + 0.5f));
            int xi1 = Math.min(15, (int) (x1 + 0.5f));
            dst.set(LittleEndian.BYTE, offset + QS_OFFSET + j, (byte) (xi0 | (xi1 << 4)));
        }
    }
}
