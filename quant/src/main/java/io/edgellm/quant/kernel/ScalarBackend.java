package io.edgellm.quant.kernel;

import io.edgellm.quant.GgmlType;
import io.edgellm.quant.ggml.Dequantize;
import io.edgellm.quant.ggml.LittleEndian;
import io.edgellm.quant.ggml.ScalarDot;

import java.lang.foreign.MemorySegment;

/**
 * The kernels without the Vector API: the scalar reference codecs of {@code io.edgellm.quant.ggml}
 * ({@link ScalarDot}). Used when {@code jdk.incubator.vector} is not in the boot layer, when the property
 * {@code edgellm.kernels=scalar} is set, and by {@code VectorBackend} for the odd last block it cannot load safely.
 */
final class ScalarBackend implements KernelBackend {

    static final ScalarBackend INSTANCE = new ScalarBackend();

    private ScalarBackend() {
    }

    @Override
    public String description() {
        return "scalar (io.edgellm.quant.ggml reference codecs)";
    }

    @Override
    public float dot(GgmlType type, MemorySegment w, long wOffset, float[] x, int xOffset, int n) {
        return ScalarDot.dot(type, w, wOffset, x, xOffset, n);
    }

    @Override
    public float dotWithBlockSums(GgmlType type, MemorySegment w, long wOffset, float[] x, int xOffset,
                                  float[] xBlockSums, int sumOffset, int n) {
        // Q4_1: d f16 | m f16 | qs[16]            Q5_1: d f16 | m f16 | qh u32 | qs[16]
        boolean q5 = type == GgmlType.Q5_1;
        int qsOffset = q5 ? 8 : 4;
        int bpb = type.bytesPerBlock();
        float sum = 0f;
        for (int b = 0; b < n / 32; b++) {
            long wb = wOffset + (long) b * bpb;
            float d = LittleEndian.readHalf(w, wb);
            float m = LittleEndian.readHalf(w, wb + 2);
            int qh = q5 ? w.get(LittleEndian.INT, wb + 4) : 0;
            int xb = xOffset + 32 * b;
            float s = 0f;
            for (int j = 0; j < 16; j++) {
                int q = LittleEndian.readU8(w, wb + qsOffset + j);
                int q0 = (q & 0x0F) | (((qh >>> j) & 1) << 4);
                int q1 = (q >>> 4) | (((qh >>> (j + 16)) & 1) << 4);
                s += q0 * x[xb + j] + q1 * x[xb + j + 16];
            }
            sum += d * s + m * xBlockSums[sumOffset + b];
        }
        return sum;
    }

    /** {@link ScalarDot#dotQ8_0} on the widened activation: the same integer sums and float operations. */
    @Override
    public float dotQ8_0Q8_0(MemorySegment w, long wOffset, short[] xq, int xqOffset, float[] xd, int xdOffset, int n) {
        float sumf = 0f;
        for (int b = 0; b < n / 32; b++) {
            long wb = wOffset + 34L * b;
            int xb = xqOffset + 32 * b;
            int sumi = 0;
            for (int j = 0; j < 32; j++) {
                sumi += w.get(LittleEndian.BYTE, wb + 2 + j) * xq[xb + j];
            }
            sumf += sumi * (LittleEndian.readHalf(w, wb) * xd[xdOffset + b]);
        }
        return sumf;
    }

    /** {@link ScalarDot#dotQ8_0} for Q4_0 weights on the widened activation. */
    @Override
    public float dotQ4_0Q8_0(MemorySegment w, long wOffset, short[] xq, int xqOffset, float[] xd, int xdOffset, int n) {
        float sumf = 0f;
        for (int b = 0; b < n / 32; b++) {
            long wb = wOffset + 18L * b;
            int xb = xqOffset + 32 * b;
            int sumi0 = 0;
            int sumi1 = 0;
            for (int j = 0; j < 16; j++) {
                int q = LittleEndian.readU8(w, wb + 2 + j);
                sumi0 += ((q & 0x0F) - 8) * xq[xb + j];
                sumi1 += ((q >>> 4) - 8) * xq[xb + j + 16];
            }
            int sumi = sumi0 + sumi1;
            sumf += sumi * LittleEndian.readHalf(w, wb) * xd[xdOffset + b];
        }
        return sumf;
    }

    @Override
    public float dotF32(float[] a, int aOffset, float[] b, int bOffset, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) {
            s += a[aOffset + i] * b[bOffset + i];
        }
        return s;
    }

    @Override
    public void dequantize(GgmlType type, MemorySegment w, long wOffset, float[] out, int outOffset, int n) {
        Dequantize.row(type, w, wOffset, out, outOffset, n);
    }

    @Override
    public void dotTile(float[] w, int wOffset, int nr, float[] x, int xOffset, int nb, int n, float[] y, int yOffset,
                        int yStride) {
        for (int b = 0; b < nb; b++) {
            for (int r = 0; r < nr; r++) {
                y[yOffset + b * yStride + r] = dotF32(w, wOffset + r * n, x, xOffset + b * n, n);
            }
        }
    }
}
