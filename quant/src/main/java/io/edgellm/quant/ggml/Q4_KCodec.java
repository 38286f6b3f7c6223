package io.edgellm.quant.ggml;

import java.lang.foreign.MemorySegment;

/**
 * ggml {@code Q4_K}: super-blocks of 256 weights in 8 sub-blocks of 32 ({@code block_q4_K} in ggml-common.h).
 * 4-bit unsigned quants; each sub-block has a 6-bit scale and a 6-bit minimum, scaled by the super-block's
 * half-precision {@code d} and {@code dmin}. 144 bytes per 256 weights = 4.5 bits per weight.
 *
 * <pre>
 *  byte 0      2      4               16                                   144
 *       +------+------+---------------+------------------------------------+
 *       |  d   | dmin | scales[12]    | qs[128]                            |
 *       | f16  | f16  | 8 x (6-bit sc, 6-bit m)  | 2 nibbles per byte      |
 *       +------+------+---------------+------------------------------------+
 *
 *  Scales and mins of sub-block j (get_scale_min_k4), bytes b = scales[0..11]:
 *    j &lt; 4:  sc = b[j] &amp; 63                          m = b[j+4] &amp; 63
 *    j &gt;= 4: sc = (b[j+4] &amp; 0xF) | (b[j-4] &gt;&gt; 6) &lt;&lt; 4      m = (b[j+4] &gt;&gt; 4) | (b[j] &gt;&gt; 6) &lt;&lt; 4
 *    (the top 2 bits of b[0..7] carry the high bits of sub-blocks 4..7)
 *
 *  Quants: 4 chunks of 64 weights, chunk c reads qs[32c .. 32c+31]:
 *    x[64c + l]      = (d*sc[2c])   * (qs[32c + l] &amp; 0xF) - dmin*m[2c]       l = 0..31
 *    x[64c + 32 + l] = (d*sc[2c+1]) * (qs[32c + l] &gt;&gt; 4)  - dmin*m[2c+1]
 * </pre>
 *
 * Dequantization {@code dequantize_row_q4_K}; quantization {@code quantize_row_q4_K_ref}.
 */
public final class Q4_KCodec {

    private Q4_KCodec() {
    }

    /** Weights per super-block. */
    public static final int BLOCK_SIZE = 256;
    /** Bytes per super-block. */
    public static final int BYTES = 144;
    /** Byte offset of the f16 super-block scale {@code d}. */
    public static final int D_OFFSET = 0;
    /** Byte offset of the f16 super-block minimum scale {@code dmin}. */
    public static final int DMIN_OFFSET = 2;
    /** Byte offset of the 12 bytes of packed 6-bit scales and minimums. */
    public static final int SCALES_OFFSET = 4;
    /** Byte offset of the 128 bytes of 4-bit quants. */
    public static final int QS_OFFSET = 16;

    /** The 6-bit scale of sub-block {@code j} (0..7) from the 12 packed bytes at {@code scales} (ggml's get_scale_min_k4). */
    public static int scale(MemorySegment src, long scales, int j) {
        if (j < 4) {
            return LittleEndian.readU8(src, scales + j) & 63;
        }
        return (LittleEndian.readU8(src, scales + j + 4) & 0xF) | ((LittleEndian.readU8(src, scales + j - 4) >>> 6) << 4);
    }

    /** The 6-bit minimum of sub-block {@code j} (0..7) from the 12 packed bytes at {@code scales} (ggml's get_scale_min_k4). */
    public static int min(MemorySegment src, long scales, int j) {
        if (j < 4) {
            return LittleEndian.readU8(src, scales + j + 4) & 63;
        }
        return (LittleEndian.readU8(src, scales + j + 4) >>> 4) | ((LittleEndian.readU8(src, scales + j) >>> 6) << 4);
    }

    /** Dequantizes the super-block at {@code offset} into {@code dst[dstOffset .. dstOffset+255]} ({@code dequantize_row_q4_K}). */
    public static void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset) {
        float d = LittleEndian.readHalf(src, offset + D_OFFSET);
        float dmin = LittleEndian.readHalf(src, offset + DMIN_OFFSET);
        long scales = offset + SCALES_OFFSET;
        int y = dstOffset;
        for (int c = 0; c < 4; c++) {
            float d1 = d * scale(src, scales, 2 * c);
            float m1 = dmin * min(src, scales, 2 * c);
            float d2 = d * scale(src, scales, 2 * c + 1);
            float m2 = dmin * min(src, scales, 2 * c + 1);
            long q = offset + QS_OFFSET + 32L * c;
            for (int l = 0; l < 32; l++) {
                dst[y++] = d1 * (LittleEndian.readU8(src, q + l) & 0xF) - m1;
            }
            for (int l = 0; l < 32; l++) {
                dst[y++] = d2 * (LittleEndian.readU8(src, q + l) >>> 4) - m2;
            }
        }
    }

    /**
     * Quantizes {@code src[srcOffset .. srcOffset+255]} into the super-block at {@code offset}
     * ({@code quantize_row_q4_K_ref}, what {@code llama-quantize} does without an importance matrix): per sub-block of
     * 32 a scale/min search ({@code make_qkx2_quants}, weights {@code rms + |x|}), then the 8 scales and 8 mins are
     * quantized to 6 bits against the largest of each, and the weights re-quantized with the rounded scales.
     */
    public static void quantize(float[] src, int srcOffset, MemorySegment dst, long offset) {
        quantizeQ4OrQ5(src, srcOffset, dst, offset, 15, -1.0f, 0.1f, 20, L -> {
            for (int c = 0; c < 4; c++) {
                for (int l = 0; l < 32; l++) {
                    dst.set(LittleEndian.BYTE, offset + QS_OFFSET + 32L * c + l,
                            (byte) (L[64 * c + l] | (L[64 * c + l + 32] << 4)));
                }
            }
        });
    }

    /**
     * The common part of {@code quantize_row_q4_K_ref} and {@code quantize_row_q5_K_ref} (same header layout: d, dmin,
     * 12 scale bytes at 0, 2, 4); {@code pack} stores the final quants {@code L[0..255]} (0..nmax).
     */
    static void quantizeQ4OrQ5(float[] src, int srcOffset, MemorySegment dst, long offset, int nmax, float rmin,
                               float rdelta, int nstep, java.util.function.Consumer<int[]> pack) {
        int[] L = new int[BLOCK_SIZE];
        int[] laux = new int[32];
        float[] weights = new float[32];
        float[] mins = new float[8];
        float[] scales = new float[8];
        float[] theMin = new float[1];
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < 8; j++) {
            int x0 = srcOffset + 32 * j;
            float sumX2 = 0;
            for (int l = 0; l < 32; l++) {
                sumX2 += src[x0 + l] * src[x0 + l];
            }
            float avX = (float) Math.sqrt(sumX2 / 32); // sqrtf: correctly rounded, like double sqrt then float
            for (int l = 0; l < 32; l++) {
                weights[l] = avX + Math.abs(src[x0 + l]);
            }
            scales[j] = KQuants.makeQkx2Quants(32, nmax, src, x0, weights, L, 32 * j, theMin, laux, rmin, rdelta,
                    nstep, false);
            mins[j] = theMin[0];
            if (scales[j] > maxScale) {
                maxScale = scales[j];
            }
            if (mins[j] > maxMin) {
                maxMin = mins[j];
            }
        }
        float invScale = maxScale > 0 ? 63.0f / maxScale : 0.0f;
        float invMin = maxMin > 0 ? 63.0f / maxMin : 0.0f;
        byte[] sc = new byte[12];
        for (int j = 0; j < 8; j++) {
            // uint8_t ls = nearest_int(...): kept to 8 bits, then clamped to 6
            int ls = Math.min(63, GgmlMath.nearestInt(invScale * scales[j]) & 0xFF);
            int lm = Math.min(63, GgmlMath.nearestInt(invMin * mins[j]) & 0xFF);
            if (j < 4) {
                sc[j] = (byte) ls;
                sc[j + 4] = (byte) lm;
            } else {
                sc[j + 4] = (byte) ((ls & 0xF) | ((lm & 0xF) << 4));
                sc[j - 4] |= (byte) ((ls >> 4) << 6);
                sc[j] |= (byte) ((lm >> 4) << 6);
            }
        }
        MemorySegment.copy(sc, 0, dst, LittleEndian.BYTE, offset + SCALES_OFFSET, 12);
        LittleEndian.writeHalf(dst, offset + D_OFFSET, maxScale / 63.0f);
        LittleEndian.writeHalf(dst, offset + DMIN_OFFSET, maxMin / 63.0f);
        float dStored = LittleEndian.readHalf(dst, offset + D_OFFSET);
        float dminStored = LittleEndian.readHalf(dst, offset + DMIN_OFFSET);
        long scalesAt = offset + SCALES_OFFSET;
        for (int j = 0; j < 8; j++) {
            float d = dStored * scale(dst, scalesAt, j);
            if (d == 0) {
                continue; // keep the quants of the search
            }
            float dm = dminStored * min(dst, scalesAt, j);
            for (int ii = 0; ii < 32; ii++) {
                int l = GgmlMath.nearestInt((src[srcOffset + 32 * j + ii] + dm) / d);
                L[32 * j + ii] = Math.max(0, Math.min(nmax, l));
            }
        }
        pack.accept(L);
    }
}
