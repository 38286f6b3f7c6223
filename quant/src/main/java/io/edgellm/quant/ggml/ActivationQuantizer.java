package io.edgellm.quant.ggml;

/**
 * The three ways llama.cpp's CPU backend rounds activations to Q8_0 / Q8_1 before an integer dot product
 * ({@code from_float} of the weight type's {@code vec_dot_type}). They give the same bytes except on ties and on
 * rare one-ulp differences of the inverse scale, i.e. a quant is off by one now and then - enough to break a
 * bit-for-bit comparison with llama.cpp's logits, not enough to matter for quality. Q8_K and the float types are
 * quantized the same way everywhere.
 *
 * <table>
 *   <caption>Q8_0 / Q8_1 activation quantizers</caption>
 *   <tr><th>variant</th><th>ggml routine</th><th>inverse scale</th><th>rounding</th></tr>
 *   <tr><td>{@link #REFERENCE}</td><td>{@code quantize_row_q8_0_ref} (scalar builds; what {@code llama-quantize}
 *       writes)</td><td>{@code 1 / (amax / 127)}</td><td>{@code roundf}: half away from zero</td></tr>
 *   <tr><td>{@link #X86_AVX}</td><td>{@code quantize_row_q8_0} in ggml-cpu/arch/x86/quants.c (AVX, AVX2, AVX-512
 *       builds)</td><td>{@code 127 / amax}</td><td>{@code _mm256_round_ps(_MM_ROUND_NEAREST)}: half to even</td></tr>
 *   <tr><td>{@link #ARM_NEON}</td><td>{@code quantize_row_q8_0} in ggml-cpu/arch/arm/quants.c (aarch64: Raspberry
 *       Pi 5, Jetson Orin)</td><td>{@code 1 / (amax / 127)}</td><td>{@code vcvtnq_s32_f32}: half to even</td></tr>
 * </table>
 * In all three the stored scale is {@code f16(amax / 127)} and, for Q8_1, {@code s = f16(d * sum(qs))}.
 */
public enum ActivationQuantizer {
    /** ggml's reference quantizer: {@code id = 1/(amax/127)}, round half away from zero. */
    REFERENCE,
    /** llama.cpp on x86 with AVX/AVX2/AVX-512: {@code id = 127/amax}, round half to even. */
    X86_AVX,
    /** llama.cpp on ARM with NEON: {@code id = 1/(amax/127)}, round half to even. */
    ARM_NEON;

    /** The inverse scale this variant multiplies by, for a block whose largest magnitude is {@code amax}. */
    float inverseScale(float amax) {
        if (this == X86_AVX) {
            return amax != 0.0f ? 127.0f / amax : 0.0f;
        }
        float d = amax / ((1 << 7) - 1);
        return d != 0.0f ? 1.0f / d : 0.0f;
    }

    /** Rounds {@code v} (already multiplied by the inverse scale) to an integer the way this variant does. */
    int round(float v) {
        return this == REFERENCE ? (int) GgmlMath.roundf(v) : (int) Math.rint(v);
    }
}
