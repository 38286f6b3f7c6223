package io.edgellm.quant.kernel;

import io.edgellm.quant.GgmlType;
import io.edgellm.quant.ggml.Dequantize;
import io.edgellm.quant.ggml.Half;
import io.edgellm.quant.ggml.LittleEndian;
import io.edgellm.quant.ggml.Quantize;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Weight matrix × activations: {@code y[b][r] = W[r,:] · x[b]} for a {@link QTensor} {@code W} of
 * {@code rows × cols}, split across a {@link Parallel} pool by output rows.
 *
 * <h2>Activations</h2>
 * With {@link ActivationPrecision#VEC_DOT_TYPE} (the default) every activation row is first rounded to
 * {@code W.type().vecDotType()}, as llama.cpp's CPU backend does:
 * <ul>
 *   <li>Q8_0 / Q4_0 weights: x is quantized to Q8_0 once per row and the integer kernels
 *       ({@link Kernels#dotQ8_0Q8_0}, {@link Kernels#dotQ4_0Q8_0}) run on it;</li>
 *   <li>Q4_1 / Q5_1: x is quantized to Q8_1 and dequantized back; the Q8_1 block sums {@code s} feed the
 *       {@code m} term ({@link Kernels#dotWithBlockSums});</li>
 *   <li>Q4_K / Q5_K / Q6_K: x is quantized to Q8_K once per row, widened ({@link Kernels#widenQ8_K}), and the
 *       integer kernels run ({@link Kernels#dotKQ8_K}: exact integer sums per super-block);</li>
 *   <li>Q5_0 (Q8_0), F16 (F16), BF16 (BF16), Q2_K / Q3_K (Q8_K): x is rounded to that type and back, then the float
 *       kernels run. This equals llama.cpp's integer dot up to float summation order.</li>
 * </ul>
 * The Q8_0 / Q8_1 rounding follows {@link #activationQuantizer(ActivationQuantizer)} (by default llama.cpp's for this
 * CPU architecture). With {@link ActivationPrecision#F32} the F32 activations are used as they are.
 *
 * <h2>Batches</h2>
 * {@link #matvec} (and a batch of fewer than {@link #TILE_MIN_BATCH} rows) runs the fused kernels above: each weight
 * row decoded in registers and dotted with each activation row, a weight row at a time. From
 * {@link #TILE_MIN_BATCH} rows on (prefill), {@link #matmul} dequantizes 4 weight rows at a time into a float
 * scratch, once per batch, and multiplies them with the activation rows in 4 × 4 register tiles (the weight
 * decode is paid once per batch, and each vector load feeds 4 FMAs; llama.cpp's batched CPU matmul does the same
 * with its repacked layouts). The activations are rounded to {@code vec_dot_type} exactly as in the fused path, so
 * the two paths differ only in float summation order (within ~1e-6 of the row's magnitude; the integer kernels sum
 * each block exactly). Q4_1/Q5_1 with {@link ActivationPrecision#VEC_DOT_TYPE} (their Q8_1 block sums) and the
 * {@link AccumulationOrder#LLAMA_CPP_X86} reproduction mode always take the fused path.
 *
 * <h2>Threads and memory</h2>
 * Scratch buffers belong to the instance and grow only when a larger shape first appears; the hot loop does not
 * allocate. An instance is not thread-safe: use one per inference session/thread. Results do not depend on the pool
 * size (each output is computed by the same code on the same data). When {@link KernelProfile#enabled()}, every call
 * is timed (activation rounding, wall time, each worker's busy time) and recorded per weight type and shape.
 */
public final class MatMul {

    /** Activation bytes a batch tile of the fused path should stay within. */
    private static final int TILE_BYTES = 256 * 1024;

    /** Smallest batch that takes the dequantize-and-tile path (see "Batches"). */
    public static final int TILE_MIN_BATCH = 4;

    private enum Mode {
        /** Q8_0 weights · Q8_0 activations (integer). */
        INT_Q8_0,
        /** Q4_0 weights · Q8_0 activations (integer). */
        INT_Q4_0,
        /** float kernel on activations {@code act} (the input or its rounded copy). */
        FLOAT,
        /** Q4_K / Q5_K / Q6_K weights · Q8_K activations (integer, {@link Kernels#dotKQ8_K}). */
        INT_K,
        /** Q4_1/Q5_1 float kernel with the Q8_1 block sums. */
        FLOAT_SUMS,
        /** Batch: weight rows dequantized to {@link #tileScratch}, then {@link KernelBackend#dotTile}. */
        TILES
    }

    private final Parallel pool;
    private ActivationPrecision precision = ActivationPrecision.VEC_DOT_TYPE;
    private ActivationQuantizer quantizer = ActivationQuantizer.forThisPlatform();
    private AccumulationOrder order = AccumulationOrder.KERNEL;

    // scratch, grown on demand
    private MemorySegment quant = Arena.ofAuto().allocate(64, 64);
    private float[] rounded = new float[0];
    private float[] blockSums = new float[0];
    /** Q8_0 activations widened for the integer kernels: quants, and one scale per 32. */
    private short[] actQ = new short[0];
    private float[] actD = new float[0];
    /** Q8_K activations widened for the K-quant integer kernels: quants, one scale per 256, the sums per 32. */
    private short[] actKQ = new short[0];
    private float[] actKD = new float[0];
    private short[] actKS = new short[0];
    /** Per worker: 4 dequantized weight rows of the {@link Mode#TILES} path. */
    private float[][] tileScratch = new float[0][];

    // the call in progress, read by the task
    private QTensor w;
    private Mode mode;
    private float[] act;
    private int actOffset;
    private long quantRowBytes;
    private int batch;
    private int tile;
    private float[] out;
    private int outOffset;
    private final RangeTask task = this::rows;
    /** {@link KernelProfile}: whether this call is recorded, and each worker's busy nanoseconds. */
    private boolean profiling;
    private long[] workerNanos = new long[0];

    /**
     * @param pool the threads the row ranges are split over (not closed by this class)
     */
    public MatMul(Parallel pool) {
        this.pool = Objects.requireNonNull(pool, "pool");
    }

    /** Sets how activations are rounded before the dot products (default {@link ActivationPrecision#VEC_DOT_TYPE}). */
    public MatMul activationPrecision(ActivationPrecision precision) {
        this.precision = Objects.requireNonNull(precision, "precision");
        return this;
    }

    /**
     * Sets how activations are quantized to Q8_0 / Q8_1 under {@link ActivationPrecision#VEC_DOT_TYPE} (default
     * {@link ActivationQuantizer#forThisPlatform()}: the rounding llama.cpp uses on this CPU architecture).
     */
    public MatMul activationQuantizer(ActivationQuantizer quantizer) {
        this.quantizer = Objects.requireNonNull(quantizer, "quantizer");
        return this;
    }

    /**
     * Sets the summation order of the Q8_0 / Q4_0 integer dot products (default {@link AccumulationOrder#KERNEL};
     * {@link AccumulationOrder#LLAMA_CPP_X86} reproduces llama.cpp's x86 sums bit for bit, slowly).
     */
    public MatMul accumulationOrder(AccumulationOrder order) {
        this.order = Objects.requireNonNull(order, "order");
        return this;
    }

    /** The current accumulation order. */
    public AccumulationOrder accumulationOrder() {
        return order;
    }

    /** The current activation quantizer. */
    public ActivationQuantizer activationQuantizer() {
        return quantizer;
    }

    /** The current activation precision. */
    public ActivationPrecision activationPrecision() {
        return precision;
    }

    /** The pool this instance runs on. */
    public Parallel pool() {
        return pool;
    }

    /**
     * {@code y[yOffset + r] = W[r,:] · x[xOffset .. xOffset + cols)} for every row {@code r} of {@code w}.
     *
     * @throws IllegalArgumentException if the weight type has no kernel
     * @throws IndexOutOfBoundsException if {@code x} or {@code y} is too short
     */
    public void matvec(QTensor w, float[] x, int xOffset, float[] y, int yOffset) {
        matmul(w, x, xOffset, 1, y, yOffset);
    }

    /**
     * For {@code b < batch}: {@code y[yOffset + b*rows + r] = W[r,:] · x[xOffset + b*cols ..]}: {@code x} holds
     * {@code batch} activation rows of {@code w.cols()} floats, {@code y} receives {@code batch} rows of
     * {@code w.rows()} floats.
     *
     * @throws IllegalArgumentException if {@code batch < 1} or the weight type has no kernel
     * @throws IndexOutOfBoundsException if {@code x} or {@code y} is too short
     */
    public void matmul(QTensor w, float[] x, int xOffset, int batch, float[] y, int yOffset) {
        Objects.requireNonNull(w, "w");
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        int cols = w.cols();
        int rows = w.rows();
        Objects.checkFromIndexSize(xOffset, Math.multiplyExact(batch, cols), x.length);
        Objects.checkFromIndexSize(yOffset, Math.multiplyExact(batch, rows), y.length);
        boolean profile = KernelProfile.enabled();
        long t0 = profile ? System.nanoTime() : 0L;
        GgmlType type = w.type();
        boolean vecDot = precision == ActivationPrecision.VEC_DOT_TYPE;
        boolean tiles = batch >= TILE_MIN_BATCH && order == AccumulationOrder.KERNEL
                && !(vecDot && (type == GgmlType.Q4_1 || type == GgmlType.Q5_1));
        long actRowBytes = 4L * cols;
        if (tiles) {
            if (!type.isQuantized() && type != GgmlType.F32 && type != GgmlType.F16 && type != GgmlType.BF16) {
                throw new IllegalArgumentException("tensor '" + w.name() + "': no matmul kernel for type " + type);
            }
            mode = Mode.TILES;
            if (vecDot && type != GgmlType.F32) {
                roundRows(type.vecDotType(), x, xOffset, batch, cols, false);
            } else {
                useInput(x, xOffset);
            }
            ensureTileScratch(4 * cols);
        } else {
            switch (type) {
                case Q8_0, Q4_0 -> {
                    if (vecDot) {
                        mode = type == GgmlType.Q8_0 ? Mode.INT_Q8_0 : Mode.INT_Q4_0;
                        quantizeRows(GgmlType.Q8_0, x, xOffset, batch, cols);
                        widenRows(batch, cols);
                        actRowBytes = quantRowBytes;
                    } else {
                        mode = Mode.FLOAT;
                        useInput(x, xOffset);
                    }
                }
                case F32, F16, BF16, Q5_0 -> {
                    mode = Mode.FLOAT;
                    if (vecDot && type != GgmlType.F32) {
                        roundRows(type.vecDotType(), x, xOffset, batch, cols, false);
                    } else {
                        useInput(x, xOffset);
                    }
                }
                case Q4_1, Q5_1 -> {
                    if (vecDot) {
                        mode = Mode.FLOAT_SUMS;
                        roundRows(GgmlType.Q8_1, x, xOffset, batch, cols, true);
                    } else {
                        mode = Mode.FLOAT;
                        useInput(x, xOffset);
                    }
                }
                case Q4_K, Q5_K, Q6_K -> {
                    if (vecDot && order == AccumulationOrder.KERNEL) {
                        mode = Mode.INT_K;
                        quantizeRows(GgmlType.Q8_K, x, xOffset, batch, cols);
                        widenRowsK(batch, cols);
                        actRowBytes = quantRowBytes;
                    } else {
                        mode = Mode.FLOAT;
                        if (vecDot) {
                            roundRows(GgmlType.Q8_K, x, xOffset, batch, cols, false);
                        } else {
                            useInput(x, xOffset);
                        }
                    }
                }
                case Q2_K, Q3_K -> {
                    mode = Mode.FLOAT;
                    if (vecDot) {
                        roundRows(GgmlType.Q8_K, x, xOffset, batch, cols, false);
                    } else {
                        useInput(x, xOffset);
                    }
                }
                default -> throw new IllegalArgumentException("tensor '" + w.name() + "': no matmul kernel for type " + type);
            }
        }
        this.w = w;
        this.batch = batch;
        this.tile = (int) Math.max(1, Math.min(batch, TILE_BYTES / actRowBytes));
        this.out = y;
        this.outOffset = yOffset;
        long t1 = 0L;
        if (profile) {
            if (workerNanos.length < pool.threads()) {
                workerNanos = new long[pool.threads()];
            }
            java.util.Arrays.fill(workerNanos, 0L);
            t1 = System.nanoTime();
        }
        this.profiling = profile;
        try {
            pool.forRange(rows, task);
        } finally {
            this.w = null;
            this.out = null;
            this.act = null;
        }
        if (profile) {
            long t2 = System.nanoTime();
            KernelProfile.recordMatMul(type, rows, cols, batch, mode == Mode.TILES, w.rowBytes(), t2 - t0, t1 - t0,
                    workerNanos, pool.threads());
        }
    }

    private void useInput(float[] x, int xOffset) {
        act = x;
        actOffset = xOffset;
    }

    /** Quantizes the batch rows into {@link #quant} (one {@code type.rowBytes(cols)} row per activation row). */
    private void quantizeRows(GgmlType type, float[] x, int xOffset, int batch, int cols) {
        quantRowBytes = type.rowBytes(cols);
        ensureQuant(quantRowBytes * batch);
        for (int b = 0; b < batch; b++) {
            if (type == GgmlType.Q8_0 || type == GgmlType.Q8_1) {
                quantizer.quantizeRow(type, x, xOffset + b * cols, cols, quant, b * quantRowBytes);
            } else {
                Quantize.row(type, x, xOffset + b * cols, cols, quant, b * quantRowBytes);
            }
        }
    }

    /**
     * Rounds the batch rows to {@code type} and back into {@link #rounded}; with {@code sums} also stores the Q8_1
     * block sums ({@code s}, f16 at byte 2 of each 36-byte block) into {@link #blockSums}.
     */
    private void roundRows(GgmlType type, float[] x, int xOffset, int batch, int cols, boolean sums) {
        int n = batch * cols;
        if (rounded.length < n) {
            rounded = new float[n];
        }
        if (type == GgmlType.F16) {               // cheap direct paths (same rounding as the codecs)
            for (int i = 0; i < n; i++) {
                rounded[i] = Half.toFloat(Half.fromFloat(x[xOffset + i]));
            }
        } else if (type == GgmlType.BF16) {
            for (int i = 0; i < n; i++) {
                rounded[i] = Half.bf16ToFloat(Half.floatToBf16(x[xOffset + i]));
            }
        } else {
            quantizeRows(type, x, xOffset, batch, cols);
            for (int b = 0; b < batch; b++) {
                Dequantize.row(type, quant, b * quantRowBytes, rounded, b * cols, cols);
            }
            if (sums) {
                int blocks = cols / 32;
                if (blockSums.length < batch * blocks) {
                    blockSums = new float[batch * blocks];
                }
                for (int b = 0; b < batch; b++) {
                    for (int k = 0; k < blocks; k++) {
                        blockSums[b * blocks + k] = LittleEndian.readHalf(quant, b * quantRowBytes + 36L * k + 2);
                    }
                }
            }
        }
        act = rounded;
        actOffset = 0;
    }

    /** {@link #quant}'s Q8_0 rows into {@link #actQ} / {@link #actD} ({@link Kernels#widenQ8_0}). */
    private void widenRows(int batch, int cols) {
        int n = batch * cols;
        if (actQ.length < n) {
            actQ = new short[n];
            actD = new float[n / 32];
        }
        for (int b = 0; b < batch; b++) {
            if (Kernels.widenQ8_0(quant, b * quantRowBytes, cols, actQ, b * cols, actD, b * (cols / 32))
                    && mode == Mode.INT_Q8_0) {
                // cannot happen: every ActivationQuantizer rounds to |q| <= 127 (the Q8_0 kernel's contract)
                throw new IllegalStateException("activation quantizer " + quantizer + " produced the quant -128");
            }
        }
    }

    /** {@link #quant}'s Q8_K rows into {@link #actKQ} / {@link #actKD} / {@link #actKS} ({@link Kernels#widenQ8_K}). */
    private void widenRowsK(int batch, int cols) {
        int n = batch * cols;
        if (actKQ.length < n) {
            actKQ = new short[n];
            actKD = new float[n / 256];
            actKS = new short[n / 32];
        }
        for (int b = 0; b < batch; b++) {
            Kernels.widenQ8_K(quant, b * quantRowBytes, cols, actKQ, b * cols, actKD, actKS, b * (cols / 256));
        }
    }

    private void ensureTileScratch(int floats) {
        int threads = pool.threads();
        if (tileScratch.length < threads) {
            tileScratch = java.util.Arrays.copyOf(tileScratch, threads);
        }
        for (int t = 0; t < threads; t++) {
            if (tileScratch[t] == null || tileScratch[t].length < floats) {
                tileScratch[t] = new float[floats];
            }
        }
    }

    private void ensureQuant(long bytes) {
        if (quant.byteSize() < bytes) {
            if (bytes > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("activation batch too large: " + bytes + " bytes");
            }
            quant = Arena.ofAuto().allocate(bytes, 64);
        }
    }

    /**
     * The task: rows {@code [start, end)} of W for every activation row, tile by tile. Each mode's loop is a small
     * method of its own; the {@link AccumulationOrder#LLAMA_CPP_X86} reproduction mode has its own loop, so the fast
     * loops carry none of its branches.
     */
    private void rows(int start, int end, int worker) {
        if (profiling) {
            long t = System.nanoTime();
            rowsOf(start, end, worker);
            workerNanos[worker] += System.nanoTime() - t;
        } else {
            rowsOf(start, end, worker);
        }
    }

    private void rowsOf(int start, int end, int worker) {
        if (mode == Mode.TILES) {
            rowsTiles(w, act, actOffset, batch, tileScratch[worker], out, outOffset, start, end);
            return;
        }
        boolean x86 = order == AccumulationOrder.LLAMA_CPP_X86;
        for (int b0 = 0; b0 < batch; b0 += tile) {
            int b1 = Math.min(batch, b0 + tile);
            if (x86) {
                rowsLlamaCppX86(start, end, b0, b1);
                continue;
            }
            switch (mode) {
                case INT_Q8_0, INT_Q4_0 -> rowsInt(w, mode == Mode.INT_Q4_0, actQ, actD, out, outOffset, start, end, b0, b1);
                case INT_K -> rowsIntK(w, actKQ, actKD, actKS, out, outOffset, start, end, b0, b1);
                case FLOAT -> rowsFloat(w, act, actOffset, out, outOffset, start, end, b0, b1);
                case FLOAT_SUMS -> rowsBlockSums(w, act, actOffset, blockSums, out, outOffset, start, end, b0, b1);
                case TILES -> throw new IllegalStateException("handled above");
            }
        }
    }

    /** Rows {@code [start, end)}: 4 at a time dequantized into {@code scratch}, then 4 × 4 tiles over the batch. */
    private static void rowsTiles(QTensor w, float[] x, int xOffset, int batch, float[] scratch, float[] y,
                                  int yOffset, int start, int end) {
        MemorySegment data = w.data();
        GgmlType type = w.type();
        long rowBytes = w.rowBytes();
        int cols = w.cols(), nRows = w.rows();
        KernelBackend k = Kernels.BACKEND;
        for (int r0 = start; r0 < end; r0 += 4) {
            int nr = Math.min(4, end - r0);
            for (int i = 0; i < nr; i++) {
                k.dequantize(type, data, (r0 + i) * rowBytes, scratch, i * cols, cols);
            }
            for (int b0 = 0; b0 < batch; b0 += 4) {
                k.dotTile(scratch, 0, nr, x, xOffset + b0 * cols, Math.min(4, batch - b0), cols, y,
                        yOffset + b0 * nRows + r0, nRows);
            }
        }
    }

    /**
     * The integer kernels: Q8_0 or Q4_0 weights times the widened Q8_0 activations; activation rows two at a time
     * share each weight load ({@link KernelBackend#dotQ4_0Q8_0x2}), with the one-row kernel's results bit for bit.
     */
    private static void rowsInt(QTensor w, boolean q4, short[] xq, float[] xd, float[] y, int yOffset,
                                int start, int end, int b0, int b1) {
        MemorySegment data = w.data();
        long rowBytes = w.rowBytes();
        int cols = w.cols(), nRows = w.rows();
        KernelBackend k = Kernels.BACKEND;
        int bpr = cols / 32;
        for (int r = start; r < end; r++) {
            long wo = r * rowBytes;
            int b = b0;
            for (; b + 1 < b1; b += 2) {            // two activation rows per weight row load (2-3 sequences)
                int y0 = yOffset + b * nRows + r;
                if (q4) {
                    k.dotQ4_0Q8_0x2(data, wo, xq, b * cols, (b + 1) * cols, xd, b * bpr, (b + 1) * bpr, cols, y, y0, y0 + nRows);
                } else {
                    k.dotQ8_0Q8_0x2(data, wo, xq, b * cols, (b + 1) * cols, xd, b * bpr, (b + 1) * bpr, cols, y, y0, y0 + nRows);
                }
            }
            if (b < b1) {
                y[yOffset + b * nRows + r] = q4
                        ? k.dotQ4_0Q8_0(data, wo, xq, b * cols, xd, b * bpr, cols)
                        : k.dotQ8_0Q8_0(data, wo, xq, b * cols, xd, b * bpr, cols);
            }
        }
    }

    /** The K-quant integer kernels: Q4_K, Q5_K or Q6_K weights times the widened Q8_K activations. */
    private static void rowsIntK(QTensor w, short[] xq, float[] xd, short[] xs, float[] y, int yOffset,
                                 int start, int end, int b0, int b1) {
        MemorySegment data = w.data();
        GgmlType type = w.type();
        long rowBytes = w.rowBytes();
        int cols = w.cols(), nRows = w.rows();
        int blocks = cols / 256;
        KernelBackend k = Kernels.BACKEND;
        for (int r = start; r < end; r++) {
            long wo = r * rowBytes;
            for (int b = b0; b < b1; b++) {
                y[yOffset + b * nRows + r] = switch (type) {
                    case Q4_K -> k.dotQ4_KQ8_K(data, wo, xq, b * cols, xd, xs, b * blocks, cols);
                    case Q5_K -> k.dotQ5_KQ8_K(data, wo, xq, b * cols, xd, xs, b * blocks, cols);
                    default -> k.dotQ6_KQ8_K(data, wo, xq, b * cols, xd, xs, b * blocks, cols);
                };
            }
        }
    }

    private static void rowsFloat(QTensor w, float[] x, int xOffset, float[] y, int yOffset,
                                  int start, int end, int b0, int b1) {
        MemorySegment data = w.data();
        GgmlType type = w.type();
        long rowBytes = w.rowBytes();
        int cols = w.cols(), nRows = w.rows();
        KernelBackend k = Kernels.BACKEND;
        for (int r = start; r < end; r++) {
            for (int b = b0; b < b1; b++) {
                y[yOffset + b * nRows + r] = k.dot(type, data, r * rowBytes, x, xOffset + b * cols, cols);
            }
        }
    }

    private static void rowsBlockSums(QTensor w, float[] x, int xOffset, float[] sums, float[] y, int yOffset,
                                      int start, int end, int b0, int b1) {
        MemorySegment data = w.data();
        GgmlType type = w.type();
        long rowBytes = w.rowBytes();
        int cols = w.cols(), nRows = w.rows();
        int blocks = cols / 32;
        KernelBackend k = Kernels.BACKEND;
        for (int r = start; r < end; r++) {
            for (int b = b0; b < b1; b++) {
                y[yOffset + b * nRows + r] = k.dotWithBlockSums(type, data, r * rowBytes, x, xOffset + b * cols,
                        sums, b * blocks, cols);
            }
        }
    }

    /** {@link AccumulationOrder#LLAMA_CPP_X86}: the scalar reproduction of llama.cpp's x86 sums (slow by design). */
    private void rowsLlamaCppX86(int start, int end, int b0, int b1) {
        QTensor w = this.w;
        GgmlType type = w.type();
        MemorySegment data = w.data();
        int cols = w.cols();
        int nRows = w.rows();
        long rowBytes = w.rowBytes();
        float[] y = out;
        KernelBackend k = Kernels.BACKEND;
        int blocks = cols / 32;
        boolean repacked = LlamaCppX86Dot.q4_0IsRepacked(w.name(), nRows);
        boolean x86F16 = type == GgmlType.F16 && precision == ActivationPrecision.VEC_DOT_TYPE;
        for (int r = start; r < end; r++) {
            long wo = r * rowBytes;
            for (int b = b0; b < b1; b++) {
                y[outOffset + b * nRows + r] = switch (mode) {
                    case INT_Q8_0 -> LlamaCppX86Dot.dotQ8_0Q8_0(data, wo, quant, b * quantRowBytes, cols);
                    case INT_Q4_0 -> repacked
                            ? LlamaCppX86Dot.dotQ4_0Q8_0Repacked(data, wo, quant, b * quantRowBytes, cols)
                            : LlamaCppX86Dot.dotQ4_0Q8_0(data, wo, quant, b * quantRowBytes, cols);
                    case FLOAT -> x86F16
                            ? LlamaCppX86Dot.dotF16(data, wo, act, actOffset + b * cols, cols)
                            : k.dot(type, data, wo, act, actOffset + b * cols, cols);
                    case FLOAT_SUMS -> k.dotWithBlockSums(type, data, wo, act, actOffset + b * cols,
                            blockSums, b * blocks, cols);
                    case INT_K -> throw new IllegalStateException("K-quants take the float kernels in this mode");
                    case TILES -> throw new IllegalStateException("tiles are not used in the reproduction mode");
                };
            }
        }
    }
}
