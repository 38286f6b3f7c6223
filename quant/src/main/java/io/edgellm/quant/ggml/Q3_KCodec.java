package io.edgellm.quant.ggml;

import java.lang.foreign.MemorySegment;

/**
 * ggml {@code Q3_K}: super-blocks of 256 weights in 16 sub-blocks of 16 ({@code block_q3_K} in ggml-common.h).
 * Each weight is a 3-bit signed quant (2 low bits in {@code qs}, the high bit in {@code hmask}); each sub-block has
 * a 6-bit signed scale (offset 32), all scaled by the half-precision {@code d}. No minimums. 110 bytes per 256 weights
 * = 3.4375 bits per weight.
 *
 * <pre>
 *  byte 0              32                        96             108    110
 *       +--------------+-------------------------+--------------+------+
 *       | hmask[32]    | qs[64]                  | scales[12]   |  d   |
 *       | high bits    | 4 x 2-bit per byte      | 16 x 6 bits  | f16  |
 *       +--------------+-------------------------+--------------+------+
 *
 *  The 16 six-bit scales, j = 0..15:
 *    low 4 bits  = j &lt; 8 ? scales[j] &amp; 0xF : scales[j-8] &gt;&gt; 4
 *    high 2 bits = (scales[8 + j%4] &gt;&gt; (2*(j/4))) &amp; 3
 *    sc[j]       = (low | high &lt;&lt; 4) - 32                       (-32..31)
 *
 *  Quants: like Q2_K (two halves of 128 weights over 32 qs bytes each, shift s = 0,2,4,6, two sub-blocks of 16),
 *  plus the high bit: hmask[16*k + l] bit m, where m = 4*half + s/2 counts the 8 groups of 32 weights:
 *    q = ((qs[32*half + 16*k + l] &gt;&gt; s) &amp; 3) - (hmask bit set ? 0 : 4)            (-4..3)
 *    x = (d * sc[is]) * q
 * </pre>
 *
 * Dequantization {@code dequantize_row_q3_K}; quantization {@code quantize_row_q3_K_ref}.
 */
public final class Q3_KCodec {

    private Q3_KCodec() {
    }

    /** Weights per super-block. */
    public static final int BLOCK_SIZE = 256;
    /** Bytes per super-block. */
    public static final int BYTES = 110;
    /** Byte offset of the 32 high-bit mask bytes. */
    public static final int HMASK_OFFSET = 0;
    /** Byte offset of the 64 bytes of low 2-bit quants. */
    public static final int QS_OFFSET = 32;
    /** Byte offset of the 12 bytes of packed 6-bit scales. */
    public static final int SCALES_OFFSET = 96;
    /** Byte offset of the f16 super-block scale {@code d}. */
    public static final int D_OFFSET = 108;

    /** The signed sub-block scale {@code j} (0..15) of the super-block at {@code offset}: -32..31. */
    public static int scale(MemorySegment src, long offset, int j) {
        long s = offset + SCALES_OFFSET;
        int low = j < 8 ? LittleEndian.readU8(src, s + j) & 0xF : LittleEndian.readU8(src, s + j - 8) >>> 4;
        int high = (LittleEndian.readU8(src, s + 8 + (j % 4)) >>> (2 * (j / 4))) & 3;
        return (low | (high << 4)) - 32;
    }

    /** Dequantizes the super-block at {@code offset} into {@code dst[dstOffset .. dstOffset+255]} ({@code dequantize_row_q3_K}). */
    public static void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset) {
        float dAll = LittleEndian.readHalf(src, offset + D_OFFSET);
        int y = dstOffset;
        int is = 0;
        int m = 1; // hmask bit of the current group of 32 weights
        for (int half = 0; half < 2; half++) {
            long q = offset + QS_OFFSET + 32L * half;
            for (int shift = 0; shift < 8; shift += 2) {
                for (int k = 0; k < 2; k++) {
                    float dl = dAll * scale(src, offset, is++);
                    for (int l = 0; l < 16; l++) {
                        int low = (LittleEndian.readU8(src, q + 16L * k + l) >>> shift) & 3;
                        boolean high = (LittleEndian.readU8(src, offset + HMASK_OFFSET + 16L * k + l) & m) != 0;
                        dst[y++] = dl * (low - (high ? 0 : 4));
                    }
                }
                m <<= 1;
            }
        }
    }

    /**
     * Quantizes {@code src[srcOffset .. srcOffset+255]} into the super-block at {@code offset}
     * ({@code quantize_row_q3_K_ref}): per sub-block of 16 a symmetric search ({@code make_q3_quants}, nmax 4), the 16
     * scales quantized to 6 bits against the largest-magnitude one ({@code d = max_scale / -32}), the weights
     * re-quantized with the rounded scales, then split into 2 low bits ({@code qs}) and the high bit ({@code hmask}).
     */
    public static void quantize(float[] src, int srcOffset, MemorySegment dst, long offset) {
        int[] L = new int[BLOCK_SIZE];
        float[] scales = new float[16];
        float maxScale = 0;
        float amax = 0;
        for (int j = 0; j < 16; j++) {
            scales[j] = KQuants.makeQ3Quants(16, 4, src, srcOffset + 16 * j, L, 16 * j);
            float scale = Math.abs(scales[j]);
            if (scale > amax) {
                amax = scale;
                maxScale = scales[j];
            }
        }
        byte[] sc = new byte[12];
        if (maxScale != 0) {
            float iscale = -32.0f / maxScale;
            for (int j = 0; j < 16; j++) {
                int l = (byte) GgmlMath.nearestInt(iscale * scales[j]); // int8_t l = nearest_int(...)
                l = Math.max(-32, Math.min(31, l)) + 32;
                if (j < 8) {
                    sc[j] = (byte) (l & 0xF);
                } else {
                    sc[j - 8] |= (byte) ((l & 0xF) << 4);
                }
                l >>= 4;
                sc[j % 4 + 8] |= (byte) (l << (2 * (j / 4)));
            }
            LittleEndian.writeHalf(dst, offset + D_OFFSET, 1 / iscale);
        } else {
            LittleEndian.writeHalf(dst, offset + D_OFFSET, 0.0f);
        }
        MemorySegment.copy(sc, 0, dst, LittleEndian.BYTE, offset + SCALES_OFFSET, 12);
        float dStored = LittleEndian.readHalf(dst, offset + D_OFFSET);
        for (int j = 0; j < 16; j++) {
            float d = dStored * scale(dst, offset, j);
            if (d == 0) {
                continue;
            }
            for (int ii = 0; ii < 16; ii++) {
                int l = GgmlMath.nearestInt(src[srcOffset + 16 * j + ii] / d);
                L[16 * j + ii] = Math.max(-4, Math.min(3, l)) + 4;
            }
        }
        // high bits: bit b of hmask[m] is the high bit of quant 32*b + m
        byte[] hmask = new byte[32];
        int m = 0;
        int hm = 1;
        for (int j = 0; j < BLOCK_SIZE; j++) {
            if (L[j] > 3) {
                hmask[m] |= (byte) hm;
                L[j] -= 4;
            }
            if (++m == 32) {
                m = 0;
                hm <<= 1;
            }
        }
        MemorySegment.copy(hmask, 0, dst, LittleEndian.BYTE, offset + HMASK_OFFSET, 32);
        Q2_KCodec.pack2Bit(L, dst, offset + QS_OFFSET);
    }
}
