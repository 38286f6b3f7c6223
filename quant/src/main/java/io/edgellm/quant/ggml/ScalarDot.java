package io.edgellm.quant.ggml;

import io.edgellm.quant.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Scalar reference dot products: the ground truth the Vector API kernels are tested against.
 *
 * <ul>
 *   <li>{@link #dot}: weights dequantized block by block, activations kept in F32, one plain float accumulator
 *       summed in element order ({@code sum += w[i] * x[i]}, no FMA). Simple and exactly reproducible, not
 *       llama.cpp's arithmetic (llama.cpp first rounds the activations to {@code vecDotType()}).</li>
 *   <li>{@link #dotQ8_0}: llama.cpp's integer path for Q8_0/Q4_0/Q5_0 weights against Q8_0-quantized activations,
 *       in the order of the generic C versions {@code ggml_vec_dot_q8_0_q8_0_generic},
 *       {@code ggml_vec_dot_q4_0_q8_0_generic}, {@code ggml_vec_dot_q5_0_q8_0_generic}: per block an exact int sum of
 *       products, scaled by both f16 scales and added to a float accumulator.</li>
 * </ul>
 */
public final class ScalarDot {

    private ScalarDot() {
    }

    /**
     * {@code sum_i dequant(w)[i] * x[xOffset + i]} for {@code i < n}, in float, in index order.
     *
     * @param type    weight type (any type {@link Dequantize#row} accepts)
     * @param w       weight blocks
     * @param wOffset byte offset of the first block in {@code w}
     * @param x       activations (F32)
     * @param xOffset index of the first activation
     * @param n       number of elements, a multiple of {@code type.blockSize()}
     * @return the dot product
     * @throws IllegalArgumentException for a bad {@code n}, out-of-range offsets or a non-float type
     */
    public static float dot(GgmlType type, MemorySegment w, long wOffset, float[] x, int xOffset, int n) {
        long bytes = Checks.rowBytes(type, n);
        Checks.segmentRange(type, "w", w, wOffset, bytes);
        Checks.arrayRange(type, "x", x, xOffset, n);
        // one block (or a chunk of 256 plain values) at a time: no allocation proportional to n
        int chunk = type.blockSize() == 1 ? 256 : type.blockSize();
        long chunkBytes = (long) chunk / type.blockSize() * type.bytesPerBlock();
        float[] buf = new float[chunk];
        float sum = 0.0f;
        for (int i = 0; i < n; i += chunk) {
            int len = Math.min(chunk, n - i);
            Dequantize.row(type, w, wOffset + (i / chunk) * chunkBytes, buf, 0, len);
            for (int j = 0; j < len; j++) {
                sum += buf[j] * x[xOffset + i + j];
            }
        }
        return sum;
    }

    /**
     * llama.cpp's integer dot product of a Q8_0, Q4_0 or Q5_0 weight row with Q8_0 activations (as produced by
     * {@link Quantize#row} with {@link GgmlType#Q8_0}), with the float operations of ggml's generic C code:
     * <pre>
     *   Q8_0: sumf += (float) sumi * (d_w * d_x)
     *   Q4_0: sumf += ((float) sumi * d_w) * d_x        (weights q - 8)
     *   Q5_0: sumf += (d_w * d_x) * (float) sumi        (weights q - 16)
     * </pre>
     * where {@code sumi} is the exact int sum of the 32 products of the block.
     *
     * @param wType  Q8_0, Q4_0 or Q5_0
     * @param w      weight blocks
     * @param wOff   byte offset of the first weight block
     * @param xq     activation blocks in Q8_0
     * @param xqOff  byte offset of the first activation block
     * @param n      number of elements, a multiple of 32
     * @return the dot product
     * @throws IllegalArgumentException for another weight type, a bad {@code n} or out-of-range offsets
     */
    public static float dotQ8_0(GgmlType wType, MemorySegment w, long wOff, MemorySegment xq, long xqOff, int n) {
        if (wType != GgmlType.Q8_0 && wType != GgmlType.Q4_0 && wType != GgmlType.Q5_0) {
            throw new IllegalArgumentException(wType + ": dotQ8_0 takes Q8_0, Q4_0 or Q5_0 weights");
        }
        Checks.segmentRange(wType, "w", w, wOff, Checks.rowBytes(wType, n));
        Checks.segmentRange(GgmlType.Q8_0, "xq", xq, xqOff, Checks.rowBytes(GgmlType.Q8_0, n));
        int blocks = n / 32;
        float sumf = 0.0f;
        for (int b = 0; b < blocks; b++) {
            long wb = wOff + (long) b * wType.bytesPerBlock();
            long xb = xqOff + (long) b * Q8_0Codec.BYTES;
            long xqs = xb + Q8_0Codec.QS_OFFSET;
            float dx = LittleEndian.readHalf(xq, xb + Q8_0Codec.D_OFFSET);
            switch (wType) {
                case Q8_0 -> {
                    int sumi = 0;
                    for (int j = 0; j < 32; j++) {
                        sumi += w.get(LittleEndian.BYTE, wb + Q8_0Codec.QS_OFFSET + j) * xq.get(LittleEndian.BYTE, xqs + j);
                    }
                    float dw = LittleEndian.readHalf(w, wb + Q8_0Codec.D_OFFSET);
                    sumf += sumi * (dw * dx);
                }
                case Q4_0 -> {
                    int sumi0 = 0;
                    int sumi1 = 0;
                    for (int j = 0; j < 16; j++) {
                        int q = LittleEndian.readU8(w, wb + Q4_0Codec.QS_OFFSET + j);
                        sumi0 += ((q & 0x0F) - 8) * xq.get(LittleEndian.BYTE, xqs + j);
                        sumi1 += ((q >>> 4) - 8) * xq.get(LittleEndian.BYTE, xqs + j + 16);
                    }
                    int sumi = sumi0 + sumi1;
                    float dw = LittleEndian.readHalf(w, wb + Q4_0Codec.D_OFFSET);
                    sumf += sumi * dw * dx;
                }
                default -> { // Q5_0
                    int qh = w.get(LittleEndian.INT, wb + Q5_0Codec.QH_OFFSET);
                    int sumi0 = 0;
                    int sumi1 = 0;
                    for (int j = 0; j < 16; j++) {
                        int q = LittleEndian.readU8(w, wb + Q5_0Codec.QS_OFFSET + j);
                        int x0 = ((q & 0x0F) | (((qh >>> j) & 1) << 4)) - 16;
                        int x1 = ((q >>> 4) | (((qh >>> (j + 16)) & 1) << 4)) - 16;
                        sumi0 += x0 * xq.get(LittleEndian.BYTE, xqs + j);
                        sumi1 += x1 * xq.get(LittleEndian.BYTE, xqs + j + 16);
                    }
                    int sumi = sumi0 + sumi1;
                    float dw = LittleEndian.readHalf(w, wb + Q5_0Codec.D_OFFSET);
                    sumf += (dw * dx) * sumi;
                }
            }
        }
        return sumf;
    }
}
