package io.edgellm.quant.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutation test of the reader: real files with random bit flips, u32/u64 fields overwritten with hostile values and
 * truncations are parsed, every metadata value is read through the typed accessors and every tensor slice is touched.
 * The only exception allowed is {@link GgufFormatException} (no IndexOutOfBounds, NegativeArraySize, OutOfMemoryError,
 * ArithmeticException, IllegalArgumentException, StackOverflowError, ...). Fixed seed: failures are reproducible.
 */
class GgufMutationTest {
    private static final int ITERATIONS = 2000;
    private static final long SEED = 0x6775_6666L;
    private static final long[] HOSTILE_U64 = {
        1L << 63, -1L, 1L << 62, 1L << 61, 1L << 40, 1L << 32, (1L << 32) - 1, 1L << 31, (1L << 31) - 1, Long.MAX_VALUE,
        Long.MAX_VALUE - 7, 0, 1, 5, 0x0100_0000_0000_0000L};
    private static final int[] HOSTILE_U32 = {0, 1, 2, 4, 5, 9, 12, 13, 31, 99, 200, 0x7FFF_FFFF, 0x8000_0000, -1, 0x0300_0000};

    @TempDir
    Path dir;

    /**
     * A source file, its bytes, where its tensor data starts (random mutations concentrate before that), and the
     * offset/width of every structural field (counts, lengths, type ids, dims, offsets) for targeted mutations.
     */
    private record Source(String name, byte[] bytes, long structureEnd, List<long[]> fields) {
    }

    private static Source load(Path p) throws IOException {
        try (GgufFile f = GgufFile.open(p)) {
            return new Source(p.getFileName().toString(), Files.readAllBytes(p), Math.min(f.dataOffset() + 64, f.size()),
                    fields(f));
        }
    }

    /**
     * Recomputes the encoded layout of a valid file from its parsed contents (GGUF spec) and lists its structural fields
     * as {offset, width}: header counts, key lengths, value types, string lengths, array element types and counts (and
     * the first few element lengths), tensor name lengths, n_dims, dims, ggml types and data offsets.
     */
    private static List<long[]> fields(GgufFile f) {
        List<long[]> out = new ArrayList<>();
        out.add(new long[] {0, 4});
        out.add(new long[] {4, 4});
        out.add(new long[] {8, 8});
        out.add(new long[] {16, 8});
        long pos = 24;
        for (Map.Entry<String, Object> e : f.metadata().entrySet()) {
            out.add(new long[] {pos, 8});
            pos += 8 + utf8(e.getKey());
            out.add(new long[] {pos, 4});
            pos += 4;
            pos = valueFields(f.typeOf(e.getKey()).orElseThrow(), e.getValue(), pos, out);
        }
        for (GgufTensorInfo t : f.tensors()) {
            out.add(new long[] {pos, 8});
            pos += 8 + utf8(t.name());
            out.add(new long[] {pos, 4});
            pos += 4;
            for (int d = 0; d < t.nDims(); d++) {
                out.add(new long[] {pos, 8});
                pos += 8;
            }
            out.add(new long[] {pos, 4});
            out.add(new long[] {pos + 4, 8});
            pos += 12;
        }
        return out;
    }

    private static long valueFields(GgufValueType type, Object v, long pos, List<long[]> out) {
        switch (type) {
            case STRING -> {
                out.add(new long[] {pos, 8});
                return pos + 8 + utf8((String) v);
            }
            case ARRAY -> {
                GgufArray a = (GgufArray) v;
                out.add(new long[] {pos, 4});
                out.add(new long[] {pos + 4, 8});
                pos += 12;
                int n = a.length();
                for (int i = 0; i < n; i++) {
                    int before = out.size();
                    pos = valueFields(a.elementType(), java.lang.reflect.Array.get(a.values(), i), pos, out);
                    if (i >= 3 && i != n - 1) {
                        while (out.size() > before) {
                            out.remove(out.size() - 1); // keep the fields of the first 3 and the last element only
                        }
                    }
                }
                return pos;
            }
            default -> {
                return pos + type.minBytes();
            }
        }
    }

    private static int utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    @Test
    void fieldLayoutMatchesTheFile() throws IOException {
        // the targeted mutations are only as good as the field table: check it against the real bytes
        Source s = load(SharedData.malformed().resolve("valid_base.gguf"));
        ByteBuffer b = ByteBuffer.wrap(s.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        long[] last = s.fields().get(s.fields().size() - 1); // data offset of the last tensor
        assertEquals(12105, last[0], "index.json: offset field of the last tensor");
        assertEquals(72768, b.getLong((int) last[0]));
        assertTrue(s.fields().stream().anyMatch(f -> f[0] == 6507 && f[1] == 8), "scores count, index.json");
        assertTrue(s.fields().stream().anyMatch(f -> f[0] == 10733 && f[1] == 4), "architecture type, index.json");
    }

    @Test
    void onlyGgufFormatExceptionEverEscapes() throws IOException {
        List<Source> sources = List.of(
                load(SharedData.malformed().resolve("valid_base.gguf")),
                load(SharedData.vocab().resolve("ggml-vocab-gpt-2.gguf")),
                load(SharedData.model("stories260K-Q8_0.gguf")));
        SplittableRandom rnd = new SplittableRandom(SEED);
        int rejected = 0;
        int accepted = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            Source src = sources.get(i % sources.size());
            StringBuilder what = new StringBuilder(src.name());
            byte[] bytes = mutate(src, rnd, what);
            Path name = Path.of("mutant-" + i + "-" + src.name());
            try {
                if (i % 200 == 0) {
                    // the real mmap path, through a file
                    Path p = dir.resolve(name);
                    Files.write(p, bytes);
                    try (GgufFile f = GgufFile.open(p)) {
                        touchEverything(f);
                    }
                    Files.delete(p);
                } else {
                    GgufFile f = GgufFile.parse(name, MemorySegment.ofArray(bytes), null);
                    touchEverything(f);
                }
                accepted++;
            } catch (GgufFormatException e) {
                rejected++;
                assertTrue(e.getMessage().contains(name.getFileName().toString()), e.getMessage());
                assertTrue(e.offset() >= 0 && e.offset() <= bytes.length, e.getMessage());
            } catch (Throwable t) {
                StringWriter trace = new StringWriter();
                t.printStackTrace(new PrintWriter(trace));
                fail("iteration " + i + " (" + what + "): " + t + "\n" + trace);
            }
        }
        // The test is only meaningful if both outcomes happen often.
        assertTrue(rejected > ITERATIONS / 4, "rejected " + rejected);
        assertTrue(accepted > ITERATIONS / 20, "accepted " + accepted);
        assertEquals(ITERATIONS, rejected + accepted);
    }

    /** Applies 1 to 3 random mutations; describes them in {@code what}. */
    private static byte[] mutate(Source src, SplittableRandom rnd, StringBuilder what) {
        byte[] b = src.bytes().clone();
        int n = 1 + rnd.nextInt(3);
        for (int m = 0; m < n; m++) {
            if (rnd.nextBoolean()) {
                // targeted: a structural field gets a hostile value of its width, or a flipped bit
                long[] field = src.fields().get(rnd.nextInt(src.fields().size()));
                int at = (int) field[0];
                if (rnd.nextInt(4) == 0) {
                    if (at < b.length) {
                        b[Math.min(b.length - 1, at + rnd.nextInt((int) field[1]))] ^= (byte) (1 << rnd.nextInt(8));
                    }
                    what.append(" field-flip@").append(at);
                } else if (field[1] == 8) {
                    long v = rnd.nextInt(4) == 0 ? rnd.nextLong() : HOSTILE_U64[rnd.nextInt(HOSTILE_U64.length)];
                    put(b, at, v, 8);
                    what.append(" field-u64@").append(at).append('=').append(Long.toUnsignedString(v));
                } else {
                    int v = rnd.nextInt(4) == 0 ? rnd.nextInt() : HOSTILE_U32[rnd.nextInt(HOSTILE_U32.length)];
                    put(b, at, v, 4);
                    what.append(" field-u32@").append(at).append('=').append(Integer.toUnsignedString(v));
                }
                continue;
            }
            // random: 90% of positions fall in the header/metadata/tensor-info region, where the structure is
            long region = rnd.nextInt(10) < 9 ? src.structureEnd() : b.length;
            int pos = (int) rnd.nextLong(Math.max(1, Math.min(region, b.length)));
            switch (rnd.nextInt(5)) {
                case 0 -> { // bit flips
                    int flips = 1 + rnd.nextInt(8);
                    for (int k = 0; k < flips && b.length > 0; k++) {
                        int at = Math.min(b.length - 1, pos + rnd.nextInt(16));
                        b[at] ^= (byte) (1 << rnd.nextInt(8));
                    }
                    what.append(" flip@").append(pos);
                }
                case 1 -> { // u64 overwritten with a huge / special value
                    long v = rnd.nextInt(4) == 0 ? rnd.nextLong() : HOSTILE_U64[rnd.nextInt(HOSTILE_U64.length)];
                    put(b, pos, v, 8);
                    what.append(" u64@").append(pos).append('=').append(Long.toUnsignedString(v));
                }
                case 2 -> { // u32 overwritten (types, n_dims, version, ...)
                    int v = rnd.nextInt(4) == 0 ? rnd.nextInt() : HOSTILE_U32[rnd.nextInt(HOSTILE_U32.length)];
                    put(b, pos, v, 4);
                    what.append(" u32@").append(pos).append('=').append(Integer.toUnsignedString(v));
                }
                case 3 -> { // random byte
                    if (b.length > 0) {
                        b[Math.min(pos, b.length - 1)] = (byte) rnd.nextInt(256);
                    }
                    what.append(" byte@").append(pos);
                }
                default -> { // truncation
                    int len = rnd.nextInt(3) == 0 ? (int) rnd.nextLong(b.length + 1L) : pos;
                    b = java.util.Arrays.copyOf(b, len);
                    what.append(" truncate=").append(len);
                }
            }
        }
        return b;
    }

    private static void put(byte[] b, int pos, long v, int size) {
        for (int k = 0; k < size && pos + k < b.length; k++) {
            b[pos + k] = (byte) (v >>> (8 * k));
        }
    }

    /** Reads every metadata value through its typed accessor and touches the first and last byte of every tensor. */
    private static void touchEverything(GgufFile f) {
        for (Map.Entry<String, Object> e : f.metadata().entrySet()) {
            String key = e.getKey();
            GgufValueType type = f.typeOf(key).orElseThrow();
            switch (type) {
                case STRING -> f.getString(key);
                case BOOL -> f.getBoolean(key);
                case FLOAT32, FLOAT64 -> f.getDouble(key);
                case ARRAY -> {
                    GgufArray a = f.findArray(key).orElseThrow();
                    switch (a.elementType()) {
                        case STRING -> f.getStringArray(key);
                        case FLOAT32 -> f.getFloatArray(key);
                        case INT32, INT16, UINT16, INT8, UINT8 -> f.getIntArray(key);
                        default -> a.toString();
                    }
                    a.hashCode();
                }
                default -> {
                    f.getLong(key);
                    f.getDouble(key);
                }
            }
        }
        f.contains("general.architecture");
        for (GgufTensorInfo t : f.tensors()) {
            MemorySegment data = f.tensorData(t);
            t.elementCount();
            t.rows();
            assertEquals(t.byteSize(), data.byteSize());
            if (data.byteSize() > 0) {
                data.get(ValueLayout.JAVA_BYTE, 0);
                data.get(ValueLayout.JAVA_BYTE, data.byteSize() - 1);
            }
            assertEquals(t, f.tensor(t.name()));
        }
    }
}
