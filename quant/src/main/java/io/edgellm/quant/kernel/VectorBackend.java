package io.edgellm.quant.kernel;

import io.edgellm.quant.GgmlType;
import io.edgellm.quant.ggml.Dequantize;
import io.edgellm.quant.ggml.LittleEndian;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The Vector API kernels, written once for any vector width (NEON 128, AVX2 256, AVX-512 / SVE 512, and SVE up to
 * 2048 bits). Loaded reflectively by {@link Kernels} only when {@code jdk.incubator.vector} is present.
 *
 * <h2>Species</h2>
 * <ul>
 *   <li>{@link #F} = {@code FloatVector.SPECIES_PREFERRED}: dense F32 rows, any width (up to SVE's 2048 bits).</li>
 *   <li>Block kernels work on ggml blocks whose quants are stored in runs of 16 or 32 bytes (the K-quants in
 *       groups of 16 or 32 elements with one scale), so a vector
 *       must not be longer than such a run: {@link #FB} is the float species of {@code min(preferred, 512)} bits
 *       (4, 8 or 16 lanes). {@link #IB}/{@link #SB} have the same lane count for ints/shorts; {@link #BB} is the byte
 *       species used to load {@code FB.length()} quants: at least 64 bits (8 lanes), the smallest byte vector.</li>
 *   <li>When {@code FB} has 4 lanes (128-bit NEON), a {@link #BB} load reads 8 bytes of which 4 are used: the load
 *       runs {@link #OVER_READ} bytes past the quants. That is harmless inside a row (the next block), but the very
 *       last block of a segment could read outside it, so that one block goes to the scalar code.</li>
 *   <li>The integer kernels (Q8_0·Q8_0, Q4_0·Q8_0) take the activation quants widened once per row into a short
 *       array ({@link Kernels#widenQ8_0}) and sum each block exactly in integer lanes: they multiply in short lanes
 *       ({@link #SI}; products of int8 quants fit 16 bits) and add pairs into int lanes. {@code SI} is the preferred
 *       shape up to 256 bits and stays 256 bits on wider machines: a 512-bit short vector (32 lanes) would be longer
 *       than the 16 nibble bytes of a Q4_0 block, and 256-bit short lanes decode faster than 512-bit int lanes
 *       (in cache on AVX-512, with the per-block changes of the same stop: Q4_0 1.26x, Q8_0 1.27x; docs/performance.md).</li>
 *   <li>The K-quant integer kernels (Q4_K, Q5_K, Q6_K · Q8_K, {@link Kernels#dotKQ8_K}) take the Q8_K activation
 *       widened the same way ({@link Kernels#widenQ8_K}) and use the same shapes: short lanes {@link #SI} (256 bits
 *       at most, so Q6_K, whose pair sums go through {@code smallPairSum} like Q4_0's, shares Q4_0's shapes), except
 *       Q4_K/Q5_K at 512 bits, which multiply in 32 short lanes ({@link #SK}, loaded from 32 bytes). Per super-block
 *       the int lanes are reduced once (exact), so the result equals {@link ScalarBackend}'s bit for bit at every
 *       width.</li>
 * </ul>
 * Block layouts are drawn in the {@code io.edgellm.quant.ggml} codecs ({@code Q8_0Codec}, {@code Q4_0Codec}, ...).
 *
 * <h2>Three rules for C2</h2>
 * <ul>
 *   <li>Few vector call sites per method. Every Vector API call inlines dozens of IR nodes; past C2's
 *       {@code NodeCountInliningCutoff} it stops inlining and the vectors become heap objects (5x slower). So the
 *       kernels loop over a block's parts (nibble halves, Q6_K quarters) instead of writing every part out.</li>
 *   <li>No {@code reduceLanes(ADD)} on floats: see {@link #sum}.</li>
 *   <li>No shared code path fed two vector shapes. The Vector API's casts and conversions are library code that C2
 *       compiles from a type profile shared by every caller: when the integer kernels used 256- and 512-bit shorts
 *       beside the float kernels' 512-bit ints, a JVM that had run one kernel ran the next with boxed vectors (Q8_0
 *       after Q4_0: 0.5 instead of 22 GB/s; {@code KernelProfilePollutionTest} checks it by heap allocation per
 *       call). Two habits keep the 256-bit short lanes beside the 512-bit float lanes apart: conversions name their
 *       target species ({@code convertShape(I2F, species, 0)}, never {@code convert(I2F, 0)}, whose
 *       {@code vspecies()} call is profiled across all callers), and each shape has its own lane-sum method
 *       ({@link #sum}, {@code sumShortLanes}). Loads that saw both the mapped weight file and a native activation
 *       buffer ran at half speed, hence the widened activations.</li>
 * </ul>
 */
final class VectorBackend implements KernelBackend {

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int PREFERRED_BITS = Integer.highestOneBit(F.vectorBitSize());

    private static final VectorShape BLOCK_SHAPE = VectorShape.forBitSize(Math.min(PREFERRED_BITS, 512));
    static final VectorSpecies<Float> FB = VectorSpecies.of(float.class, BLOCK_SHAPE);
    static final VectorSpecies<Integer> IB = VectorSpecies.of(int.class, BLOCK_SHAPE);
    private static final int LB = FB.length();
    static final VectorSpecies<Byte> BB = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, LB * 8)));
    static final VectorSpecies<Short> SB = VectorSpecies.of(short.class, VectorShape.forBitSize(LB * 16));
    /** Bytes a {@link #BB} load reads beyond the {@code LB} quants it is used for. */
    static final int OVER_READ = BB.length() - LB;


    /**
     * Q4_K/Q5_K multiply in {@link #SI} short lanes up to 256-bit vectors and in 32 short lanes ({@link #SK}) at 512
     * bits; Q6_K uses {@code SI} at every width (class comment).
     */
    private static final boolean K_SHORT_LANES = PREFERRED_BITS <= 256;

    /** Short lanes of the integer kernels: the preferred shape up to 256 bits, 256 bits beyond (class comment). */
    static final VectorSpecies<Short> SI = VectorSpecies.of(short.class, VectorShape.forBitSize(Math.min(PREFERRED_BITS, 256)));
    private static final VectorSpecies<Integer> SII = VectorSpecies.of(int.class, SI.vectorShape());
    private static final VectorSpecies<Float> SIF = VectorSpecies.of(float.class, SI.vectorShape());
    private static final VectorSpecies<Byte> SIB = VectorSpecies.of(byte.class, VectorShape.forBitSize(SI.vectorBitSize() / 2));

    /**
     * Q4_K/Q5_K at 512 bits and more: 32 short lanes, one whole 32-element sub-block per vector, loaded from 32 bytes
     * (a byte shape no other kernel loads at these widths) and widened pairwise into {@link #IB} int lanes. Measured
     * against {@link #IB} int lanes (the Q8_0 kernels' shapes) at 512 bits: 5.1 against 4.0 GB/s, no boxing in
     * {@code KernelProfilePollutionTest}. The same for Q6_K (two scales per vector, blended) was slower than its
     * int lanes then (4.5 against 5.2 GB/s); since 2026-12-03's fourth stop Q6_K runs in {@link #SI} lanes, faster
     * than both (docs/performance.md).
     */
    private static final VectorSpecies<Short> SK = ShortVector.SPECIES_512;
    private static final VectorSpecies<Byte> SKB = ByteVector.SPECIES_256;

    /** Lane indices 0, 1, 2, ... of {@link #IB}: bit {@code j + lane} of a Q5 {@code qh} word is lane's 5th bit. */
    private static final IntVector IOTA = IntVector.zero(IB).addIndex(1);

    /** Per-thread scratch for rows without a fused kernel (Q8_K / Q8_1 used as weights): dequantized, then dotted. */
    private static final ThreadLocal<float[]> ROW_SCRATCH = ThreadLocal.withInitial(() -> new float[256]);

    /** The smallest preferred width the block kernels support (a 64-bit vector has no 2-lane byte species). */
    static final int MIN_BITS = 128;

    VectorBackend() {
        if (PREFERRED_BITS < MIN_BITS) {
            throw new UnsupportedOperationException("preferred vector size " + F.vectorBitSize()
                    + " bits is below " + MIN_BITS);
        }
    }

    @Override
    public String description() {
        return "Vector API: FloatVector.SPECIES_PREFERRED = " + F + ", block species " + FB + ", integer kernels in " + SI;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Dispatch

    @Override
    public float dot(GgmlType type, MemorySegment w, long wOffset, float[] x, int xOffset, int n) {
        return switch (type) {
            case F32 -> dotF32(w, wOffset, x, xOffset, n);
            case F16 -> dotF16(w, wOffset, x, xOffset, n);
            case BF16 -> dotBF16(w, wOffset, x, xOffset, n);
            case Q8_0 -> dotQ8_0(w, wOffset, x, xOffset, n);
            case Q4_0 -> dotQ4_0(w, wOffset, x, xOffset, n);
            case Q4_1 -> dotQx_1(type, w, wOffset, x, xOffset, null, 0, n);
            case Q5_1 -> dotQx_1(type, w, wOffset, x, xOffset, null, 0, n);
            case Q5_0 -> dotQ5_0(w, wOffset, x, xOffset, n);
            case Q4_K -> dotQ4_K(w, wOffset, x, xOffset, n, false);
            case Q5_K -> dotQ4_K(w, wOffset, x, xOffset, n, true);
            case Q6_K -> dotQ6_K(w, wOffset, x, xOffset, n);
            case Q2_K -> dotQ2_K(w, wOffset, x, xOffset, n);
            case Q3_K -> dotQ3_K(w, wOffset, x, xOffset, n);
            case Q8_K, Q8_1 -> dotViaScratch(type, w, wOffset, x, xOffset, n);
            default -> throw new IllegalArgumentException("no dot product for ggml type " + type);
        };
    }

    @Override
    public float dotWithBlockSums(GgmlType type, MemorySegment w, long wOffset, float[] x, int xOffset,
                                  float[] xBlockSums, int sumOffset, int n) {
        return dotQx_1(type, w, wOffset, x, xOffset, xBlockSums, sumOffset, n);
    }

    /** Blocks of {@code bpb} bytes whose vector loads stay inside {@code w}; the rest (at most one) go scalar. */
    private static int safeBlocks(MemorySegment w, long wOffset, int blocks, int bpb) {
        if (OVER_READ == 0 || wOffset + (long) blocks * bpb + OVER_READ <= w.byteSize()) {
            return blocks;
        }
        return blocks - 1;
    }

    /**
     * Sum of the lanes in lane order. Not {@code reduceLanes(ADD)}: its float summation order differs between the
     * Java fallback (interpreter) and C2's intrinsic, which would make results depend on JIT timing. Lane-wise
     * operations (add, fma, conversions) are exact IEEE operations in both, so with this reduction every kernel
     * result is reproducible bit for bit. Runs once per row.
     */
    static float sum(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < v.length(); i++) {
            s += v.lane(i);
        }
        return s;
    }

    private static float half(MemorySegment s, long offset) {
        return Float.float16ToFloat(s.get(LittleEndian.SHORT, offset));
    }

    /** {@code FB.length()} quants starting at {@code offset}, sign-extended to int lanes. */
    private static IntVector loadBytesAsInts(MemorySegment w, long offset) {
        return (IntVector) ByteVector.fromMemorySegment(BB, w, offset, LE).castShape(IB, 0);
    }

    private static FloatVector toFloat(IntVector v) {
        return (FloatVector) v.convertShape(VectorOperators.I2F, FB, 0);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Dense rows: F32, F16, BF16

    static float dotF32(MemorySegment w, long wOffset, float[] x, int xOffset, int n) {
        int l = F.length();
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        int i = 0;
        // four independent accumulators hide the FMA latency
        for (; i <= n - 4 * l; i += 4 * l) {
            long o = wOffset + 4L * i;
            a0 = FloatVector.fromMemorySegment(F, w, o, LE).fma(FloatVector.fromArray(F, x, xOffset + i), a0);
            a1 = FloatVector.fromMemorySegment(F, w, o + 4L * l, LE).fma(FloatVector.fromArray(F, x, xOffset + i + l), a1);
            a2 = FloatVector.fromMemorySegment(F, w, o + 8L * l, LE).fma(FloatVector.fromArray(F, x, xOffset + i + 2 * l), a2);
            a3 = FloatVector.fromMemorySegment(F, w, o + 12L * l, LE).fma(FloatVector.fromArray(F, x, xOffset + i + 3 * l), a3);
        }
        for (; i <= n - l; i += l) {
            a0 = FloatVector.fromMemorySegment(F, w, wOffset + 4L * i, LE).fma(FloatVector.fromArray(F, x, xOffset + i), a0);
        }
        float sum = sum(a0.add(a1).add(a2.add(a3)));
        for (; i < n; i++) {
            sum += w.get(LittleEndian.FLOAT, wOffset + 4L * i) * x[xOffset + i];
        }
        return sum;
    }

    @Override
    public float dotF32(float[] a, int aOffset, float[] b, int bOffset, int n) {
        int l = F.length();
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - 2 * l; i += 2 * l) {
            a0 = FloatVector.fromArray(F, a, aOffset + i).fma(FloatVector.fromArray(F, b, bOffset + i), a0);
            a1 = FloatVector.fromArray(F, a, aOffset + i + l).fma(FloatVector.fromArray(F, b, bOffset + i + l), a1);
        }
        for (; i <= n - l; i += l) {
            a0 = FloatVector.fromArray(F, a, aOffset + i).fma(FloatVector.fromArray(F, b, bOffset + i), a0);
        }
        float sum = sum(a0.add(a1));
        for (; i < n; i++) {
            sum += a[aOffset + i] * b[bOffset + i];
        }
        return sum;
    }

    /**
     * IEEE half bits (in the low 16 bits of each int lane, sign-extended) to float, exactly, without touching float
     * subnormals: normal numbers re-bias the exponent (15 → 127, i.e. add 112 << 23 to {@code bits << 13}),
     * subnormals are {@code mantissa * 2^-24}, Inf/NaN get exponent 255; then the sign bit goes back on top.
     */
    static FloatVector halfToFloat(IntVector h) {
        IntVector mag = h.and(0x7FFF);
        IntVector shifted = mag.lanewise(VectorOperators.LSHL, 13);
        IntVector normal = shifted.add(112 << 23);
        IntVector subnormal = toFloat(mag).mul(0x1p-24f).reinterpretAsInts();
        IntVector special = shifted.or(0x7F800000);
        IntVector bits = normal.blend(subnormal, mag.compare(VectorOperators.LT, 0x0400))
                .blend(special, mag.compare(VectorOperators.GE, 0x7C00));
        return bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    /**
     * F16 row. One {@link #halfToFloat} call site only: that conversion inlines many nodes, and C2 stops inlining
     * (and starts boxing vectors) when a method grows past its node budget.
     */
    static float dotF16(MemorySegment w, long wOffset, float[] x, int xOffset, int n) {
        FloatVector a0 = FloatVector.zero(FB);
        int i = 0;
        for (; i <= n - LB; i += LB) {
            IntVector h0 = (IntVector) ShortVector.fromMemorySegment(SB, w, wOffset + 2L * i, LE).castShape(IB, 0);
            a0 = halfToFloat(h0).fma(FloatVector.fromArray(FB, x, xOffset + i), a0);
        }
        float sum = sum(a0);
        for (; i < n; i++) {
            sum += half(w, wOffset + 2L * i) * x[xOffset + i];
        }
        return sum;
    }

    static float dotBF16(MemorySegment w, long wOffset, float[] x, int xOffset, int n) {
        FloatVector a0 = FloatVector.zero(FB);
        FloatVector a1 = FloatVector.zero(FB);
        int i = 0;
        // bf16 is the top half of a float: shift the 16 bits up
        for (; i <= n - 2 * LB; i += 2 * LB) {
            long o = wOffset + 2L * i;
            FloatVector w0 = ((IntVector) ShortVector.fromMemorySegment(SB, w, o, LE).castShape(IB, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector w1 = ((IntVector) ShortVector.fromMemorySegment(SB, w, o + 2L * LB, LE).castShape(IB, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            a0 = w0.fma(FloatVector.fromArray(FB, x, xOffset + i), a0);
            a1 = w1.fma(FloatVector.fromArray(FB, x, xOffset + i + LB), a1);
        }
        for (; i <= n - LB; i += LB) {
            FloatVector w0 = ((IntVector) ShortVector.fromMemorySegment(SB, w, wOffset + 2L * i, LE).castShape(IB, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            a0 = w0.fma(FloatVector.fromArray(FB, x, xOffset + i), a0);
        }
        float sum = sum(a0.add(a1));
        for (; i < n; i++) {
            int bits = w.get(LittleEndian.SHORT, wOffset + 2L * i) << 16;
            sum += Float.intBitsToFloat(bits) * x[xOffset + i];
        }
        return sum;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Batched (prefill) path: weight rows dequantized once, then tiles of F32 dot products

    /**
     * A 4 × 4 tile keeps 16 accumulators, 4 weight and 1 activation vector in registers (AVX-512 and NEON/SVE have 32),
     * so each weight vector loaded serves 4 activation rows and each activation vector 4 weight rows: 16 FMAs per 8
     * loads, against 1 per 2 in a dot product. Smaller tiles (the edges of the matrix) use {@link #dotOne}, which
     * sums every output in the same order: one accumulator of {@code F} lanes over {@code k}, {@link #sum}, then the
     * scalar tail.
     */
    @Override
    public void dotTile(float[] w, int wOffset, int nr, float[] x, int xOffset, int nb, int n, float[] y, int yOffset,
                        int yStride) {
        if (nr == 4 && nb == 4) {
            dotTile4x4(w, wOffset, x, xOffset, n, y, yOffset, yStride);
            return;
        }
        for (int b = 0; b < nb; b++) {
            for (int r = 0; r < nr; r++) {
                y[yOffset + b * yStride + r] = dotOne(w, wOffset + r * n, x, xOffset + b * n, n);
            }
        }
    }

    private static float dotOne(float[] w, int wo, float[] x, int xo, int n) {
        int l = F.length();
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - l; i += l) {
            acc = FloatVector.fromArray(F, w, wo + i).fma(FloatVector.fromArray(F, x, xo + i), acc);
        }
        return tail(sum(acc), w, wo, x, xo, i, n);
    }

    /** {@code s} plus the products of elements {@code i .. n-1}, in order (shared by every tile shape). */
    private static float tail(float s, float[] w, int wo, float[] x, int xo, int i, int n) {
        for (; i < n; i++) {
            s += w[wo + i] * x[xo + i];
        }
        return s;
    }

    private static void dotTile4x4(float[] w, int wo, float[] x, int xo, int n, float[] y, int yo, int ys) {
        int l = F.length();
        int w0 = wo, w1 = wo + n, w2 = wo + 2 * n, w3 = wo + 3 * n;
        int x0 = xo, x1 = xo + n, x2 = xo + 2 * n, x3 = xo + 3 * n;
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int i = 0;
        for (; i <= n - l; i += l) {
            FloatVector a0 = FloatVector.fromArray(F, w, w0 + i);
            FloatVector a1 = FloatVector.fromArray(F, w, w1 + i);
            FloatVector a2 = FloatVector.fromArray(F, w, w2 + i);
            FloatVector a3 = FloatVector.fromArray(F, w, w3 + i);
            FloatVector b = FloatVector.fromArray(F, x, x0 + i);
            c00 = a0.fma(b, c00); c10 = a1.fma(b, c10); c20 = a2.fma(b, c20); c30 = a3.fma(b, c30);
            b = FloatVector.fromArray(F, x, x1 + i);
            c01 = a0.fma(b, c01); c11 = a1.fma(b, c11); c21 = a2.fma(b, c21); c31 = a3.fma(b, c31);
            b = FloatVector.fromArray(F, x, x2 + i);
            c02 = a0.fma(b, c02); c12 = a1.fma(b, c12); c22 = a2.fma(b, c22); c32 = a3.fma(b, c32);
            b = FloatVector.fromArray(F, x, x3 + i);
            c03 = a0.fma(b, c03); c13 = a1.fma(b, c13); c23 = a2.fma(b, c23); c33 = a3.fma(b, c33);
        }
        // the 16 accumulators go out through one array (intoArray: one node each; 16 inlined sum() calls would pass
        // C2's inlining budget and box every accumulator), then each is summed in lane order exactly as sum() does
        float[] lanes = TILE_LANES.get();
        c00.intoArray(lanes, 0); c10.intoArray(lanes, l); c20.intoArray(lanes, 2 * l); c30.intoArray(lanes, 3 * l);
        c01.intoArray(lanes, 4 * l); c11.intoArray(lanes, 5 * l); c21.intoArray(lanes, 6 * l); c31.intoArray(lanes, 7 * l);
        c02.intoArray(lanes, 8 * l); c12.intoArray(lanes, 9 * l); c22.intoArray(lanes, 10 * l); c32.intoArray(lanes, 11 * l);
        c03.intoArray(lanes, 12 * l); c13.intoArray(lanes, 13 * l); c23.intoArray(lanes, 14 * l); c33.intoArray(lanes, 15 * l);
        for (int b = 0; b < 4; b++) {
            for (int r = 0; r < 4; r++) {
                float s = 0f;
                for (int k = 0; k < l; k++) {
                    s += lanes[(4 * b + r) * l + k];
                }
                y[yo + b * ys + r] = tail(s, w, wo + r * n, x, xo + b * n, i, n);
            }
        }
    }

    /** The 16 accumulators of a 4 × 4 tile, lane by lane (per thread). */
    private static final ThreadLocal<float[]> TILE_LANES = ThreadLocal.withInitial(() -> new float[16 * F.length()]);

    /**
     * Q8_0, Q4_0, Q4_K, Q5_K and Q6_K rows in vector code, with the reference codecs' float operations in their order
     * ({@code d * q}; K-quants {@code (d*sc) * q - dmin*m}, Q6_K {@code (d*sc) * q}), so bit for bit the same values;
     * other types scalar. This is the prefill (tile) path's weight decode, paid once per weight row and batch.
     */
    @Override
    public void dequantize(GgmlType type, MemorySegment w, long wOffset, float[] out, int outOffset, int n) {
        switch (type) {
            case Q8_0 -> dequantizeQ8_0(w, wOffset, out, outOffset, n);
            case Q4_0 -> dequantizeQ4_0(w, wOffset, out, outOffset, n);
            case Q4_K -> dequantizeQ4_K(w, wOffset, out, outOffset, n, false);
            case Q5_K -> dequantizeQ4_K(w, wOffset, out, outOffset, n, true);
            case Q6_K -> dequantizeQ6_K(w, wOffset, out, outOffset, n);
            default -> Dequantize.row(type, w, wOffset, out, outOffset, n);
        }
    }

    /**
     * Q4_K / Q5_K (layout at {@link #dotQ4_K}): sub-block j of chunk c is the low (j even) or high nibbles of
     * {@code qs[32c ..]}, plus Q5_K's bit j of {@code qh[l]}; value {@code d*sc_j * q - dmin*m_j}.
     */
    private static void dequantizeQ4_K(MemorySegment w, long wOffset, float[] out, int o, int n, boolean q5) {
        int bpb = q5 ? 176 : 144;
        int qsOffset = q5 ? 48 : 16;
        int blocks = n / 256;
        int safe = safeBlocks(w, wOffset, blocks, bpb);
        for (int b = 0; b < safe; b++) {
            long wb = wOffset + (long) bpb * b;
            float d = half(w, wb);
            float dmin = half(w, wb + 2);
            for (int j = 0; j < 8; j++) {
                float sc = d * scaleK4(w, wb + 4, j);
                float m = dmin * minK4(w, wb + 4, j);
                long qb = wb + qsOffset + 32 * (j >> 1);
                int nibbleShift = 4 * (j & 1);
                int y = o + 256 * b + 32 * j;
                for (int l = 0; l < 32; l += LB) {
                    IntVector q = loadBytesAsInts(w, qb + l).lanewise(VectorOperators.ASHR, nibbleShift).and(0x0F);
                    if (q5) {
                        q = q.or(loadBytesAsInts(w, wb + 16 + l).lanewise(VectorOperators.ASHR, j).and(1)
                                .lanewise(VectorOperators.LSHL, 4));
                    }
                    toFloat(q).mul(sc).sub(m).intoArray(out, y + l);
                }
            }
        }
        if (safe < blocks) {
            Dequantize.row(q5 ? GgmlType.Q5_K : GgmlType.Q4_K, w, wOffset + (long) bpb * safe, out, o + 256 * safe,
                    256 * (blocks - safe));
        }
    }

    /** Q6_K (layout at {@link #dotQ6_K}): {@code (d * scale) * q}; every load stays inside the block. */
    private static void dequantizeQ6_K(MemorySegment w, long wOffset, float[] out, int o, int n) {
        int blocks = n / 256;
        for (int b = 0; b < blocks; b++) {
            long wb = wOffset + 210L * b;
            float d = half(w, wb + 208);
            for (int h = 0; h < 2; h++) {
                for (int t = 0; t < 4; t++) {
                    long ql = wb + 64 * h + 32 * (t & 1);
                    long qh = wb + 128 + 32 * h;
                    long sc = wb + 192 + 8 * h + 2 * t;
                    int nibbleShift = 4 * (t >> 1);
                    int y = o + 256 * b + 128 * h + 32 * t;
                    for (int l = 0; l < 32; l += LB) {
                        IntVector low = loadBytesAsInts(w, ql + l).lanewise(VectorOperators.ASHR, nibbleShift).and(0x0F);
                        IntVector high = loadBytesAsInts(w, qh + l).lanewise(VectorOperators.ASHR, 2 * t).and(3);
                        IntVector q = low.or(high.lanewise(VectorOperators.LSHL, 4)).sub(32);
                        float scale = d * w.get(LittleEndian.BYTE, sc + l / 16);
                        toFloat(q).mul(scale).intoArray(out, y + l);
                    }
                }
            }
        }
    }

    private static void dequantizeQ8_0(MemorySegment w, long wOffset, float[] out, int o, int n) {
        int blocks = n / 32;
        int safe = safeBlocks(w, wOffset, blocks, 34);
        for (int b = 0; b < safe; b++) {
            long wb = wOffset + 34L * b;
            FloatVector d = FloatVector.broadcast(FB, half(w, wb));
            for (int j = 0; j < 32; j += LB) {
                ((FloatVector) ByteVector.fromMemorySegment(BB, w, wb + 2 + j, LE).castShape(FB, 0)).mul(d)
                        .intoArray(out, o + 32 * b + j);
            }
        }
        if (safe < blocks) {
            Dequantize.row(GgmlType.Q8_0, w, wOffset + 34L * safe, out, o + 32 * safe, 32 * (blocks - safe));
        }
    }

    private static void dequantizeQ4_0(MemorySegment w, long wOffset, float[] out, int o, int n) {
        int blocks = n / 32;
        int safe = safeBlocks(w, wOffset, blocks, 18);
        for (int b = 0; b < safe; b++) {
            long wb = wOffset + 18L * b;
            FloatVector d = FloatVector.broadcast(FB, half(w, wb));
            for (int j = 0; j < 16; j += LB) {
                IntVector q = loadBytesAsInts(w, wb + 2 + j);
                toFloat(q.and(0x0F).sub(8)).mul(d).intoArray(out, o + 32 * b + j);
                toFloat(q.lanewise(VectorOperators.ASHR, 4).and(0x0F).sub(8)).mul(d).intoArray(out, o + 32 * b + 16 + j);
            }
        }
        if (safe < blocks) {
            Dequantize.row(GgmlType.Q4_0, w, wOffset + 18L * safe, out, o + 32 * safe, 32 * (blocks - safe));
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // 32-element block formats with F32 activations

    /**
     * Q8_0 (34 bytes: {@code d f16 | qs[32] int8}): per block {@code d * sum(qs[i] * x[i])}. The 32 quants are
     * loaded {@code LB} at a time, converted byte → float and multiplied into a block accumulator, which is scaled
     * once per block.
     */
    static float dotQ8_0(MemorySegment w, long wOffset, float[] x, int xOffset, int n) {
        int blocks = n / 32;
        int safe = safeBlocks(w, wOffset, blocks, 34);
        FloatVector acc = FloatVector.zero(FB);
        for (int b = 0; b < safe; b++) {
            long wb = wOffset + 34L * b;
            int xb = xOffset + 32 * b;
            FloatVector s = FloatVector.zero(FB);
            for (int j = 0; j < 32; j += LB) {
                FloatVector q = (FloatVector) ByteVector.fromMemorySegment(BB, w, wb + 2 + j, LE).castShape(FB, 0);
                s = q.fma(FloatVector.fromArray(FB, x, xb + j), s);
            }
            acc = s.fma(FloatVector.broadcast(FB, half(w, wb)), acc);
        }
        float sum = sum(acc);
        if (safe < blocks) {
            sum += ScalarBackend.INSTANCE.dot(GgmlType.Q8_0, w, wOffset + 34L * safe, x, xOffset + 32 * safe, 32 * (blocks - safe));
        }
        return sum;
    }

    /**
     * Q4_0 (18 bytes: {@code d f16 | qs[16]}): element {@code j} is the low nibble of {@code qs[j]} minus 8,
     * element {@code j + 16} the high nibble minus 8. Nibbles are unpacked in int lanes, converted to float and
     * multiplied with {@code x[j..]} and {@code x[j+16..]}.
     */
    static float dotQ4_0(MemorySegment w, long wOffset, float[] x, int xOffset, int n) {
        int blocks = n / 32;
        int safe = safeBlocks(w, wOffset, blocks, 18);
        FloatVector acc = FloatVector.zero(FB);
        for (int b = 0; b < safe; b++) {
            long wb = wOffset + 18L * b;
            int xb = xOffset + 32 * b;
            FloatVector s = FloatVector.zero(FB);
            for (int j = 0; j < 16; j += LB) {
                IntVector q = loadBytesAsInts(w, wb + 2 + j);
                FloatVector lo = toFloat(q.and(0x0F).sub(8));
                FloatVector hi = toFloat(q.lanewise(VectorOperators.ASHR, 4).and(0x0F).sub(8));
                s = lo.fma(FloatVector.fromArray(FB, x, xb + j), s);
                s = hi.fma(FloatVector.fromArray(FB, x, xb + 16 + j), s);
            }
            acc = s.fma(FloatVector.broadcast(FB, half(w, wb)), acc);
        }
        float sum = sum(acc);
        if (safe < blocks) {
            sum += ScalarBackend.INSTANCE.dot(GgmlType.Q4_0, w, wOffset + 18L * safe, x, xOffset + 32 * safe, 32 * (blocks - safe));
        }
        return sum;
    }

    /**
     * Q5_0 (22 bytes: {@code d f16 | qh u32 | qs[16]}): like Q4_0 with a 5th bit per element from {@code qh}
     * (bit {@code j} for element {@code j}, bit {@code j+16} for element {@code j+16}), minus 16. The bits for lanes
     * {@code j..j+LB-1} come from one broadcast of {@code qh >>> j} shifted right by the lane index.
     */
    static float dotQ5_0(MemorySegment w, long wOffset, float[] x, int xOffset, int n) {
        int blocks = n / 32;
        int safe = safeBlocks(w, wOffset, blocks, 22);
        FloatVector acc = FloatVector.zero(FB);
        for (int b = 0; b < safe; b++) {
            long wb = wOffset + 22L * b;
            int xb = xOffset + 32 * b;
            int qh = w.get(LittleEndian.INT, wb + 2);
            FloatVector s = FloatVector.zero(FB);
            for (int j = 0; j < 16; j += LB) {
                IntVector q = loadBytesAsInts(w, wb + 6 + j);
                IntVector hLo = IntVector.broadcast(IB, qh >>> j).lanewise(VectorOperators.LSHR, IOTA).and(1)
                        .lanewise(VectorOperators.LSHL, 4);
                IntVector hHi = IntVector.broadcast(IB, qh >>> (j + 16)).lanewise(VectorOperators.LSHR, IOTA).and(1)
                        .lanewise(VectorOperators.LSHL, 4);
                FloatVector lo = toFloat(q.and(0x0F).or(hLo).sub(16));
                FloatVector hi = toFloat(q.lanewise(VectorOperators.ASHR, 4).and(0x0F).or(hHi).sub(16));
                s = lo.fma(FloatVector.fromArray(FB, x, xb + j), s);
                s = hi.fma(FloatVector.fromArray(FB, x, xb + 16 + j), s);
            }
            acc = s.fma(FloatVector.broadcast(FB, half(w, wb)), acc);
        }
        float sum = sum(acc);
        if (safe < blocks) {
            sum += ScalarBackend.INSTANCE.dot(GgmlType.Q5_0, w, wOffset + 22L * safe, x, xOffset + 32 * safe, 32 * (blocks - safe));
        }
        return sum;
    }

    /**
     * Q4_1 (20 bytes: {@code d f16 | m f16 | qs[16]}) and Q5_1 (24 bytes: {@code d | m | qh u32 | qs[16]}):
     * {@code w_i = d*q_i + m}, so a block contributes {@code d * sum(q_i x_i) + m * sum(x_i)}. The activation sums
     * come from {@code xBlockSums} when given (the {@code s} of a Q8_1 activation, as llama.cpp), else from x.
     */
    static float dotQx_1(GgmlType type, MemorySegment w, long wOffset, float[] x, int xOffset,
                         float[] xBlockSums, int sumOffset, int n) {
        boolean q5 = type == GgmlType.Q5_1;
        int bpb = q5 ? 24 : 20;
        int qsOffset = q5 ? 8 : 4;
        int blocks = n / 32;
        int safe = safeBlocks(w, wOffset, blocks, bpb);
        boolean haveSums = xBlockSums != null;
        FloatVector acc = FloatVector.zero(FB);
        float minTerms = 0f;
        for (int b = 0; b < safe; b++) {
            long wb = wOffset + (long) bpb * b;
            int xb = xOffset + 32 * b;
            int qh = q5 ? w.get(LittleEndian.INT, wb + 4) : 0;
            FloatVector s = FloatVector.zero(FB);
            FloatVector xs = FloatVector.zero(FB);
            for (int j = 0; j < 16; j += LB) {
                IntVector q = loadBytesAsInts(w, wb + qsOffset + j);
                IntVector lo = q.and(0x0F);
                IntVector hi = q.lanewise(VectorOperators.ASHR, 4).and(0x0F);
                if (q5) {
                    lo = lo.or(IntVector.broadcast(IB, qh >>> j).lanewise(VectorOperators.LSHR, IOTA).and(1)
                            .lanewise(VectorOperators.LSHL, 4));
                    hi = hi.or(IntVector.broadcast(IB, qh >>> (j + 16)).lanewise(VectorOperators.LSHR, IOTA).and(1)
                            .lanewise(VectorOperators.LSHL, 4));
                }
                FloatVector x0 = FloatVector.fromArray(FB, x, xb + j);
                FloatVector x1 = FloatVector.fromArray(FB, x, xb + 16 + j);
                s = toFloat(lo).fma(x0, s);
                s = toFloat(hi).fma(x1, s);
                if (!haveSums) {
                    xs = xs.add(x0).add(x1);
                }
            }
            float m = half(w, wb + 2);
            acc = s.fma(FloatVector.broadcast(FB, half(w, wb)), acc);
            if (haveSums) {
                minTerms += m * xBlockSums[sumOffset + b];
            } else {
                acc = xs.fma(FloatVector.broadcast(FB, m), acc);
            }
        }
        float sum = sum(acc) + minTerms;
        if (safe < blocks) {
            long wb = wOffset + (long) bpb * safe;
            int xb = xOffset + 32 * safe;
            if (haveSums) {
                sum += ScalarBackend.INSTANCE.dotWithBlockSums(type, w, wb, x, xb, xBlockSums, sumOffset + safe, 32 * (blocks - safe));
            } else {
                sum += ScalarBackend.INSTANCE.dot(type, w, wb, x, xb, 32 * (blocks - safe));
            }
        }
        return sum;
    }

    /**
     * Q4_K (144 bytes: {@code d f16 | dmin f16 | scales[12] | qs[128]}) and Q5_K (176 bytes: the same with
     * {@code qh[32]} before {@code qs}). A super-block is 8 sub-blocks of 32 with 6-bit scale {@code sc} and min
     * {@code m}; chunk {@code c} (0..3) of 64 elements reads {@code qs[32c..32c+31]}: low nibbles are sub-block
     * {@code 2c}, high nibbles sub-block {@code 2c+1}; Q5_K adds bit {@code 2c} / {@code 2c+1} of {@code qh[l]} as
     * the 5th bit. Element value {@code d*sc*q - dmin*m}, so a sub-block contributes
     * {@code (d*sc) * sum(q*x) - (dmin*m) * sum(x)}.
     */
    static float dotQ4_K(MemorySegment w, long wOffset, float[] x, int xOffset, int n, boolean q5) {
        int bpb = q5 ? 176 : 144;
        int qsOffset = q5 ? 48 : 16;
        int blocks = n / 256;
        int safe = safeBlocks(w, wOffset, blocks, bpb);
        FloatVector acc = FloatVector.zero(FB);
        for (int b = 0; b < safe; b++) {
            long wb = wOffset + (long) bpb * b;
            float d = half(w, wb);
            float dmin = half(w, wb + 2);
            // sub-block j (0..7) = chunk c = j/2 of 32 qs bytes, low nibbles for even j, high nibbles for odd j
            for (int j = 0; j < 8; j++) {
                int xb = xOffset + 256 * b + 32 * j;
                long qb = wb + qsOffset + 32 * (j >> 1);
                int nibbleShift = 4 * (j & 1);
                FloatVector s = FloatVector.zero(FB);
                FloatVector xs = FloatVector.zero(FB);
                for (int l = 0; l < 32; l += LB) {
                    IntVector q = loadBytesAsInts(w, qb + l).lanewise(VectorOperators.ASHR, nibbleShift).and(0x0F);
                    if (q5) {   // 5th bit: bit j of qh[l]
                        q = q.or(loadBytesAsInts(w, wb + 16 + l).lanewise(VectorOperators.ASHR, j).and(1)
                                .lanewise(VectorOperators.LSHL, 4));
                    }
                    FloatVector xv = FloatVector.fromArray(FB, x, xb + l);
                    s = toFloat(q).fma(xv, s);
                    xs = xs.add(xv);
                }
                acc = s.fma(FloatVector.broadcast(FB, d * scaleK4(w, wb + 4, j)), acc);
                acc = xs.fma(FloatVector.broadcast(FB, -(dmin * minK4(w, wb + 4, j))), acc);
            }
        }
        float sum = sum(acc);
        if (safe < blocks) {
            sum += ScalarBackend.INSTANCE.dot(q5 ? GgmlType.Q5_K : GgmlType.Q4_K, w, wOffset + (long) bpb * safe, x,
                    xOffset + 256 * safe, 256 * (blocks - safe));
        }
        return sum;
    }

    /** ggml's get_scale_min_k4: 6-bit scale of sub-block {@code j} from the 12 packed bytes at {@code scales}. */
    private static int scaleK4(MemorySegment w, long scales, int j) {
        if (j < 4) {
            return w.get(LittleEndian.BYTE, scales + j) & 63;
        }
        return (w.get(LittleEndian.BYTE, scales + j + 4) & 0xF) | (((w.get(LittleEndian.BYTE, scales + j - 4) & 0xFF) >>> 6) << 4);
    }

    /** ggml's get_scale_min_k4: 6-bit min of sub-block {@code j}. */
    private static int minK4(MemorySegment w, long scales, int j) {
        if (j < 4) {
            return w.get(LittleEndian.BYTE, scales + j + 4) & 63;
        }
        return ((w.get(LittleEndian.BYTE, scales + j + 4) & 0xFF) >>> 4) | (((w.get(LittleEndian.BYTE, scales + j) & 0xFF) >>> 6) << 4);
    }

    /**
     * Q6_K (210 bytes: {@code ql[128] | qh[64] | scales[16] int8 | d f16}): two halves of 128 elements; in half
     * {@code h}, for {@code l < 32} with {@code L = ql + 64h}, {@code H = qh + 32h}, {@code S = scales + 8h}:
     * <pre>
     *   x[128h + l]      = d * S[l/16]     * ((L[l]    &amp; 0xF | (H[l]      &amp; 3) &lt;&lt; 4) - 32)
     *   x[128h + l + 32] = d * S[l/16 + 2] * ((L[l+32] &amp; 0xF | (H[l] &gt;&gt; 2 &amp; 3) &lt;&lt; 4) - 32)
     *   x[128h + l + 64] = d * S[l/16 + 4] * ((L[l]    &gt;&gt; 4  | (H[l] &gt;&gt; 4 &amp; 3) &lt;&lt; 4) - 32)
     *   x[128h + l + 96] = d * S[l/16 + 6] * ((L[l+32] &gt;&gt; 4  | (H[l] &gt;&gt; 6 &amp; 3) &lt;&lt; 4) - 32)
     * </pre>
     * Scales change every 16 elements and {@code LB <= 16}, so each vector chunk has one scale per quarter. All
     * loads stay inside the block (the scales and d follow the quants), so no scalar tail is needed.
     */
    static float dotQ6_K(MemorySegment w, long wOffset, float[] x, int xOffset, int n) {
        int blocks = n / 256;
        FloatVector acc = FloatVector.zero(FB);
        for (int b = 0; b < blocks; b++) {
            long wb = wOffset + 210L * b;
            float d = half(w, wb + 208);
            for (int h = 0; h < 2; h++) {
                // quarter t (0..3) of the half: low bits from L[l + 32*(t&1)], nibble t/2; high bits 2t..2t+1 of H[l]
                for (int t = 0; t < 4; t++) {
                    long ql = wb + 64 * h + 32 * (t & 1);
                    long qh = wb + 128 + 32 * h;
                    long sc = wb + 192 + 8 * h + 2 * t;
                    int nibbleShift = 4 * (t >> 1);
                    int xb = xOffset + 256 * b + 128 * h + 32 * t;
                    for (int l = 0; l < 32; l += LB) {
                        IntVector low = loadBytesAsInts(w, ql + l).lanewise(VectorOperators.ASHR, nibbleShift).and(0x0F);
                        IntVector high = loadBytesAsInts(w, qh + l).lanewise(VectorOperators.ASHR, 2 * t).and(3);
                        IntVector q = low.or(high.lanewise(VectorOperators.LSHL, 4)).sub(32);
                        float scale = d * w.get(LittleEndian.BYTE, sc + l / 16);   // LB <= 16: one scale per chunk
                        acc = toFloat(q).mul(scale).fma(FloatVector.fromArray(FB, x, xb + l), acc);
                    }
                }
            }
        }
        return sum(acc);
    }

    /**
     * Q2_K (84 bytes: {@code scales[16] | qs[64] | d f16 | dmin f16}): two halves of 128 elements; in half {@code h},
     * shift {@code s = 0,2,4,6} picks 2 bits of the 32 bytes {@code qs[32h .. 32h+31]}, split into two groups of 16
     * ({@code k = 0,1}) with scale byte {@code scales[is]}, {@code is = 8h + 2(s/2) + k = 8h + s + k}: low nibble
     * {@code sc}, high nibble {@code m}. Element {@code 128h + 16s + 16k + l} is
     * {@code d*sc * ((qs[32h + 16k + l] >> s) & 3) - dmin*m}. Loads never pass the block (d and dmin follow qs).
     */
    static float dotQ2_K(MemorySegment w, long wOffset, float[] x, int xOffset, int n) {
        int blocks = n / 256;
        FloatVector acc = FloatVector.zero(FB);
        for (int b = 0; b < blocks; b++) {
            long wb = wOffset + 84L * b;
            float d = half(w, wb + 80);
            float dmin = half(w, wb + 82);
            for (int h = 0; h < 2; h++) {
                for (int s = 0; s < 8; s += 2) {
                    for (int k = 0; k < 2; k++) {
                        int is = 8 * h + s + k;                 // 8h + 2*(s/2) + k
                        int scByte = w.get(LittleEndian.BYTE, wb + is) & 0xFF;
                        int xb = xOffset + 256 * b + 128 * h + 16 * s + 16 * k;
                        long qb = wb + 16 + 32 * h + 16 * k;
                        FloatVector gq = FloatVector.zero(FB);
                        FloatVector gx = FloatVector.zero(FB);
                        for (int l = 0; l < 16; l += LB) {
                            IntVector q = loadBytesAsInts(w, qb + l).lanewise(VectorOperators.ASHR, s).and(3);
                            FloatVector xv = FloatVector.fromArray(FB, x, xb + l);
                            gq = toFloat(q).fma(xv, gq);
                            gx = gx.add(xv);
                        }
                        acc = gq.fma(FloatVector.broadcast(FB, d * (scByte & 0xF)), acc);
                        acc = gx.fma(FloatVector.broadcast(FB, -(dmin * (scByte >>> 4))), acc);
                    }
                }
            }
        }
        return sum(acc);
    }

    /**
     * Q3_K (110 bytes: {@code hmask[32] | qs[64] | scales[12] | d f16}): like Q2_K without mins; the 3rd bit of
     * element {@code 128h + 16s + 16k + l} is bit {@code 4h + s/2} of {@code hmask[16k + l]} (clear means minus 4),
     * and the 16 signed 6-bit scales are packed in 12 bytes ({@code Q3_KCodec}). Loads never pass the block.
     */
    static float dotQ3_K(MemorySegment w, long wOffset, float[] x, int xOffset, int n) {
        int blocks = n / 256;
        FloatVector acc = FloatVector.zero(FB);
        for (int b = 0; b < blocks; b++) {
            long wb = wOffset + 110L * b;
            float d = half(w, wb + 108);
            for (int h = 0; h < 2; h++) {
                for (int s = 0; s < 8; s += 2) {
                    int bit = 4 * h + s / 2;
                    for (int k = 0; k < 2; k++) {
                        int is = 8 * h + s + k;
                        int xb = xOffset + 256 * b + 128 * h + 16 * s + 16 * k;
                        long qb = wb + 32 + 32 * h + 16 * k;
                        FloatVector gq = FloatVector.zero(FB);
                        for (int l = 0; l < 16; l += LB) {
                            IntVector low = loadBytesAsInts(w, qb + l).lanewise(VectorOperators.ASHR, s).and(3);
                            IntVector high = loadBytesAsInts(w, wb + 16 * k + l).lanewise(VectorOperators.ASHR, bit).and(1);
                            IntVector q = low.add(high.lanewise(VectorOperators.LSHL, 2)).sub(4);   // high set: +0, clear: -4
                            gq = toFloat(q).fma(FloatVector.fromArray(FB, x, xb + l), gq);
                        }
                        acc = gq.fma(FloatVector.broadcast(FB, d * scaleQ3_K(w, wb + 96, is)), acc);
                    }
                }
            }
        }
        return sum(acc);
    }

    /** Signed 6-bit scale {@code j} (0..15) of a Q3_K block from its 12 packed bytes at {@code scales}. */
    private static int scaleQ3_K(MemorySegment w, long scales, int j) {
        int low = j < 8 ? w.get(LittleEndian.BYTE, scales + j) & 0xF : (w.get(LittleEndian.BYTE, scales + j - 8) & 0xFF) >>> 4;
        int high = ((w.get(LittleEndian.BYTE, scales + 8 + (j & 3)) & 0xFF) >>> (2 * (j >>> 2))) & 3;
        return (low | (high << 4)) - 32;
    }

    /**
     * K-quants (and the activation-only types): the row is dequantized with the reference codec into a per-thread
     * scratch, then multiplied with the vector F32 kernel ({@link MatMul} does the same with its own scratch, so the
     * results are identical). Correct for every width but not a fused kernel: the decode is scalar.
     */
    private float dotViaScratch(GgmlType type, MemorySegment w, long wOffset, float[] x, int xOffset, int n) {
        float[] scratch = ROW_SCRATCH.get();
        if (scratch.length < n) {
            scratch = new float[n];
            ROW_SCRATCH.set(scratch);
        }
        Dequantize.row(type, w, wOffset, scratch, 0, n);
        return dotF32(scratch, 0, x, xOffset, n);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Integer paths (llama.cpp's vec_dot with Q8_0 activations)

    @Override
    public float dotQ8_0Q8_0(MemorySegment w, long wOffset, short[] xq, int xqOffset, float[] xd, int xdOffset, int n) {
        return dotQ8_0Q8_0Shorts(w, wOffset, xq, xqOffset, xd, xdOffset, n);
    }

    @Override
    public float dotQ4_0Q8_0(MemorySegment w, long wOffset, short[] xq, int xqOffset, float[] xd, int xdOffset, int n) {
        return dotQ4_0Q8_0Shorts(w, wOffset, xq, xqOffset, xd, xdOffset, n);
    }

    /**
     * {@code SI.length()} (at most 16) signed bytes at {@code offset}, widened to short lanes. The load reads exactly
     * the bytes used, so the short-lane kernels need no scalar last block.
     */
    private static ShortVector bytesToShorts(MemorySegment s, long offset) {
        return (ShortVector) ByteVector.fromMemorySegment(SIB, s, offset, LE).castShape(SI, 0);
    }

    /** Adds the two 16-bit halves of every int lane (each a signed short) as ints: widening pairwise sum. */
    private static IntVector pairSum(IntVector p) {
        return p.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(p.lanewise(VectorOperators.ASHR, 16));
    }

    /**
     * {@link #sum} for the {@link #SIF} accumulators of the short-lane kernels. A method of its own because at 512 bits
     * {@code SIF} (256) differs from {@link #FB}: one {@code sum} fed both shapes would see two receiver classes at its
     * {@code lane()} call and C2 would box the vector it reduces.
     */
    private static float sumShortLanes(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < v.length(); i++) {
            s += v.lane(i);
        }
        return s;
    }

    /** {@link #SII} lanes to {@link #SIF} floats (target species explicit: see {@link #toFloat}). */
    private static FloatVector shortLaneSumToFloat(IntVector v) {
        return (FloatVector) v.convertShape(VectorOperators.I2F, SIF, 0);
    }

    /**
     * {@link #pairSum} in three operations for lanes whose two halves sum to a value that fits a short:
     * {@code ((p << 16) + p) >> 16} (the low half's unsigned bits stay below bit 16 and do not reach the result).
     * The same operation as the K-quant kernels' {@code pairSumK}, kept apart on purpose: at 512 bits this one sees
     * 256-bit lanes (Q4_0, Q6_K) and that one 512-bit lanes (Q4_K/Q5_K); one method fed both boxed Q4_0's vectors after a
     * Q4_K matvec (PollutionProbe: 1,024 bytes per call), as one {@code sum} did (see {@link #sumShortLanes}).
     */
    private static IntVector smallPairSum(IntVector p) {
        return p.lanewise(VectorOperators.LSHL, 16).add(p).lanewise(VectorOperators.ASHR, 16);
    }

    /**
     * Q8_0·Q8_0 in short lanes: weight bytes widened to shorts, times the activation shorts; the products of quants
     * {@code j} and {@code j + 16} added in a short lane (with activation quants in [-127, 127], the
     * {@link KernelBackend#dotQ8_0Q8_0} contract, {@code 2 * 128 * 127} fits), pairs of lanes added into int lanes:
     * the per-block sum is exact.
     */
    private static float dotQ8_0Q8_0Shorts(MemorySegment w, long wOffset, short[] xq, int xqOffset, float[] xd,
                                           int xdOffset, int n) {
        int blocks = n / 32;
        int step = SI.length();
        FloatVector acc = FloatVector.zero(SIF);
        for (int b = 0; b < blocks; b++) {
            long wb = wOffset + 34L * b;
            int xb = xqOffset + 32 * b;
            IntVector s = IntVector.zero(SII);
            for (int j = 0; j < 16; j += step) {
                // two products per short lane: |q_w q_x| <= 128 * 127, so their sum fits (activations in [-127, 127])
                ShortVector p = bytesToShorts(w, wb + 2 + j).mul(ShortVector.fromArray(SI, xq, xb + j))
                        .add(bytesToShorts(w, wb + 18 + j).mul(ShortVector.fromArray(SI, xq, xb + 16 + j)));
                s = s.add(pairSum(p.reinterpretAsInts()));
            }
            acc = shortLaneSumToFloat(s).fma(FloatVector.broadcast(SIF, half(w, wb) * xd[xdOffset + b]), acc);
        }
        return sumShortLanes(acc);
    }

    /** Q4_0·Q8_0 in short lanes: nibbles minus 8 times activation shorts, low and high products added in shorts. */
    private static float dotQ4_0Q8_0Shorts(MemorySegment w, long wOffset, short[] xq, int xqOffset, float[] xd,
                                           int xdOffset, int n) {
        int blocks = n / 32;
        int step = SI.length();
        FloatVector acc = FloatVector.zero(SIF);
        for (int b = 0; b < blocks; b++) {
            long wb = wOffset + 18L * b;
            int xb = xqOffset + 32 * b;
            ShortVector s = ShortVector.zero(SI);
            for (int j = 0; j < 16; j += step) {
                ShortVector q = bytesToShorts(w, wb + 2 + j);
                ShortVector lo = q.and((short) 0x0F).sub((short) 8);
                ShortVector hi = q.lanewise(VectorOperators.ASHR, 4).and((short) 0x0F).sub((short) 8);
                s = s.add(lo.mul(ShortVector.fromArray(SI, xq, xb + j))).add(hi.mul(ShortVector.fromArray(SI, xq, xb + 16 + j)));
            }
            acc = shortLaneSumToFloat(smallPairSum(s.reinterpretAsInts())).fma(FloatVector.broadcast(SIF, half(w, wb) * xd[xdOffset + b]), acc);
        }
        return sumShortLanes(acc);
    }

    @Override
    public void dotQ8_0Q8_0x2(MemorySegment w, long wOffset, short[] xq, int xqOffset0, int xqOffset1, float[] xd,
                              int xdOffset0, int xdOffset1, int n, float[] y, int y0, int y1) {
        int blocks = n / 32;
        int step = SI.length();
        FloatVector acc0 = FloatVector.zero(SIF);
        FloatVector acc1 = FloatVector.zero(SIF);
        for (int b = 0; b < blocks; b++) {
            long wb = wOffset + 34L * b;
            IntVector s0 = IntVector.zero(SII);
            IntVector s1 = IntVector.zero(SII);
            for (int j = 0; j < 16; j += step) {
                ShortVector q = bytesToShorts(w, wb + 2 + j);
                ShortVector r = bytesToShorts(w, wb + 18 + j);
                int x0 = xqOffset0 + 32 * b + j, x1 = xqOffset1 + 32 * b + j;
                s0 = s0.add(pairSum(q.mul(ShortVector.fromArray(SI, xq, x0)).add(r.mul(ShortVector.fromArray(SI, xq, x0 + 16))).reinterpretAsInts()));
                s1 = s1.add(pairSum(q.mul(ShortVector.fromArray(SI, xq, x1)).add(r.mul(ShortVector.fromArray(SI, xq, x1 + 16))).reinterpretAsInts()));
            }
            float d = half(w, wb);
            acc0 = shortLaneSumToFloat(s0).fma(FloatVector.broadcast(SIF, d * xd[xdOffset0 + b]), acc0);
            acc1 = shortLaneSumToFloat(s1).fma(FloatVector.broadcast(SIF, d * xd[xdOffset1 + b]), acc1);
        }
        y[y0] = sumShortLanes(acc0);
        y[y1] = sumShortLanes(acc1);
    }

    @Override
    public void dotQ4_0Q8_0x2(MemorySegment w, long wOffset, short[] xq, int xqOffset0, int xqOffset1, float[] xd,
                              int xdOffset0, int xdOffset1, int n, float[] y, int y0, int y1) {
        int blocks = n / 32;
        int step = SI.length();
        FloatVector acc0 = FloatVector.zero(SIF);
        FloatVector acc1 = FloatVector.zero(SIF);
        for (int b = 0; b < blocks; b++) {
            long wb = wOffset + 18L * b;
            int x0 = xqOffset0 + 32 * b;
            int x1 = xqOffset1 + 32 * b;
            ShortVector s0 = ShortVector.zero(SI);
            ShortVector s1 = ShortVector.zero(SI);
            for (int j = 0; j < 16; j += step) {
                ShortVector q = bytesToShorts(w, wb + 2 + j);
                ShortVector lo = q.and((short) 0x0F).sub((short) 8);
                ShortVector hi = q.lanewise(VectorOperators.ASHR, 4).and((short) 0x0F).sub((short) 8);
                s0 = s0.add(lo.mul(ShortVector.fromArray(SI, xq, x0 + j))).add(hi.mul(ShortVector.fromArray(SI, xq, x0 + 16 + j)));
                s1 = s1.add(lo.mul(ShortVector.fromArray(SI, xq, x1 + j))).add(hi.mul(ShortVector.fromArray(SI, xq, x1 + 16 + j)));
            }
            float d = half(w, wb);
            acc0 = shortLaneSumToFloat(smallPairSum(s0.reinterpretAsInts())).fma(FloatVector.broadcast(SIF, d * xd[xdOffset0 + b]), acc0);
            acc1 = shortLaneSumToFloat(smallPairSum(s1.reinterpretAsInts())).fma(FloatVector.broadcast(SIF, d * xd[xdOffset1 + b]), acc1);
        }
        y[y0] = sumShortLanes(acc0);
        y[y1] = sumShortLanes(acc1);
    }

    // ------------------------------------------------------------------------------------------------------------
    // K-quant integer paths (llama.cpp's vec_dot with Q8_K activations, widened by Kernels.widenQ8_K)
    //
    // Per super-block the scaled sub-block sums are added in int lanes and reduced once (an exact integer sum in
    // any order), the Q4_K/Q5_K minimums come from the activation's 32-sums in scalar code, and the float operations per
    // super-block are ScalarBackend's, so every width returns the reference's float bit for bit. Loads read exactly
    // the bytes they use (SIB / BB of LB bytes), so no block needs scalar code.

    @Override
    public float dotQ4_KQ8_K(MemorySegment w, long wOffset, short[] xq, int xqOffset, float[] xd, short[] xs,
                             int xdOffset, int n) {
        return K_SHORT_LANES ? dotQ4_KShorts(w, wOffset, xq, xqOffset, xd, xs, xdOffset, n)
                : dotQ4_KShorts512(w, wOffset, xq, xqOffset, xd, xs, xdOffset, n);
    }

    @Override
    public float dotQ5_KQ8_K(MemorySegment w, long wOffset, short[] xq, int xqOffset, float[] xd, short[] xs,
                             int xdOffset, int n) {
        return K_SHORT_LANES ? dotQ5_KShorts(w, wOffset, xq, xqOffset, xd, xs, xdOffset, n)
                : dotQ5_KShorts512(w, wOffset, xq, xqOffset, xd, xs, xdOffset, n);
    }

    @Override
    public float dotQ6_KQ8_K(MemorySegment w, long wOffset, short[] xq, int xqOffset, float[] xd, short[] xs,
                             int xdOffset, int n) {
        return SI.length() < 16 ? dotQ6_KShorts128(w, wOffset, xq, xqOffset, xd, xs, xdOffset, n)
                : dotQ6_KShorts(w, wOffset, xq, xqOffset, xd, xs, xdOffset, n);
    }

    /**
     * {@link #pairSum} in three operations, for int lanes whose two signed 16-bit halves {@code a} (low) and
     * {@code b} add up to less than {@code 2^15} in magnitude: {@code (p + (p << 16)) >> 16} is
     * {@code ((a+b) * 2^16 + (a mod 2^16)) >> 16 = a + b}. The K-quant kernels stay inside that bound (the largest
     * is Q5_K at 128 bits: 8 products of at most 31 * 128, 31744). Twin of {@link #smallPairSum}, kept apart (see there).
     */
    private static IntVector pairSumK(IntVector p) {
        return p.add(p.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
    }

    // The scalar part of a K-quant super-block (d and dmin as one int, the 12 scale bytes as three ints unpacked by
    // ScalarBackend's helpers, the mins against the activation's 32-sums, Q6_K's 16 scales as two longs) is read at
    // the top of the super-block loop, before the vector code: C2 inlines in parse order, and the same helpers called
    // after the vector loop had passed its node budget stayed calls (half, minSumK4: every live vector register
    // spilled around them, once per 256 weights). Inside the vector loop the scale bytes are ScalarBackend.scaleK
    // written out: called there, it stays a call in the Q5_K kernels. The float operations are ScalarBackend's:
    // (d * dx) * isum - (dmin * dx) * imin.

    /**
     * Q4_K in short lanes: each 32-byte chunk {@code c} of {@code qs} is loaded once for both nibbles (sub-blocks
     * {@code 2c}, {@code 2c+1}); nibble times activation short fits 16 bits (at most 15 * 128), and at most 4 of
     * them are added per lane before the pairwise widening to ints, which are then multiplied by the 6-bit scale.
     */
    private static float dotQ4_KShorts(MemorySegment w, long wOffset, short[] xq, int xqOffset, float[] xd,
                                       short[] xs, int xdOffset, int n) {
        int step = SI.length();
        float sumf = 0f;
        for (int b = 0; b < n / 256; b++) {
            long wb = wOffset + 144L * b;
            int xb = xqOffset + 256 * b;
            int dd = w.get(LittleEndian.INT, wb);
            int u0 = w.get(LittleEndian.INT, wb + 4), u1 = w.get(LittleEndian.INT, wb + 8), u2 = w.get(LittleEndian.INT, wb + 12);
            long scales = ScalarBackend.scalesK4(u0, u2);
            int imin = ScalarBackend.minSumK4(ScalarBackend.minsK4(u1, u2), xs, 8 * (xdOffset + b));
            float dx = xd[xdOffset + b];
            float d = Float.float16ToFloat((short) dd) * dx, dmin = Float.float16ToFloat((short) (dd >>> 16)) * dx;
            IntVector acc = IntVector.zero(SII);
            for (int c = 0; c < 4; c++) {
                ShortVector plo = ShortVector.zero(SI);
                ShortVector phi = ShortVector.zero(SI);
                for (int l = 0; l < 32; l += step) {
                    ShortVector q = bytesToShorts(w, wb + 16 + 32 * c + l);
                    plo = plo.add(q.and((short) 0x0F).mul(ShortVector.fromArray(SI, xq, xb + 64 * c + l)));
                    phi = phi.add(q.lanewise(VectorOperators.ASHR, 4).and((short) 0x0F).mul(ShortVector.fromArray(SI, xq, xb + 64 * c + 32 + l)));
                }
                acc = acc.add(pairSumK(plo.reinterpretAsInts()).mul((int) (scales >>> (16 * c)) & 0xFF))
                        .add(pairSumK(phi.reinterpretAsInts()).mul((int) (scales >>> (16 * c + 8)) & 0xFF));
            }
            sumf += d * acc.reduceLanes(VectorOperators.ADD) - dmin * imin;
        }
        return sumf;
    }

    // No fused two-row K-quant kernels (2-3 sequences call the one-row kernel per row): written out for two activation
    // rows, dotQ4_KShorts passed C2's node budget at 128/256 bits (pairSumK stayed a call, vectors boxed: 0.85x-0.90x
    // of two calls); dotQ4_KShorts512 did after a Q4_0 matmul in the same JVM (PollutionProbe: 49,152 bytes per call),
    // though alone it was 1.29x; in IB int lanes, nibbles times scale once for both rows, it ran at 0.97x. Two-row
    // Q6_K kernels gained 1.5-2.3x over the old one-row kernel but not over the one-row kernel below (at 256 bits
    // half its speed per row, at 512 equal).

    /** Q5_K in short lanes: {@link #dotQ4_KShorts} with the 5th bits (bits {@code 2c}, {@code 2c+1} of {@code qh[l]}). */
    private static float dotQ5_KShorts(MemorySegment w, long wOffset, short[] xq, int xqOffset, float[] xd,
                                       short[] xs, int xdOffset, int n) {
        int step = SI.length();
        float sumf = 0f;
        for (int b = 0; b < n / 256; b++) {
            long wb = wOffset + 176L * b;
            int xb = xqOffset + 256 * b;
            int dd = w.get(LittleEndian.INT, wb);
            int u0 = w.get(LittleEndian.INT, wb + 4), u1 = w.get(LittleEndian.INT, wb + 8), u2 = w.get(LittleEndian.INT, wb + 12);
            long scales = ScalarBackend.scalesK4(u0, u2);
            int imin = ScalarBackend.minSumK4(ScalarBackend.minsK4(u1, u2), xs, 8 * (xdOffset + b));
            float dx = xd[xdOffset + b];
            float d = Float.float16ToFloat((short) dd) * dx, dmin = Float.float16ToFloat((short) (dd >>> 16)) * dx;
            IntVector acc = IntVector.zero(SII);
            for (int c = 0; c < 4; c++) {
                ShortVector plo = ShortVector.zero(SI);
                ShortVector phi = ShortVector.zero(SI);
                for (int l = 0; l < 32; l += step) {
                    ShortVector q = bytesToShorts(w, wb + 48 + 32 * c + l);
                    ShortVector h = bytesToShorts(w, wb + 16 + l).lanewise(VectorOperators.ASHR, 2 * c);
                    ShortVector lo = q.and((short) 0x0F).or(h.and((short) 1).lanewise(VectorOperators.LSHL, 4));
                    ShortVector hi = q.lanewise(VectorOperators.ASHR, 4).and((short) 0x0F).or(h.and((short) 2).lanewise(VectorOperators.LSHL, 3));
                    plo = plo.add(lo.mul(ShortVector.fromArray(SI, xq, xb + 64 * c + l)));
                    phi = phi.add(hi.mul(ShortVector.fromArray(SI, xq, xb + 64 * c + 32 + l)));
                }
                acc = acc.add(pairSumK(plo.reinterpretAsInts()).mul((int) (scales >>> (16 * c)) & 0xFF))
                        .add(pairSumK(phi.reinterpretAsInts()).mul((int) (scales >>> (16 * c + 8)) & 0xFF));
            }
            sumf += d * acc.reduceLanes(VectorOperators.ADD) - dmin * imin;
        }
        return sumf;
    }

    /** 32 signed bytes at {@code offset} widened to {@link #SK} short lanes. */
    private static ShortVector bytesToShortsK(MemorySegment w, long offset) {
        return (ShortVector) ByteVector.fromMemorySegment(SKB, w, offset, LE).castShape(SK, 0);
    }

    /** Q4_K in {@link #SK} lanes (512-bit vectors and more): one vector per sub-block. */
    private static float dotQ4_KShorts512(MemorySegment w, long wOffset, short[] xq, int xqOffset, float[] xd,
                                          short[] xs, int xdOffset, int n) {
        float sumf = 0f;
        for (int b = 0; b < n / 256; b++) {
            long wb = wOffset + 144L * b;
            int xb = xqOffset + 256 * b;
            int dd = w.get(LittleEndian.INT, wb);
            int u0 = w.get(LittleEndian.INT, wb + 4), u1 = w.get(LittleEndian.INT, wb + 8), u2 = w.get(LittleEndian.INT, wb + 12);
            long scales = ScalarBackend.scalesK4(u0, u2);
            int imin = ScalarBackend.minSumK4(ScalarBackend.minsK4(u1, u2), xs, 8 * (xdOffset + b));
            float dx = xd[xdOffset + b];
            float d = Float.float16ToFloat((short) dd) * dx, dmin = Float.float16ToFloat((short) (dd >>> 16)) * dx;
            IntVector acc = IntVector.zero(IB);
            for (int c = 0; c < 4; c++) {
                ShortVector q = bytesToShortsK(w, wb + 16 + 32 * c);
                ShortVector plo = q.and((short) 0x0F).mul(ShortVector.fromArray(SK, xq, xb + 64 * c));
                ShortVector phi = q.lanewise(VectorOperators.ASHR, 4).and((short) 0x0F).mul(ShortVector.fromArray(SK, xq, xb + 64 * c + 32));
                acc = acc.add(pairSumK((IntVector) plo.reinterpretAsInts()).mul((int) (scales >>> (16 * c)) & 0xFF))
                        .add(pairSumK((IntVector) phi.reinterpretAsInts()).mul((int) (scales >>> (16 * c + 8)) & 0xFF));
            }
            sumf += d * acc.reduceLanes(VectorOperators.ADD) - dmin * imin;
        }
        return sumf;
    }

    /** Q5_K in {@link #SK} lanes: {@link #dotQ4_KShorts512} with the 5th bits. */
    private static float dotQ5_KShorts512(MemorySegment w, long wOffset, short[] xq, int xqOffset, float[] xd,
                                          short[] xs, int xdOffset, int n) {
        float sumf = 0f;
        for (int b = 0; b < n / 256; b++) {
            long wb = wOffset + 176L * b;
            int xb = xqOffset + 256 * b;
            int dd = w.get(LittleEndian.INT, wb);
            int u0 = w.get(LittleEndian.INT, wb + 4), u1 = w.get(LittleEndian.INT, wb + 8), u2 = w.get(LittleEndian.INT, wb + 12);
            long scales = ScalarBackend.scalesK4(u0, u2);
            int imin = ScalarBackend.minSumK4(ScalarBackend.minsK4(u1, u2), xs, 8 * (xdOffset + b));
            float dx = xd[xdOffset + b];
            float d = Float.float16ToFloat((short) dd) * dx, dmin = Float.float16ToFloat((short) (dd >>> 16)) * dx;
            ShortVector qh = bytesToShortsK(w, wb + 16);
            IntVector acc = IntVector.zero(IB);
            for (int c = 0; c < 4; c++) {
                ShortVector q = bytesToShortsK(w, wb + 48 + 32 * c);
                ShortVector h = qh.lanewise(VectorOperators.ASHR, 2 * c);
                ShortVector lo = q.and((short) 0x0F).or(h.and((short) 1).lanewise(VectorOperators.LSHL, 4));
                ShortVector hi = q.lanewise(VectorOperators.ASHR, 4).and((short) 0x0F).or(h.and((short) 2).lanewise(VectorOperators.LSHL, 3));
                ShortVector plo = lo.mul(ShortVector.fromArray(SK, xq, xb + 64 * c));
                ShortVector phi = hi.mul(ShortVector.fromArray(SK, xq, xb + 64 * c + 32));
                acc = acc.add(pairSumK((IntVector) plo.reinterpretAsInts()).mul((int) (scales >>> (16 * c)) & 0xFF))
                        .add(pairSumK((IntVector) phi.reinterpretAsInts()).mul((int) (scales >>> (16 * c + 8)) & 0xFF));
            }
            sumf += d * acc.reduceLanes(VectorOperators.ADD) - dmin * imin;
        }
        return sumf;
    }

    /**
     * Q6_K in short lanes: quarter {@code t} of half {@code h} is nibble {@code t/2} of {@code ql[64h + 32(t&1) + l]}
     * with bits {@code 2t, 2t+1} of {@code qh[32h + l]} on top, minus 32, so the
     * bytes {@code ql[l]}, {@code ql[l+32]}, {@code qh[l]} are loaded once for the four quarters they hold. q times
     * activation fits 16 bits (32 * 128); each product vector is widened pairwise to ints ({@link #smallPairSum}: two
     * such products sum to at most 8192) and multiplied by the int8 scale of its 16-group ({@code SI.length() == 16}:
     * one group per vector; 128-bit vectors take {@link #dotQ6_KShorts128}). The 16 scales are read as two longs
     * before the vector code (see the Q4_K note above).
     * The quarters go two per loop step with the nibble shift as the loop variable: written as four quarters selected
     * by {@code t & 1} the kernel ran at half this speed at 256 bits (0.52x; and all four written out boxed).
     */
    private static float dotQ6_KShorts(MemorySegment w, long wOffset, short[] xq, int xqOffset, float[] xd,
                                       short[] xs, int xdOffset, int n) {
        int step = SI.length();
        float sumf = 0f;
        for (int b = 0; b < n / 256; b++) {
            long wb = wOffset + 210L * b;
            int xb = xqOffset + 256 * b;
            float d = half(w, wb + 208) * xd[xdOffset + b];
            IntVector acc = IntVector.zero(SII);
            for (int h = 0; h < 2; h++) {
                long sc = w.get(LONG_LE, wb + 192 + 8 * h);
                for (int l = 0; l < 32; l += step) {
                    ShortVector l0 = bytesToShorts(w, wb + 64 * h + l);
                    ShortVector l1 = bytesToShorts(w, wb + 64 * h + 32 + l);
                    ShortVector hb = bytesToShorts(w, wb + 128 + 32 * h + l).lanewise(VectorOperators.LSHL, 4);
                    int xt = xb + 128 * h + l;
                    int g = 8 * (l / 16);
                    for (int u = 0; u < 2; u++) {   // quarters 2u (ql[l]) and 2u+1 (ql[l+32]): nibble u
                        ShortVector qa = l0.lanewise(VectorOperators.ASHR, 4 * u).and((short) 0x0F)
                                .or(hb.lanewise(VectorOperators.ASHR, 4 * u).and((short) 0x30)).sub((short) 32);
                        ShortVector qb = l1.lanewise(VectorOperators.ASHR, 4 * u).and((short) 0x0F)
                                .or(hb.lanewise(VectorOperators.ASHR, 4 * u + 2).and((short) 0x30)).sub((short) 32);
                        acc = acc.add(smallPairSum(qa.mul(ShortVector.fromArray(SI, xq, xt + 64 * u)).reinterpretAsInts())
                                        .mul((int) (byte) (sc >>> (32 * u + g))))
                                .add(smallPairSum(qb.mul(ShortVector.fromArray(SI, xq, xt + 64 * u + 32)).reinterpretAsInts())
                                        .mul((int) (byte) (sc >>> (32 * u + 16 + g))));
                    }
                }
            }
            sumf += d * acc.reduceLanes(VectorOperators.ADD);
        }
        return sumf;
    }

    /**
     * {@link #dotQ6_KShorts} for 128-bit vectors ({@code SI.length() == 8}): the two vectors of each 16-group are added
     * in short lanes before the pairwise widening and the scale (at most four products of at most 32 * 127 per int
     * lane, 16,256), so each group is widened and scaled once, not twice: KernelAb 1.42x at 128 bits. Bit for bit the
     * same sum (integer adds). The pair sums are written out: called after the group loop they stayed calls (C2's
     * inlining budget; so did a helper for the quarter products), and the vectors boxed. This kernel run at 256 bits,
     * where one vector is a group, was 0.94-0.95x of {@link #dotQ6_KShorts} (an add of the zero vector per product).
     */
    private static float dotQ6_KShorts128(MemorySegment w, long wOffset, short[] xq, int xqOffset, float[] xd,
                                          short[] xs, int xdOffset, int n) {
        float sumf = 0f;
        for (int b = 0; b < n / 256; b++) {
            long wb = wOffset + 210L * b;
            int xb = xqOffset + 256 * b;
            float d = half(w, wb + 208) * xd[xdOffset + b];
            IntVector acc = IntVector.zero(SII);
            for (int h = 0; h < 2; h++) {
                long sc = w.get(LONG_LE, wb + 192 + 8 * h);
                for (int g = 0; g < 32; g += 16) {   // the two 16-groups of each quarter's 32 bytes
                    ShortVector pa0 = ShortVector.zero(SI), pb0 = ShortVector.zero(SI);
                    ShortVector pa1 = ShortVector.zero(SI), pb1 = ShortVector.zero(SI);
                    for (int k = 0; k < 16; k += SI.length()) {
                        long ql = wb + 64 * h + g + k;
                        ShortVector l0 = bytesToShorts(w, ql), l1 = bytesToShorts(w, ql + 32);
                        ShortVector hb = bytesToShorts(w, wb + 128 + 32 * h + g + k).lanewise(VectorOperators.LSHL, 4);
                        int xt = xb + 128 * h + g + k;
                        // quarters 0 (ql[l]) and 1 (ql[l+32]): low nibbles; quarters 2 and 3: high nibbles
                        pa0 = pa0.add(l0.and((short) 0x0F).or(hb.and((short) 0x30)).sub((short) 32)
                                .mul(ShortVector.fromArray(SI, xq, xt)));
                        pb0 = pb0.add(l1.and((short) 0x0F).or(hb.lanewise(VectorOperators.ASHR, 2).and((short) 0x30))
                                .sub((short) 32).mul(ShortVector.fromArray(SI, xq, xt + 32)));
                        pa1 = pa1.add(l0.lanewise(VectorOperators.ASHR, 4).and((short) 0x0F)
                                .or(hb.lanewise(VectorOperators.ASHR, 4).and((short) 0x30)).sub((short) 32)
                                .mul(ShortVector.fromArray(SI, xq, xt + 64)));
                        pb1 = pb1.add(l1.lanewise(VectorOperators.ASHR, 4).and((short) 0x0F)
                                .or(hb.lanewise(VectorOperators.ASHR, 6).and((short) 0x30)).sub((short) 32)
                                .mul(ShortVector.fromArray(SI, xq, xt + 96)));
                    }
                    // smallPairSum written out: called here, after the loop, it stayed a call (C2's inlining budget)
                    IntVector ia0 = pa0.reinterpretAsInts(), ib0 = pb0.reinterpretAsInts();
                    IntVector ia1 = pa1.reinterpretAsInts(), ib1 = pb1.reinterpretAsInts();
                    int s = g / 2;   // bit offset of the group's scale byte within each quarter's 16 bits of sc
                    IntVector q0 = ia0.lanewise(VectorOperators.LSHL, 16).add(ia0).lanewise(VectorOperators.ASHR, 16)
                            .mul((int) (byte) (sc >>> s))
                            .add(ib0.lanewise(VectorOperators.LSHL, 16).add(ib0).lanewise(VectorOperators.ASHR, 16)
                                    .mul((int) (byte) (sc >>> (16 + s))));
                    IntVector q1 = ia1.lanewise(VectorOperators.LSHL, 16).add(ia1).lanewise(VectorOperators.ASHR, 16)
                            .mul((int) (byte) (sc >>> (32 + s)))
                            .add(ib1.lanewise(VectorOperators.LSHL, 16).add(ib1).lanewise(VectorOperators.ASHR, 16)
                                    .mul((int) (byte) (sc >>> (48 + s))));
                    acc = acc.add(q0.add(q1));
                }
            }
            sumf += d * acc.reduceLanes(VectorOperators.ADD);
        }
        return sumf;
    }

}
