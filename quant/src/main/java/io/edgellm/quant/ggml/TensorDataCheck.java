package io.edgellm.quant.ggml;

import io.edgellm.quant.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Finds non-finite values in a tensor's raw data, like llama.cpp's {@code ggml_validate_row_data} (its
 * {@code --check-tensors}): every element of F32, F16, BF16 and F64 tensors, and the floating-point scales of every
 * quantized block: {@code d} of Q4_0, Q5_0, Q8_0, Q3_K, Q6_K; {@code d} and {@code m} of Q4_1, Q5_1; {@code d} and
 * {@code s} of Q8_1; {@code d} and {@code dmin} of Q2_K, Q4_K, Q5_K (all f16); the f32 {@code d} of Q8_K. The quants
 * themselves are small integers and cannot be non-finite. Integer tensor types have nothing to check.
 *
 * <p>The work is split into "units" (elements for the float types, blocks for the quantized ones) so that callers can
 * check one tensor in parallel ranges: {@link #check(GgmlType, MemorySegment, long, long)} over
 * {@code [from, to)} of {@link #units(GgmlType, long)}.
 */
public final class TensorDataCheck {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private TensorDataCheck() {
    }

    /**
     * Number of checkable units of a tensor.
     *
     * @param type     the tensor's type
     * @param elements its element count (a multiple of the block size)
     * @return blocks for quantized types, elements for float types, 0 for integer types
     */
    public static long units(GgmlType type, long elements) {
        return switch (type) {
            case I8, I16, I32, I64 -> 0;
            default -> elements / type.blockSize();
        };
    }

    /**
     * Checks units {@code [from, to)} of a tensor's data.
     *
     * @param type the tensor's type
     * @param data the tensor's bytes (at least {@code to} units)
     * @param from first unit
     * @param to   end unit (exclusive)
     * @return {@code null} when every value is finite, else a description of the first bad one, e.g.
     *         {@code "block 17 (elements 544 .. 575): scale d = NaN"} or {@code "element 5 = Infinity"}
     * @throws IndexOutOfBoundsException when the range lies outside {@code data}
     */
    public static String check(GgmlType type, MemorySegment data, long from, long to) {
        int bpb = type.bytesPerBlock();
        switch (type) {
            case F32 -> {
                for (long i = from; i < to; i++) {
                    float v = data.get(LittleEndian.FLOAT, i * 4);
                    if (!Float.isFinite(v)) return "element " + i + " = " + v;
                }
            }
            case F16 -> {
                for (long i = from; i < to; i++) {
                    short h = data.get(SHORT, i * 2);
                    if ((h & 0x7C00) == 0x7C00) return "element " + i + " = " + Float.float16ToFloat(h);
                }
            }
            case BF16 -> {
                for (long i = from; i < to; i++) {
                    short h = data.get(SHORT, i * 2);
                    if ((h & 0x7F80) == 0x7F80) return "element " + i + " = " + Float.intBitsToFloat(h << 16);
                }
            }
            case F64 -> {
                for (long i = from; i < to; i++) {
                    double v = data.get(DOUBLE, i * 8);
                    if (!Double.isFinite(v)) return "element " + i + " = " + v;
                }
            }
            case Q4_0, Q5_0, Q8_0 -> {
                return halves(type, data, from, to, bpb, 0, "d", -1, null);
            }
            case Q4_1, Q5_1 -> {
                return halves(type, data, from, to, bpb, 0, "d", 2, "m");
            }
            case Q8_1 -> {
                return halves(type, data, from, to, bpb, 0, "d", 2, "s");
            }
            case Q2_K -> {
                return halves(type, data, from, to, bpb, Q2_KCodec.D_OFFSET, "d", Q2_KCodec.DMIN_OFFSET, "dmin");
            }
            case Q4_K -> {
                return halves(type, data, from, to, bpb, Q4_KCodec.D_OFFSET, "d", Q4_KCodec.DMIN_OFFSET, "dmin");
            }
            case Q5_K -> {
                return halves(type, data, from, to, bpb, Q5_KCodec.D_OFFSET, "d", Q5_KCodec.DMIN_OFFSET, "dmin");
            }
            case Q3_K -> {
                return halves(type, data, from, to, bpb, Q3_KCodec.D_OFFSET, "d", -1, null);
            }
            case Q6_K -> {
                return halves(type, data, from, to, bpb, Q6_KCodec.D_OFFSET, "d", -1, null);
            }
            case Q8_K -> {
                for (long b = from; b < to; b++) {
                    float d = data.get(LittleEndian.FLOAT, b * bpb + Q8_KCodec.D_OFFSET);
                    if (!Float.isFinite(d)) return block(type, b) + ": scale d = " + d;
                }
            }
            default -> {
                // integer types: nothing to check
            }
        }
        return null;
    }

    private static String halves(GgmlType type, MemorySegment data, long from, long to, int bpb, int off1, String name1,
                                 int off2, String name2) {
        for (long b = from; b < to; b++) {
            long base = b * bpb;
            short h = data.get(SHORT, base + off1);
            if ((h & 0x7C00) == 0x7C00) return block(type, b) + ": scale " + name1 + " = " + Float.float16ToFloat(h);
            if (off2 >= 0) {
                h = data.get(SHORT, base + off2);
                if ((h & 0x7C00) == 0x7C00) return block(type, b) + ": scale " + name2 + " = " + Float.float16ToFloat(h);
            }
        }
        return null;
    }

    private static String block(GgmlType type, long b) {
        long first = b * type.blockSize();
        return "block " + b + " (elements " + first + " .. " + (first + type.blockSize() - 1) + ")";
    }
}
