package io.edgellm.quant.kernel;

import io.edgellm.quant.GgmlType;
import io.edgellm.quant.ggml.Dequantize;
import io.edgellm.quant.ggml.Half;
import io.edgellm.quant.ggml.LittleEndian;
import io.edgellm.quant.ggml.Quantize;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/** Test data for the kernel tests: random rows in every weight type, ../shared lookup, tolerances. */
final class KernelTestSupport {

    private KernelTestSupport() {
    }

    /** Every weight type the kernels support. */
    static final List<GgmlType> WEIGHT_TYPES = List.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0,
            GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K,
            GgmlType.Q5_K, GgmlType.Q6_K);

    static boolean isKQuant(GgmlType t) {
        return t.blockSize() == 256;
    }

    /** Block counts that hit every boundary of 4/8/16-lane loops (for 32-element blocks; K-quants use 1..3). */
    static int[] lengthsFor(GgmlType t) {
        if (isKQuant(t)) {
            return new int[] {256, 512, 768};
        }
        if (t.blockSize() == 1) {   // dense types: also lengths that are not a multiple of any vector length
            return new int[] {1, 3, 7, 17, 32, 64, 96, 224, 256, 257, 1000};
        }
        return new int[] {32, 64, 96, 224, 256, 288};   // 1, 2, 3, 7, 8, 9 blocks
    }

    static float[] randomFloats(Random rnd, int n, float scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian() * scale;
        }
        return x;
    }

    /**
     * A random row of {@code n} elements of {@code type}, placed at byte {@code offset} of a segment that ends right
     * after the row when {@code atEnd} (so vector loads past the row would fail), else with 64 spare bytes.
     * Types the reference quantizer knows are quantized from Gaussian data; K-quants get random bytes with sane
     * scale fields.
     */
    static MemorySegment randomRow(Random rnd, GgmlType type, int n, long offset, boolean atEnd) {
        long bytes = type.rowBytes(n);
        MemorySegment seg = MemorySegment.ofArray(new byte[(int) (offset + bytes + (atEnd ? 0 : 64))]);
        if (isKQuant(type)) {
            byte[] raw = new byte[(int) bytes];
            rnd.nextBytes(raw);
            MemorySegment.copy(MemorySegment.ofArray(raw), 0, seg, offset, bytes);
            for (int b = 0; b < n / 256; b++) {
                long o = offset + (long) b * type.bytesPerBlock();
                switch (type) {
                    case Q2_K -> { setHalf(seg, o + 80, rnd, 0.01f); setHalf(seg, o + 82, rnd, 0.01f); }
                    case Q3_K -> setHalf(seg, o + 108, rnd, 0.01f);
                    case Q4_K, Q5_K -> { setHalf(seg, o, rnd, 0.01f); setHalf(seg, o + 2, rnd, 0.01f); }
                    case Q6_K -> setHalf(seg, o + 208, rnd, 0.01f);
                    default -> throw new AssertionError(type);
                }
            }
        } else {
            Quantize.row(type, randomFloats(rnd, n, 1f), 0, n, seg, offset);
        }
        return seg;
    }

    private static void setHalf(MemorySegment seg, long o, Random rnd, float scale) {
        seg.set(LittleEndian.SHORT, o, Half.fromFloat((float) (rnd.nextDouble() * scale + scale * 0.1)));
    }

    /** {@code sum |w_i x_i|} in double, with the reference dequantizer: the scale of float rounding errors. */
    static double sumAbs(GgmlType type, MemorySegment w, long wOffset, float[] x, int xOffset, int n) {
        float[] d = Dequantize.row(type, w, wOffset, n);
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.abs((double) d[i] * x[xOffset + i]);
        }
        return s;
    }

    /** {@code sum w_i x_i} in double with the reference dequantizer. */
    static double exactDot(GgmlType type, MemorySegment w, long wOffset, float[] x, int xOffset, int n) {
        float[] d = Dequantize.row(type, w, wOffset, n);
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += (double) d[i] * x[xOffset + i];
        }
        return s;
    }

    /** ../shared: system property {@code edgellm.shared}, else ../shared beside the project root. */
    static Path shared() {
        return io.edgellm.testing.SharedData.root(); // skips the test when ../shared is absent
    }

    static boolean emulated() {
        return Boolean.getBoolean("edgellm.emulated");
    }
}
