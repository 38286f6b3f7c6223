package io.edgellm.engine;

/**
 * The float-array loops of attention (dot product, {@code y += a·x}), on the JDK Vector API when the
 * {@code jdk.incubator.vector} module is loaded and as plain loops otherwise (the class that touches the Vector API is
 * only loaded in the first case, so the engine runs without the module).
 */
final class VectorMath {
    private VectorMath() {
    }

    static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !Boolean.getBoolean("edgellm.noVector");

    /** {@code sum_i a[ao+i] * b[bo+i]} for {@code i < n}. */
    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        return VECTOR ? Simd.dot(a, ao, b, bo, n) : Ops.dot(a, ao, b, bo, n);
    }

    /** {@code y[yo+i] += alpha * x[xo+i]} for {@code i < n}. */
    static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        if (VECTOR) {
            Simd.axpy(alpha, x, xo, y, yo, n);
        } else {
            for (int i = 0; i < n; i++) y[yo + i] += alpha * x[xo + i];
        }
    }

    /** {@code x = cap * tanh(x / cap)} over {@code x[off .. off+n)}; see {@link Ops#softcap}. */
    static void softcap(float[] x, int off, int n, float cap) {
        if (VECTOR) {
            Simd.softcap(x, off, n, cap);
        } else {
            Ops.softcap(x, off, n, cap);
        }
    }

    /** tanh-GELU over {@code x[off .. off+n)} in float (not ggml's FP16 table); see {@link Ops#geluTanh}. */
    static void geluTanh(float[] x, int off, int n) {
        if (VECTOR) {
            Simd.geluTanh(x, off, n);
        } else {
            for (int i = off; i < off + n; i++) x[i] = Ops.geluTanh(x[i]);
        }
    }

    /** LayerNorm of one row with float lane sums; see {@link Ops#layerNorm} (the double-sum reference). */
    static void layerNorm(float[] out, int outOff, float[] x, int xOff, float[] w, float[] b, int n, float eps) {
        if (VECTOR) {
            Simd.layerNorm(out, outOff, x, xOff, w, b, n, eps);
        } else {
            Ops.layerNorm(out, outOff, x, xOff, w, b, n, eps);
        }
    }

    /** {@code gate[i] *= up[i]} over {@code [off, off+n)} (the product of a GLU after its activation). */
    static void mul(float[] gate, float[] up, int off, int n) {
        if (VECTOR) {
            Simd.mul(gate, up, off, n);
        } else {
            for (int i = off; i < off + n; i++) gate[i] *= up[i];
        }
    }

    /** Vector API implementations (loaded only when the module is present). */
    private static final class Simd {
        private static final jdk.incubator.vector.VectorSpecies<Float> S = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;

        static float dot(float[] a, int ao, float[] b, int bo, int n) {
            int i = 0;
            float sum = 0f;
            int bound = S.loopBound(n);
            if (bound > 0) {
                var acc = jdk.incubator.vector.FloatVector.zero(S);
                for (; i < bound; i += S.length()) {
                    var va = jdk.incubator.vector.FloatVector.fromArray(S, a, ao + i);
                    var vb = jdk.incubator.vector.FloatVector.fromArray(S, b, bo + i);
                    acc = va.fma(vb, acc);
                }
                sum = acc.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
            }
            for (; i < n; i++) sum += a[ao + i] * b[bo + i];
            return sum;
        }

        static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
            int i = 0;
            int bound = S.loopBound(n);
            if (bound > 0) {
                var va = jdk.incubator.vector.FloatVector.broadcast(S, alpha);
                for (; i < bound; i += S.length()) {
                    var vx = jdk.incubator.vector.FloatVector.fromArray(S, x, xo + i);
                    var vy = jdk.incubator.vector.FloatVector.fromArray(S, y, yo + i);
                    vx.fma(va, vy).intoArray(y, yo + i);
                }
            }
            for (; i < n; i++) y[yo + i] += alpha * x[xo + i];
        }
    
        static void softcap(float[] x, int off, int n, float cap) {
            int i = 0;
            int bound = S.loopBound(n);
            float inv = 1.0f / cap;
            for (; i < bound; i += S.length()) {
                var vx = jdk.incubator.vector.FloatVector.fromArray(S, x, off + i);
                vx.mul(inv).lanewise(jdk.incubator.vector.VectorOperators.TANH).mul(cap).intoArray(x, off + i);
            }
            for (; i < n; i++) x[off + i] = cap * (float) Math.tanh(x[off + i] * inv);
        }

        static void geluTanh(float[] x, int off, int n) {
            int i = 0;
            int bound = S.loopBound(n);
            for (; i < bound; i += S.length()) {
                var vx = jdk.incubator.vector.FloatVector.fromArray(S, x, off + i);
                var inner = vx.mul(vx).mul(Ops.GELU_COEF_A).add(1.0f).mul(vx).mul(Ops.SQRT_2_OVER_PI);
                var t = inner.lanewise(jdk.incubator.vector.VectorOperators.TANH).add(1.0f);
                vx.mul(0.5f).mul(t).intoArray(x, off + i);
            }
            for (; i < n; i++) x[off + i] = Ops.geluTanh(x[off + i]);
        }

        static void layerNorm(float[] out, int outOff, float[] x, int xOff, float[] w, float[] b, int n, float eps) {
            int bound = S.loopBound(n);
            var acc = jdk.incubator.vector.FloatVector.zero(S);
            int i = 0;
            for (; i < bound; i += S.length()) acc = acc.add(jdk.incubator.vector.FloatVector.fromArray(S, x, xOff + i));
            float sum = acc.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
            for (; i < n; i++) sum += x[xOff + i];
            float mean = sum / n;
            var sq = jdk.incubator.vector.FloatVector.zero(S);
            i = 0;
            for (; i < bound; i += S.length()) {
                var d = jdk.incubator.vector.FloatVector.fromArray(S, x, xOff + i).sub(mean);
                d.intoArray(out, outOff + i);
                sq = d.fma(d, sq);
            }
            float s2 = sq.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
            for (; i < n; i++) {
                float d = x[xOff + i] - mean;
                out[outOff + i] = d;
                s2 += d * d;
            }
            float scale = 1.0f / (float) Math.sqrt(s2 / n + eps);
            i = 0;
            for (; i < bound; i += S.length()) {
                var y = jdk.incubator.vector.FloatVector.fromArray(S, out, outOff + i).mul(scale)
                        .mul(jdk.incubator.vector.FloatVector.fromArray(S, w, i));
                if (b != null) y = y.add(jdk.incubator.vector.FloatVector.fromArray(S, b, i));
                y.intoArray(out, outOff + i);
            }
            for (; i < n; i++) {
                float y = out[outOff + i] * scale * w[i];
                out[outOff + i] = b != null ? y + b[i] : y;
            }
        }

        static void mul(float[] a, float[] b, int off, int n) {
            int i = 0;
            int bound = S.loopBound(n);
            for (; i < bound; i += S.length()) {
                jdk.incubator.vector.FloatVector.fromArray(S, a, off + i)
                        .mul(jdk.incubator.vector.FloatVector.fromArray(S, b, off + i)).intoArray(a, off + i);
            }
            for (; i < n; i++) a[off + i] *= b[off + i];
        }
    }
}
