package io.edgellm.quant.kernel;

/**
 * In which order {@link MatMul} adds up the products of a dot product, under {@link ActivationPrecision#VEC_DOT_TYPE}.
 *
 * <p>Float addition is not associative, so two correct kernels give results a few ulps apart. Usually that does not
 * matter, but the next layer rounds its input to Q8_0 again, and an activation within an ulp of a rounding boundary
 * then lands on the other integer: on tiny models one such flip moves logits by 0.1–0.3. To compare with llama.cpp
 * bit for bit, {@link #LLAMA_CPP_X86} adds in llama.cpp's own order.
 */
public enum AccumulationOrder {
    /** The fastest order of this library's kernels (Vector API lanes of the running species). The default. */
    KERNEL,
    /**
     * llama.cpp's x86 (AVX2 / AVX-512) order for Q8_0 and Q4_0 weights, see {@link LlamaCppX86Dot}: eight lanes of
     * four-element groups with one FMA per block and {@code hsum_float_8} (Q8_0; unpacked Q4_0), or one FMA per whole
     * block (repacked Q4_0); F16 weights in {@code ggml_vec_dot_f16}'s AVX-512 order. Other weight types keep
     * {@link #KERNEL}. A reproducibility mode: scalar Java, several times
     * slower than {@link #KERNEL}; use it to compare logits with llama.cpp, not to run models.
     */
    LLAMA_CPP_X86
}
