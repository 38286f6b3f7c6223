package io.edgellm.quant.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A bounds-checked little-endian reader over a memory segment. Every read past the end throws a
 * {@link GgufFormatException} naming the file, the offset and what was being read; no other exception escapes.
 */
final class GgufCursor {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final MemorySegment segment;
    private final long size;
    private long position;

    GgufCursor(Path file, MemorySegment segment) {
        this.file = file;
        this.segment = segment;
        this.size = segment.byteSize();
    }

    long position() {
        return position;
    }

    long size() {
        return size;
    }

    /** @return bytes left between the position and the end of the file */
    long remaining() {
        return size - position;
    }

    GgufFormatException error(long offset, String defect) {
        return new GgufFormatException(file, offset, defect);
    }

    /** Throws unless {@code n} more bytes are available; {@code what} names the item being read. */
    private void require(long n, String what) throws GgufFormatException {
        if (n < 0 || n > size - position) {
            throw error(position, "file truncated: " + what + " needs " + n + " bytes but only " + (size - position)
                    + " are left (file size " + size + ")");
        }
    }

    int u8(String what) throws GgufFormatException {
        require(1, what);
        return Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, position++));
    }

    int i8(String what) throws GgufFormatException {
        require(1, what);
        return segment.get(ValueLayout.JAVA_BYTE, position++);
    }

    int u16(String what) throws GgufFormatException {
        return Short.toUnsignedInt(i16raw(what));
    }

    int i16(String what) throws GgufFormatException {
        return i16raw(what);
    }

    private short i16raw(String what) throws GgufFormatException {
        require(2, what);
        short v = segment.get(U16, position);
        position += 2;
        return v;
    }

    int i32(String what) throws GgufFormatException {
        require(4, what);
        int v = segment.get(U32, position);
        position += 4;
        return v;
    }

    long u32(String what) throws GgufFormatException {
        return Integer.toUnsignedLong(i32(what));
    }

    /** Reads 8 bytes; u64 values &ge; 2^63 come back negative (callers treat negative as "too large"). */
    long i64(String what) throws GgufFormatException {
        require(8, what);
        long v = segment.get(U64, position);
        position += 8;
        return v;
    }

    float f32(String what) throws GgufFormatException {
        require(4, what);
        float v = segment.get(F32, position);
        position += 4;
        return v;
    }

    double f64(String what) throws GgufFormatException {
        require(8, what);
        double v = segment.get(F64, position);
        position += 8;
        return v;
    }

    boolean bool(String what) throws GgufFormatException {
        long at = position;
        int b = u8(what);
        if (b > 1) {
            throw error(at, what + ": invalid BOOL byte " + b + " (must be 0 or 1)");
        }
        return b == 1;
    }

    /** Bulk read of {@code n} little-endian FLOAT32 values (bounds checked first). */
    float[] f32s(int n, String what) throws GgufFormatException {
        require(4L * n, what);
        float[] out = new float[n];
        MemorySegment.copy(segment, F32, position, out, 0, n);
        position += 4L * n;
        return out;
    }

    /** Bulk read of {@code n} little-endian INT32 values (bounds checked first). */
    int[] i32s(int n, String what) throws GgufFormatException {
        require(4L * n, what);
        int[] out = new int[n];
        MemorySegment.copy(segment, U32, position, out, 0, n);
        position += 4L * n;
        return out;
    }

    /** Bulk read of {@code n} little-endian 64-bit values (bounds checked first). */
    long[] i64s(int n, String what) throws GgufFormatException {
        require(8L * n, what);
        long[] out = new long[n];
        MemorySegment.copy(segment, U64, position, out, 0, n);
        position += 8L * n;
        return out;
    }

    /** Bulk read of {@code n} little-endian FLOAT64 values (bounds checked first). */
    double[] f64s(int n, String what) throws GgufFormatException {
        require(8L * n, what);
        double[] out = new double[n];
        MemorySegment.copy(segment, F64, position, out, 0, n);
        position += 8L * n;
        return out;
    }

    /**
     * Reads a GGUF string: u64 byte length, then that many UTF-8 bytes. The length is checked against the bytes left
     * before anything is allocated.
     */
    String string(String what) throws GgufFormatException {
        long at = position;
        long len = i64(what + " length");
        if (len < 0 || len > size - position) {
            throw error(at, what + ": string length " + Long.toUnsignedString(len) + " exceeds the "
                    + (size - position) + " bytes left in the file");
        }
        if (len > Integer.MAX_VALUE - 16) {
            throw error(at, what + ": string length " + len + " is larger than a Java string can hold");
        }
        byte[] bytes = segment.asSlice(position, len).toArray(ValueLayout.JAVA_BYTE);
        position += len;
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
