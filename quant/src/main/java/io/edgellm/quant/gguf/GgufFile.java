package io.edgellm.quant.gguf;

import io.edgellm.quant.GgmlType;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A GGUF file (version 2 or 3), memory-mapped read-only and parsed; tensors are zero-copy slices of the mapping.
 *
 * <p>Format: the GGUF specification, ggml/docs/gguf.md. All numbers are little-endian; a {@code string} is a u64 byte
 * length followed by that many UTF-8 bytes (no terminator; byte sequences that are not valid UTF-8, which the spec forbids,
 * are decoded with U+FFFD replacement like any Java decoder - llama.cpp does not validate them either). Version 1 (u32 counts and lengths) is not supported; versions
 * 2 and 3 have the same layout (v3 only added big-endian files, which are detected and rejected).
 * <pre>
 *  offset
 *  0        +-----------------------------+
 *           | magic     u32  "GGUF" = 47 47 55 46                  |
 *  4        | version   u32  2 or 3                                |
 *  8        | tensor_count      u64                                |
 *  16       | metadata_kv_count u64                                |
 *  24       +-----------------------------+
 *           | metadata_kv[metadata_kv_count]:                      |
 *           |   key   : string                                     |
 *           |   type  : u32 (GgufValueType: 0..12)                 |
 *           |   value : scalar of that type, or string, or         |
 *           |           ARRAY = u32 elem type, u64 count, elements |
 *           +-----------------------------+
 *           | tensor_info[tensor_count]:                           |
 *           |   name   : string                                    |
 *           |   n_dims : u32 (1..4)                                |
 *           |   dims   : u64[n_dims]  (ne0 = row length first)     |
 *           |   type   : u32 (GgmlType id)                         |
 *           |   offset : u64 (from the data section start,         |
 *           |            a multiple of the alignment)              |
 *           +-----------------------------+
 *           | padding to a multiple of general.alignment (default 32)
 *  dataOffset +---------------------------+
 *           | tensor data: each tensor at dataOffset + offset,     |
 *           |   type.rowBytes(ne0) * ne1 * ne2 * ne3 bytes,        |
 *           |   padded to the alignment                            |
 *  EOF      +-----------------------------+
 * </pre>
 *
 * <p>Validation (every defect is a {@link GgufFormatException} naming file, byte offset and defect): magic; version (1,
 * 0, &gt; 3, byte-swapped = big-endian file); truncation anywhere; counts and string/array lengths are checked against
 * the bytes left in the file <em>before</em> anything is allocated (an element needs at least its minimum encoded size,
 * e.g. 8 bytes per string); unknown value types and ggml types (including the removed 4/5); nesting of arrays deeper than
 * {@value #MAX_ARRAY_NESTING}; duplicate keys and tensor names; {@code general.alignment} not an integer power of two;
 * n_dims outside 1..4, negative dims, element and byte counts overflowing 64 bits, row lengths not a multiple of the block
 * size; tensor offsets not aligned or data past the end of the file. A tensor with a zero dimension (0 elements, 0 bytes)
 * is accepted by the container: the model loader rejects it when it checks shapes. Tensor data ranges must be aligned
 * and inside the file but, unlike llama.cpp (which requires each tensor to start exactly where the previous one's padded
 * data ends), are not required to be packed in order or disjoint: any such layout is memory-safe to read.
 *
 * <p>Metadata values are mapped to Java types as {@link GgufValueType} documents. Accessors throw
 * {@link IllegalArgumentException} naming the file and key for a missing key ({@code get*}) or a value of the wrong type
 * ({@code get*} and {@code find*}).
 *
 * <p>Thread safety: immutable after {@link #open}; the mapping is shared ({@link Arena#ofShared()}) so tensor slices can
 * be read from any thread until {@link #close()}, after which every slice is invalid.
 */
public final class GgufFile implements AutoCloseable {
    /** "GGUF" read as a little-endian u32. */
    public static final int MAGIC = 0x46554747;
    /** The alignment used when {@code general.alignment} is absent (GGUF_DEFAULT_ALIGNMENT). */
    public static final int DEFAULT_ALIGNMENT = 32;
    /** The metadata key that sets the alignment of tensor data. */
    public static final String KEY_ALIGNMENT = "general.alignment";
    /** Deepest accepted nesting of arrays inside arrays (real files use at most 2); bounds recursion on hostile input. */
    public static final int MAX_ARRAY_NESTING = 16;
    /** GGML_MAX_DIMS. */
    public static final int MAX_DIMS = 4;
    /** Minimum encoded size of one metadata entry: empty key (8) + type (4) + 1-byte value. */
    private static final int MIN_KV_BYTES = 13;
    /** Minimum encoded size of one tensor info: empty name (8) + n_dims (4) + one dim (8) + type (4) + offset (8). */
    private static final int MIN_TENSOR_INFO_BYTES = 32;

    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;
    private final int version;
    private final long alignment;
    private final long dataOffset;
    private final Map<String, Object> metadata;
    private final Map<String, GgufValueType> types;
    private final List<GgufTensorInfo> tensors;
    private final Map<String, GgufTensorInfo> tensorsByName;
    private volatile boolean closed;

    private GgufFile(Path path, Arena arena, MemorySegment segment, int version, long alignment, long dataOffset,
                     Map<String, Object> metadata, Map<String, GgufValueType> types, List<GgufTensorInfo> tensors,
                     Map<String, GgufTensorInfo> tensorsByName) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
        this.version = version;
        this.alignment = alignment;
        this.dataOffset = dataOffset;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.types = Collections.unmodifiableMap(types);
        this.tensors = Collections.unmodifiableList(tensors);
        this.tensorsByName = tensorsByName;
    }

    /**
     * Maps {@code path} read-only ({@code FileChannel.map(READ_ONLY, 0, size, Arena.ofShared())}) and parses it. Files
     * larger than 2 GiB are supported (all offsets are {@code long}).
     *
     * @param path a GGUF file
     * @return the parsed file; close it to unmap
     * @throws GgufFormatException if the file is not a well-formed GGUF v2/v3 file (message: file, offset, defect)
     * @throws IOException if the file cannot be opened or mapped
     */
    public static GgufFile open(Path path) throws IOException {
        if (java.nio.file.Files.isDirectory(path)) {
            throw new java.nio.file.FileSystemException(path.toString(), null, "is a directory, not a GGUF file");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size == 0) {
                throw new GgufFormatException(path, 0, "empty file (0 bytes): expected the GGUF magic");
            }
            MemorySegment segment = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena).asReadOnly();
            return parse(path, segment, arena);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Parses a GGUF image already in memory (tests use it to parse mutated copies without touching the disk).
     *
     * @param path    the name used in error messages and returned by {@link #path()}
     * @param segment the whole file
     * @param arena   closed by {@link #close()}, or null
     */
    static GgufFile parse(Path path, MemorySegment segment, Arena arena) throws GgufFormatException {
        return new Parser(path, segment).parse(arena);
    }

    // ------------------------------------------------------------------------------------------------------------------
    // Parsing

    /** One parse of one file: reads the sections in order with a bounds-checked cursor. */
    private static final class Parser {
        private final Path path;
        private final MemorySegment segment;
        private final GgufCursor in;

        Parser(Path path, MemorySegment segment) {
            this.path = path;
            this.segment = segment.asReadOnly();
            this.in = new GgufCursor(path, this.segment);
        }

        GgufFile parse(Arena arena) throws GgufFormatException {
            // ---- fixed header: magic, version, tensor_count, metadata_kv_count
            if (in.size() == 0) {
                throw in.error(0, "empty file (0 bytes): expected the GGUF magic");
            }
            if (in.size() >= 4) {
                int magic = in.i32("magic");
                if (magic != MAGIC) {
                    throw in.error(0, "bad magic " + describeMagic(magic) + ", expected 'GGUF' (47 47 55 46): not a GGUF file");
                }
            } else {
                in.i32("magic"); // throws: truncated
            }
            long versionAt = in.position();
            long rawVersion = in.u32("version");
            int version = checkVersion(rawVersion, versionAt);
            long tensorCountAt = in.position();
            long tensorCount = in.i64("tensor_count");
            long kvCountAt = in.position();
            long kvCount = in.i64("metadata_kv_count");
            // Each entry needs a minimum number of bytes: a count that cannot fit is rejected before any allocation.
            if (!fits(kvCount, MIN_KV_BYTES)) {
                throw in.error(kvCountAt, "metadata_kv_count " + Long.toUnsignedString(kvCount) + " cannot fit in the "
                        + in.remaining() + " bytes left (each entry needs at least " + MIN_KV_BYTES + "): file truncated or count corrupt");
            }
            if (!fits(tensorCount, MIN_TENSOR_INFO_BYTES)) {
                throw in.error(tensorCountAt, "tensor_count " + Long.toUnsignedString(tensorCount) + " cannot fit in the "
                        + in.remaining() + " bytes left (each tensor info needs at least " + MIN_TENSOR_INFO_BYTES
                        + "): file truncated or count corrupt");
            }

            // ---- metadata key/value pairs
            Map<String, Object> metadata = new LinkedHashMap<>();
            Map<String, GgufValueType> types = new HashMap<>();
            long alignmentAt = -1;
            for (long i = 0; i < kvCount; i++) {
                long keyAt = in.position();
                String key = in.string("metadata key #" + i);
                if (metadata.containsKey(key)) {
                    throw in.error(keyAt, "duplicate metadata key '" + key + "'");
                }
                long typeAt = in.position();
                long typeId = in.u32("value type of '" + key + "'");
                GgufValueType type = GgufValueType.byId(typeId).orElseThrow(() -> in.error(typeAt,
                        "metadata key '" + key + "' has unknown value type " + typeId + " (valid: 0..12)"));
                long valueAt = in.position();
                Object value = readValue(type, "'" + key + "'", 0);
                if (key.equals(KEY_ALIGNMENT)) {
                    alignmentAt = valueAt;
                }
                metadata.put(key, value);
                types.put(key, type);
            }

            // ---- alignment (general.alignment: a non-zero power of two; default 32)
            long alignment = DEFAULT_ALIGNMENT;
            if (alignmentAt >= 0) {
                Object a = metadata.get(KEY_ALIGNMENT);
                GgufValueType t = types.get(KEY_ALIGNMENT);
                if (!t.isInteger()) {
                    throw in.error(alignmentAt, KEY_ALIGNMENT + " must be an integer (UINT32), got " + t);
                }
                alignment = ((Number) a).longValue();
                if (alignment <= 0 || Long.bitCount(alignment) != 1) {
                    throw in.error(alignmentAt, KEY_ALIGNMENT + " = " + (t == GgufValueType.UINT64
                            ? Long.toUnsignedString(alignment) : alignment) + " is not a non-zero power of two");
                }
            }

            // ---- tensor infos
            List<GgufTensorInfo> tensors = new ArrayList<>();
            Map<String, GgufTensorInfo> byName = new HashMap<>();
            List<Long> offsetFieldAt = new ArrayList<>();
            for (long i = 0; i < tensorCount; i++) {
                long nameAt = in.position();
                String name = in.string("name of tensor #" + i);
                if (byName.containsKey(name)) {
                    throw in.error(nameAt, "duplicate tensor name '" + name + "' (tensor #" + i + ")");
                }
                String what = "tensor '" + name + "'";
                long nDimsAt = in.position();
                long nDims = in.u32(what + " n_dims");
                if (nDims < 1 || nDims > MAX_DIMS) {
                    throw in.error(nDimsAt, what + " has invalid number of dimensions " + nDims + " (must be 1.." + MAX_DIMS + ")");
                }
                long[] dims = new long[(int) nDims];
                long dimsAt = in.position();
                for (int d = 0; d < nDims; d++) {
                    long dimAt = in.position();
                    dims[d] = in.i64(what + " dims[" + d + "]");
                    if (dims[d] < 0) {
                        throw in.error(dimAt, what + " dimension " + d + " is negative or above 2^63: "
                                + Long.toUnsignedString(dims[d]) + " (as int64: " + dims[d] + ")");
                    }
                }
                long typeAt = in.position();
                long typeId = in.u32(what + " type");
                GgmlType type = GgmlType.byId((int) Math.min(typeId, Integer.MAX_VALUE)).orElseThrow(() -> in.error(typeAt,
                        what + " has unknown ggml type " + typeId + (typeId == 4 || typeId == 5
                                ? " (Q4_2/Q4_3, removed from ggml)" : "")
                                + " (supported: F32 F16 BF16 Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 Q8_1 Q2_K..Q8_K I8..I64 F64)"));
                long byteSize = byteSize(what, type, dims, dimsAt);
                long offsetAt = in.position();
                long offset = in.i64(what + " data offset");
                if (offset < 0) {
                    throw in.error(offsetAt, what + " has data offset " + Long.toUnsignedString(offset) + " (above 2^63)");
                }
                if (offset % alignment != 0) {
                    throw in.error(offsetAt, what + " data offset " + offset + " is not a multiple of the alignment " + alignment);
                }
                GgufTensorInfo info = new GgufTensorInfo(name, type, dims, offset, byteSize);
                tensors.add(info);
                byName.put(name, info);
                offsetFieldAt.add(offsetAt);
            }

            // ---- data section: starts at the end of the tensor infos rounded up to the alignment
            long infosEnd = in.position();
            long dataOffset;
            try {
                dataOffset = Math.multiplyExact(Math.ceilDiv(infosEnd, alignment), alignment);
            } catch (ArithmeticException e) {
                throw in.error(infosEnd, "data section offset overflows with alignment " + alignment);
            }
            if (!tensors.isEmpty() && dataOffset > in.size()) {
                throw in.error(infosEnd, "file truncated: tensor data section would start at " + dataOffset
                        + " (end of tensor infos " + infosEnd + " aligned to " + alignment + ") but the file has "
                        + in.size() + " bytes");
            }
            long dataSize = Math.max(0, in.size() - dataOffset);
            for (int i = 0; i < tensors.size(); i++) {
                GgufTensorInfo t = tensors.get(i);
                // offset + byteSize <= dataSize, written without an overflowing addition
                if (t.offset() > dataSize || t.byteSize() > dataSize - t.offset()) {
                    throw in.error(offsetFieldAt.get(i), "tensor '" + t.name() + "' data [" + t.offset() + ", "
                            + "+" + t.byteSize() + " bytes) relative to the data section at " + dataOffset
                            + " ends past the end of the file (data section has " + dataSize + " bytes): file truncated "
                            + "or offset corrupt");
                }
            }
            return new GgufFile(path, arena, segment, version, alignment, dataOffset, metadata, types, tensors, byName);
        }

        /** Validates the version field: 2 and 3 are supported; explains 1, byte-swapped and unknown versions. */
        private int checkVersion(long v, long at) throws GgufFormatException {
            if (v == 2 || v == 3) {
                return (int) v;
            }
            if (v == 1) {
                throw in.error(at, "GGUF version 1 is not supported (it used 32-bit counts and lengths); "
                        + "supported versions: 2, 3 - convert the file with a current llama.cpp");
            }
            long swapped = Integer.toUnsignedLong(Integer.reverseBytes((int) v));
            if (swapped >= 1 && swapped <= 3) {
                throw in.error(at, "version field reads " + v + " (0x" + Long.toHexString(v) + "), which is version "
                        + swapped + " byte-swapped: the file looks big-endian; only little-endian GGUF files are supported");
            }
            throw in.error(at, "unsupported GGUF version " + v + " (supported: 2, 3)");
        }

        /** n &ge; 0 elements of at least {@code unit} bytes each fit in the bytes left (no overflowing multiply). */
        private boolean fits(long n, long unit) {
            return n >= 0 && n <= in.remaining() / unit;
        }

        /** Element count and byte size of a tensor, rejecting overflow and partial blocks. */
        private long byteSize(String what, GgmlType type, long[] dims, long dimsAt) throws GgufFormatException {
            long rows = 1;
            try {
                long elements = 1;
                for (long d : dims) {
                    elements = Math.multiplyExact(elements, d);
                }
                for (int d = 1; d < dims.length; d++) {
                    rows = Math.multiplyExact(rows, dims[d]);
                }
            } catch (ArithmeticException e) {
                throw in.error(dimsAt, what + " element count of dims " + java.util.Arrays.toString(dims)
                        + " overflows a 64-bit integer");
            }
            if (dims[0] % type.blockSize() != 0) {
                throw in.error(dimsAt, what + " of type " + type + " has " + dims[0]
                        + " elements per row, not a multiple of the block size " + type.blockSize());
            }
            try {
                return Math.multiplyExact(type.rowBytes(dims[0]), rows);
            } catch (ArithmeticException e) {
                throw in.error(dimsAt, what + " byte size of dims " + java.util.Arrays.toString(dims) + " in " + type
                        + " overflows a 64-bit integer");
            }
        }

        /** Reads one value of {@code type}; {@code what} names it for messages; {@code depth} counts array nesting. */
        private Object readValue(GgufValueType type, String what, int depth) throws GgufFormatException {
            return switch (type) {
                case UINT8 -> in.u8(what);
                case INT8 -> in.i8(what);
                case UINT16 -> in.u16(what);
                case INT16 -> in.i16(what);
                case UINT32 -> in.u32(what);
                case INT32 -> in.i32(what);
                case FLOAT32 -> in.f32(what);
                case BOOL -> in.bool(what);
                case STRING -> in.string(what);
                case UINT64, INT64 -> in.i64(what);
                case FLOAT64 -> in.f64(what);
                case ARRAY -> readArray(what, depth + 1);
            };
        }

        /** ARRAY value: u32 element type, u64 count, then count elements. Count is checked before allocating. */
        private GgufArray readArray(String what, int depth) throws GgufFormatException {
            long at = in.position();
            if (depth > MAX_ARRAY_NESTING) {
                throw in.error(at, "array " + what + " is nested more than " + MAX_ARRAY_NESTING + " levels deep");
            }
            long typeId = in.u32("element type of array " + what);
            GgufValueType elem = GgufValueType.byId(typeId).orElseThrow(() -> in.error(at,
                    "array " + what + " has unknown element type " + typeId + " (valid: 0..12)"));
            long countAt = in.position();
            long count = in.i64("element count of array " + what);
            if (!fits(count, elem.minBytes())) {
                throw in.error(countAt, "array " + what + " of " + Long.toUnsignedString(count) + " " + elem
                        + " elements needs at least " + elem.minBytes() + " bytes each, more than the "
                        + in.remaining() + " bytes left in the file");
            }
            if (count > Integer.MAX_VALUE - 16) {
                throw in.error(countAt, "array " + what + " of " + count + " elements is larger than a Java array can hold");
            }
            int n = (int) count;
            String el = "element of array " + what;
            return switch (elem) {
                case UINT8, INT8, UINT16, INT16 -> {
                    int[] v = new int[n];
                    for (int i = 0; i < n; i++) {
                        v[i] = ((Number) readValue(elem, el, depth)).intValue();
                    }
                    yield new GgufArray(elem, v);
                }
                case INT32 -> new GgufArray(elem, in.i32s(n, el));
                case UINT32 -> {
                    long[] v = new long[n];
                    for (int i = 0; i < n; i++) {
                        v[i] = in.u32(el);
                    }
                    yield new GgufArray(elem, v);
                }
                case UINT64, INT64 -> new GgufArray(elem, in.i64s(n, el));
                case FLOAT32 -> new GgufArray(elem, in.f32s(n, el));
                case FLOAT64 -> new GgufArray(elem, in.f64s(n, el));
                case BOOL -> {
                    boolean[] v = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        v[i] = in.bool(el);
                    }
                    yield new GgufArray(elem, v);
                }
                case STRING -> {
                    String[] v = new String[n];
                    for (int i = 0; i < n; i++) {
                        v[i] = in.string(el);
                    }
                    yield new GgufArray(elem, v);
                }
                case ARRAY -> {
                    GgufArray[] v = new GgufArray[n];
                    for (int i = 0; i < n; i++) {
                        v[i] = readArray(what + "[" + i + "]", depth + 1);
                    }
                    yield new GgufArray(elem, v);
                }
            };
        }

        private static String describeMagic(int magic) {
            StringBuilder sb = new StringBuilder("'");
            for (int i = 0; i < 4; i++) {
                int b = (magic >>> (8 * i)) & 0xFF;
                sb.append(b >= 0x20 && b < 0x7F ? (char) b : '.');
            }
            sb.append("' (");
            for (int i = 0; i < 4; i++) {
                sb.append(i > 0 ? " " : "").append(String.format("%02x", (magic >>> (8 * i)) & 0xFF));
            }
            return sb.append(')').toString();
        }
    }

    // ------------------------------------------------------------------------------------------------------------------
    // File-level properties

    /**
     * The file this was read from.
     *
     * @return the path given to {@link #open(Path)}
     */
    public Path path() {
        return path;
    }

    /**
     * The GGUF version from the header (offset 4).
     *
     * @return 2 or 3
     */
    public int version() {
        return version;
    }

    /**
     * The alignment of tensor data ({@code general.alignment}, GGUF_DEFAULT_ALIGNMENT = 32 when absent).
     *
     * @return the alignment in bytes, a power of two
     */
    public long alignment() {
        return alignment;
    }

    /**
     * The absolute file offset of the tensor data section: the end of the tensor infos rounded up to
     * {@link #alignment()}. Tensor offsets ({@link GgufTensorInfo#offset()}) are relative to it.
     *
     * @return the data section offset in bytes
     */
    public long dataOffset() {
        return dataOffset;
    }

    /**
     * The whole read-only mapping of the file.
     *
     * @return a segment of {@link #size()} bytes, valid until {@link #close()}
     */
    public MemorySegment segment() {
        return segment;
    }

    /**
     * The file size.
     *
     * @return the size in bytes
     */
    public long size() {
        return segment.byteSize();
    }

    // ------------------------------------------------------------------------------------------------------------------
    // Metadata

    /**
     * All metadata in file order. Values are mapped as {@link GgufValueType} documents; array contents are shared, do
     * not modify them (the typed array accessors return copies).
     *
     * @return an unmodifiable key → value map
     */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /**
     * The GGUF type a value was stored with (several GGUF types map to the same Java type; rewriting a file with
     * {@link GgufWriter#copyMetadataFrom(GgufFile)} keeps the original types).
     *
     * @param key a metadata key
     * @return its value type, or empty if the key is absent
     */
    public Optional<GgufValueType> typeOf(String key) {
        return Optional.ofNullable(types.get(key));
    }

    /**
     * Whether a metadata key is present.
     *
     * @param key a metadata key
     * @return true if the file has {@code key}
     */
    public boolean contains(String key) {
        return metadata.containsKey(key);
    }

    private IllegalArgumentException missing(String key) {
        return new IllegalArgumentException(path + ": metadata key '" + key + "' is missing");
    }

    private IllegalArgumentException wrongType(String key, String expected) {
        Object v = metadata.get(key);
        return new IllegalArgumentException(path + ": metadata key '" + key + "' is " + types.get(key) + " ("
                + v + "), expected " + expected);
    }

    /**
     * A STRING value, e.g. {@code general.architecture}.
     *
     * @param key a metadata key
     * @return the value
     * @throws IllegalArgumentException (naming file and key) if the key is missing or not a STRING
     */
    public String getString(String key) {
        return findString(key).orElseThrow(() -> missing(key));
    }

    /**
     * An optional STRING value, e.g. {@code tokenizer.ggml.pre}.
     *
     * @param key a metadata key
     * @return the value, or empty if the key is absent
     * @throws IllegalArgumentException (naming file and key) if the key is present with another type
     */
    public Optional<String> findString(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof String s) {
            return Optional.of(s);
        }
        throw wrongType(key, "STRING");
    }

    /**
     * A value of any of the eight integer types as a long, e.g. {@code llama.context_length}.
     *
     * @param key a metadata key
     * @return the value (UINT64 values &ge; 2^63 come back negative: use {@link Long#toUnsignedString(long)})
     * @throws IllegalArgumentException (naming file and key) if the key is missing or not an integer type
     */
    public long getLong(String key) {
        return findLong(key).orElseThrow(() -> missing(key));
    }

    /**
     * An optional integer value of any integer type.
     *
     * @param key a metadata key
     * @return the value, or empty if the key is absent
     * @throws IllegalArgumentException (naming file and key) if the key is present but not an integer type
     */
    public OptionalLong findLong(String key) {
        GgufValueType t = types.get(key);
        if (t == null) {
            return OptionalLong.empty();
        }
        if (!t.isInteger()) {
            throw wrongType(key, "an integer");
        }
        return OptionalLong.of(((Number) metadata.get(key)).longValue());
    }

    /**
     * A value of any integer type that fits in an int, e.g. {@code llama.block_count}.
     *
     * @param key a metadata key
     * @return the value
     * @throws IllegalArgumentException (naming file and key) if missing, not an integer type, or out of int range
     */
    public int getInt(String key) {
        return findInt(key).orElseThrow(() -> missing(key));
    }

    /**
     * An optional integer value that fits in an int, e.g. {@code tokenizer.ggml.padding_token_id}.
     *
     * @param key a metadata key
     * @return the value, or empty if the key is absent
     * @throws IllegalArgumentException (naming file and key) if present but not an integer type or out of int range
     *                                  (e.g. a UINT32 of 4294967295)
     */
    public OptionalInt findInt(String key) {
        OptionalLong v = findLong(key);
        if (v.isEmpty()) {
            return OptionalInt.empty();
        }
        long x = v.getAsLong();
        if (x != (int) x) {
            throw new IllegalArgumentException(path + ": metadata key '" + key + "' = "
                    + (types.get(key) == GgufValueType.UINT64 ? Long.toUnsignedString(x) : x) + " does not fit in an int");
        }
        return OptionalInt.of((int) x);
    }

    /**
     * A value of any numeric type (integers and floats) as a double, e.g.
     * {@code llama.attention.layer_norm_rms_epsilon}.
     *
     * @param key a metadata key
     * @return the value (UINT64 read as unsigned)
     * @throws IllegalArgumentException (naming file and key) if the key is missing or not numeric
     */
    public double getDouble(String key) {
        return findDouble(key).orElseThrow(() -> missing(key));
    }

    /**
     * An optional numeric value as a double, e.g. {@code llama.rope.freq_base}.
     *
     * @param key a metadata key
     * @return the value, or empty if the key is absent
     * @throws IllegalArgumentException (naming file and key) if the key is present but not numeric
     */
    public OptionalDouble findDouble(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            return OptionalDouble.empty();
        }
        if (types.get(key) == GgufValueType.UINT64 && ((Long) v) < 0) {
            // UINT64 above 2^63: read as unsigned
            return OptionalDouble.of(Double.parseDouble(Long.toUnsignedString((Long) v)));
        }
        if (v instanceof Number n) {
            return OptionalDouble.of(n.doubleValue());
        }
        throw wrongType(key, "a number");
    }

    /**
     * A BOOL value, e.g. {@code tokenizer.ggml.add_bos_token}.
     *
     * @param key a metadata key
     * @return the value
     * @throws IllegalArgumentException (naming file and key) if the key is missing or not a BOOL
     */
    public boolean getBoolean(String key) {
        return findBoolean(key).orElseThrow(() -> missing(key));
    }

    /**
     * An optional BOOL value.
     *
     * @param key a metadata key
     * @return the value, or empty if the key is absent
     * @throws IllegalArgumentException (naming file and key) if the key is present with another type
     */
    public Optional<Boolean> findBoolean(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Boolean b) {
            return Optional.of(b);
        }
        throw wrongType(key, "BOOL");
    }

    /**
     * An ARRAY of STRING, e.g. {@code tokenizer.ggml.tokens} or {@code tokenizer.ggml.merges}.
     *
     * @param key a metadata key
     * @return a copy of the strings
     * @throws IllegalArgumentException (naming file and key) if the key is missing or not an array of strings
     */
    public String[] getStringArray(String key) {
        return findStringArray(key).orElseThrow(() -> missing(key));
    }

    /**
     * An optional ARRAY of STRING.
     *
     * @param key a metadata key
     * @return a copy of the strings, or empty if the key is absent
     * @throws IllegalArgumentException (naming file and key) if the key is present with another type
     */
    public Optional<String[]> findStringArray(String key) {
        return findArray(key, "ARRAY of STRING", GgufValueType.STRING).map(a -> ((String[]) a.values()).clone());
    }

    /**
     * An ARRAY of FLOAT32, e.g. {@code tokenizer.ggml.scores}.
     *
     * @param key a metadata key
     * @return a copy of the floats
     * @throws IllegalArgumentException (naming file and key) if the key is missing or not an array of FLOAT32
     */
    public float[] getFloatArray(String key) {
        return findFloatArray(key).orElseThrow(() -> missing(key));
    }

    /**
     * An optional ARRAY of FLOAT32.
     *
     * @param key a metadata key
     * @return a copy of the floats, or empty if the key is absent
     * @throws IllegalArgumentException (naming file and key) if the key is present with another type
     */
    public Optional<float[]> findFloatArray(String key) {
        return findArray(key, "ARRAY of FLOAT32", GgufValueType.FLOAT32).map(a -> ((float[]) a.values()).clone());
    }

    /**
     * An ARRAY of INT32, INT16, UINT16, INT8 or UINT8, e.g. {@code tokenizer.ggml.token_type}.
     *
     * @param key a metadata key
     * @return a copy of the values
     * @throws IllegalArgumentException (naming file and key) if the key is missing or not such an array
     */
    public int[] getIntArray(String key) {
        return findIntArray(key).orElseThrow(() -> missing(key));
    }

    /**
     * An optional ARRAY of INT32, INT16, UINT16, INT8 or UINT8.
     *
     * @param key a metadata key
     * @return a copy of the values, or empty if the key is absent
     * @throws IllegalArgumentException (naming file and key) if the key is present with another type
     */
    public Optional<int[]> findIntArray(String key) {
        return findArray(key, "ARRAY of INT32 (or a narrower integer)", GgufValueType.INT32, GgufValueType.INT16,
                GgufValueType.UINT16, GgufValueType.INT8, GgufValueType.UINT8).map(a -> ((int[]) a.values()).clone());
    }

    /**
     * An optional ARRAY value of any element type (nested arrays included), not copied.
     *
     * @param key a metadata key
     * @return the array (shared: do not modify), or empty if the key is absent
     * @throws IllegalArgumentException (naming file and key) if the key is present but not an ARRAY
     */
    public Optional<GgufArray> findArray(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof GgufArray a) {
            return Optional.of(a);
        }
        throw wrongType(key, "ARRAY");
    }

    private Optional<GgufArray> findArray(String key, String expected, GgufValueType... elementTypes) {
        Optional<GgufArray> a = findArray(key);
        if (a.isEmpty()) {
            return a;
        }
        for (GgufValueType t : elementTypes) {
            if (a.get().elementType() == t) {
                return a;
            }
        }
        throw new IllegalArgumentException(path + ": metadata key '" + key + "' is an ARRAY of "
                + a.get().elementType() + ", expected " + expected);
    }

    // ------------------------------------------------------------------------------------------------------------------
    // Tensors

    /**
     * The tensor infos.
     *
     * @return the tensor infos in file order (unmodifiable)
     */
    public List<GgufTensorInfo> tensors() {
        return tensors;
    }

    /**
     * Looks up a tensor by name.
     *
     * @param name a tensor name, e.g. {@code output.weight}
     * @return the tensor info, or empty if there is no such tensor
     */
    public Optional<GgufTensorInfo> findTensor(String name) {
        return Optional.ofNullable(tensorsByName.get(name));
    }

    /**
     * Looks up a tensor that must exist.
     *
     * @param name a tensor name, e.g. {@code blk.0.attn_q.weight}
     * @return the tensor info
     * @throws IllegalArgumentException naming the file and tensor if there is no such tensor
     */
    public GgufTensorInfo tensor(String name) {
        GgufTensorInfo t = tensorsByName.get(name);
        if (t == null) {
            throw new IllegalArgumentException(path + ": no tensor named '" + name + "'");
        }
        return t;
    }

    /**
     * The bytes of a tensor: a zero-copy, read-only slice of the mapping of {@code info.byteSize()} bytes at
     * {@code dataOffset() + info.offset()}. Valid until {@link #close()}.
     *
     * @param info a tensor info of this file
     * @return the read-only slice
     * @throws IllegalArgumentException if {@code info} is not one of this file's tensors
     * @throws IllegalStateException if the file is closed
     */
    public MemorySegment tensorData(GgufTensorInfo info) {
        GgufTensorInfo own = tensorsByName.get(info.name());
        if (!info.equals(own)) {
            throw new IllegalArgumentException(path + ": tensor " + info + " is not a tensor of this file");
        }
        if (closed) {
            throw new IllegalStateException(path + " is closed");
        }
        return segment.asSlice(dataOffset + info.offset(), info.byteSize());
    }

    /** Unmaps the file (idempotent). Every segment obtained from this file becomes invalid. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            if (arena != null) {
                arena.close();
            }
        }
    }

    @Override
    public String toString() {
        return "GgufFile[" + path + ", v" + version + ", " + metadata.size() + " keys, " + tensors.size() + " tensors]";
    }
}
