package io.edgellm.quant.ggml;

import java.lang.foreign.MemorySegment;

/**
 * ggml {@code Q4_0}: 32 weights per block, 4-bit unsigned quants with an implicit offset of 8 and one half-precision
 * scale ({@code block_q4_0} in ggml-common.h). 18 bytes per 32 weights = 4.5 bits per weight.
 *
 * <pre>
 *  byte 0      2                                      18
 *       +------+--------------------------------------+
 *       |  d   | qs[0] qs[1] ... qs[15]               |
 *       | f16  |                                      |
 *       +------+--------------------------------------+
 *
 *  qs[j] = | hi nibble: quant of x[j+16] | lo nibble: quant of x[j] |      j = 0..15
 *
 *  x[j]      = ((qs[j] &amp; 0x0F) - 8) * d          first half of the block from the low nibbles
 *  x[j + 16] = ((qs[j] &gt;&gt; 4)   - 8) * d          second half from the high nibbles
 * </pre>
 *
 * Note the nibble order: byte j does <em>not</em> hold two neighbours; it holds element j and element j+16.
 *
 * <p>Quantization ({@code quantize_row_q4_0_ref}): {@code max} = the element of largest magnitude (with its sign,
 * first one on ties), {@code d = max / -8}, {@code id = 1/d}, {@code q = min(15, (int8)(x*id + 8.5f))}. The
 * largest-magnitude element maps to quant 0 (value {@code -8 * d = max}), so the full range -8..7 is used on the
 * side of the extreme value.
 */
public final class Q4_0Codec {

    private Q4_0Codec() {
    }

    /** Weights per block. */
    public static final int BLOCK_SIZE = 32;
    /** Bytes per block. */
    public static final int BYTES = 18;
    /** Byte offset of the f16 scale {@code d}. */
    public static final int D_OFFSET = 0;
    /** Byte offset of the 16 nibble-pair bytes. */
    public static final int QS_OFFSET = 2;

    /** Dequantizes the block at {@code offset} into {@code dst[dstOffset .. dstOffset+31]} ({@code dequantize_row_q4_0}). */
    public static void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset) {
        float d = LittleEndian.readHalf(src, offset + D_OFFSET);
        for (int j = 0; j < BLOCK_SIZE / 2; j++) {
            int q = LittleEndian.readU8(src, offset + QS_OFFSET + j);
            int x0 = (q & 0x0F) - 8;
            int x1 = (q >>> 4) - 8;
            dst[dstOffset + j] = x0 * d;
            dst[dstOffset + j + BLOCK_SIZE / 2] = x1 * d;
        }
    }

    /** Quantizes {@code src[srcOffset .. srcOffset+31]} into the block at {@code offset} ({@code quantize_row_q4_0_ref}). */
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
        float d = max / -8;
        float id = d != 0.0f ? 1.0f / d : 0.0f;
        LittleEndian.writeHalf(dst, offset + D_OFFSET, d);
        for (int j = 0; j < BLOCK_SIZE / 2; j++) {
            float x0 = src[srcOffset + j] * id;
            float x1 = src[srcOffset + BLOCK_SIZE / 2 + j] * id;
            // (int8_t) cast in C truncates toward zero; +8.5 turns that into rounding for the range used here
            int xi0 = Math.min(15, (int) (x0 + 8.5f));
            int xi1 = Math.min(15, (int) (x1 + 8.5f));
            dst.set(LittleEndian.BYTE, offset + QS_OFFSET + j, (byte) (xi0 | (xi1 << 4)));
        }
    }
}
