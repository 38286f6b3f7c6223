package io.edgellm.quant.ggml;

import java.lang.foreign.MemorySegment;

/**
 * ggml {@code Q8_1}: the activation format llama.cpp uses for Q4_1/Q5_1 matmuls ({@code block_q8_1} in
 * ggml-common.h): Q8_0 plus a precomputed {@code s = d * sum(qs)}, which lets the dot product with a
 * "scale + minimum" weight block add the minimum's contribution {@code m * s} without touching the quants.
 * 36 bytes per 32 values.
 *
 * <pre>
 *  byte 0      2      4                                                   36
 *       +------+------+---------------------------------------------------+
 *       |  d   |  s   | qs[0] qs[1] ... qs[31]                             |
 *       | f16  | f16  | int8 each                                         |
 *       +------+------+---------------------------------------------------+
 *
 *  x[j] = qs[j] * d                s = f16(d * (qs[0] + ... + qs[31]))
 * </pre>
 *
 * Quantization ({@code quantize_row_q8_1_ref}): exactly Q8_0's ({@code d = amax/127}, {@code roundf(x * 1/d)}),
 * then {@code s = (float) sum * d} with the unrounded {@code d}. ggml has no {@code to_float} for Q8_1; dequantizing
 * here is {@code qs * d} like Q8_0 ({@code s} ignored).
 */
public final class Q8_1Codec {

    private Q8_1Codec() {
    }

    /** Values per block. */
    public static final int BLOCK_SIZE = 32;
    /** Bytes per block. */
    public static final int BYTES = 36;
    /** Byte offset of the f16 scale {@code d}. */
    public static final int D_OFFSET = 0;
    /** Byte offset of the f16 {@code s = d * sum(qs)}. */
    public static final int S_OFFSET = 2;
    /** Byte offset of the 32 signed quants. */
    public static final int QS_OFFSET = 4;

    /** Dequantizes the block at {@code offset} into {@code dst[dstOffset .. dstOffset+31]} ({@code qs[j] * d}). */
    public static void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset) {
        float d = LittleEndian.readHalf(src, offset + D_OFFSET);
        for (int j = 0; j < BLOCK_SIZE; j++) {
            dst[dstOffset + j] = src.get(LittleEndian.BYTE, offset + QS_OFFSET + j) * d;
        }
    }

    /** Quantizes {@code src[srcOffset .. srcOffset+31]} into the block at {@code offset} ({@code quantize_row_q8_1_ref}). */
    public static void quantize(float[] src, int srcOffset, MemorySegment dst, long offset) {
        quantize(src, srcOffset, dst, offset, ActivationQuantizer.REFERENCE);
    }

    /**
     * Quantizes {@code src[srcOffset .. srcOffset+31]} into the block at {@code offset} as the given llama.cpp build
     * does ({@link ActivationQuantizer}); {@code REFERENCE} is {@code quantize_row_q8_1_ref}.
     */
    public static void quantize(float[] src, int srcOffset, MemorySegment dst, long offset, ActivationQuantizer variant) {
        float amax = 0.0f;
        for (int j = 0; j < BLOCK_SIZE; j++) {
            amax = Math.max(amax, Math.abs(src[srcOffset + j]));
        }
        float d = amax / ((1 << 7) - 1);
        float id = variant.inverseScale(amax);
        LittleEndian.writeHalf(dst, offset + D_OFFSET, d);
        int sum = 0;
        for (int j = 0; j < BLOCK_SIZE; j++) {
            byte q = (byte) variant.round(src[srcOffset + j] * id);
            dst.set(LittleEndian.BYTE, offset + QS_OFFSET + j, q);
            sum += q;
        }
        LittleEndian.writeHalf(dst, offset + S_OFFSET, sum * d);
    }
}
