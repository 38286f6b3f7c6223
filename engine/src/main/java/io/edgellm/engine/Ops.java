package io.edgellm.engine;

/**
 * Element-wise and row-wise float operations of the forward pass, with ggml's arithmetic (sums of squares and softmax
 * denominators accumulated in double like ggml's {@code ggml_float}). All arrays are row-major; {@code off} arguments
 * are element offsets.
 */
public final class Ops {
    private Ops() {
    }

    /**
     * RMSNorm (Zhang &amp; Sennrich 2019): {@code out[i] = x[i] / sqrt(mean(x²) + eps) * w[i]} over {@code n} elements
     * ({@code ggml_rms_norm} followed by {@code ggml_mul} with the norm weight).
     *
     * @param out    destination
     * @param outOff offset in out
     * @param x      input
     * @param xOff   offset in x
     * @param w      norm weight, n floats
     * @param n      elements
     * @param eps    {@code layer_norm_rms_epsilon}
     */
    public static void rmsNorm(float[] out, int outOff, float[] x, int xOff, float[] w, int n, float eps) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            sum += (double) (v * v);
        }
        float mean = (float) (sum / n);
        float scale = 1.0f / (float) Math.sqrt(mean + eps);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (x[xOff + i] * scale) * w[i];
        }
    }

    /**
     * In-place softmax of {@code x[off .. off+n)}: {@code exp(x - max) / sum} (ggml {@code soft_max}).
     *
     * @param x   values, replaced by probabilities
     * @param off first element
     * @param n   elements
     */
    public static void softmax(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) {
            x[off + i] *= inv;
        }
    }

    /**
     * SwiGLU gate: {@code gate[i] = silu(gate[i]) * up[i]} with {@code silu(x) = x / (1 + e^-x)}.
     *
     * @param gate gate projection, replaced by the result
     * @param up   up projection
     * @param off  first element
     * @param n    elements
     */
    public static void swiglu(float[] gate, float[] up, int off, int n) {
        for (int i = off; i < off + n; i++) {
            float g = gate[i];
            gate[i] = g / (1.0f + (float) Math.exp(-g)) * up[i];
        }
    }

    /**
     * {@code acc[i] += x[i]} (the residual connection).
     *
     * @param acc accumulator
     * @param x   addend
     * @param off first element (same in both)
     * @param n   elements
     */
    public static void add(float[] acc, float[] x, int off, int n) {
        for (int i = off; i < off + n; i++) {
            acc[i] += x[i];
        }
    }

    /**
     * Plain dot product of two float runs, summed left to right.
     *
     * @param a    first vector
     * @param aOff offset in a
     * @param b    second vector
     * @param bOff offset in b
     * @param n    elements
     * @return the sum of products
     */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float s = 0;
        for (int i = 0; i < n; i++) {
            s += a[aOff + i] * b[bOff + i];
        }
        return s;
    }

    /**
     * LayerNorm: {@code out[i] = (x[i] - mean) / sqrt(var + eps) * w[i] + b[i]} ({@code ggml_norm} with its sums in
     * double, then {@code ggml_mul} and {@code ggml_add}).
     *
     * @param out    destination
     * @param outOff offset in out
     * @param x      input
     * @param xOff   offset in x
     * @param w      norm weight, n floats
     * @param b      norm bias, n floats, or null
     * @param n      elements
     * @param eps    {@code layer_norm_epsilon}
     */
    public static void layerNorm(float[] out, int outOff, float[] x, int xOff, float[] w, float[] b, int n, float eps) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += x[xOff + i];
        float mean = (float) (sum / n);
        double sq = 0;
        for (int i = 0; i < n; i++) {
            float d = x[xOff + i] - mean;
            out[outOff + i] = d;
            sq += (double) (d * d);
        }
        float variance = (float) (sq / n);
        float scale = 1.0f / (float) Math.sqrt(variance + eps);
        for (int i = 0; i < n; i++) {
            float y = out[outOff + i] * scale * w[i];
            out[outOff + i] = b != null ? y + b[i] : y;
        }
    }

    /** {@code sqrt(2/pi)}, as ggml's {@code SQRT_2_OVER_PI}. */
    static final float SQRT_2_OVER_PI = 0.79788456080286535587989211986876f;
    /** ggml's {@code GELU_COEF_A}. */
    static final float GELU_COEF_A = 0.044715f;

    /**
     * tanh-approximated GELU (Hendrycks and Gimpel 2016) in float:
     * {@code 0.5 x (1 + tanh(sqrt(2/pi) x (1 + 0.044715 x²)))}; ggml's {@code ggml_gelu_f32}.
     *
     * @param x input
     * @return GELU(x)
     */
    public static float geluTanh(float x) {
        return 0.5f * x * (1.0f + (float) Math.tanh(SQRT_2_OVER_PI * x * (1.0f + GELU_COEF_A * x * x)));
    }

    /** GELU of every FP16 value, rounded to FP16 and widened back (ggml-cpu's {@code ggml_table_gelu_f16}). */
    private static final float[] GELU_F16 = new float[65536];

    static {
        for (int h = 0; h < 65536; h++) {
            float f = Float.float16ToFloat((short) h);
            GELU_F16[h] = Float.float16ToFloat(Float.floatToFloat16(geluTanh(f)));
        }
    }

    /**
     * GELU as llama.cpp's CPU backend computes it ({@code ggml_vec_gelu_f32} with {@code GGML_GELU_FP16}): 0 for
     * {@code x <= -10}, x for {@code x >= 10}, otherwise a table lookup at {@code fp16(x)} of {@code fp16(geluTanh)}.
     * Input and output are thus rounded to FP16 (the reason the GELU architectures' goldens have a 5e-3 floor).
     *
     * @param x input
     * @return GELU(x) as ggml's table gives it
     */
    public static float gelu(float x) {
        if (x <= -10f) return 0f;
        if (x >= 10f) return x;
        return GELU_F16[Float.floatToFloat16(x) & 0xffff];
    }

    /**
     * {@code x[i] = gelu(x[i])} ({@link #gelu}) over {@code x[off .. off+n)}.
     *
     * @param x   values, replaced
     * @param off first element
     * @param n   elements
     */
    public static void gelu(float[] x, int off, int n) {
        for (int i = off; i < off + n; i++) x[i] = gelu(x[i]);
    }

    /**
     * GeGLU gate: {@code gate[i] = gelu(gate[i]) * up[i]} ({@code ggml_vec_geglu_f32}).
     *
     * @param gate gate projection, replaced by the result
     * @param up   up projection
     * @param off  first element
     * @param n    elements
     */
    public static void geglu(float[] gate, float[] up, int off, int n) {
        for (int i = off; i < off + n; i++) gate[i] = gelu(gate[i]) * up[i];
    }

    /**
     * Soft-capping {@code x[i] = cap * tanh(x[i] / cap)} (Gemma 2's attention-logit and final-logit capping).
     *
     * @param x   values, replaced
     * @param off first element
     * @param n   elements
     * @param cap the cap, &gt; 0
     */
    public static void softcap(float[] x, int off, int n, float cap) {
        float inv = 1.0f / cap;
        for (int i = off; i < off + n; i++) x[i] = cap * (float) Math.tanh(x[i] * inv);
    }

    /**
     * {@code x[i] *= s} over {@code x[off .. off+n)} ({@code ggml_scale}).
     *
     * @param x   values
     * @param off first element
     * @param n   elements
     * @param s   factor
     */
    public static void scale(float[] x, int off, int n, float s) {
        for (int i = off; i < off + n; i++) x[i] *= s;
    }
}
