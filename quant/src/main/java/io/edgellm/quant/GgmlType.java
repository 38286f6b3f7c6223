package io.edgellm.quant;

import java.util.Optional;

/**
 * The ggml tensor element types that can appear in a GGUF file, with their GGUF type ids and block geometry.
 *
 * <p>Ids are those of {@code enum ggml_type} in ggml's {@code ggml.h}; block sizes and bytes per block are those of
 * the {@code type_traits} table in {@code ggml.c} ({@code blck_size}, {@code type_size}). Ids 4 and 5 (the removed
 * {@code Q4_2}/{@code Q4_3}) and the i-quant / ternary types (16..23, 29, 34, 35, ...) are not supported:
 * {@link #byId(int)} returns empty for them.
 *
 * <p>A quantized row of {@code n} elements is {@code n / blockSize()} blocks stored back to back; e.g. Q8_0:
 * <pre>
 *   block_q8_0 (34 bytes, 32 elements):  | d : f16 (2 B) | qs[32] : int8 (32 B) |      x[i] = d * qs[i]
 *   block_q4_0 (18 bytes, 32 elements):  | d : f16 (2 B) | qs[16] : 2 nibbles each |  x[i] = d * (nibble - 8)
 * </pre>
 * See ggml's {@code ggml-common.h} for every block layout.
 */
public enum GgmlType {
    /** IEEE 754 binary32. */
    F32(0, 1, 4),
    /** IEEE 754 binary16. */
    F16(1, 1, 2),
    /** 32 elements: f16 scale + 16 bytes of 4-bit quants (offset 8). */
    Q4_0(2, 32, 18),
    /** 32 elements: f16 scale, f16 min + 16 bytes of 4-bit quants. */
    Q4_1(3, 32, 20),
    /** 32 elements: f16 scale, 4 bytes of high bits, 16 bytes of low nibbles. */
    Q5_0(6, 32, 22),
    /** 32 elements: f16 scale, f16 min, 4 bytes of high bits, 16 bytes of low nibbles. */
    Q5_1(7, 32, 24),
    /** 32 elements: f16 scale + 32 int8 quants. */
    Q8_0(8, 32, 34),
    /** 32 elements: f16 scale, f16 scale*sum + 32 int8 quants (activation type for Q4_1/Q5_1). */
    Q8_1(9, 32, 36),
    /** K-quant super-block of 256: 16 scales/mins (4 bit), 2-bit quants, f16 d, f16 dmin. */
    Q2_K(10, 256, 84),
    /** K-quant super-block of 256: high-bit mask, 2-bit low quants, 12 bytes of 6-bit scales, f16 d. */
    Q3_K(11, 256, 110),
    /** K-quant super-block of 256: f16 d, f16 dmin, 12 bytes of 6-bit scales/mins, 4-bit quants. */
    Q4_K(12, 256, 144),
    /** K-quant super-block of 256: f16 d, f16 dmin, 12 bytes of scales/mins, high bits, 4-bit low quants. */
    Q5_K(13, 256, 176),
    /** K-quant super-block of 256: 4-bit low quants, 2-bit high quants, 16 int8 scales, f16 d. */
    Q6_K(14, 256, 210),
    /** K-quant super-block of 256: f32 d, 256 int8 quants, 16 int16 block sums (activation type for K-quants). */
    Q8_K(15, 256, 292),
    /** 8-bit signed integer. */
    I8(24, 1, 1),
    /** 16-bit signed integer. */
    I16(25, 1, 2),
    /** 32-bit signed integer. */
    I32(26, 1, 4),
    /** 64-bit signed integer. */
    I64(27, 1, 8),
    /** IEEE 754 binary64. */
    F64(28, 1, 8),
    /** bfloat16 (the upper 16 bits of an f32). */
    BF16(30, 1, 2);

    /** Lookup table id → type; sized for the largest id we know. */
    private static final GgmlType[] BY_ID = new GgmlType[31];

    static {
        for (GgmlType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;
    private final int blockSize;
    private final int bytesPerBlock;

    GgmlType(int id, int blockSize, int bytesPerBlock) {
        this.id = id;
        this.blockSize = blockSize;
        this.bytesPerBlock = bytesPerBlock;
    }

    /**
     * The type id stored in a GGUF tensor info ({@code enum ggml_type} value).
     *
     * @return the id
     */
    public int id() {
        return id;
    }

    /**
     * Elements per block ({@code blck_size}).
     *
     * @return 1 for plain types, 32 for Q*_0/Q*_1, 256 for K-quants
     */
    public int blockSize() {
        return blockSize;
    }

    /**
     * Bytes per block ({@code type_size} in ggml).
     *
     * @return the number of bytes of one block
     */
    public int bytesPerBlock() {
        return bytesPerBlock;
    }

    /**
     * Whether this is a block-quantized type.
     *
     * @return true when the block size is &gt; 1
     */
    public boolean isQuantized() {
        return blockSize > 1;
    }

    /**
     * Bytes occupied by a row of {@code n} elements ({@code ggml_row_size}).
     *
     * @param n number of elements, a non-negative multiple of {@link #blockSize()}
     * @return {@code n / blockSize() * bytesPerBlock()}
     * @throws IllegalArgumentException if {@code n} is negative or not a multiple of the block size
     * @throws ArithmeticException if the byte count overflows a {@code long}
     */
    public long rowBytes(long n) {
        if (n < 0) {
            throw new IllegalArgumentException(name() + ": negative element count " + n);
        }
        if (n % blockSize != 0) {
            throw new IllegalArgumentException(
                    name() + ": row of " + n + " elements is not a multiple of the block size " + blockSize);
        }
        return Math.multiplyExact(n / blockSize, (long) bytesPerBlock);
    }

    /**
     * The type llama.cpp rounds the activation vector to before a dot product with a weight of this type
     * ({@code vec_dot_type} in ggml-cpu's {@code type_traits_cpu}): Q8_0 for Q4_0/Q5_0/Q8_0, Q8_1 for Q4_1/Q5_1/Q8_1,
     * Q8_K for the K-quants, and the type itself for F32, F16, BF16 and the integer / F64 types.
     *
     * @return the activation type used by llama.cpp's CPU backend for this weight type
     */
    public GgmlType vecDotType() {
        return switch (this) {
            case Q4_0, Q5_0, Q8_0 -> Q8_0;
            case Q4_1, Q5_1, Q8_1 -> Q8_1;
            case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K -> Q8_K;
            default -> this;
        };
    }

    /**
     * Looks up a type by its GGUF id.
     *
     * @param id the {@code ggml_type} value read from a GGUF tensor info
     * @return the type, or empty for unknown or unsupported ids (including the removed 4 = Q4_2 and 5 = Q4_3)
     */
    public static Optional<GgmlType> byId(int id) {
        if (id < 0 || id >= BY_ID.length) {
            return Optional.empty();
        }
        return Optional.ofNullable(BY_ID[id]);
    }
}
