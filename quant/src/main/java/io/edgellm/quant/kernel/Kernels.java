package io.edgellm.quant.kernel;

import io.edgellm.quant.GgmlType;
import io.edgellm.quant.ggml.LittleEndian;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Per-type dot products of one weight row (ggml block layout, in a {@link MemorySegment}) with activations.
 *
 * <p>Two implementations sit behind this class, chosen once when it is initialized:
 * <ul>
 *   <li>the Vector API kernels ({@code VectorBackend}), written once for any vector width
 *       ({@code FloatVector.SPECIES_PREFERRED}: 128-bit NEON, 256-bit AVX2, 512-bit AVX-512/SVE, wider SVE), used
 *       when the module {@code jdk.incubator.vector} is in the boot layer (JVM flag
 *       {@code --add-modules jdk.incubator.vector});</li>
 *   <li>the scalar reference codecs of {@code io.edgellm.quant.ggml} otherwise, or when the system property
 *       {@value #PROPERTY}{@code =scalar} is set. One SLF4J warning says so (printed to
 *       {@code System.err} when no SLF4J provider is bound).</li>
 * </ul>
 * Supported weight types for {@link #dot}: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K,
 * Q6_K, all fused vector kernels (blocks decoded in vector registers, FMA with the activations). All methods are thread-safe and allocation-free after warm-up.
 */
public final class Kernels {

    /** System property that selects the implementation: {@code auto} (default) or {@code scalar}. */
    public static final String PROPERTY = "edgellm.kernels";

    private static final Logger LOG = LoggerFactory.getLogger(Kernels.class);

    static final KernelBackend BACKEND = select();

    private Kernels() {
    }

    private static KernelBackend select() {
        String mode = System.getProperty(PROPERTY, "auto").trim();
        if (mode.equalsIgnoreCase("scalar")) {
            warn("edgellm kernels: using the SCALAR fallback because -D" + PROPERTY + "=scalar is set (much slower "
                    + "than the Vector API kernels)");
            return ScalarBackend.INSTANCE;
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            warn("edgellm kernels: module jdk.incubator.vector is not loaded, so the SCALAR fallback kernels are "
                    + "used (several times slower). Start the JVM with --add-modules jdk.incubator.vector to use the "
                    + "Vector API kernels.");
            return ScalarBackend.INSTANCE;
        }
        try {
            // Loaded by name so that nothing links against jdk.incubator.vector unless it is present.
            Class<?> c = Class.forName("io.edgellm.quant.kernel.VectorBackend");
            KernelBackend backend = (KernelBackend) c.getDeclaredConstructor().newInstance();
            LOG.debug("edgellm kernels: {}", backend.description());
            return backend;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            warn("edgellm kernels: the Vector API kernels are unavailable (" + cause + "), so the SCALAR fallback "
                    + "kernels are used (several times slower)");
            return ScalarBackend.INSTANCE;
        }
    }

    /**
     * Logs a warning through SLF4J, or, when no SLF4J provider is bound (SLF4J would drop it after its own "no
     * providers" notice), prints it once to {@code System.err}.
     */
    static void warn(String message) {
        if (LoggerFactory.getILoggerFactory() instanceof org.slf4j.helpers.NOPLoggerFactory) {
            System.err.println("WARNING: " + message);
        } else {
            LOG.warn(message);
        }
    }

    /** Which implementation is in use, e.g. {@code "Vector API: FloatVector.SPECIES_PREFERRED = Species[float, 8, S_256_BIT] ..."}. */
    public static String description() {
        return BACKEND.description();
    }

    /** True when the Vector API kernels are in use, false for the scalar fallback. */
    public static boolean isVectorized() {
        return BACKEND != ScalarBackend.INSTANCE;
    }

    /**
     * Dot product of one weight row with F32 activations: {@code sum_{i<n} W[i] * x[xOffset + i]} where {@code W} is
     * the dequantized row (the activations are used exactly; see {@link ActivationPrecision}).
     *
     * @param type    weight type: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K
     * @param w       weight bytes (little-endian ggml blocks)
     * @param wOffset byte offset of the row's first block
     * @param x       activations
     * @param xOffset index of the first activation
     * @param n       row length in elements, a multiple of {@code type.blockSize()}
     * @return the dot product (float summation order differs from the scalar reference: compare with a tolerance)
     * @throws IllegalArgumentException for a bad {@code n}, an unsupported type, or a row outside {@code w}
     * @throws IndexOutOfBoundsException if {@code x} is too short
     */
    public static float dot(GgmlType type, MemorySegment w, long wOffset, float[] x, int xOffset, int n) {
        checkRow(type, w, wOffset, n, "w");
        Objects.checkFromIndexSize(xOffset, n, x.length);
        return BACKEND.dot(type, w, wOffset, x, xOffset, n);
    }

    /**
     * llama.cpp's integer dot product {@code ggml_vec_dot_q8_0_q8_0}: Q8_0 weights with Q8_0-quantized activations
     * (ggml layout, e.g. from {@code Quantize.row(GgmlType.Q8_0, ...)}): per block the exact integer sum of the 32
     * products times {@code d_w * d_x}.
     *
     * @param w        Q8_0 weight row at {@code wOffset}
     * @param xq       Q8_0 activation row at {@code xqOffset}
     * @param n        elements, a multiple of 32
     * @return the dot product
     * @throws IllegalArgumentException for a bad {@code n} or rows outside the segments
     */
    public static float dotQ8_0Q8_0(MemorySegment w, long wOffset, MemorySegment xq, long xqOffset, int n) {
        checkRow(GgmlType.Q8_0, w, wOffset, n, "w");
        checkRow(GgmlType.Q8_0, xq, xqOffset, n, "xq");
        Widened x = Widened.of(xq, xqOffset, n);
        // a hand-made activation may hold -128, outside the vector kernel's contract: the scalar sums are exact for any
        KernelBackend k = x.hasMinus128 ? ScalarBackend.INSTANCE : BACKEND;
        return k.dotQ8_0Q8_0(w, wOffset, x.q, 0, x.d, 0, n);
    }

    /**
     * llama.cpp's integer dot product {@code ggml_vec_dot_q4_0_q8_0}: Q4_0 weights (quants {@code q - 8}) with
     * Q8_0-quantized activations.
     *
     * @param w        Q4_0 weight row at {@code wOffset}
     * @param xq       Q8_0 activation row at {@code xqOffset}
     * @param n        elements, a multiple of 32
     * @return the dot product
     * @throws IllegalArgumentException for a bad {@code n} or rows outside the segments
     */
    public static float dotQ4_0Q8_0(MemorySegment w, long wOffset, MemorySegment xq, long xqOffset, int n) {
        checkRow(GgmlType.Q4_0, w, wOffset, n, "w");
        checkRow(GgmlType.Q8_0, xq, xqOffset, n, "xq");
        Widened x = Widened.of(xq, xqOffset, n);
        return BACKEND.dotQ4_0Q8_0(w, wOffset, x.q, 0, x.d, 0, n);
    }

    /**
     * Widens a Q8_0 activation row for the integer kernels: quants to shorts {@code q[qOffset .. qOffset+n)}, the block
     * scales (f16 {@code d}, as floats) to {@code d[dOffset .. dOffset+n/32)}. The kernels then read the activation
     * from the heap and only the weights from a segment: a kernel whose loads saw both a mapped weight file and a
     * native activation buffer ran at half speed on the mapped weights.
     *
     * @return whether some quant is -128 (outside the [-127, 127] the Q8_0·Q8_0 vector kernel takes; no quantizer of
     *         ours writes it, a hand-made row may)
     */
    static boolean widenQ8_0(MemorySegment xq, long xqOffset, int n, short[] q, int qOffset, float[] d, int dOffset) {
        int min = 0;
        for (int b = 0; b < n / 32; b++) {
            long xb = xqOffset + 34L * b;
            d[dOffset + b] = LittleEndian.readHalf(xq, xb);
            for (int j = 0; j < 32; j++) {
                byte v = xq.get(LittleEndian.BYTE, xb + 2 + j);
                q[qOffset + 32 * b + j] = v;
                min = Math.min(min, v);
            }
        }
        return min == Byte.MIN_VALUE;
    }

    /**
     * llama.cpp's integer K-quant dot products ({@code ggml_vec_dot_q4_K_q8_K}, {@code _q5_K_}, {@code _q6_K_}):
     * Q4_K, Q5_K or Q6_K weights with Q8_K-quantized activations (ggml layout, e.g. from
     * {@code Quantize.row(GgmlType.Q8_K, ...)}). Per super-block of 256 the sub-block sums of {@code q_w * q_x},
     * times the 6-bit (Q4_K/Q5_K) or int8 (Q6_K, quants minus 32) scales, are summed exactly in integers, the
     * minimums (Q4_K, Q5_K) come from the activation's {@code bsums} (per 32: {@code bsums[2j] + bsums[2j+1]}); then
     * {@code sum += (d_w*d_x) * isum - (dmin_w*d_x) * imin} (Q6_K: {@code (d_w*d_x) * isum}), super-block after
     * super-block. The result is the same bit for bit with every backend and vector width; against llama.cpp's
     * float summation order ({@link io.edgellm.quant.ggml.ScalarDot#dotQ8_K}) it differs by float rounding only.
     *
     * @param type     Q4_K, Q5_K or Q6_K
     * @param w        weight row at {@code wOffset}
     * @param xq       Q8_K activation row at {@code xqOffset}
     * @param n        elements, a multiple of 256
     * @return the dot product
     * @throws IllegalArgumentException for another type, a bad {@code n} or rows outside the segments
     */
    public static float dotKQ8_K(GgmlType type, MemorySegment w, long wOffset, MemorySegment xq, long xqOffset, int n) {
        checkRow(type, w, wOffset, n, "w");
        checkRow(GgmlType.Q8_K, xq, xqOffset, n, "xq");
        WidenedK x = WidenedK.of(xq, xqOffset, n);
        return switch (type) {
            case Q4_K -> BACKEND.dotQ4_KQ8_K(w, wOffset, x.q, 0, x.d, x.s, 0, n);
            case Q5_K -> BACKEND.dotQ5_KQ8_K(w, wOffset, x.q, 0, x.d, x.s, 0, n);
            case Q6_K -> BACKEND.dotQ6_KQ8_K(w, wOffset, x.q, 0, x.d, x.s, 0, n);
            default -> throw new IllegalArgumentException("dotKQ8_K takes Q4_K, Q5_K or Q6_K weights, not " + type);
        };
    }

    /**
     * Widens a Q8_K activation row (292 bytes per 256) for the K-quant integer kernels: quants to shorts
     * {@code q[qOffset .. qOffset+n)}, the f32 scales to {@code d[dOffset .. dOffset+n/256)}, the sums of each 32
     * quants ({@code bsums[2j] + bsums[2j+1]}, at most 32 * 128 in magnitude) to {@code s[8*dOffset .. 8*dOffset+n/32)}.
     */
    static void widenQ8_K(MemorySegment xq, long xqOffset, int n, short[] q, int qOffset, float[] d, short[] s,
                          int dOffset) {
        for (int b = 0; b < n / 256; b++) {
            long xb = xqOffset + 292L * b;
            d[dOffset + b] = xq.get(LittleEndian.FLOAT, xb);
            for (int j = 0; j < 256; j++) {
                q[qOffset + 256 * b + j] = xq.get(LittleEndian.BYTE, xb + 4 + j);
            }
            for (int j = 0; j < 8; j++) {
                s[8 * (dOffset + b) + j] = (short) (xq.get(LittleEndian.SHORT, xb + 260 + 4L * j)
                        + xq.get(LittleEndian.SHORT, xb + 262 + 4L * j));
            }
        }
    }

    /** Per-thread scratch of {@link #dotKQ8_K}. */
    private static final class WidenedK {
        private static final ThreadLocal<WidenedK> SCRATCH = ThreadLocal.withInitial(WidenedK::new);
        short[] q = new short[0];
        float[] d = new float[0];
        short[] s = new short[0];

        static WidenedK of(MemorySegment xq, long xqOffset, int n) {
            WidenedK x = SCRATCH.get();
            if (x.q.length < n) {
                x.q = new short[n];
                x.d = new float[n / 256];
                x.s = new short[n / 32];
            }
            widenQ8_K(xq, xqOffset, n, x.q, 0, x.d, x.s, 0);
            return x;
        }
    }

    /** Per-thread scratch of the segment-taking entry points above. */
    private static final class Widened {
        private static final ThreadLocal<Widened> SCRATCH = ThreadLocal.withInitial(Widened::new);
        short[] q = new short[0];
        float[] d = new float[0];
        /** Whether the last widened row holds the quant -128 (see {@link KernelBackend#dotQ8_0Q8_0}). */
        boolean hasMinus128;

        static Widened of(MemorySegment xq, long xqOffset, int n) {
            Widened x = SCRATCH.get();
            if (x.q.length < n) {
                x.q = new short[n];
                x.d = new float[n / 32];
            }
            x.hasMinus128 = widenQ8_0(xq, xqOffset, n, x.q, 0, x.d, 0);
            return x;
        }
    }

    /**
     * Q4_1 / Q5_1 weights ({@code w = d*q + m}) with activations {@code x} whose per-32-block sums are supplied:
     * {@code sum_b (d_b * sum_i q_i x_i + m_b * xBlockSums[sumOffset + b])}. With the dequantized values and the
     * {@code s} fields of a Q8_1 activation this is llama.cpp's {@code ggml_vec_dot_q4_1_q8_1} /
     * {@code ggml_vec_dot_q5_1_q8_1} up to float summation order.
     *
     * @throws IllegalArgumentException for another type, a bad {@code n} or a row outside {@code w}
     */
    public static float dotWithBlockSums(GgmlType type, MemorySegment w, long wOffset, float[] x, int xOffset,
                                         float[] xBlockSums, int sumOffset, int n) {
        if (type != GgmlType.Q4_1 && type != GgmlType.Q5_1) {
            throw new IllegalArgumentException("dotWithBlockSums takes Q4_1 or Q5_1 weights, not " + type);
        }
        checkRow(type, w, wOffset, n, "w");
        Objects.checkFromIndexSize(xOffset, n, x.length);
        Objects.checkFromIndexSize(sumOffset, n / 32, xBlockSums.length);
        return BACKEND.dotWithBlockSums(type, w, wOffset, x, xOffset, xBlockSums, sumOffset, n);
    }

    /** Plain F32 dot product {@code sum_{i<n} a[aOffset+i] * b[bOffset+i]} (vectorized when available). */
    public static float dotF32(float[] a, int aOffset, float[] b, int bOffset, int n) {
        Objects.checkFromIndexSize(aOffset, n, a.length);
        Objects.checkFromIndexSize(bOffset, n, b.length);
        return BACKEND.dotF32(a, aOffset, b, bOffset, n);
    }

    static void checkRow(GgmlType type, MemorySegment s, long offset, int n, String what) {
        if (n < 0 || n % type.blockSize() != 0) {
            throw new IllegalArgumentException(what + ": row length " + n + " is not a non-negative multiple of the "
                    + type + " block size " + type.blockSize());
        }
        long bytes = type.rowBytes(n);
        if (offset < 0 || offset > s.byteSize() - bytes) {
            throw new IllegalArgumentException(what + ": " + type + " row of " + n + " elements (" + bytes
                    + " bytes) at byte offset " + offset + " lies outside the " + s.byteSize() + "-byte segment");
        }
    }
}
