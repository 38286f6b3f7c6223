package io.edgellm.quant.ggml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgellm.quant.GgmlType;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufTensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScalarDotTest {

    private static float[] random(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }

    /** dot() = llama.cpp's dequantized values times x, summed in float in index order: bit-exact on every golden type. */
    @Test
    void dotEqualsThePlainSumOverLlamaCppsDequantizedValues() throws IOException {
        JsonNode index = new ObjectMapper().readTree(Shared.synthDequant("index.json").toFile());
        int checked = 0;
        try (Arena arena = Arena.ofConfined()) {
            for (JsonNode e : index.get("entries")) {
                GgmlType type = GgmlType.valueOf(e.get("ggml_type").asText());
                int n = e.get("row_length").asInt();
                long rowBytes = e.get("raw_bytes_per_row").asLong();
                MemorySegment gguf = Shared.map(Shared.synthModel(e.get("source_gguf").asText()), arena);
                MemorySegment golden = Shared.map(Shared.synthDequant(e.get("file").asText()), arena);
                for (int r = 0; r < 3; r++) {
                    float[] x = random(n, 31 * r + checked);
                    float expected = 0;
                    for (int i = 0; i < n; i++) {
                        expected += golden.get(LittleEndian.FLOAT, 4L * ((long) r * n + i)) * x[i];
                    }
                    long off = e.get("raw_bytes_offset_in_gguf").asLong() + r * rowBytes;
                    float actual = ScalarDot.dot(type, gguf, off, x, 0, n);
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual),
                            type + " row " + r + ": " + expected + " vs " + actual);
                }
                checked++;
            }
        }
        assertEquals(24, checked);
    }

    @Test
    void dotOfF32RowsOfARealModel() throws IOException {
        try (GgufFile f = GgufFile.open(Shared.model("stories260K.gguf"))) {
            GgufTensorInfo t = f.tensor("blk.0.attn_q.weight");
            int n = Math.toIntExact(t.rowLength());
            MemorySegment data = f.tensorData(t);
            float[] x = random(n, 5);
            float expected = 0;
            for (int i = 0; i < n; i++) {
                expected += data.get(LittleEndian.FLOAT, 4L * (n + i)) * x[i]; // row 1
            }
            assertEquals(expected, ScalarDot.dot(GgmlType.F32, data, 4L * n, x, 0, n));
            // with an x offset
            float[] padded = new float[n + 7];
            System.arraycopy(x, 0, padded, 7, n);
            assertEquals(expected, ScalarDot.dot(GgmlType.F32, data, 4L * n, padded, 7, n));
        }
    }

    @Test
    void integerDotOnHandMadeBlocks() {
        // Q8_0 weights: d = 1/64, all quants 1; activations: d = 1/64, all quants 2 -> 32*2 * (1/4096) = 1/64
        MemorySegment w = MemorySegment.ofArray(new byte[34]);
        w.set(LittleEndian.SHORT, 0, Half.fromFloat(1f / 64));
        w.asSlice(2, 32).fill((byte) 1);
        MemorySegment xq = MemorySegment.ofArray(new byte[34]);
        xq.set(LittleEndian.SHORT, 0, Half.fromFloat(1f / 64));
        xq.asSlice(2, 32).fill((byte) 2);
        assertEquals(1f / 64, ScalarDot.dotQ8_0(GgmlType.Q8_0, w, 0, xq, 0, 32));

        // Q4_0 weights: d = 0.5, every nibble 9 (value 9 - 8 = 1); activations: d = 0.25, quants 0..31 -> 496*0.125
        MemorySegment w4 = MemorySegment.ofArray(new byte[18]);
        w4.set(LittleEndian.SHORT, 0, Half.fromFloat(0.5f));
        w4.asSlice(2, 16).fill((byte) 0x99);
        MemorySegment xs = MemorySegment.ofArray(new byte[34]);
        xs.set(LittleEndian.SHORT, 0, Half.fromFloat(0.25f));
        for (int j = 0; j < 32; j++) {
            xs.set(LittleEndian.BYTE, 2 + j, (byte) j);
        }
        assertEquals(62f, ScalarDot.dotQ8_0(GgmlType.Q4_0, w4, 0, xs, 0, 32));
        // low nibble 0 (value -8) for the first half, high nibble 15 (value 7) for the second half
        w4.asSlice(2, 16).fill((byte) 0xF0);
        int expected = 0;
        for (int j = 0; j < 16; j++) {
            expected += -8 * j + 7 * (j + 16);
        }
        assertEquals(expected * 0.125f, ScalarDot.dotQ8_0(GgmlType.Q4_0, w4, 0, xs, 0, 32));
    }

    /** The integer path on real Q8_0/Q4_0/Q5_0 weights agrees with a double-precision sum over dequantized values. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "models/TinyStories-656K-Q8_0.gguf, blk.0.ffn_up.weight",
            "models/TinyStories-656K-Q4_0.gguf, blk.1.attn_output.weight",
            "golden/synth/models/synth-small-Q5_0.gguf, blk.0.ffn_gate.weight",
            "golden/synth/models/synth-small-Q4_0.gguf, blk.1.ffn_down.weight",
    })
    void integerDotAgreesWithDequantizedDoubleSum(String file, String tensor) throws IOException {
        try (GgufFile f = GgufFile.open(Shared.root().resolve(file))) {
            GgufTensorInfo t = f.tensor(tensor);
            GgmlType type = t.type();
            int n = Math.toIntExact(t.rowLength());
            long rowBytes = type.rowBytes(n);
            MemorySegment data = f.tensorData(t);
            for (int r = 0; r < 8; r++) {
                float[] x = random(n, r);
                MemorySegment xq = Quantize.row(GgmlType.Q8_0, x, 0, n);
                float[] wd = Dequantize.row(type, data, r * rowBytes, n);
                float[] xd = Dequantize.row(GgmlType.Q8_0, xq, 0, n);
                double exact = 0;
                double magnitude = 0;
                for (int i = 0; i < n; i++) {
                    exact += (double) wd[i] * xd[i];
                    magnitude += Math.abs((double) wd[i] * xd[i]);
                }
                float got = ScalarDot.dotQ8_0(type, data, r * rowBytes, xq, 0, n);
                assertTrue(Math.abs(got - exact) <= 1e-6 * magnitude + 1e-30,
                        tensor + " row " + r + ": " + got + " vs " + exact);
                // and the F32-activation reference is close to it (activation rounding to Q8_0 only)
                float f32 = ScalarDot.dot(type, data, r * rowBytes, x, 0, n);
                assertTrue(Math.abs(f32 - got) <= 0.02 * magnitude, tensor + ": F32 path " + f32 + " vs Q8_0 path " + got);
            }
        }
    }

    /** Q4_1/Q5_1 · Q8_1 and K-quants · Q8_K on real tensors against a double-precision sum over dequantized values. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
            "golden/synth/models/synth-small-Q4_1.gguf, blk.0.ffn_up.weight",
            "golden/synth/models/synth-small-Q5_1.gguf, blk.1.ffn_down.weight",
            "golden/synth/models/synth-small-Q2_K.gguf, blk.0.ffn_up.weight",
            "golden/synth/models/synth-small-Q3_K.gguf, blk.1.ffn_down.weight",
            "golden/synth/models/synth-small-Q4_K.gguf, blk.0.attn_q.weight",
            "golden/synth/models/synth-small-Q5_K.gguf, blk.1.ffn_gate.weight",
            "golden/synth/models/synth-small-Q6_K.gguf, output.weight",
    })
    void integerDotsOfQ8_1AndQ8_KAgreeWithDequantizedDoubleSum(String file, String tensor) throws IOException {
        try (GgufFile f = GgufFile.open(Shared.root().resolve(file))) {
            GgufTensorInfo t = f.tensor(tensor);
            GgmlType type = t.type();
            GgmlType act = type.vecDotType();
            int n = Math.toIntExact(t.rowLength());
            long rowBytes = type.rowBytes(n);
            MemorySegment data = f.tensorData(t);
            for (int r = 0; r < 6; r++) {
                float[] x = random(n, 100 + r);
                MemorySegment xq = Quantize.row(act, x, 0, n);
                float[] wd = Dequantize.row(type, data, r * rowBytes, n);
                float[] xd = Dequantize.row(act, xq, 0, n);
                double exact = 0;
                double magnitude = 0;
                for (int i = 0; i < n; i++) {
                    exact += (double) wd[i] * xd[i];
                    magnitude += Math.abs((double) wd[i] * xd[i]);
                }
                double tolerance = 1e-5 * magnitude;
                if (act == GgmlType.Q8_1) {
                    // the minimum's term uses s = f16(d * sum(q)), rounded to 11 bits
                    for (int b = 0; b < n / 32; b++) {
                        float m = Half.toFloat(data.get(LittleEndian.SHORT, r * rowBytes + (long) b * type.bytesPerBlock() + 2));
                        float sBlock = Half.toFloat(xq.get(LittleEndian.SHORT, 36L * b + 2));
                        tolerance += Math.abs(m * sBlock) * 0x1p-10;
                    }
                }
                float got = act == GgmlType.Q8_1
                        ? ScalarDot.dotQ8_1(type, data, r * rowBytes, xq, 0, n)
                        : ScalarDot.dotQ8_K(type, data, r * rowBytes, xq, 0, n);
                assertTrue(Math.abs(got - exact) <= tolerance, type + " row " + r + ": " + got + " vs " + exact
                        + " (tolerance " + tolerance + ")");
            }
        }
    }

    @Test
    void badArgumentsAreRejectedWithClearExceptions() {
        MemorySegment seg = MemorySegment.ofArray(new byte[340]);
        float[] x = new float[320];
        assertThrows(IllegalArgumentException.class, () -> ScalarDot.dot(GgmlType.Q8_0, seg, 0, x, 0, 33));
        assertThrows(IllegalArgumentException.class, () -> ScalarDot.dot(GgmlType.Q8_0, seg, 34, x, 0, 320));
        assertThrows(IllegalArgumentException.class, () -> ScalarDot.dot(GgmlType.Q8_0, seg, 0, x, 1, 320));
        assertThrows(IllegalArgumentException.class, () -> ScalarDot.dot(GgmlType.Q8_0, seg, -1, x, 0, 32));
        assertThrows(IllegalArgumentException.class, () -> ScalarDot.dotQ8_0(GgmlType.Q4_1, seg, 0, seg, 0, 32));
        assertThrows(IllegalArgumentException.class, () -> ScalarDot.dotQ8_0(GgmlType.Q8_0, seg, 0, seg, 0, 352));
        assertThrows(IllegalArgumentException.class, () -> Dequantize.row(GgmlType.I32, seg, 0, x, 0, 32));
        assertThrows(IllegalArgumentException.class, () -> Dequantize.row(GgmlType.Q4_0, seg, 0, x, 0, 16));
        assertThrows(IllegalArgumentException.class, () -> Dequantize.row(GgmlType.F32, seg, 0, x, 0, 321));
        assertThrows(IllegalArgumentException.class, () -> Dequantize.row(GgmlType.Q6_K, seg.asSlice(0, 209), 0, x, 0, 256));
        assertThrows(IllegalArgumentException.class, () -> Quantize.row(GgmlType.I32, x, 0, 32, seg, 0));
        assertThrows(IllegalArgumentException.class, () -> Quantize.row(GgmlType.Q8_0, x, 0, 320, seg, 1));
        assertThrows(IllegalArgumentException.class, () -> Quantize.row(GgmlType.Q8_0, x, 0, -32, seg, 0));
        assertThrows(IllegalArgumentException.class, () -> Quantize.row(GgmlType.Q8_0, x, 64, 288, seg, 0));
        assertThrows(NullPointerException.class, () -> Quantize.row(null, x, 0, 32, seg, 0));
        assertThrows(IllegalArgumentException.class, () -> ScalarDot.dotQ8_1(GgmlType.Q4_0, seg, 0, seg, 0, 32));
        assertThrows(IllegalArgumentException.class, () -> ScalarDot.dotQ8_K(GgmlType.Q8_0, seg, 0, seg, 0, 256));
        assertThrows(IllegalArgumentException.class, () -> ScalarDot.dotQ8_K(GgmlType.Q4_K, seg, 0, seg, 0, 512));
    }
}
