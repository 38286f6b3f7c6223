package io.edgellm.quant.gguf;

import io.edgellm.quant.GgmlType;
import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of a GGUF file's tensor-info section (ggml/docs/gguf.md, {@code gguf_tensor_info_t}):
 * {@code name : string, n_dims : u32, dims : u64[n_dims], type : u32 (ggml_type), offset : u64}.
 *
 * <p>Shapes follow ggml: {@code dims[0]} (ne0) is the contiguous row length, {@code dims[1]} the number of rows of a
 * matrix, higher dims multiply the row count.
 *
 * @param name     the tensor name (e.g. {@code blk.0.attn_q.weight})
 * @param type     the element type
 * @param dims     the dimensions, 1 to 4 of them, ne0 first; each non-negative (a 0 gives a 0-element tensor, which the
 *                 container accepts and the model loader rejects by its shape check)
 * @param offset   byte offset of the data relative to the start of the tensor data section (a multiple of the alignment)
 * @param byteSize size of the data in bytes: {@code type.rowBytes(dims[0]) * rows()}
 */
public record GgufTensorInfo(String name, GgmlType type, long[] dims, long offset, long byteSize) {

    /** Copies {@code dims} so the record stays immutable. */
    public GgufTensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        dims = dims.clone();
    }

    /**
     * Returns a copy of the dimensions, ne0 first.
     *
     * @return a copy of the dimensions, ne0 first
     */
    @Override
    public long[] dims() {
        return dims.clone();
    }

    /**
     * One dimension.
     *
     * @param i dimension index, 0 ≤ i &lt; {@link #nDims()}
     * @return {@code dims[i]} without copying the array
     */
    public long dim(int i) {
        return dims[i];
    }

    /**
     * Returns the number of dimensions (1..4).
     *
     * @return the number of dimensions (1..4)
     */
    public int nDims() {
        return dims.length;
    }

    /**
     * Returns the product of all dims (validated not to overflow when read from a file).
     *
     * @return the product of all dims (validated not to overflow when read from a file)
     */
    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /**
     * Returns {@code dims[0]}: elements per row.
     *
     * @return {@code dims[0]}: elements per row
     */
    public long rowLength() {
        return dims[0];
    }

    /**
     * Returns the product of {@code dims[1..]}: number of rows (1 for a vector).
     *
     * @return the product of {@code dims[1..]}: number of rows (1 for a vector)
     */
    public long rows() {
        long n = 1;
        for (int i = 1; i < dims.length; i++) {
            n = Math.multiplyExact(n, dims[i]);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t && name.equals(t.name) && type == t.type && Arrays.equals(dims, t.dims)
                && offset == t.offset && byteSize == t.byteSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(dims), offset, byteSize);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(dims) + " @" + offset + " (" + byteSize + " B)";
    }
}
