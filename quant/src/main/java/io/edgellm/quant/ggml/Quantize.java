package io.edgellm.quant.ggml;

import io.edgellm.quant.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Scalar reference quantization of one row: bit for bit what ggml's {@code quantize_row_*_ref} produce (the routines
 * {@code llama-quantize} uses when no importance matrix is given) and what llama.cpp's CPU backend does to
 * activations before a quantized matmul ({@code vec_dot_type}: Q8_0, Q8_1, Q8_K). Tests re-quantize real F32 models
 * and compare with the bytes of the files llama.cpp made ({@code QuantizeGoldenTest}).
 *
 * <p>Each 32- or 256-element block is quantized on its own, so quantizing a whole tensor row by row or all at once
 * gives the same bytes.
 */
public final class Quantize {

    private Quantize() {
    }

    /**
     * Quantizes {@code n} floats.
     *
     * @param type      target ggml type: F32 (copy), F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q8_1 or Q8_K
     * @param src       source floats
     * @param srcOffset index of the first float
     * @param n         number of elements; a multiple of {@code type.blockSize()}
     * @param dst       receives {@code type.rowBytes(n)} bytes of little-endian blocks
     * @param dstOffset byte offset of the first block in {@code dst}
     * @throws IllegalArgumentException if {@code n} is negative or not a multiple of the block size, a range is out of
     *                                  bounds, or the type has no reference quantizer here (K-quants other than Q8_K,
     *                                  integer types)
     * @throws UnsupportedOperationException if {@code dst} is read-only (e.g. a slice of a read-only mapped GGUF)
     */
    public static void row(GgmlType type, float[] src, int srcOffset, int n, MemorySegment dst, long dstOffset) {
        long bytes = Checks.rowBytes(type, n);
        Checks.arrayRange(type, "src", src, srcOffset, n);
        Checks.segmentRange(type, "dst", dst, dstOffset, bytes);
        int blocks = n / type.blockSize();
        int bs = type.blockSize();
        int bpb = type.bytesPerBlock();
        switch (type) {
            case F32 -> MemorySegment.copy(src, srcOffset, dst, LittleEndian.FLOAT, dstOffset, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    dst.set(LittleEndian.SHORT, dstOffset + 2L * i, Half.fromFloat(src[srcOffset + i]));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    dst.set(LittleEndian.SHORT, dstOffset + 2L * i, Half.floatToBf16(src[srcOffset + i]));
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < blocks; b++) {
                    Q4_0Codec.quantize(src, srcOffset + b * bs, dst, dstOffset + (long) b * bpb);
                }
            }
            case Q4_1 -> {
                for (int b = 0; b < blocks; b++) {
                    Q4_1Codec.quantize(src, srcOffset + b * bs, dst, dstOffset + (long) b * bpb);
                }
            }
            case Q5_0 -> {
                for (int b = 0; b < blocks; b++) {
                    Q5_0Codec.quantize(src, srcOffset + b * bs, dst, dstOffset + (long) b * bpb);
                }
            }
            case Q5_1 -> {
                for (int b = 0; b < blocks; b++) {
                    Q5_1Codec.quantize(src, srcOffset + b * bs, dst, dstOffset + (long) b * bpb);
                }
            }
            case Q8_0 -> {
                for (int b = 0; b < blocks; b++) {
                    Q8_0Codec.quantize(src, srcOffset + b * bs, dst, dstOffset + (long) b * bpb);
                }
            }
            case Q8_1 -> {
                for (int b = 0; b < blocks; b++) {
                    Q8_1Codec.quantize(src, srcOffset + b * bs, dst, dstOffset + (long) b * bpb);
                }
            }
            case Q8_K -> {
                for (int b = 0; b < blocks; b++) {
                    Q8_KCodec.quantize(src, srcOffset + b * bs, dst, dstOffset + (long) b * bpb);
                }
            }
            default -> throw new IllegalArgumentException(type + ": no reference quantizer (supported: F32, F16, BF16, "
                    + "Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q8_1, Q8_K)");
        }
    }

    /**
     * Quantizes {@code n} floats into a new heap segment of {@code type.rowBytes(n)} bytes; see {@link #row}.
     *
     * @return the new segment holding the blocks
     */
    public static MemorySegment row(GgmlType type, float[] src, int srcOffset, int n) {
        MemorySegment out = MemorySegment.ofArray(new byte[Math.toIntExact(Checks.rowBytes(type, n))]);
        row(type, src, srcOffset, n, out, 0);
        return out;
    }
}
