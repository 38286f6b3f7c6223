package io.edgellm.quant.ggml;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Unaligned little-endian value layouts for reading and writing ggml blocks in a {@link MemorySegment}, and small
 * helpers on top of them. ggml blocks are packed C structs ({@code #pragma pack} free but made of 1- and 2-byte
 * fields, so e.g. the {@code ggml_half d} of the second Q8_0 block sits at byte 34): every access must be unaligned.
 * GGUF and ggml are little-endian on every platform we target.
 */
public final class LittleEndian {

    private LittleEndian() {
    }

    /** 16-bit little-endian, unaligned ({@code ggml_half}, {@code int16_t}, {@code uint16_t}). */
    public static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** 32-bit integer little-endian, unaligned ({@code uint32_t qh} of Q5_0/Q5_1). */
    public static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** 32-bit float little-endian, unaligned (F32 tensors, the {@code float d} of Q8_K). */
    public static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** One byte ({@code uint8_t}/{@code int8_t}); Java bytes are signed: mask with {@code & 0xFF} for uint8. */
    public static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;

    /** Reads the IEEE half at {@code offset} and widens it to float (exact). */
    public static float readHalf(MemorySegment segment, long offset) {
        return Half.toFloat(segment.get(SHORT, offset));
    }

    /** Rounds {@code value} to IEEE half (nearest, ties to even, as ggml) and writes it at {@code offset}. */
    public static void writeHalf(MemorySegment segment, long offset, float value) {
        segment.set(SHORT, offset, Half.fromFloat(value));
    }

    /** Reads the unsigned byte at {@code offset} ({@code uint8_t}), 0..255. */
    public static int readU8(MemorySegment segment, long offset) {
        return segment.get(BYTE, offset) & 0xFF;
    }
}
