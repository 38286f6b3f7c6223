package io.edgellm.quant.kernel;

import io.edgellm.quant.GgmlType;
import io.edgellm.quant.ggml.Half;
import io.edgellm.quant.ggml.LittleEndian;
import io.edgellm.quant.ggml.Quantize;

import java.lang.foreign.MemorySegment;
import java.util.Locale;

/**
 * How activations are quantized to Q8_0 / Q8_1 for {@link ActivationPrecision#VEC_DOT_TYPE}.
 *
 * <p>llama.cpp does not use one quantizer everywhere: its CPU backend calls the architecture-specific
 * {@code quantize_row_q8_0} / {@code quantize_row_q8_1} (ggml-cpu/arch/&lt;arch&gt;/quants.c), which differ from the
 * reference {@code quantize_row_q8_0_ref} in the reciprocal scale and in how ties round. A quant that lands on the
 * other side of a rounding boundary changes the dot product by {@code d_x * w}, which is visible in the logits
 * (on TinyStories-656K-Q4_0 against the x86 golden logits: 0.24 max |diff| with the reference quantizer, 4e-6 with
 * {@link #LLAMA_CPP_X86}). Per block of 32 with {@code amax = max |x_i|} and {@code d = amax / 127} (stored as f16):
 * <pre>
 *   GGML_REFERENCE  id = d != 0 ? 1/d : 0        q = roundf(x*id)   (half away from zero)   quantize_row_q8_0_ref
 *   LLAMA_CPP_X86   id = amax != 0 ? 127/amax : 0 q = rint(x*id)    (half to even)          AVX/AVX2/AVX-512
 *   LLAMA_CPP_ARM   id = d != 0 ? 1/d : 0        q = rint(x*id)    (half to even, vcvtnq)   NEON
 * </pre>
 * Q8_1 adds {@code s = f16(d * sum(q))} in every variant. Q8_K (K-quants) always uses the reference quantizer, as
 * llama.cpp does.
 */
public enum ActivationQuantizer {
    /** ggml's reference {@code quantize_row_q8_0_ref} / {@code quantize_row_q8_1_ref} (the {@link Quantize} codecs). */
    GGML_REFERENCE,
    /** llama.cpp's x86 SIMD quantizers (AVX, AVX2, AVX-512 builds). */
    LLAMA_CPP_X86,
    /** llama.cpp's ARM NEON quantizers (aarch64 builds: Raspberry Pi 5, Jetson Orin, Apple). */
    LLAMA_CPP_ARM;

    /** The variant llama.cpp uses on this machine's architecture ({@code os.arch}); the reference elsewhere. */
    public static ActivationQuantizer forThisPlatform() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("x86") || arch.equals("i386")) {
            return LLAMA_CPP_X86;
        }
        if (arch.equals("aarch64") || arch.equals("arm64")) {
            return LLAMA_CPP_ARM;
        }
        return GGML_REFERENCE;
    }

    /**
     * Quantizes {@code n} floats (a multiple of 32) to {@code type} (Q8_0: 34-byte blocks {@code d f16 | qs[32]};
     * Q8_1: 36-byte blocks {@code d f16 | s f16 | qs[32]}) at {@code dst[dstOffset]}.
     *
     * @throws IllegalArgumentException for another type or a bad {@code n}
     */
    public void quantizeRow(GgmlType type, float[] x, int xOffset, int n, MemorySegment dst, long dstOffset) {
        if (type != GgmlType.Q8_0 && type != GgmlType.Q8_1) {
            throw new IllegalArgumentException("activation quantizer: Q8_0 or Q8_1 expected, not " + type);
        }
        if (this == GGML_REFERENCE) {
            Quantize.row(type, x, xOffset, n, dst, dstOffset);
            return;
        }
        if (n % 32 != 0) {
            throw new IllegalArgumentException("row length " + n + " is not a multiple of 32");
        }
        boolean q81 = type == GgmlType.Q8_1;
        int bpb = type.bytesPerBlock();
        int qs = q81 ? 4 : 2;
        for (int b = 0; b < n / 32; b++) {
            int xb = xOffset + 32 * b;
            float amax = 0f;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[xb + j]));
            }
            float d = amax / 127f;
            float id = this == LLAMA_CPP_X86 ? (amax != 0f ? 127f / amax : 0f) : (d != 0f ? 1f / d : 0f);
            long o = dstOffset + (long) b * bpb;
            dst.set(LittleEndian.SHORT, o, Half.fromFloat(d));
            int sum = 0;
            for (int j = 0; j < 32; j++) {
                int q = (int) Math.rint(x[xb + j] * id);   // round half to even, as _mm256_round_ps / vcvtnq_s32_f32
                sum += q;
                dst.set(LittleEndian.BYTE, o + qs + j, (byte) q);
            }
            if (q81) {
                dst.set(LittleEndian.SHORT, o + 2, Half.fromFloat(d * sum));
            }
        }
    }
}
