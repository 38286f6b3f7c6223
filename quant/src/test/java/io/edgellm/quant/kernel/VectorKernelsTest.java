package io.edgellm.quant.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgellm.quant.GgmlType;
import io.edgellm.quant.ggml.Dequantize;
import io.edgellm.quant.ggml.Quantize;
import io.edgellm.quant.ggml.ScalarDot;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import static io.edgellm.quant.kernel.KernelTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Vector API kernels against the scalar references ({@link ScalarDot}), at whatever vector width this JVM runs
 * (Surefire runs this class at 128/256/512 bits on x86 and on emulated NEON/SVE-256/SVE-512).
 *
 * <p>Tolerance for the float kernels: {@code |vector - scalar| <= 2e-5 * sum|w_i x_i|}: both are float sums of the
 * same products in different orders (the reference sums element by element, the kernels lane-wise and per block),
 * so their difference is a few float roundings of partial sums, each bounded by {@code 2^-24} of that scale.
 * The integer paths sum exact per-block integers, so they agree to {@code 1e-6} of the same scale.
 */
@Tag("kernels")
class VectorKernelsTest {

    static final double TOL = 2e-5;
    static final double INT_TOL = 1e-6;

    @BeforeAll
    static void warmUp() {
        System.out.println("[kernels] FloatVector.SPECIES_PREFERRED = " + FloatVector.SPECIES_PREFERRED
                + " ; os.arch = " + System.getProperty("os.arch") + " ; emulated = " + emulated());
        System.out.println("[kernels] " + Kernels.description());
        assertTrue(Kernels.isVectorized(), "these tests must run with jdk.incubator.vector");
        // ~10k calls per kernel so that C2's vector code, not the interpreter, is what the tests check
        Random rnd = new Random(7);
        int calls = 10_000;
        float[] x = randomFloats(rnd, 512, 1f);
        float sink = 0;
        for (GgmlType t : WEIGHT_TYPES) {
            int n = isKQuant(t) ? 256 : 64;
            MemorySegment w = randomRow(rnd, t, n, 0, false);
            for (int i = 0; i < calls; i++) {
                sink += Kernels.dot(t, w, 0, x, i & 7, n);
            }
        }
        MemorySegment w8 = randomRow(rnd, GgmlType.Q8_0, 64, 0, false);
        MemorySegment w4 = randomRow(rnd, GgmlType.Q4_0, 64, 0, false);
        MemorySegment w41 = randomRow(rnd, GgmlType.Q4_1, 64, 0, false);
        MemorySegment xq = Quantize.row(GgmlType.Q8_0, x, 0, 64);
        float[] sums = new float[2];
        for (int i = 0; i < calls; i++) {
            sink += Kernels.dotQ8_0Q8_0(w8, 0, xq, 0, 64);
            sink += Kernels.dotQ4_0Q8_0(w4, 0, xq, 0, 64);
            sink += Kernels.dotWithBlockSums(GgmlType.Q4_1, w41, 0, x, 0, sums, 0, 64);
            sink += Kernels.dotF32(x, 0, x, i & 7, 100);
        }
        // the K-quant integer kernels on Q8_K activations
        MemorySegment xk = Quantize.row(GgmlType.Q8_K, x, 0, 256);
        for (GgmlType t : K_INT_TYPES) {
            MemorySegment w = randomRow(rnd, t, 256, 0, false);
            for (int i = 0; i < calls; i++) {
                sink += Kernels.dotKQ8_K(t, w, 0, xk, 0, 256);
            }
        }
        // the batched path: dequantize and 4 x 4 tiles (and the smaller edge tiles)
        float[] rows = new float[4 * 64];
        float[] tile = new float[16];
        for (int i = 0; i < calls; i++) {
            Kernels.BACKEND.dequantize(i % 2 == 0 ? GgmlType.Q8_0 : GgmlType.Q4_0, i % 2 == 0 ? w8 : w4, 0, rows, 64 * (i & 3), 64);
            Kernels.BACKEND.dotTile(rows, 0, 4, x, i & 7, 4, 64, tile, 0, 4);
            Kernels.BACKEND.dotTile(rows, 0, 1 + (i & 3), x, 0, 1 + (i >> 2 & 3), 61, tile, 0, 4);
            sink += tile[i & 15];
        }
        assertFalse(Float.isNaN(sink));
    }

    @Test
    void dequantizeIsBitExactWithTheReferenceCodecs() {
        Random rnd = new Random(11);
        for (GgmlType t : WEIGHT_TYPES) {
            for (int n : lengthsFor(t)) {
                if (n % t.blockSize() != 0) {
                    continue;
                }
                for (int placement = 0; placement < 3; placement++) {
                    long off = placement == 0 ? 0 : placement == 1 ? 3 : 5;   // 1: the row ends the segment
                    MemorySegment w = randomRow(rnd, t, n, off, placement == 1);
                    float[] expected = Dequantize.row(t, w, off, n);
                    float[] got = new float[n + 2];
                    Kernels.BACKEND.dequantize(t, w, off, got, 2, n);
                    assertArrayEquals(expected, java.util.Arrays.copyOfRange(got, 2, n + 2), t + " n=" + n + " off=" + off);
                }
            }
        }
    }

    /**
     * {@code dotTile}: every output of a 4 x 4 tile equals the same output computed alone (1 x 1) bit for bit, so
     * results do not depend on how a batch is grouped, and all are close to the double-precision dot product.
     */
    @Test
    void dotTilesAreShapeInvariantAndMatchDoubleDots() {
        Random rnd = new Random(12);
        for (int n : new int[] {1, 5, 16, 31, 64, 100, 257, 1024, 1031}) {
            float[] w = randomFloats(rnd, 3 + 4 * n, 1f);
            float[] x = randomFloats(rnd, 1 + 4 * n, 1f);
            float[] tile = new float[5 + 3 * 6 + 4];
            Kernels.BACKEND.dotTile(w, 3, 4, x, 1, 4, n, tile, 5, 6);
            for (int b = 0; b < 4; b++) {
                for (int r = 0; r < 4; r++) {
                    float[] one = new float[1];
                    Kernels.BACKEND.dotTile(w, 3 + r * n, 1, x, 1 + b * n, 1, n, one, 0, 1);
                    assertEquals(one[0], tile[5 + b * 6 + r], 0f, "n=" + n + " r=" + r + " b=" + b + ": 4x4 tile vs alone");
                    double ref = 0, abs = 0;
                    for (int i = 0; i < n; i++) {
                        ref += (double) w[3 + r * n + i] * x[1 + b * n + i];
                        abs += Math.abs((double) w[3 + r * n + i] * x[1 + b * n + i]);
                    }
                    assertEquals(ref, tile[5 + b * 6 + r], TOL * abs + 1e-30, "n=" + n + " r=" + r + " b=" + b);
                }
            }
            // an edge tile (3 x 2) gives the same bits as the full one
            float[] edge = new float[2 * 6];
            Kernels.BACKEND.dotTile(w, 3, 3, x, 1, 2, n, edge, 0, 6);
            for (int b = 0; b < 2; b++) {
                for (int r = 0; r < 3; r++) {
                    assertEquals(tile[5 + b * 6 + r], edge[b * 6 + r], 0f, "n=" + n + " edge tile r=" + r + " b=" + b);
                }
            }
        }
    }

    @Test
    void everyTypeMatchesScalarReferenceAtEveryBlockBoundary() {
        Random rnd = new Random(42);
        for (GgmlType t : WEIGHT_TYPES) {
            for (int n : lengthsFor(t)) {
                for (int placement = 0; placement < 3; placement++) {
                    // placement 0: row at offset 0 with slack; 1: odd offset, row ends the segment; 2: offset 5, slack
                    long off = placement == 0 ? 0 : placement == 1 ? 3 : 5;
                    MemorySegment w = randomRow(rnd, t, n, off, placement == 1);
                    int xOff = rnd.nextInt(4);
                    float[] x = randomFloats(rnd, n + xOff, 1f);
                    float v = Kernels.dot(t, w, off, x, xOff, n);
                    float s = ScalarDot.dot(t, w, off, x, xOff, n);
                    double scale = sumAbs(t, w, off, x, xOff, n);
                    assertEquals(s, v, TOL * scale + 1e-30,
                            () -> t + " n=" + n + " off=" + off + ": vector " + v + " scalar " + s);
                }
            }
        }
    }

    @Test
    void denseF32MatchesScalarOnArrays() {
        Random rnd = new Random(3);
        for (int n : new int[] {0, 1, 5, 16, 31, 33, 100, 1024, 1031}) {
            float[] a = randomFloats(rnd, n + 3, 1f);
            float[] b = randomFloats(rnd, n + 1, 1f);
            double ref = 0;
            double abs = 0;
            for (int i = 0; i < n; i++) {
                ref += (double) a[3 + i] * b[1 + i];
                abs += Math.abs((double) a[3 + i] * b[1 + i]);
            }
            assertEquals(ref, Kernels.dotF32(a, 3, b, 1, n), TOL * abs + 1e-30, "n=" + n);
        }
    }

    @Test
    void halfConversionCoversSubnormalsInfinitiesAndNaN() {
        // every one of the 65536 half values, as an F16 row against x = 1 at one position
        int n = 65536;
        MemorySegment w = MemorySegment.ofArray(new byte[2 * n]);
        for (int i = 0; i < n; i++) {
            w.set(io.edgellm.quant.ggml.LittleEndian.SHORT, 2L * i, (short) i);
        }
        float[] x = new float[64];
        for (int base = 0; base < n; base += 64) {
            for (int j = 0; j < 64; j++) {
                java.util.Arrays.fill(x, 0f);
                x[j] = 1f;
                float expected = Float.float16ToFloat((short) (base + j));
                float got = Kernels.dot(GgmlType.F16, w, 2L * base, x, 0, 64);
                if (Float.isNaN(expected)) {
                    assertTrue(Float.isNaN(got), "half 0x" + Integer.toHexString(base + j));
                } else if (!Float.isInfinite(expected)) {
                    assertEquals(expected, got, 0f, "half 0x" + Integer.toHexString(base + j));
                }
                // (an infinite weight times the zeros of x is NaN in any correct kernel: skip)
            }
            if (base >= 2048 && base < 63488) {
                base += 64 * 15;   // sample the normal range; check the subnormal and Inf/NaN ends fully
            }
        }
    }

    @Test
    void integerPathsMatchScalarIntegerReference() {
        Random rnd = new Random(11);
        for (int n : new int[] {32, 64, 96, 224, 256, 288, 2048}) {
            for (int placement = 0; placement < 2; placement++) {
                long off = placement == 0 ? 0 : 7;
                float[] x = randomFloats(rnd, n, 2f);
                MemorySegment xq = MemorySegment.ofArray(new byte[(int) (off + GgmlType.Q8_0.rowBytes(n))]);
                Quantize.row(GgmlType.Q8_0, x, 0, n, xq, off);
                for (GgmlType t : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0}) {
                    MemorySegment w = randomRow(rnd, t, n, off, placement == 1);
                    float v = t == GgmlType.Q8_0 ? Kernels.dotQ8_0Q8_0(w, off, xq, off, n) : Kernels.dotQ4_0Q8_0(w, off, xq, off, n);
                    float s = ScalarDot.dotQ8_0(t, w, off, xq, off, n);
                    // scale: sum |w_i * xq_i| with the dequantized activation
                    float[] xd = io.edgellm.quant.ggml.Dequantize.row(GgmlType.Q8_0, xq, off, n);
                    double scale = sumAbs(t, w, off, xd, 0, n);
                    assertEquals(s, v, INT_TOL * scale + 1e-30, t + "·Q8_0 n=" + n + ": vector " + v + " scalar " + s);
                }
            }
        }
    }

    @Test
    void integerPathsHandleExtremeQuants() {
        // all quants -128 (Q8_0) and 0 nibbles (Q4_0 -> -8): the largest products; ints must not overflow
        int n = 256;
        MemorySegment w8 = MemorySegment.ofArray(new byte[(int) GgmlType.Q8_0.rowBytes(n)]);
        MemorySegment w4 = MemorySegment.ofArray(new byte[(int) GgmlType.Q4_0.rowBytes(n)]);
        MemorySegment xq = MemorySegment.ofArray(new byte[(int) GgmlType.Q8_0.rowBytes(n)]);
        for (int b = 0; b < n / 32; b++) {
            w8.set(io.edgellm.quant.ggml.LittleEndian.SHORT, 34L * b, Float.floatToFloat16(1f));
            xq.set(io.edgellm.quant.ggml.LittleEndian.SHORT, 34L * b, Float.floatToFloat16(1f));
            w4.set(io.edgellm.quant.ggml.LittleEndian.SHORT, 18L * b, Float.floatToFloat16(1f));
            for (int j = 0; j < 32; j++) {
                w8.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 34L * b + 2 + j, (byte) -128);
                xq.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 34L * b + 2 + j, (byte) -128);
            }
        }
        assertEquals(256 * 16384f, Kernels.dotQ8_0Q8_0(w8, 0, xq, 0, n));
        assertEquals(256 * 1024f, Kernels.dotQ4_0Q8_0(w4, 0, xq, 0, n));
        assertEquals(ScalarDot.dotQ8_0(GgmlType.Q8_0, w8, 0, xq, 0, n), Kernels.dotQ8_0Q8_0(w8, 0, xq, 0, n));
        // the vector kernel's contract: activations in [-127, 127] (any quantizer's output), weights the full range;
        // two products per short lane then reach 2 * 128 * 127 = 32512: one more and the lane would wrap
        for (int b = 0; b < n / 32; b++) {
            for (int j = 0; j < 32; j++) {
                xq.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 34L * b + 2 + j, (byte) -127);
            }
        }
        short[] q = new short[n];
        float[] d = new float[n / 32];
        assertFalse(Kernels.widenQ8_0(xq, 0, n, q, 0, d, 0));
        assertEquals(256 * 16256f, Kernels.BACKEND.dotQ8_0Q8_0(w8, 0, q, 0, d, 0, n));
        float[] y = new float[2];
        Kernels.BACKEND.dotQ8_0Q8_0x2(w8, 0, q, 0, 0, d, 0, 0, n, y, 0, 1);
        assertArrayEquals(new float[] {256 * 16256f, 256 * 16256f}, y);
    }

    static final GgmlType[] K_INT_TYPES = {GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K};

    /** {@link ScalarBackend}'s K-quant kernel on the widened Q8_K row: the reference of the same operation order. */
    static float scalarKQ8_K(GgmlType t, MemorySegment w, long off, MemorySegment xq, long xqOff, int n) {
        short[] q = new short[n];
        float[] d = new float[n / 256];
        short[] s = new short[n / 32];
        Kernels.widenQ8_K(xq, xqOff, n, q, 0, d, s, 0);
        ScalarBackend k = ScalarBackend.INSTANCE;
        return switch (t) {
            case Q4_K -> k.dotQ4_KQ8_K(w, off, q, 0, d, s, 0, n);
            case Q5_K -> k.dotQ5_KQ8_K(w, off, q, 0, d, s, 0, n);
            default -> k.dotQ6_KQ8_K(w, off, q, 0, d, s, 0, n);
        };
    }

    @Test
    void kQuantIntegerPathsEqualTheScalarReferenceBitForBit() {
        Random rnd = new Random(13);
        for (int n : new int[] {256, 512, 768, 2048, 4096}) {
            for (int placement = 0; placement < 2; placement++) {
                long off = placement == 0 ? 0 : 7;
                float[] x = randomFloats(rnd, n, 2f);
                MemorySegment xq = MemorySegment.ofArray(new byte[(int) (off + GgmlType.Q8_K.rowBytes(n))]);
                Quantize.row(GgmlType.Q8_K, x, 0, n, xq, off);
                float[] xd = Dequantize.row(GgmlType.Q8_K, xq, off, n);
                for (GgmlType t : K_INT_TYPES) {
                    MemorySegment w = randomRow(rnd, t, n, off, placement == 1);
                    float v = Kernels.dotKQ8_K(t, w, off, xq, off, n);
                    // same integer sums and the same float operations: identical at every width
                    assertEquals(scalarKQ8_K(t, w, off, xq, off, n), v, 0f, t + "·Q8_K n=" + n);
                    // llama.cpp's generic order and the float dot of the dequantized rows differ by rounding only
                    double scale = sumAbs(t, w, off, xd, 0, n);
                    assertEquals(ScalarDot.dotQ8_K(t, w, off, xq, off, n), v, INT_TOL * scale, t + "·Q8_K n=" + n);
                    assertEquals(exactDot(t, w, off, xd, 0, n), v, INT_TOL * scale, t + "·Q8_K n=" + n);
                }
            }
        }
    }

    @Test
    void kQuantIntegerPathsHandleExtremeQuants() {
        // largest quants (Q4_K 15, Q5_K 31, Q6_K 63 or 0 -> -32), scales 63 / 127 / -128, activations +-127:
        // the largest sums the int lanes (and the 16-bit products of the short lanes) must hold
        int n = 4096;
        for (int sign : new int[] {1, -1}) {
            float[] x = new float[n];
            java.util.Arrays.fill(x, sign * 1f);
            MemorySegment xq = Quantize.row(GgmlType.Q8_K, x, 0, n);
            float[] xd = Dequantize.row(GgmlType.Q8_K, xq, 0, n);
            for (GgmlType t : K_INT_TYPES) {
                for (int fill : new int[] {0xFF, 0x00, 0x80}) {
                    byte[] raw = new byte[(int) t.rowBytes(n)];
                    java.util.Arrays.fill(raw, (byte) fill);
                    MemorySegment w = MemorySegment.ofArray(raw);
                    for (int b = 0; b < n / 256; b++) {   // sane f16 scales: 1.0
                        long o = (long) b * t.bytesPerBlock();
                        if (t == GgmlType.Q6_K) {
                            w.set(io.edgellm.quant.ggml.LittleEndian.SHORT, o + 208, Float.floatToFloat16(1f));
                        } else {
                            w.set(io.edgellm.quant.ggml.LittleEndian.SHORT, o, Float.floatToFloat16(1f));
                            w.set(io.edgellm.quant.ggml.LittleEndian.SHORT, o + 2, Float.floatToFloat16(1f));
                        }
                    }
                    float v = Kernels.dotKQ8_K(t, w, 0, xq, 0, n);
                    assertEquals(scalarKQ8_K(t, w, 0, xq, 0, n), v, 0f, t + " fill " + fill);
                    double exact = exactDot(t, w, 0, xd, 0, n);
                    assertEquals(exact, v, 1e-6 * Math.abs(exact) + 1e-3, t + " fill " + fill + " sign " + sign);
                }
            }
        }
    }

    @Test
    void blockSumsVariantMatchesPlainDotWhenSumsAreExact() {
        Random rnd = new Random(5);
        for (GgmlType t : new GgmlType[] {GgmlType.Q4_1, GgmlType.Q5_1}) {
            for (int n : lengthsFor(t)) {
                MemorySegment w = randomRow(rnd, t, n, 1, true);
                float[] x = randomFloats(rnd, n, 1f);
                float[] sums = new float[n / 32];
                for (int b = 0; b < n / 32; b++) {
                    double s = 0;
                    for (int j = 0; j < 32; j++) {
                        s += x[32 * b + j];
                    }
                    sums[b] = (float) s;
                }
                float v = Kernels.dotWithBlockSums(t, w, 1, x, 0, sums, 0, n);
                float s = ScalarBackend.INSTANCE.dotWithBlockSums(t, w, 1, x, 0, sums, 0, n);
                double scale = sumAbs(t, w, 1, x, 0, n);
                assertEquals(exactDot(t, w, 1, x, 0, n), v, TOL * scale, t + " n=" + n);
                assertEquals(s, v, TOL * scale, t + " n=" + n + " (scalar block-sum reference)");
            }
        }
    }

    /**
     * Real tensors: the synthetic model's weights in every type (../shared/golden/synth), raw blocks read from the
     * GGUF at the offsets in dequant/index.json; the kernel must match the dot product with llama.cpp's own
     * dequantized floats (dequant/*.bin) computed in double.
     */
    @Test
    @Tag("slow-on-emulator")
    void realTensorsMatchLlamaCppDequantizedWeights() throws IOException {
        Path dir = shared().resolve("golden/synth");
        JsonNode index = new ObjectMapper().readTree(dir.resolve("dequant/index.json").toFile());
        Random rnd = new Random(99);
        int checked = 0;
        try (Arena arena = Arena.ofConfined()) {
            for (JsonNode e : index.get("entries")) {
                GgmlType t = GgmlType.valueOf(e.get("ggml_type").asText());
                int rows = e.get("rows_stored").asInt();
                int n = e.get("row_length").asInt();
                long off = e.get("raw_bytes_offset_in_gguf").asLong();
                long rowBytes = e.get("raw_bytes_per_row").asLong();
                MemorySegment gguf;
                try (FileChannel ch = FileChannel.open(dir.resolve("models").resolve(e.get("source_gguf").asText()),
                        StandardOpenOption.READ)) {
                    gguf = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
                }
                ByteBuffer deq = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("dequant").resolve(e.get("file").asText())))
                        .order(ByteOrder.LITTLE_ENDIAN);
                float[] x = randomFloats(rnd, n, 1f);
                for (int r = 0; r < rows; r++) {
                    double ref = 0;
                    double abs = 0;
                    for (int i = 0; i < n; i++) {
                        double p = (double) deq.getFloat(4 * (r * n + i)) * x[i];
                        ref += p;
                        abs += Math.abs(p);
                    }
                    float v = Kernels.dot(t, gguf, off + r * rowBytes, x, 0, n);
                    assertEquals(ref, v, TOL * abs, t + " " + e.get("tensor").asText() + " row " + r);
                    checked++;
                }
            }
        }
        assertTrue(checked > 500, "checked " + checked + " rows");
    }
}
