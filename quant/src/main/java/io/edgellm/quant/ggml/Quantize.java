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
 *
 * <p>Bit-exactness holds against llama.cpp builds that do not fuse {@code a*b + c} into one FMA inside
 * ggml-quants.c, which is the case of the x86 builds that made our test files (ggml's base library is compiled for
 * the baseline ISA, without FMA; only the CPU backend gets {@code -march=native}). A compiler that contracts, as GCC
 * does by default where FMA is part of the base ISA (aarch64), can round e.g. Q4_0's {@code x*id + 8.5f} differently
 * in rare blocks. NaN and infinite inputs give unspecified quants, as in ggml.
 */
public final class Quantize {

    private Quantize() {
    }

    /**
     * Quantizes {@code n} floats.
     *
     * @param type      target ggml type: F32 (copy), F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q8_1, Q8_K, or the
     *                  K-quants Q2_K, Q3_K, Q4_K, Q5_K, Q6_K (ggml's reference quantizers without importance matrix;
     *                  slow: a scale search per sub-block)
     * @param src       source floats
     * @param srcOffset index of the first float
     * @param n         number of elements; a multiple of {@code type.blockSize()}
     * @param dst       receives {@code type.rowBytes(n)} bytes of little-endian blocks
     * @param dstOffset byte offset of the first block in {@code dst}
     * @throws IllegalArgumentException if {@code n} is negative or not a multiple of the block size, a range is out of
     *                                  bounds, or the type has no reference quantizer here (integer types)
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
            case Q2_K -> {
                for (int b = 0; b < blocks; b++) {
                    Q2_KCodec.quantize(src, srcOffset + b * bs, dst, dstOffset + (long) b * bpb);
                }
            }
            case Q3_K -> {
                for (int b = 0; b < blocks; b++) {
                    Q3_KCodec.quantize(src, srcOffset + b * bs, dst, dstOffset + (long) b * bpb);
                }
            }
            case Q4_K -> {
                for (int b = 0; b < blocks; b++) {
                    Q4_KCodec.quantize(src, srcOffset + b * bs, dst, dstOffset + (long) b * bpb);
                }
            }
            case Q5_K -> {
                for (int b = 0; b < blocks; b++) {
                    Q5_KCodec.quantize(src, srcOffset + b * bs, dst, dstOffset + (long) b * bpb);
                }
            }
            case Q6_K -> {
                for (int b = 0; b < blocks; b++) {
                    Q6_KCodec.quantize(src, srcOffset + b * bs, dst, dstOffset + (long) b * bpb);
                }
            }
            default -> throw new IllegalArgumentException(type + ": no reference quantizer (supported: F32, F16, BF16, "
                    + "Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q8_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K)");
        }
    }

    /**
     * Rounds {@code n} activations to {@code type} the way a given llama.cpp CPU build does before its integer dot
     * products ({@link ActivationQuantizer}). Only Q8_0 and Q8_1 depend on the variant; every other type is
     * quantized exactly as {@link #row(GgmlType, float[], int, int, MemorySegment, long)} does.
     *
     * @param variant which llama.cpp build to reproduce
     * @throws IllegalArgumentException as {@link #row(GgmlType, float[], int, int, MemorySegment, long)}
     */
    public static void activationRow(GgmlType type, ActivationQuantizer variant, float[] src, int srcOffset, int n,
                                     MemorySegment dst, long dstOffset) {
        java.util.Objects.requireNonNull(variant, "variant");
        if (variant == ActivationQuantizer.REFERENCE || (type != GgmlType.Q8_0 && type != GgmlType.Q8_1)) {
            row(type, src, srcOffset, n, dst, dstOffset);
            return;
        }
        long bytes = Checks.rowBytes(type, n);
        Checks.arrayRange(type, "src", src, srcOffset, n);
        Checks.segmentRange(type, "dst", dst, dstOffset, bytes);
        for (int b = 0; b < n / 32; b++) {
            if (type == GgmlType.Q8_0) {
                Q8_0Codec.quantize(src, srcOffset + 32 * b, dst, dstOffset + (long) b * Q8_0Codec.BYTES, variant);
            } else {
                Q8_1Codec.quantize(src, srcOffset + 32 * b, dst, dstOffset + (long) b * Q8_1Codec.BYTES, variant);
            }
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
