package io.edgellm.quant.ggml;

import java.lang.foreign.MemorySegment;

/**
 * ggml {@code Q8_K}: the activation format llama.cpp uses for all K-quant matmuls ({@code block_q8_K} in
 * ggml-common.h). 256 values per super-block, a full-precision float scale, 8-bit quants and the sums of each group
 * of 16 quants (the K-quant dot products use them to apply the sub-block minimums). 292 bytes per 256 values.
 *
 * <pre>
 *  byte 0          4                                  260                       292
 *       +----------+----------------------------------+-------------------------+
 *       |    d     | qs[0] ... qs[255]                | bsums[0] ... bsums[15]  |
 *       | f32 LE   | int8 each                        | int16 LE each           |
 *       +----------+----------------------------------+-------------------------+
 *
 *  x[j] = d * qs[j]               bsums[g] = qs[16g] + ... + qs[16g+15]
 * </pre>
 *
 * Quantization ({@code quantize_row_q8_K_ref}): {@code max} = the element of largest magnitude (signed, first on
 * ties); {@code iscale = -127/max}; {@code qs = min(127, nearest_int(iscale * x))} (ties to even, unlike Q8_0's
 * roundf); {@code d = 1/iscale}. An all-zero block gets {@code d = 0} and zero quants; ggml leaves its
 * {@code bsums} unwritten there, this codec writes zeros.
 */
public final class Q8_KCodec {

    private Q8_KCodec() {
    }

    /** Values per super-block. */
    public static final int BLOCK_SIZE = 256;
    /** Bytes per super-block. */
    public static final int BYTES = 292;
    /** Byte offset of the f32 scale {@code d}. */
    public static final int D_OFFSET = 0;
    /** Byte offset of the 256 signed quants. */
    public static final int QS_OFFSET = 4;
    /** Byte offset of the 16 int16 group sums. */
    public static final int BSUMS_OFFSET = 260;

    /** Dequantizes the super-block at {@code offset} into {@code dst[dstOffset .. dstOffset+255]} ({@code dequantize_row_q8_K}). */
    public static void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset) {
        float d = src.get(LittleEndian.FLOAT, offset + D_OFFSET);
        for (int j = 0; j < BLOCK_SIZE; j++) {
            dst[dstOffset + j] = d * src.get(LittleEndian.BYTE, offset + QS_OFFSET + j);
        }
    }

    /** Quantizes {@code src[srcOffset .. srcOffset+255]} into the super-block at {@code offset} ({@code quantize_row_q8_K_ref}). */
    public static void quantize(float[] src, int srcOffset, MemorySegment dst, long offset) {
        float max = 0.0f;
        float amax = 0.0f;
        for (int j = 0; j < BLOCK_SIZE; j++) {
            float ax = Math.abs(src[srcOffset + j]);
            if (ax > amax) {
                amax = ax;
                max = src[srcOffset + j];
            }
        }
        if (amax == 0.0f) {
            dst.set(LittleEndian.FLOAT, offset + D_OFFSET, 0.0f);
            dst.asSlice(offset + QS_OFFSET, BYTES - QS_OFFSET).fill((byte) 0);
            return;
        }
        float iscale = -127.0f / max;
        for (int j = 0; j < BLOCK_SIZE; j++) {
            int v = GgmlMath.nearestInt(iscale * src[srcOffset + j]);
            dst.set(LittleEndian.BYTE, offset + QS_OFFSET + j, (byte) Math.min(127, v));
        }
        for (int g = 0; g < BLOCK_SIZE / 16; g++) {
            int sum = 0;
            for (int i = 0; i < 16; i++) {
                sum += dst.get(LittleEndian.BYTE, offset + QS_OFFSET + 16L * g + i);
            }
            dst.set(LittleEndian.SHORT, offset + BSUMS_OFFSET + 2L * g, (short) sum);
        }
        dst.set(LittleEndian.FLOAT, offset + D_OFFSET, 1 / iscale);
    }
}
