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
    }
}
