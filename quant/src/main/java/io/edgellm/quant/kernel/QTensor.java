package io.edgellm.quant.kernel;

import io.edgellm.quant.GgmlType;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A 2-D weight matrix in ggml layout: {@code rows} rows of {@code cols} elements, each row {@code type.rowBytes(cols)}
 * bytes, rows back to back starting at byte 0 of {@code data} (ggml {@code ne0 = cols}, {@code ne1 = rows}).
 *
 * @param name tensor name (for error messages)
 * @param type ggml type of the elements
 * @param rows number of rows (output size of a matvec)
 * @param cols row length in elements (input size of a matvec); a multiple of {@code type.blockSize()}
 * @param data the raw bytes, at least {@code rows * type.rowBytes(cols)} long (e.g. a zero-copy GGUF slice)
 */
public record QTensor(String name, GgmlType type, int rows, int cols, MemorySegment data) {

    /** Validates the shape against the data size. */
    public QTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("tensor '" + name + "': rows and cols must be positive, got " + rows + " x " + cols);
        }
        long rowBytes;
        try {
            rowBytes = type.rowBytes(cols);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tensor '" + name + "': row length " + cols + " is not a multiple of "
                    + type + " block size " + type.blockSize(), e);
        }
        if (Math.multiplyHigh(rowBytes, rows) != 0 || rowBytes * rows > data.byteSize()) {
            throw new IllegalArgumentException("tensor '" + name + "': " + rows + " rows x " + rowBytes + " bytes of "
                    + type + " do not fit in its " + data.byteSize() + "-byte data");
        }
    }

    /** Bytes per row ({@code type.rowBytes(cols)}). */
    public long rowBytes() {
        return type.rowBytes(cols);
    }

    /** Byte offset of row {@code r} in {@link #data()}. */
    public long rowOffset(int r) {
        return r * rowBytes();
    }
}
