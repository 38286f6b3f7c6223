package io.edgellm.quant.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgellm.quant.GgmlType;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GgufWriter → GgufFile round trips, GGUF v2, and rewriting a real model. */
class GgufWriterTest {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @TempDir
    Path dir;

    /** A writer with every value type, edge values, nested arrays, and four tensors (one of 0 elements). */
    private static GgufWriter sample(long alignment) {
        GgufArray nested = new GgufArray(GgufValueType.ARRAY, new GgufArray[] {
                new GgufArray(GgufValueType.STRING, new String[] {"a", "", "ü€😀"}),
                new GgufArray(GgufValueType.INT32, new int[0]),
                new GgufArray(GgufValueType.ARRAY, new GgufArray[] {new GgufArray(GgufValueType.BOOL, new boolean[] {true})})});
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", "test")
                .putUInt8("t.u8", 255).putInt8("t.i8", -128).putUInt16("t.u16", 65535).putInt16("t.i16", -32768)
                .putUInt32("t.u32", 0xFFFF_FFFFL).putInt32("t.i32", Integer.MIN_VALUE)
                .putUInt64("t.u64", -1L).putInt64("t.i64", Long.MIN_VALUE)
                .putFloat32("t.f32", -1.5e-7f).putFloat64("t.f64", Math.PI).putBool("t.bool", true).putBool("t.false", false)
                .putString("t.str", "héllo\n\u0000world").putString("t.empty", "")
                .putStringArray("t.strs", "x", "yy", "")
                .putFloat32Array("t.f32s", 1f, Float.NaN, Float.NEGATIVE_INFINITY)
                .putInt32Array("t.i32s", 1, -2, 3)
                .putArray("t.u8s", new GgufArray(GgufValueType.UINT8, new int[] {0, 255}))
                .putArray("t.i8s", new GgufArray(GgufValueType.INT8, new int[] {-128, 127}))
                .putArray("t.u16s", new GgufArray(GgufValueType.UINT16, new int[] {65535}))
                .putArray("t.i16s", new GgufArray(GgufValueType.INT16, new int[] {-32768}))
                .putArray("t.u32s", new GgufArray(GgufValueType.UINT32, new long[] {0xFFFF_FFFFL, 7}))
                .putArray("t.u64s", new GgufArray(GgufValueType.UINT64, new long[] {-1L}))
                .putArray("t.i64s", new GgufArray(GgufValueType.INT64, new long[] {Long.MIN_VALUE, 0}))
                .putArray("t.f64s", new GgufArray(GgufValueType.FLOAT64, new double[] {1e300, -0.0}))
                .putArray("t.bools", new GgufArray(GgufValueType.BOOL, new boolean[] {true, false}))
                .putArray("t.nested", nested)
                .putArray("t.emptyarr", new GgufArray(GgufValueType.FLOAT32, new float[0]));
        if (alignment != GgufFile.DEFAULT_ALIGNMENT) {
            w.putUInt32(GgufFile.KEY_ALIGNMENT, alignment);
        }
        MemorySegment f32 = MemorySegment.ofArray(new float[] {1, 2, 3, 4, 5, 6});
        w.addTensor("f32.weight", GgmlType.F32, new long[] {3, 2}, f32);
        // Q8_0 streamed: 3 rows of 64 = 6 blocks of 34 bytes, byte i = i
        w.addTensor("q8.weight", GgmlType.Q8_0, new long[] {64, 3}, out -> {
            for (int i = 0; i < 6 * 34; i++) {
                out.write(i);
            }
        });
        w.addTensor("empty.weight", GgmlType.F16, new long[] {8, 0}, MemorySegment.ofArray(new byte[0]));
        w.addTensor("v.bias", GgmlType.F16, new long[] {5, 1, 1, 1}, MemorySegment.ofArray(new short[] {1, 2, 3, 4, 5}));
        return w;
    }

    @Test
    void roundTripsEveryValueTypeAndTensors() throws IOException {
        for (long alignment : new long[] {32, 64, 1}) {
            Path p = dir.resolve("rt" + alignment + ".gguf");
            sample(alignment).write(p);
            try (GgufFile f = GgufFile.open(p)) {
                assertEquals(3, f.version());
                assertEquals(alignment, f.alignment());
                assertEquals(0, f.dataOffset() % alignment);
                assertEquals(0, f.size() % alignment, "every tensor padded to the alignment");
                assertEquals(255, f.getInt("t.u8"));
                assertEquals(-128, f.getInt("t.i8"));
                assertEquals(65535, f.getInt("t.u16"));
                assertEquals(-32768, f.getInt("t.i16"));
                assertEquals(0xFFFF_FFFFL, f.getLong("t.u32"));
                assertThrows(IllegalArgumentException.class, () -> f.getInt("t.u32"), "does not fit an int");
                assertEquals(Integer.MIN_VALUE, f.getInt("t.i32"));
                assertEquals(-1L, f.getLong("t.u64"));
                assertEquals(18446744073709551615.0, f.getDouble("t.u64"));
                assertEquals(Long.MIN_VALUE, f.getLong("t.i64"));
                assertEquals(-1.5e-7f, (float) f.getDouble("t.f32"));
                assertEquals(Math.PI, f.getDouble("t.f64"));
                assertTrue(f.getBoolean("t.bool"));
                assertFalse(f.getBoolean("t.false"));
                assertEquals("héllo\n\u0000world", f.getString("t.str"));
                assertEquals("", f.getString("t.empty"));
                assertArrayEquals(new String[] {"x", "yy", ""}, f.getStringArray("t.strs"));
                assertArrayEquals(new float[] {1f, Float.NaN, Float.NEGATIVE_INFINITY}, f.getFloatArray("t.f32s"));
                assertArrayEquals(new int[] {1, -2, 3}, f.getIntArray("t.i32s"));
                assertArrayEquals(new int[] {0, 255}, f.getIntArray("t.u8s"));
                assertArrayEquals(new int[] {-128, 127}, f.getIntArray("t.i8s"));
                assertEquals(0, f.getFloatArray("t.emptyarr").length);

                // Every value and its GGUF type equal what was put (GgufArray compares deeply).
                GgufWriter expected = sample(alignment);
                Path again = dir.resolve("again.gguf");
                expected.write(again);
                assertArrayEquals(Files.readAllBytes(p), Files.readAllBytes(again), "writing is deterministic");
                assertEquals(GgufValueType.UINT8, f.typeOf("t.u8").orElseThrow());
                assertEquals(GgufValueType.ARRAY, f.typeOf("t.nested").orElseThrow());
                GgufArray nested = f.findArray("t.nested").orElseThrow();
                assertEquals(GgufValueType.ARRAY, nested.elementType());
                GgufArray[] inner = (GgufArray[]) nested.values();
                assertArrayEquals(new String[] {"a", "", "ü€😀"}, (String[]) inner[0].values());
                assertEquals(0, inner[1].length());
                assertEquals(new GgufArray(GgufValueType.BOOL, new boolean[] {true}), ((GgufArray[]) inner[2].values())[0]);

                List<GgufTensorInfo> ts = f.tensors();
                assertEquals(List.of("f32.weight", "q8.weight", "empty.weight", "v.bias"),
                        ts.stream().map(GgufTensorInfo::name).toList());
                for (GgufTensorInfo t : ts) {
                    assertEquals(0, t.offset() % alignment, t.name());
                }
                MemorySegment f32 = f.tensorData(f.tensor("f32.weight"));
                assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, f32.toArray(F32));
                GgufTensorInfo q8 = f.tensor("q8.weight");
                assertArrayEquals(new long[] {64, 3}, q8.dims());
                assertEquals(6 * 34, q8.byteSize());
                byte[] q8bytes = f.tensorData(q8).toArray(ValueLayout.JAVA_BYTE);
                for (int i = 0; i < q8bytes.length; i++) {
                    assertEquals((byte) i, q8bytes[i]);
                }
                assertEquals(0, f.tensor("empty.weight").elementCount());
                assertEquals(4, f.tensor("v.bias").nDims());
                assertEquals(10, f.tensorData(f.tensor("v.bias")).byteSize());
            }
        }
    }

    @Test
    void metadataMapsAreEqualAfterRoundTrip() throws IOException {
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        sample(32).write(a);
        try (GgufFile fa = GgufFile.open(a)) {
            new GgufWriter().copyMetadataFrom(fa).copyTensorsFrom(fa).write(b);
            try (GgufFile fb = GgufFile.open(b)) {
                assertEquals(fa.metadata(), fb.metadata());
                assertEquals(fa.tensors(), fb.tensors());
            }
        }
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    }

    @Test
    void version2FileParses() throws IOException {
        Path p = dir.resolve("v2.gguf");
        sample(32).write(p);
        Map<String, Object> v3Metadata;
        List<GgufTensorInfo> v3Tensors;
        try (GgufFile f = GgufFile.open(p)) {
            v3Metadata = f.metadata();
            v3Tensors = f.tensors();
        }
        // GGUF v2 has the v3 layout (v3 only added big-endian support): patch the u32 version at offset 4.
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
            raf.seek(4);
            raf.write(new byte[] {2, 0, 0, 0});
        }
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(2, f.version());
            assertEquals(v3Metadata, f.metadata());
            assertEquals(v3Tensors, f.tensors());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, f.tensorData(f.tensor("f32.weight")).toArray(F32));
        }
    }

    @Test
    void rewritesARealModelIdentically() throws IOException {
        Path out = dir.resolve("stories260K-copy.gguf");
        try (GgufFile src = GgufFile.open(SharedData.model("stories260K.gguf"))) {
            new GgufWriter().copyMetadataFrom(src).copyTensorsFrom(src).write(out);
            try (GgufFile copy = GgufFile.open(out)) {
                assertEquals(src.metadata(), copy.metadata());
                for (String key : src.metadata().keySet()) {
                    assertEquals(src.typeOf(key), copy.typeOf(key), key);
                }
                assertEquals(48, copy.tensors().size());
                for (GgufTensorInfo t : src.tensors()) {
                    GgufTensorInfo c = copy.tensor(t.name());
                    assertEquals(t.type(), c.type());
                    assertArrayEquals(t.dims(), c.dims());
                    assertEquals(-1L, src.tensorData(t).mismatch(copy.tensorData(c)), t.name());
                }
            }
        }
        // Same layout rules as llama.cpp's writer: the copy is byte-identical to the llama.cpp-written file.
        assertEquals(-1L, Files.mismatch(SharedData.model("stories260K.gguf"), out));
    }

    @Test
    void streamedContentOfTheWrongSizeFailsAndLeavesNoFile() {
        Path p = dir.resolve("bad.gguf");
        IOException tooFew = assertThrows(IOException.class, () -> new GgufWriter()
                .addTensor("t", GgmlType.F32, new long[] {4}, out -> out.write(new byte[15])).write(p));
        assertTrue(tooFew.getMessage().contains("'t'") && tooFew.getMessage().contains("15"), tooFew.getMessage());
        assertFalse(Files.exists(p));
        IOException tooMany = assertThrows(IOException.class, () -> new GgufWriter()
                .addTensor("t", GgmlType.F32, new long[] {4}, out -> out.write(new byte[17])).write(p));
        assertTrue(tooMany.getMessage().contains("'t'"), tooMany.getMessage());
        assertFalse(Files.exists(p));
    }

    @Test
    void rejectsInvalidInput() {
        GgufWriter w = new GgufWriter();
        assertThrows(IllegalArgumentException.class, () -> w.putUInt8("k", 256));
        assertThrows(IllegalArgumentException.class, () -> w.putInt8("k", 128));
        assertThrows(IllegalArgumentException.class, () -> w.putUInt16("k", -1));
        assertThrows(IllegalArgumentException.class, () -> w.putUInt32("k", 1L << 32));
        assertThrows(IllegalArgumentException.class, () -> w.put("k", GgufValueType.STRING, 3));
        assertThrows(IllegalArgumentException.class, () -> w.put("k", GgufValueType.INT32, 1.5));
        assertThrows(IllegalArgumentException.class, () -> w.putArray("k", new GgufArray(GgufValueType.UINT8, new int[] {300})));
        assertThrows(IllegalArgumentException.class, () -> new GgufArray(GgufValueType.FLOAT32, new int[1]));
        MemorySegment twelve = MemorySegment.ofArray(new byte[12]);
        w.addTensor("t", GgmlType.F32, new long[] {3}, twelve);
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.F32, new long[] {3}, twelve), "dup");
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("u", GgmlType.F32, new long[] {4}, twelve), "size");
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("u", GgmlType.Q8_0, new long[] {48}, out -> { }));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("u", GgmlType.F32, new long[] {1, 1, 1, 1, 1}, out -> { }));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("u", GgmlType.F32, new long[] {-1}, out -> { }));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("x".repeat(64), GgmlType.F32, new long[] {3}, twelve));
        w.putUInt32(GgufFile.KEY_ALIGNMENT, 48);
        assertThrows(IllegalArgumentException.class, () -> w.write(dir.resolve("x.gguf")));
    }

    @Test
    void largeNativeSegmentIsCopied() throws IOException {
        Path p = dir.resolve("native.gguf");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(4L * 100_003);
            for (int i = 0; i < 100_003; i++) {
                seg.setAtIndex(F32, i, i * 0.5f);
            }
            new GgufWriter().addTensor("big", GgmlType.F32, new long[] {100_003}, seg).write(p);
            try (GgufFile f = GgufFile.open(p)) {
                assertEquals(-1L, seg.mismatch(f.tensorData(f.tensor("big"))));
            }
        }
        List<String> keys = new ArrayList<>();
        try (GgufFile f = GgufFile.open(p)) {
            keys.addAll(f.metadata().keySet());
        }
        assertTrue(keys.isEmpty());
    }
}
