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

    /**
     * The reference of the K-quant integer kernels: per super-block the exact integer sums, then the float
     * operations that every backend performs in the same order (see {@link Kernels#dotKQ8_K}).
     */
    @Override
    public float dotQ4_KQ8_K(MemorySegment w, long wOffset, short[] xq, int xqOffset, float[] xd, short[] xs,
                             int xdOffset, int n) {
        return dotQ45_K(w, wOffset, xq, xqOffset, xd, xs, xdOffset, n, false);
    }

    @Override
    public float dotQ5_KQ8_K(MemorySegment w, long wOffset, short[] xq, int xqOffset, float[] xd, short[] xs,
                             int xdOffset, int n) {
        return dotQ45_K(w, wOffset, xq, xqOffset, xd, xs, xdOffset, n, true);
    }

    /**
     * Q4_K (144 bytes: {@code d f16 | dmin f16 | scales[12] | qs[128]}) / Q5_K (176: {@code qh[32]} before
     * {@code qs}): sub-block {@code j} of 32 has nibble {@code j&1} of {@code qs[32(j/2) + l]} (Q5_K: plus bit
     * {@code j} of {@code qh[l]} as bit 4), scale {@code sc_j} and min {@code m_j}.
     */
    private static float dotQ45_K(MemorySegment w, long wOffset, short[] xq, int xqOffset, float[] xd, short[] xs,
                                  int xdOffset, int n, boolean q5) {
        int bpb = q5 ? 176 : 144;
        int qsOffset = q5 ? 48 : 16;
        float sumf = 0f;
        for (int b = 0; b < n / 256; b++) {
            long wb = wOffset + (long) bpb * b;
            int xb = xqOffset + 256 * b;
            long scales = scalesK4(w, wb + 4);
            int isum = 0;
            for (int j = 0; j < 8; j++) {
                int s = 0;
                for (int l = 0; l < 32; l++) {
                    int q = (LittleEndian.readU8(w, wb + qsOffset + 32 * (j >> 1) + l) >>> (4 * (j & 1))) & 0xF;
                    if (q5) {
                        q |= ((LittleEndian.readU8(w, wb + 16 + l) >>> j) & 1) << 4;
                    }
                    s += q * xq[xb + 32 * j + l];
                }
                isum += scaleK(scales, j) * s;
            }
            int imin = minSumK4(minsK4(w, wb + 4), xs, 8 * (xdOffset + b));
            float dx = xd[xdOffset + b];
            sumf += (LittleEndian.readHalf(w, wb) * dx) * isum - (LittleEndian.readHalf(w, wb + 2) * dx) * imin;
        }
        return sumf;
    }

    /**
     * Q6_K (210 bytes: {@code ql[128] | qh[64] | scales[16] int8 | d f16}): in half {@code h}, quarter {@code t},
     * element {@code l < 32}: low 4 bits are nibble {@code t/2} of {@code ql[64h + 32(t&1) + l]}, high 2 bits are
     * bits {@code 2t, 2t+1} of {@code qh[32h + l]}; value {@code q - 32} with scale {@code scales[8h + 2t + l/16]}
     * (one per 16 elements).
     */
    @Override
    public float dotQ6_KQ8_K(MemorySegment w, long wOffset, short[] xq, int xqOffset, float[] xd, short[] xs,
                             int xdOffset, int n) {
        float sumf = 0f;
        for (int b = 0; b < n / 256; b++) {
            long wb = wOffset + 210L * b;
            int xb = xqOffset + 256 * b;
            int isum = 0;
            for (int h = 0; h < 2; h++) {
                for (int t = 0; t < 4; t++) {
                    for (int k = 0; k < 2; k++) {
                        int s = 0;
                        for (int l = 16 * k; l < 16 * k + 16; l++) {
                            int low = (LittleEndian.readU8(w, wb + 64 * h + 32 * (t & 1) + l) >>> (4 * (t >> 1))) & 0xF;
                            int high = (LittleEndian.readU8(w, wb + 128 + 32 * h + l) >>> (2 * t)) & 3;
                            s += ((low | high << 4) - 32) * xq[xb + 128 * h + 32 * t + l];
                        }
                        isum += w.get(LittleEndian.BYTE, wb + 192 + 8 * h + 2 * t + k) * s;
                    }
                }
            }
            sumf += (LittleEndian.readHalf(w, wb + 208) * xd[xdOffset + b]) * isum;
        }
        return sumf;
    }

    /**
     * The 8 six-bit scales of a Q4_K/Q5_K super-block ({@code get_scale_min_k4}), byte {@code j} of the result is
     * scale {@code j}: from the 12 bytes at {@code scales} read as three little-endian ints {@code u0, u1, u2},
     * scales 0..3 are the bytes of {@code u0 & 0x3f3f3f3f}, scales 4..7 those of
     * {@code (u2 & 0x0f0f0f0f) | ((u0 >> 6) & 0x03030303) << 4}.
     */
    static long scalesK4(MemorySegment w, long scales) {
        return scalesK4(w.get(LittleEndian.INT, scales), w.get(LittleEndian.INT, scales + 8));
    }

    /** {@link #scalesK4(MemorySegment, long)} from the scale bytes already read as ints {@code u0}, {@code u2}. */
    static long scalesK4(int u0, int u2) {
        int hi = (u2 & 0x0f0f0f0f) | (((u0 >>> 6) & 0x03030303) << 4);
        return (u0 & 0x3f3f3f3fL) | ((long) hi << 32);
    }

    /** The 8 six-bit mins, packed as {@link #scalesK4}: bytes of {@code u1 & 0x3f3f3f3f}, then of
     * {@code ((u2 >> 4) & 0x0f0f0f0f) | ((u1 >> 6) & 0x03030303) << 4}. */
    static long minsK4(MemorySegment w, long scales) {
        return minsK4(w.get(LittleEndian.INT, scales + 4), w.get(LittleEndian.INT, scales + 8));
    }

    /** {@link #minsK4(MemorySegment, long)} from the scale bytes already read as ints {@code u1}, {@code u2}. */
    static long minsK4(int u1, int u2) {
        int hi = ((u2 >>> 4) & 0x0f0f0f0f) | (((u1 >>> 6) & 0x03030303) << 4);
        return (u1 & 0x3f3f3f3fL) | ((long) hi << 32);
    }

    /** Byte {@code j} of a packed {@link #scalesK4} / {@link #minsK4} value. */
    static int scaleK(long packed, int j) {
        return (int) (packed >>> (8 * j)) & 0xFF;
    }

    /** {@code sum_j m_j * xs[s + j]}: the Q4_K/Q5_K minimums against the activation's sums per 32. */
    static int minSumK4(long mins, short[] xs, int s) {
        int sum = 0;
        for (int j = 0; j < 8; j++) {
            sum += scaleK(mins, j) * xs[s + j];
        }
        return sum;
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
