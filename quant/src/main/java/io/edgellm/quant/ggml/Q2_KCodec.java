package io.edgellm.quant.ggml;

import java.lang.foreign.MemorySegment;

/**
 * ggml {@code Q2_K}: super-blocks of 256 weights in 16 sub-blocks of 16 ({@code block_q2_K} in ggml-common.h).
 * Each weight is a 2-bit quant; each sub-block has a 4-bit scale and a 4-bit minimum, themselves scaled by the
 * super-block's half-precision {@code d} and {@code dmin}. 84 bytes per 256 weights = 2.625 bits per weight.
 *
 * <pre>
 *  byte 0                16                                  80     82     84
 *       +----------------+-----------------------------------+------+------+
 *       | scales[16]     | qs[64]                            |  d   | dmin |
 *       | lo nibble: sc  | 4 quants of 2 bits per byte       | f16  | f16  |
 *       | hi nibble: m   |                                   |      |      |
 *       +----------------+-----------------------------------+------+------+
 *
 *  Two halves of 128 weights, each reading 32 bytes of qs (qs[0..31], then qs[32..63]).
 *  Within a half, shift s = 0, 2, 4, 6 selects 32 weights: bits (q &gt;&gt; s) &amp; 3 of those 32 bytes.
 *  Those 32 weights are two sub-blocks of 16 (bytes 0..15 and 16..31), each with its own scales[is] byte:
 *
 *    weight index  = 128*half + 32*(s/2) + 16*k + l             k = 0..1, l = 0..15
 *    sub-block is  = 8*half + 2*(s/2) + k
 *    x = (d * (scales[is] &amp; 0xF)) * ((qs[32*half + 16*k + l] &gt;&gt; s) &amp; 3)  -  dmin * (scales[is] &gt;&gt; 4)
 * </pre>
 *
 * Dequantization {@code dequantize_row_q2_K}; quantization {@code quantize_row_q2_K_ref}.
 */
public final class Q2_KCodec {

    private Q2_KCodec() {
    }

    /** Weights per super-block. */
    public static final int BLOCK_SIZE = 256;
    /** Bytes per super-block. */
    public static final int BYTES = 84;
    /** Byte offset of the 16 packed (scale, min) nibble pairs. */
    public static final int SCALES_OFFSET = 0;
    /** Byte offset of the 64 bytes of 2-bit quants. */
    public static final int QS_OFFSET = 16;
    /** Byte offset of the f16 super-block scale {@code d}. */
    public static final int D_OFFSET = 80;
    /** Byte offset of the f16 super-block minimum scale {@code dmin}. */
    public static final int DMIN_OFFSET = 82;

    /** Dequantizes the super-block at {@code offset} into {@code dst[dstOffset .. dstOffset+255]} ({@code dequantize_row_q2_K}). */
    public static void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset) {
        float d = LittleEndian.readHalf(src, offset + D_OFFSET);
        float min = LittleEndian.readHalf(src, offset + DMIN_OFFSET);
        int y = dstOffset;
        int is = 0;
        for (int half = 0; half < 2; half++) {
            long q = offset + QS_OFFSET + 32L * half;
            for (int shift = 0; shift < 8; shift += 2) {
                for (int k = 0; k < 2; k++) {
                    int sc = LittleEndian.readU8(src, offset + SCALES_OFFSET + is++);
                    float dl = d * (sc & 0xF);
                    float ml = min * (sc >>> 4);
                    for (int l = 0; l < 16; l++) {
                        int quant = (LittleEndian.readU8(src, q + 16L * k + l) >>> shift) & 3;
                        dst[y++] = dl * quant - ml;
                    }
                }
            }
        }
    }

    /**
     * Quantizes {@code src[srcOffset .. srcOffset+255]} into the super-block at {@code offset}
     * ({@code quantize_row_q2_K_ref}): per sub-block of 16 an asymmetric search ({@code make_qkx2_quants}, nmax 3,
     * weights {@code |x|}, mean absolute error), scales and mins quantized to 4 bits against the largest of each,
     * then the weights re-quantized with the rounded values.
     */
    public static void quantize(float[] src, int srcOffset, MemorySegment dst, long offset) {
        final float q4scale = 15.0f;
        int[] L = new int[BLOCK_SIZE];
        int[] laux = new int[16];
        float[] weights = new float[16];
        float[] mins = new float[16];
        float[] scales = new float[16];
        float[] theMin = new float[1];
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < 16; j++) {
            for (int l = 0; l < 16; l++) {
                weights[l] = Math.abs(src[srcOffset + 16 * j + l]);
            }
            scales[j] = KQuants.makeQkx2Quants(16, 3, src, srcOffset + 16 * j, weights, L, 16 * j, theMin, laux,
                    -0.5f, 0.1f, 15, true);
            mins[j] = theMin[0];
            if (scales[j] > maxScale) {
                maxScale = scales[j];
            }
            if (mins[j] > maxMin) {
                maxMin = mins[j];
            }
        }
        int[] sc = new int[16]; // uint8_t scales[16]
        if (maxScale > 0) {
            float iscale = q4scale / maxScale;
            for (int j = 0; j < 16; j++) {
                sc[j] = GgmlMath.nearestInt(iscale * scales[j]) & 0xFF;
            }
            LittleEndian.writeHalf(dst, offset + D_OFFSET, maxScale / q4scale);
        } else {
            LittleEndian.writeHalf(dst, offset + D_OFFSET, 0.0f);
        }
        if (maxMin > 0) {
            float iscale = q4scale / maxMin;
            for (int j = 0; j < 16; j++) {
                sc[j] = (sc[j] | (GgmlMath.nearestInt(iscale * mins[j]) << 4)) & 0xFF;
            }
            LittleEndian.writeHalf(dst, offset + DMIN_OFFSET, maxMin / q4scale);
        } else {
            LittleEndian.writeHalf(dst, offset + DMIN_OFFSET, 0.0f);
        }
        for (int j = 0; j < 16; j++) {
            dst.set(LittleEndian.BYTE, offset + SCALES_OFFSET + j, (byte) sc[j]);
        }
        float dStored = LittleEndian.readHalf(dst, offset + D_OFFSET);
        float dminStored = LittleEndian.readHalf(dst, offset + DMIN_OFFSET);
        for (int j = 0; j < 16; j++) {
            float d = dStored * (sc[j] & 0xF);
            if (d == 0) {
                continue;
            }
            float dm = dminStored * (sc[j] >> 4);
            for (int ii = 0; ii < 16; ii++) {
                int l = GgmlMath.nearestInt((src[srcOffset + 16 * j + ii] + dm) / d);
                L[16 * j + ii] = Math.max(0, Math.min(3, l));
            }
        }
        pack2Bit(L, dst, offset + QS_OFFSET);
    }

    /**
     * Packs 256 2-bit quants {@code L[0..255]} (0..3) into 64 bytes as Q2_K and Q3_K store them: byte
     * {@code 32*half + l} holds quants {@code 128*half + l + 32*k} in bits {@code 2k..2k+1}, k = 0..3.
     */
    static void pack2Bit(int[] L, MemorySegment dst, long qs) {
        for (int j = 0; j < BLOCK_SIZE; j += 128) {
            for (int l = 0; l < 32; l++) {
                dst.set(LittleEndian.BYTE, qs + j / 4 + l,
                        (byte) (L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) | (L[j + l + 96] << 6)));
            }
        }
    }
}
