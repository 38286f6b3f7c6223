package io.edgellm.quant.gguf;

import java.util.Optional;

/**
 * The metadata value types of GGUF ({@code enum gguf_metadata_value_type} in ggml/docs/gguf.md), with their ids as
 * stored (u32) in the file and the Java type a {@link GgufFile} maps each to.
 *
 * <pre>
 *  id type     bytes  Java scalar   Java array (GgufArray.values)
 *   0 UINT8      1    Integer       int[]
 *   1 INT8       1    Integer       int[]
 *   2 UINT16     2    Integer       int[]
 *   3 INT16      2    Integer       int[]
 *   4 UINT32     4    Long          long[]
 *   5 INT32      4    Integer       int[]
 *   6 FLOAT32    4    Float         float[]
 *   7 BOOL       1    Boolean       boolean[]   (0 = false, 1 = true, anything else invalid)
 *   8 STRING   8 + n  String        String[]    (u64 byte length, then UTF-8 bytes, no terminator)
 *   9 ARRAY   12 + …  GgufArray     GgufArray[] (u32 element type, u64 count, elements)
 *  10 UINT64     8    Long          long[]      (raw two's-complement bits: values &ge; 2^63 read negative)
 *  11 INT64      8    Long          long[]
 *  12 FLOAT64    8    Double        double[]
 * </pre>
 */
public enum GgufValueType {
    /** 8-bit unsigned integer. */
    UINT8(0, 1),
    /** 8-bit signed integer. */
    INT8(1, 1),
    /** 16-bit unsigned integer. */
    UINT16(2, 2),
    /** 16-bit signed integer. */
    INT16(3, 2),
    /** 32-bit unsigned integer. */
    UINT32(4, 4),
    /** 32-bit signed integer. */
    INT32(5, 4),
    /** IEEE 754 binary32. */
    FLOAT32(6, 4),
    /** One byte, 0 or 1. */
    BOOL(7, 1),
    /** u64 byte length + UTF-8 bytes. */
    STRING(8, 8),
    /** u32 element type + u64 count + elements. */
    ARRAY(9, 12),
    /** 64-bit unsigned integer. */
    UINT64(10, 8),
    /** 64-bit signed integer. */
    INT64(11, 8),
    /** IEEE 754 binary64. */
    FLOAT64(12, 8);

    private static final GgufValueType[] BY_ID = values();

    private final int id;
    private final int minBytes;

    GgufValueType(int id, int minBytes) {
        this.id = id;
        this.minBytes = minBytes;
    }

    /**
     * Returns the u32 id stored in the file.
     *
     * @return the u32 id stored in the file
     */
    public int id() {
        return id;
    }

    /**
     * The encoded size of a value.
     *
     * @return the size in bytes of a scalar value of this type, or for STRING/ARRAY the minimum size (8: the length of an
     *         empty string; 12: element type + count of an empty array). Used to reject hostile counts before allocating.
     */
    public int minBytes() {
        return minBytes;
    }

    /**
     * Returns true for the eight integer types.
     *
     * @return true for the eight integer types
     */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /**
     * Looks up a type by its id.
     *
     * @param id a u32 type id read from a file (as a long so that values &ge; 2^31 are not confused with small ones)
     * @return the type, or empty for an unknown id
     */
    public static Optional<GgufValueType> byId(long id) {
        return id >= 0 && id < BY_ID.length ? Optional.of(BY_ID[(int) id]) : Optional.empty();
    }
}
