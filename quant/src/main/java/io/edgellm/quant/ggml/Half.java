package io.edgellm.quant.ggml;

/**
 * Conversions between {@code float} and the two 16-bit float formats of ggml: IEEE 754 binary16 ({@code F16},
 * ggml's {@code ggml_fp16_t}) and bfloat16 ({@code BF16}, {@code ggml_bf16_t}). Values travel as the raw 16 bits in a
 * {@code short}.
 *
 * <pre>
 *   binary16:  s eeeee mmmmmmmmmm            exponent bias 15, subnormals, max 65504
 *   bfloat16:  s eeeeeeee mmmmmmm            the upper half of a binary32 float (same exponent range)
 *   binary32:  s eeeeeeee mmmmmmmmmmmmmmmmmmmmmmm
 * </pre>
 *
 * <p>Rounding is what ggml does:
 * <ul>
 *   <li>{@link #fromFloat}: round to nearest, ties to even, overflow to infinity, subnormal results kept - the same
 *       as ggml's {@code ggml_compute_fp32_to_fp16} (the bit trick of the FP16 library) and as the F16C instruction
 *       {@code vcvtps2ph} with rounding mode 0. NaN becomes the quiet NaN {@code 0x7E00} with the input's sign, as in
 *       {@code ggml_compute_fp32_to_fp16} (F16C hardware would instead keep the top payload bits; only NaN inputs
 *       can tell the two apart).</li>
 *   <li>{@link #floatToBf16}: ggml's {@code ggml_compute_fp32_to_bf16}: NaN → upper 16 bits with the quiet bit
 *       ({@code 0x40}) forced; otherwise add {@code 0x7FFF + lsb} and keep the upper 16 bits (round to nearest,
 *       ties to even; overflow rounds to infinity; subnormals are rounded, not flushed - the current ggml
 *       behaviour, older versions flushed them to zero).</li>
 * </ul>
 * Widening ({@link #toFloat}, {@link #bf16ToFloat}) is exact.
 */
public final class Half {

    private Half() {
    }

    /** Quiet NaN that ggml's scalar fp32→fp16 conversion produces for every NaN input (sign added separately). */
    private static final short F16_QUIET_NAN = 0x7E00;

    /**
     * The float value of an IEEE binary16 number.
     *
     * @param h the 16 bits of the half (as stored in GGUF, little-endian already decoded)
     * @return the exactly equal float (NaN payloads are kept)
     */
    public static float toFloat(short h) {
        return Float.float16ToFloat(h);
    }

    /**
     * Rounds a float to the nearest IEEE binary16 value (ties to even), as ggml's {@code GGML_FP32_TO_FP16}.
     * {@link Float#floatToFloat16} implements exactly this rounding for every non-NaN input (checked against a port
     * of ggml's algorithm in {@code HalfTest}); NaN is canonicalised to {@code ±0x7E00} like ggml's scalar code.
     *
     * @param f any float
     * @return the 16 bits of the nearest half
     */
    public static short fromFloat(float f) {
        if (Float.isNaN(f)) {
            int sign = (Float.floatToRawIntBits(f) >>> 16) & 0x8000;
            return (short) (sign | F16_QUIET_NAN);
        }
        return Float.floatToFloat16(f);
    }

    /**
     * The float value of a bfloat16 number: its 16 bits become the upper half of a binary32.
     *
     * @param b the 16 bits of the bfloat16
     * @return the exactly equal float
     */
    public static float bf16ToFloat(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }

    /**
     * Rounds a float to bfloat16 as ggml's {@code ggml_compute_fp32_to_bf16}: round to nearest, ties to even,
     * NaN made quiet.
     *
     * @param f any float
     * @return the 16 bits of the bfloat16
     */
    public static short floatToBf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7FFF_FFFF) > 0x7F80_0000) {
            // NaN: keep sign and the top of the payload, set the quiet bit so truncation cannot make it infinity
            return (short) ((u >>> 16) | 0x40);
        }
        // Adding 0x7FFF (+1 when the kept lsb is odd) carries into bit 16 exactly when the dropped half is above
        // 0x8000, or equal to it and the kept part is odd: round to nearest, ties to even. Unsigned 32-bit
        // arithmetic, as in C (the carry out of bit 31 is impossible for non-NaN inputs).
        return (short) ((u + (0x7FFF + ((u >>> 16) & 1))) >>> 16);
    }
}
