package io.edgellm.quant.ggml;

import io.edgellm.quant.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Scalar reference dequantization of one row of a ggml tensor: the readable counterpart of llama.cpp's
 * {@code to_float} ({@code dequantize_row_*} in ggml-quants.c), and bit for bit equal to it - each value is computed
 * with the same float operations in the same order, without fused multiply-add (tests compare with llama.cpp's own
 * output on every type, see {@code DequantizeGoldenTest}).
 *
 * <p>Why plain Java float arithmetic reproduces C here even though C compilers may contract {@code a*b + c} into a
 * fused multiply-add: in every {@code dequantize_row_*} the products are exact in float (an f16 scale has 11
 * significant bits, a 4..6-bit sub-scale and a 2..5-bit quant add at most 11 more, under float's 24), so the only
 * rounding is that of the final add, fused or not. The products that can be inexact (Q6_K's {@code (d*sc)*q},
 * Q8_K's f32 {@code d * q}) have no add after them.
 *
 * <p>The block formats are drawn in the codec classes: {@link Q4_0Codec}, {@link Q4_1Codec}, {@link Q5_0Codec},
 * {@link Q5_1Codec}, {@link Q8_0Codec}, {@link Q8_1Codec}, {@link Q2_KCodec}, {@link Q3_KCodec}, {@link Q4_KCodec},
 * {@link Q5_KCodec}, {@link Q6_KCodec}, {@link Q8_KCodec}; F16/BF16 in {@link Half}.
 */
public final class Dequantize {

    private Dequantize() {
    }

    /**
     * Dequantizes {@code n} consecutive elements.
     *
     * @param type      ggml type of the source: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q2_K, Q3_K, Q4_K,
     *                  Q5_K, Q6_K or Q8_K
     * @param src       the raw little-endian blocks (e.g. a slice of a mapped GGUF)
     * @param srcOffset byte offset of the first block in {@code src}
     * @param dst       receives {@code n} floats
     * @param dstOffset index of the first float written
     * @param n         number of elements; a multiple of {@code type.blockSize()}; reads {@code type.rowBytes(n)} bytes
     * @throws IllegalArgumentException if {@code n} is negative or not a multiple of the block size, if the source
     *                                  range is outside {@code src} or the destination outside {@code dst}, or if the
     *                                  type is an integer type (I8..I64, F64)
     */
    public static void row(GgmlType type, MemorySegment src, long srcOffset, float[] dst, int dstOffset, int n) {
        long bytes = Checks.rowBytes(type, n);
        Checks.segmentRange(type, "src", src, srcOffset, bytes);
        Checks.arrayRange(type, "dst", dst, dstOffset, n);
        int blocks = n / type.blockSize();
        int bs = type.blockSize();
        int bpb = type.bytesPerBlock();
        switch (type) {
            case F32 -> MemorySegment.copy(src, LittleEndian.FLOAT, srcOffset, dst, dstOffset, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    dst[dstOffset + i] = Half.toFloat(src.get(LittleEndian.SHORT, srcOffset + 2L * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    dst[dstOffset + i] = Half.bf16ToFloat(src.get(LittleEndian.SHORT, srcOffset + 2L * i));
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < blocks; b++) {
                    Q4_0Codec.dequantize(src, srcOffset + (long) b * bpb, dst, dstOffset + b * bs);
                }
            }
            case Q4_1 -> {
                for (int b = 0; b < blocks; b++) {
                    Q4_1Codec.dequantize(src, srcOffset + (long) b * bpb, dst, dstOffset + b * bs);
                }
            }
            case Q5_0 -> {
                for (int b = 0; b < blocks; b++) {
                    Q5_0Codec.dequantize(src, srcOffset + (long) b * bpb, dst, dstOffset + b * bs);
                }
            }
            case Q5_1 -> {
                for (int b = 0; b < blocks; b++) {
                    Q5_1Codec.dequantize(src, srcOffset + (long) b * bpb, dst, dstOffset + b * bs);
                }
            }
            case Q8_0 -> {
                for (int b = 0; b < blocks; b++) {
                    Q8_0Codec.dequantize(src, srcOffset + (long) b * bpb, dst, dstOffset + b * bs);
                }
            }
            case Q8_1 -> {
                for (int b = 0; b < blocks; b++) {
                    Q8_1Codec.dequantize(src, srcOffset + (long) b * bpb, dst, dstOffset + b * bs);
                }
            }
            case Q2_K -> {
                for (int b = 0; b < blocks; b++) {
                    Q2_KCodec.dequantize(src, srcOffset + (long) b * bpb, dst, dstOffset + b * bs);
                }
            }
            case Q3_K -> {
                for (int b = 0; b < blocks; b++) {
                    Q3_KCodec.dequantize(src, srcOffset + (long) b * bpb, dst, dstOffset + b * bs);
                }
            }
            case Q4_K -> {
                for (int b = 0; b < blocks; b++) {
                    Q4_KCodec.dequantize(src, srcOffset + (long) b * bpb, dst, dstOffset + b * bs);
                }
            }
            case Q5_K -> {
                for (int b = 0; b < blocks; b++) {
                    Q5_KCodec.dequantize(src, srcOffset + (long) b * bpb, dst, dstOffset + b * bs);
                }
            }
            case Q6_K -> {
                for (int b = 0; b < blocks; b++) {
                    Q6_KCodec.dequantize(src, srcOffset + (long) b * bpb, dst, dstOffset + b * bs);
                }
            }
            case Q8_K -> {
                for (int b = 0; b < blocks; b++) {
                    Q8_KCodec.dequantize(src, srcOffset + (long) b * bpb, dst, dstOffset + b * bs);
                }
            }
            default -> throw new IllegalArgumentException(type + ": not a float or quantized type, cannot dequantize");
        }
    }

    /**
     * Dequantizes {@code n} elements into a new array; see {@link #row}.
     *
     * @return a new array of {@code n} floats
     */
    public static float[] row(GgmlType type, MemorySegment src, long srcOffset, int n) {
        float[] out = new float[n];
        row(type, src, srcOffset, out, 0, n);
        return out;
    }
}
