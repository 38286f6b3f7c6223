/**
 * Scalar reference implementations of ggml's tensor formats: the readable layer that says what every byte of a
 * quantized GGUF tensor means, bit-exact with llama.cpp.
 *
 * <ul>
 *   <li>{@link io.edgellm.quant.ggml.Half}: IEEE half and bfloat16 conversions (ggml's rounding).</li>
 *   <li>One codec class per block format, each with its block layout drawn in its class comment:
 *       {@link io.edgellm.quant.ggml.Q4_0Codec}, {@link io.edgellm.quant.ggml.Q4_1Codec},
 *       {@link io.edgellm.quant.ggml.Q5_0Codec}, {@link io.edgellm.quant.ggml.Q5_1Codec},
 *       {@link io.edgellm.quant.ggml.Q8_0Codec}, {@link io.edgellm.quant.ggml.Q8_1Codec},
 *       {@link io.edgellm.quant.ggml.Q2_KCodec}, {@link io.edgellm.quant.ggml.Q3_KCodec},
 *       {@link io.edgellm.quant.ggml.Q4_KCodec}, {@link io.edgellm.quant.ggml.Q5_KCodec},
 *       {@link io.edgellm.quant.ggml.Q6_KCodec}, {@link io.edgellm.quant.ggml.Q8_KCodec}.</li>
 *   <li>{@link io.edgellm.quant.ggml.Dequantize} and {@link io.edgellm.quant.ggml.Quantize}: row-level entry points
 *       by {@link io.edgellm.quant.GgmlType}.</li>
 *   <li>{@link io.edgellm.quant.ggml.ScalarDot}: the reference dot products the Vector API kernels are tested
 *       against.</li>
 * </ul>
 *
 * Sources: ggml-common.h (block structs), ggml-quants.c ({@code dequantize_row_*}, {@code quantize_row_*_ref}),
 * ggml-impl.h (fp16/bf16 conversions), ggml-cpu/quants.c ({@code ggml_vec_dot_*_generic}) of llama.cpp.
 * Everything is little-endian; blocks are read straight from a {@link java.lang.foreign.MemorySegment} with
 * unaligned accesses ({@link io.edgellm.quant.ggml.LittleEndian}).
 */
package io.edgellm.quant.ggml;
