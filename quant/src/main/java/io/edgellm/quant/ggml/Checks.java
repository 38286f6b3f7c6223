package io.edgellm.quant.ggml;

import io.edgellm.quant.GgmlType;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/** Argument checks shared by {@link Dequantize}, {@link Quantize} and {@link ScalarDot}: clear messages, no JVM crash. */
final class Checks {

    private Checks() {
    }

    /** Checks that n is a non-negative multiple of the block size; returns the byte size of n elements. */
    static long rowBytes(GgmlType type, int n) {
        Objects.requireNonNull(type, "type");
        if (n < 0) {
            throw new IllegalArgumentException(type + ": negative element count " + n);
        }
        if (n % type.blockSize() != 0) {
            throw new IllegalArgumentException(type + ": " + n + " elements is not a multiple of the block size "
                    + type.blockSize());
        }
        return (long) (n / type.blockSize()) * type.bytesPerBlock();
    }

    /** Checks that {@code bytes} bytes starting at {@code offset} lie inside {@code segment}. */
    static void segmentRange(GgmlType type, String what, MemorySegment segment, long offset, long bytes) {
        Objects.requireNonNull(segment, what);
        if (offset < 0 || offset > segment.byteSize() || bytes > segment.byteSize() - offset) {
            throw new IllegalArgumentException(type + ": " + what + " needs " + bytes + " bytes at offset " + offset
                    + " but the segment has " + segment.byteSize() + " bytes");
        }
    }

    /** Checks that {@code n} floats starting at {@code offset} lie inside {@code array}. */
    static void arrayRange(GgmlType type, String what, float[] array, int offset, int n) {
        Objects.requireNonNull(array, what);
        if (offset < 0 || offset > array.length || n > array.length - offset) {
            throw new IllegalArgumentException(type + ": " + what + " needs " + n + " floats at index " + offset
                    + " but has length " + array.length);
        }
    }
}
