package io.edgellm.quant.kernel;

import io.edgellm.quant.GgmlType;

/**
 * How {@link MatMul} treats the F32 activation vector before the dot products with a weight matrix.
 *
 * <p>llama.cpp's CPU backend never multiplies quantized weights with F32 activations: it first converts the activation
 * row to the weight type's {@code vec_dot_type} ({@link GgmlType#vecDotType()}: Q8_0 for Q4_0/Q5_0/Q8_0, Q8_1 for
 * Q4_1/Q5_1, Q8_K for the K-quants, F16 for F16, BF16 for BF16) and runs the dot product on that. Matching llama.cpp's
 * logits closely (~1e-2 on small models) requires the same rounding; keeping activations in F32 is slightly more
 * accurate but differs from llama.cpp by up to ~1e-1.
 */
public enum ActivationPrecision {
    /** Activations stay F32; the weights are decoded block by block and multiplied with the exact activations. */
    F32,
    /**
     * Activations are rounded to {@code type.vecDotType()} once per row, as llama.cpp does. Q8_0 and Q4_0 weights then
     * use the integer kernels (Q8_0·Q8_0, Q4_0·Q8_0); the other types use the rounded values in the float kernels,
     * which equals llama.cpp's integer dot up to the float summation order.
     */
    VEC_DOT_TYPE
}
