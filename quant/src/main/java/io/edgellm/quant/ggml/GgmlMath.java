package io.edgellm.quant.ggml;

/** The two rounding functions ggml's quantizers use; they differ on ties and must not be mixed up. */
final class GgmlMath {

    private GgmlMath() {
    }

    /**
     * C's {@code roundf}: round half away from zero (2.5 → 3, -2.5 → -3). Used by {@code quantize_row_q8_0_ref} and
     * {@code quantize_row_q8_1_ref}. Not {@link Math#round(float)} (half up: -2.5 → -2) and not {@link Math#rint}
     * (half even). Computed in double, where {@code |x| + 0.5} is exact for every float, so no false carry occurs
     * (in float, 0.49999997f + 0.5f would round up to 1).
     */
    static float roundf(float x) {
        double t = Math.floor(Math.abs((double) x) + 0.5);
        return (float) Math.copySign(t, x);
    }

    /**
     * ggml's {@code nearest_int}: adds 1.5·2^23 (12582912f) in float so the FPU rounds to an integer (to nearest,
     * ties to even), then reads that integer out of the low mantissa bits. Valid for {@code |x| <= 4194303}
     * (2^22 - 1), like ggml's assert; equal to {@code (int) Math.rint(x)} there. Used by the K-quant quantizers and
     * {@code quantize_row_q8_K_ref}.
     */
    static int nearestInt(float x) {
        float val = x + 12582912.0f;
        int bits = Float.floatToRawIntBits(val);
        return (bits & 0x007F_FFFF) - 0x0040_0000;
    }
}
