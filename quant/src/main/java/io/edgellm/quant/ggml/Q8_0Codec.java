package io.edgellm.quant.ggml;

import java.lang.foreign.MemorySegment;

/**
 * ggml {@code Q8_0}: 32 weights per block, each an 8-bit signed integer times one half-precision scale
 * ({@code block_q8_0} in ggml-common.h). 34 bytes per 32 weights = 8.5 bits per weight. Also the activation
 * format llama.cpp rounds the input of Q4_0/Q5_0/Q8_0 matmuls to ({@code vec_dot_type}).
 *
 * <pre>
 *  byte 0      2                                                   34
 *       +------+---------------------------------------------------+
 *       |  d   | qs[0] qs[1] ... qs[31]                             |
 *       | f16  | int8 each                                         |
 *       +------+---------------------------------------------------+
 *
 *  x[j] = qs[j] * d                                    j = 0..31
 * </pre>
 *
 * Quantization ({@code quantize_row_q8_0_ref}): {@code amax = max |x|}, {@code d = amax / 127},
 * {@code id = d != 0 ? 1/d : 0}, {@code qs[j] = roundf(x[j] * id)} (half away from zero); the stored d is
 * {@code d} rounded to f16 - the quants are computed with the unrounded {@code id}.
 */
public final class Q8_0Codec {

    private Q8_0Codec() {
    }

    /** Weights per block. */
    public static final int BLOCK_SIZE = 32;
    /** Bytes per block. */
    public static final int BYTES = 34;
    /** Byte offset of the f16 scale {@code d}. */
    public static final int D_OFFSET = 0;
    /** Byte offset of the 32 signed quants. */
    public static final int QS_OFFSET = 2;

    /** Dequantizes the block at {@code offset} into {@code dst[dstOffset .. dstOffset+31]} ({@code dequantize_row_q8_0}). */
    public static void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset) {
        float d = LittleEndian.readHalf(src, offset + D_OFFSET);
        for (int j = 0; j < BLOCK_SIZE; j++) {
            dst[dstOffset + j] = src.get(LittleEndian.BYTE, offset + QS_OFFSET + j) * d;
        }
    }

    /** Quantizes {@code src[srcOffset .. srcOffset+31]} into the block at {@code offset} ({@code quantize_row_q8_0_ref}). */
    public static void quantize(float[] src, int srcOffset, MemorySegment dst, long offset) {
        quantize(src, srcOffset, dst, offset, ActivationQuantizer.REFERENCE);
    }

    /**
     * Quantizes {@code src[srcOffset .. srcOffset+31]} into the block at {@code offset} as the given llama.cpp build
     * does ({@link ActivationQuantizer}); {@code REFERENCE} is {@code quantize_row_q8_0_ref}.
     */
    public static void quantize(float[] src, int srcOffset, MemorySegment dst, long offset, ActivationQuantizer variant) {
        float amax = 0.0f;
        for (int j = 0; j < BLOCK_SIZE; j++) {
            amax = Math.max(amax, Math.abs(src[srcOffset + j]));
        }
        float d = amax / ((1 << 7) - 1);
        float id = variant.inverseScale(amax);
        LittleEndian.writeHalf(dst, offset + D_OFFSET, d);
        for (int j = 0; j < BLOCK_SIZE; j++) {
            float x0 = src[srcOffset + j] * id;
            dst.set(LittleEndian.BYTE, offset + QS_OFFSET + j, (byte) variant.round(x0));
        }
    }
}
