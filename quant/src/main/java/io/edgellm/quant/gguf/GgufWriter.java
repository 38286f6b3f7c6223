package io.edgellm.quant.gguf;

import io.edgellm.quant.GgmlType;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes GGUF version 3 files (layout: see {@link GgufFile} and ggml/docs/gguf.md).
 *
 * <p>Usage:
 * <pre>{@code
 * new GgufWriter()
 *     .putString("general.architecture", "llama")
 *     .putUInt32("llama.block_count", 2)
 *     .putStringArray("tokenizer.ggml.tokens", tokens)
 *     .addTensor("token_embd.weight", GgmlType.Q8_0, new long[] {dim, vocab}, segment)
 *     .addTensor("output.weight", GgmlType.Q4_0, new long[] {dim, vocab}, out -> generator.writeRows(out))
 *     .write(path);
 * }</pre>
 *
 * <p>Metadata keys keep their insertion order; putting an existing key replaces its value in place. Tensor data offsets
 * are assigned in {@code addTensor} order, each aligned to {@code general.alignment} (32 unless that key is set), and the
 * data section starts at the end of the tensor infos rounded up to the alignment; every tensor is padded with zeros to
 * the alignment, as llama.cpp does. Tensor names must be shorter than 64 bytes (llama.cpp's {@code GGML_MAX_NAME}).
 *
 * <p>Segments and {@link TensorContent} callbacks are only read by {@link #write(Path)}, so tensors copied from a
 * {@link GgufFile} need that file open until then. Not thread-safe.
 */
public final class GgufWriter {
    /** llama.cpp's GGML_MAX_NAME: tensor names must be strictly shorter (the C struct keeps a NUL). */
    public static final int MAX_TENSOR_NAME_BYTES = 63;

    private record Value(GgufValueType type, Object value) {
    }

    private record PendingTensor(String name, GgmlType type, long[] dims, long byteSize, MemorySegment data,
                                 TensorContent content) {
    }

    private final Map<String, Value> metadata = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();
    private final Set<String> tensorNames = new HashSet<>();

    /** Creates an empty writer (no metadata, no tensors). */
    public GgufWriter() {
    }

    // ------------------------------------------------------------------------------------------------------------------
    // Metadata

    /**
     * Puts a UINT8 value, 0..255.
     *
     * @param key the metadata key
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException if the value is out of range for its GGUF type
     */
    public GgufWriter putUInt8(String key, int value) {
        return put(key, GgufValueType.UINT8, value);
    }

    /**
     * Puts an INT8 value, -128..127.
     *
     * @param key the metadata key
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException if the value is out of range for its GGUF type
     */
    public GgufWriter putInt8(String key, int value) {
        return put(key, GgufValueType.INT8, value);
    }

    /**
     * Puts a UINT16 value, 0..65535.
     *
     * @param key the metadata key
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException if the value is out of range for its GGUF type
     */
    public GgufWriter putUInt16(String key, int value) {
        return put(key, GgufValueType.UINT16, value);
    }

    /**
     * Puts an INT16 value, -32768..32767.
     *
     * @param key the metadata key
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException if the value is out of range for its GGUF type
     */
    public GgufWriter putInt16(String key, int value) {
        return put(key, GgufValueType.INT16, value);
    }

    /**
     * Puts a UINT32 value, 0..2^32-1 (e.g. {@code llama.block_count}, {@code general.alignment}).
     *
     * @param key the metadata key
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException if the value is out of range for its GGUF type
     */
    public GgufWriter putUInt32(String key, long value) {
        return put(key, GgufValueType.UINT32, value);
    }

    /**
     * Puts an INT32 value.
     *
     * @param key the metadata key
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException if the value is out of range for its GGUF type
     */
    public GgufWriter putInt32(String key, int value) {
        return put(key, GgufValueType.INT32, value);
    }

    /**
     * Puts a UINT64 value (the bits of {@code value}; negative values stand for 2^63..2^64-1).
     *
     * @param key the metadata key
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException if the value is out of range for its GGUF type
     */
    public GgufWriter putUInt64(String key, long value) {
        return put(key, GgufValueType.UINT64, value);
    }

    /**
     * Puts an INT64 value.
     *
     * @param key the metadata key
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException if the value is out of range for its GGUF type
     */
    public GgufWriter putInt64(String key, long value) {
        return put(key, GgufValueType.INT64, value);
    }

    /**
     * Puts a FLOAT32 value.
     *
     * @param key the metadata key
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException if the value is out of range for its GGUF type
     */
    public GgufWriter putFloat32(String key, float value) {
        return put(key, GgufValueType.FLOAT32, value);
    }

    /**
     * Puts a FLOAT64 value.
     *
     * @param key the metadata key
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException if the value is out of range for its GGUF type
     */
    public GgufWriter putFloat64(String key, double value) {
        return put(key, GgufValueType.FLOAT64, value);
    }

    /**
     * Puts a BOOL value.
     *
     * @param key the metadata key
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException if the value is out of range for its GGUF type
     */
    public GgufWriter putBool(String key, boolean value) {
        return put(key, GgufValueType.BOOL, value);
    }

    /**
     * Puts a STRING value (written as UTF-8).
     *
     * @param key the metadata key
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException if the value is out of range for its GGUF type
     */
    public GgufWriter putString(String key, String value) {
        return put(key, GgufValueType.STRING, value);
    }

    /**
     * Puts an ARRAY value (any element type, nested arrays included).
     *
     * @param key the metadata key
     * @param value the value
     * @return this writer
     * @throws IllegalArgumentException if the value is out of range for its GGUF type
     */
    public GgufWriter putArray(String key, GgufArray value) {
        return put(key, GgufValueType.ARRAY, value);
    }

    /**
     * Puts an ARRAY of STRING (e.g. {@code tokenizer.ggml.tokens}); the array is copied.
     *
     * @param key the metadata key
     * @param values the elements
     * @return this writer
     * @throws IllegalArgumentException if the value is out of range for its GGUF type
     */
    public GgufWriter putStringArray(String key, String... values) {
        return putArray(key, new GgufArray(GgufValueType.STRING, values.clone()));
    }

    /**
     * Puts an ARRAY of STRING; the list is copied.
     *
     * @param key the metadata key
     * @param values the elements
     * @return this writer
     * @throws IllegalArgumentException if the value is out of range for its GGUF type
     */
    public GgufWriter putStringArray(String key, List<String> values) {
        return putArray(key, new GgufArray(GgufValueType.STRING, values.toArray(new String[0])));
    }

    /**
     * Puts an ARRAY of FLOAT32 (e.g. {@code tokenizer.ggml.scores}); the array is copied.
     *
     * @param key the metadata key
     * @param values the elements
     * @return this writer
     * @throws IllegalArgumentException if the value is out of range for its GGUF type
     */
    public GgufWriter putFloat32Array(String key, float... values) {
        return putArray(key, new GgufArray(GgufValueType.FLOAT32, values.clone()));
    }

    /**
     * Puts an ARRAY of INT32 (e.g. {@code tokenizer.ggml.token_type}); the array is copied.
     *
     * @param key the metadata key
     * @param values the elements
     * @return this writer
     * @throws IllegalArgumentException if the value is out of range for its GGUF type
     */
    public GgufWriter putInt32Array(String key, int... values) {
        return putArray(key, new GgufArray(GgufValueType.INT32, values.clone()));
    }

    /**
     * Puts a value of any type. Integer values may be given as any {@link Number} of integral Java type and are stored
     * as the Java type {@link GgufValueType} documents; floats likewise.
     *
     * @param key   the metadata key (e.g. {@code general.architecture})
     * @param type  the GGUF type to write
     * @param value the value: Number (integer or float types, range-checked), Boolean, String or {@link GgufArray}
     * @return this writer
     * @throws IllegalArgumentException if the value does not match the type or is out of range for it
     */
    public GgufWriter put(String key, GgufValueType type, Object value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        metadata.put(key, new Value(type, normalize(key, type, value)));
        return this;
    }

    /**
     * Removes a metadata key (no-op if absent).
     *
     * @param key the metadata key
     * @return this writer
     */
    public GgufWriter remove(String key) {
        metadata.remove(key);
        return this;
    }

    /**
     * Whether a metadata key has been put.
     *
     * @param key the metadata key
     * @return true if {@code key} has been put
     */
    public boolean contains(String key) {
        return metadata.containsKey(key);
    }

    /**
     * Copies every metadata key, value and GGUF type of {@code file}, in file order (existing keys are replaced). Used
     * to requantize or resynthesize a model while keeping its hyper-parameters and vocabulary.
     *
     * @param file an open GGUF file
     * @return this writer
     */
    public GgufWriter copyMetadataFrom(GgufFile file) {
        for (Map.Entry<String, Object> e : file.metadata().entrySet()) {
            put(e.getKey(), file.typeOf(e.getKey()).orElseThrow(), e.getValue());
        }
        return this;
    }

    /**
     * Adds every tensor of {@code file} (name, type, dims, bytes) in file order, as zero-copy views of its mapping:
     * keep {@code file} open until {@link #write(Path)} returns.
     *
     * @param file an open GGUF file
     * @return this writer
     */
    public GgufWriter copyTensorsFrom(GgufFile file) {
        for (GgufTensorInfo t : file.tensors()) {
            addTensor(t.name(), t.type(), t.dims(), file.tensorData(t));
        }
        return this;
    }

    /**
     * The data alignment that {@link #write} will use.
     *
     * @return {@code general.alignment} if put, else 32
     * @throws IllegalArgumentException if {@code general.alignment} is not an integer power of two
     */
    public long alignment() {
        Value v = metadata.get(GgufFile.KEY_ALIGNMENT);
        if (v == null) {
            return GgufFile.DEFAULT_ALIGNMENT;
        }
        if (!v.type().isInteger()) {
            throw new IllegalArgumentException(GgufFile.KEY_ALIGNMENT + " must be an integer, is " + v.type());
        }
        long a = ((Number) v.value()).longValue();
        if (a <= 0 || Long.bitCount(a) != 1) {
            throw new IllegalArgumentException(GgufFile.KEY_ALIGNMENT + " = " + a + " is not a non-zero power of two");
        }
        return a;
    }

    // ------------------------------------------------------------------------------------------------------------------
    // Tensors

    /**
     * Adds a tensor whose bytes are in a segment (read at {@link #write} time).
     *
     * @param name a unique name shorter than 64 UTF-8 bytes
     * @param type element type
     * @param dims 1..4 non-negative dims, ne0 (row length, a multiple of the block size) first
     * @param data exactly {@code type.rowBytes(dims[0]) * dims[1] * ...} bytes in ggml layout
     * @return this writer
     * @throws IllegalArgumentException on a duplicate or too long name, bad dims, or a segment of the wrong size
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] dims, MemorySegment data) {
        Objects.requireNonNull(data, "data");
        long size = checkTensor(name, type, dims);
        if (data.byteSize() != size) {
            throw new IllegalArgumentException("tensor '" + name + "' " + type + " " + java.util.Arrays.toString(dims)
                    + " needs " + size + " bytes, the segment has " + data.byteSize());
        }
        return add(new PendingTensor(name, type, dims.clone(), size, data, null));
    }

    /**
     * Adds a tensor whose bytes are streamed by {@code content} at {@link #write} time (for multi-GB synthetic models).
     *
     * @param name    a unique name shorter than 64 UTF-8 bytes
     * @param type    element type
     * @param dims    1..4 non-negative dims, ne0 (row length, a multiple of the block size) first
     * @param content writes exactly {@code type.rowBytes(dims[0]) * rows} bytes; {@link #write} fails otherwise
     * @return this writer
     * @throws IllegalArgumentException on a duplicate or too long name or bad dims
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] dims, TensorContent content) {
        Objects.requireNonNull(content, "content");
        long size = checkTensor(name, type, dims);
        return add(new PendingTensor(name, type, dims.clone(), size, null, content));
    }

    private GgufWriter add(PendingTensor t) {
        tensors.add(t);
        tensorNames.add(t.name());
        return this;
    }

    /** Validates name and dims; returns the byte size. */
    private long checkTensor(String name, GgmlType type, long[] dims) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(dims, "dims");
        if (tensorNames.contains(name)) {
            throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_TENSOR_NAME_BYTES) {
            throw new IllegalArgumentException("tensor name '" + name + "' is longer than " + MAX_TENSOR_NAME_BYTES
                    + " bytes (llama.cpp's GGML_MAX_NAME)");
        }
        if (dims.length < 1 || dims.length > GgufFile.MAX_DIMS) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + dims.length + " dims (must be 1..4)");
        }
        long rows = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has negative dims[" + i + "] = " + dims[i]);
            }
            if (i > 0) {
                rows = Math.multiplyExact(rows, dims[i]);
            }
        }
        return Math.multiplyExact(type.rowBytes(dims[0]), rows); // rowBytes: IllegalArgumentException for partial blocks
    }

    /**
     * The number of tensors added so far.
     *
     * @return the tensor count
     */
    public int tensorCount() {
        return tensors.size();
    }

    // ------------------------------------------------------------------------------------------------------------------
    // Writing

    /**
     * Writes the GGUF v3 file (replacing {@code path} if it exists). On failure the partial file is deleted.
     *
     * @param path the file to write
     * @throws IOException if writing fails or a {@link TensorContent} writes the wrong number of bytes
     * @throws IllegalArgumentException if {@code general.alignment} is not a power of two
     */
    public void write(Path path) throws IOException {
        long alignment = alignment();
        boolean ok = false;
        try (CountingStream out = new CountingStream(
                new BufferedOutputStream(Files.newOutputStream(path), 1 << 16))) {
            // header
            out.u32(GgufFile.MAGIC);
            out.u32(3);
            out.u64(tensors.size());
            out.u64(metadata.size());
            // metadata
            for (Map.Entry<String, Value> e : metadata.entrySet()) {
                out.string(e.getKey());
                out.u32(e.getValue().type().id());
                writeValue(out, e.getValue().type(), e.getValue().value());
            }
            // tensor infos, offsets relative to the data section, each aligned
            long offset = 0;
            for (PendingTensor t : tensors) {
                out.string(t.name());
                out.u32(t.dims().length);
                for (long d : t.dims()) {
                    out.u64(d);
                }
                out.u32(t.type().id());
                out.u64(offset);
                offset = alignUp(offset + t.byteSize(), alignment);
            }
            out.pad(alignment);
            // tensor data, each padded to the alignment
            byte[] buffer = new byte[1 << 16];
            for (PendingTensor t : tensors) {
                long start = out.count;
                if (t.data() != null) {
                    for (long pos = 0; pos < t.byteSize(); pos += buffer.length) {
                        int n = (int) Math.min(buffer.length, t.byteSize() - pos);
                        MemorySegment.copy(t.data(), ValueLayout.JAVA_BYTE, pos, buffer, 0, n);
                        out.write(buffer, 0, n);
                    }
                } else {
                    out.limit = start + t.byteSize();
                    out.limitName = t.name();
                    t.content().writeTo(out.unclosable());
                    out.limit = Long.MAX_VALUE;
                }
                long written = out.count - start;
                if (written != t.byteSize()) {
                    throw new IOException(path + ": tensor '" + t.name() + "' content wrote " + written
                            + " bytes, expected " + t.byteSize() + " (" + t.type() + " " + java.util.Arrays.toString(t.dims()) + ")");
                }
                out.pad(alignment);
            }
            ok = true;
        } finally {
            if (!ok) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static long alignUp(long x, long alignment) {
        return Math.multiplyExact(Math.ceilDiv(x, alignment), alignment);
    }

    private static void writeValue(CountingStream out, GgufValueType type, Object v) throws IOException {
        switch (type) {
            case UINT8, INT8 -> out.write(((Integer) v) & 0xFF);
            case UINT16, INT16 -> out.u16((Integer) v);
            case UINT32 -> out.u32((int) (long) (Long) v);
            case INT32 -> out.u32((Integer) v);
            case FLOAT32 -> out.u32(Float.floatToRawIntBits((Float) v));
            case BOOL -> out.write(((Boolean) v) ? 1 : 0);
            case STRING -> out.string((String) v);
            case UINT64, INT64 -> out.u64((Long) v);
            case FLOAT64 -> out.u64(Double.doubleToRawLongBits((Double) v));
            case ARRAY -> {
                GgufArray a = (GgufArray) v;
                out.u32(a.elementType().id());
                out.u64(a.length());
                writeElements(out, a);
            }
        }
    }

    private static void writeElements(CountingStream out, GgufArray a) throws IOException {
        Object vs = a.values();
        switch (a.elementType()) {
            case UINT8, INT8 -> {
                for (int x : (int[]) vs) {
                    out.write(x & 0xFF);
                }
            }
            case UINT16, INT16 -> {
                for (int x : (int[]) vs) {
                    out.u16(x);
                }
            }
            case INT32 -> {
                for (int x : (int[]) vs) {
                    out.u32(x);
                }
            }
            case UINT32 -> {
                for (long x : (long[]) vs) {
                    out.u32((int) x);
                }
            }
            case UINT64, INT64 -> {
                for (long x : (long[]) vs) {
                    out.u64(x);
                }
            }
            case FLOAT32 -> {
                for (float x : (float[]) vs) {
                    out.u32(Float.floatToRawIntBits(x));
                }
            }
            case FLOAT64 -> {
                for (double x : (double[]) vs) {
                    out.u64(Double.doubleToRawLongBits(x));
                }
            }
            case BOOL -> {
                for (boolean x : (boolean[]) vs) {
                    out.write(x ? 1 : 0);
                }
            }
            case STRING -> {
                for (String x : (String[]) vs) {
                    out.string(x);
                }
            }
            case ARRAY -> {
                for (GgufArray x : (GgufArray[]) vs) {
                    out.u32(x.elementType().id());
                    out.u64(x.length());
                    writeElements(out, x);
                }
            }
        }
    }

    /** Checks a value against its GGUF type (ranges included) and converts it to the canonical Java type. */
    private static Object normalize(String key, GgufValueType type, Object v) {
        Objects.requireNonNull(v, () -> "null value for '" + key + "'");
        switch (type) {
            case UINT8 -> {
                return (int) integral(key, type, v, 0, 0xFF);
            }
            case INT8 -> {
                return (int) integral(key, type, v, Byte.MIN_VALUE, Byte.MAX_VALUE);
            }
            case UINT16 -> {
                return (int) integral(key, type, v, 0, 0xFFFF);
            }
            case INT16 -> {
                return (int) integral(key, type, v, Short.MIN_VALUE, Short.MAX_VALUE);
            }
            case UINT32 -> {
                return integral(key, type, v, 0, 0xFFFF_FFFFL);
            }
            case INT32 -> {
                return (int) integral(key, type, v, Integer.MIN_VALUE, Integer.MAX_VALUE);
            }
            case UINT64, INT64 -> {
                return integral(key, type, v, Long.MIN_VALUE, Long.MAX_VALUE);
            }
            case FLOAT32 -> {
                if (v instanceof Number n) {
                    return n.floatValue();
                }
            }
            case FLOAT64 -> {
                if (v instanceof Number n) {
                    return n.doubleValue();
                }
            }
            case BOOL -> {
                if (v instanceof Boolean) {
                    return v;
                }
            }
            case STRING -> {
                if (v instanceof String) {
                    return v;
                }
            }
            case ARRAY -> {
                if (v instanceof GgufArray a) {
                    checkArray(key, a);
                    return a;
                }
            }
        }
        throw new IllegalArgumentException("metadata '" + key + "': " + v.getClass().getSimpleName() + " " + v
                + " is not a valid " + type);
    }

    private static long integral(String key, GgufValueType type, Object v, long min, long max) {
        if (!(v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte)) {
            throw new IllegalArgumentException("metadata '" + key + "': " + v.getClass().getSimpleName() + " " + v
                    + " is not an integer for " + type);
        }
        long x = ((Number) v).longValue();
        if (x < min || x > max) {
            throw new IllegalArgumentException("metadata '" + key + "': " + x + " is out of range for " + type);
        }
        return x;
    }

    /** Range-checks array elements whose Java type is wider than the GGUF type; rejects null strings. */
    private static void checkArray(String key, GgufArray a) {
        switch (a.elementType()) {
            case UINT8, INT8, UINT16, INT16 -> {
                for (int x : (int[]) a.values()) {
                    normalize(key, a.elementType(), x);
                }
            }
            case UINT32 -> {
                for (long x : (long[]) a.values()) {
                    normalize(key, a.elementType(), x);
                }
            }
            case STRING -> {
                for (String s : (String[]) a.values()) {
                    Objects.requireNonNull(s, () -> "null string in array '" + key + "'");
                }
            }
            case ARRAY -> {
                for (GgufArray x : (GgufArray[]) a.values()) {
                    checkArray(key, Objects.requireNonNull(x, () -> "null nested array in '" + key + "'"));
                }
            }
            default -> {
            }
        }
    }

    /** Little-endian output that counts bytes (for alignment padding) and can cap a streamed tensor. */
    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        private final byte[] scratch = new byte[8];
        long count;
        long limit = Long.MAX_VALUE;
        String limitName;

        CountingStream(OutputStream out) {
            this.out = out;
        }

        private void overflow() throws IOException {
            throw new IOException("tensor '" + limitName + "' content wrote more bytes than its type and dims allow");
        }

        @Override
        public void write(int b) throws IOException {
            if (count + 1 > limit) {
                overflow();
            }
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (count + len > limit) {
                overflow();
            }
            out.write(b, off, len);
            count += len;
        }

        void u16(int v) throws IOException {
            scratch[0] = (byte) v;
            scratch[1] = (byte) (v >>> 8);
            write(scratch, 0, 2);
        }

        void u32(int v) throws IOException {
            for (int i = 0; i < 4; i++) {
                scratch[i] = (byte) (v >>> (8 * i));
            }
            write(scratch, 0, 4);
        }

        void u64(long v) throws IOException {
            for (int i = 0; i < 8; i++) {
                scratch[i] = (byte) (v >>> (8 * i));
            }
            write(scratch, 0, 8);
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            write(b, 0, b.length);
        }

        void pad(long alignment) throws IOException {
            long n = alignUp(count, alignment) - count;
            for (long i = 0; i < n; i++) {
                write(0);
            }
        }

        /** A view for {@link TensorContent}: closing it does not close the file. */
        OutputStream unclosable() {
            CountingStream self = this;
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    self.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    self.write(b, off, len);
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
