package io.edgellm.quant.gguf;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Streams the bytes of one tensor into a GGUF file being written by {@link GgufWriter#write}, so that multi-GB (e.g.
 * synthetic random-weight) models never have to be held in memory.
 *
 * <p>The callback must write exactly {@code type.rowBytes(dims[0]) * rows} bytes, in ggml's layout (rows of blocks,
 * little-endian); the writer checks the count and fails the write otherwise. It must not close the stream.
 */
@FunctionalInterface
public interface TensorContent {
    /**
     * Writes the tensor's bytes.
     *
     * @param out where to write the tensor bytes (buffered; do not close)
     * @throws IOException if the bytes cannot be produced or written
     */
    void writeTo(OutputStream out) throws IOException;
}
