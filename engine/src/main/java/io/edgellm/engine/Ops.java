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
}
