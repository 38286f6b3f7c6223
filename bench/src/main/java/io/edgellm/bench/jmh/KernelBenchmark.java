package io.edgellm.bench.jmh;

import io.edgellm.quant.GgmlType;
import io.edgellm.quant.ggml.Half;
import io.edgellm.quant.ggml.LittleEndian;
import io.edgellm.quant.ggml.Quantize;
import io.edgellm.quant.kernel.ActivationPrecision;
import io.edgellm.quant.kernel.Kernels;
import io.edgellm.quant.kernel.MatMul;
import io.edgellm.quant.kernel.Parallel;
import io.edgellm.quant.kernel.QTensor;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Kernel throughput: one weight matrix ({@code rows × cols}, default 2048 × 8192, like a Llama-3.2-1B FFN projection)
 * times one F32 activation vector, per weight type, activation path and thread count.
 *
 * <ul>
 *   <li>{@code matvec}: {@link MatMul#matvec} over the whole matrix (the decode-step operation).</li>
 *   <li>{@code matmulBatch}: {@link MatMul#matmul} of 32 activation rows (a prefill chunk; ops/s × 32 = rows/s).</li>
 *   <li>{@code dotRow}: one {@link Kernels} dot product of a single row (cache-resident: compute bound; threads
 *       param ignored).</li>
 * </ul>
 * {@code path = float} keeps activations F32 ({@link ActivationPrecision#F32}); {@code path = int} rounds them to the
 * type's {@code vec_dot_type} as llama.cpp does ({@link ActivationPrecision#VEC_DOT_TYPE}: the integer Q8_0·Q8_0 and
 * Q4_0·Q8_0 kernels; for other types the rounded activations go through the float kernels).
 * The auxiliary counter {@code weightGB} is the weight bytes streamed, so its rate is GB/s of weights; {@code gflop}
 * (2 per weight per activation row) gives GFLOP/s. {@link RooflineBenchmark} measures the machine's read bandwidth and
 * FMA peak to hold them against.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/edgellm.jar org.openjdk.jmh.Main KernelBenchmark \
 *      -p type=Q4_0 -p path=int -p threads=4
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class KernelBenchmark {

    @Param({"Q8_0", "Q4_0", "F32", "F16", "BF16", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q6_K"})
    public String type;

    @Param({"float", "int"})
    public String path;

    @Param({"1", "2"})
    public int threads;

    @Param({"2048"})
    public int rows;

    @Param({"8192"})
    public int cols;

    private Arena arena;
    private Parallel pool;
    private MatMul matMul;
    private QTensor weights;
    private float[] x;
    private float[] y;
    private float[] xBatch;
    private float[] yBatch;

    /** Activation rows of {@link #matmulBatch} (a prefill chunk). */
    static final int BATCH = 32;
    private MemorySegment xq;
    private GgmlType ggmlType;

    /** Weight bytes streamed per operation, reported as a rate (GB/s). */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Traffic {
        /** Gigabytes of weights read; JMH divides by time. */
        public double weightGB;
        /** Giga floating-point operations (2 per weight and activation row); JMH divides by time: GFLOP/s. */
        public double gflop;
    }

    @Setup(Level.Trial)
    public void setUp() {
        ggmlType = GgmlType.valueOf(type);
        arena = Arena.ofShared();
        Random rnd = new Random(1234);
        long rowBytes = ggmlType.rowBytes(cols);
        MemorySegment data = arena.allocate(rowBytes * rows, 64);
        float[] rowValues = new float[cols];
        byte[] raw = new byte[(int) rowBytes];
        for (int r = 0; r < rows; r++) {
            long off = r * rowBytes;
            if (ggmlType.blockSize() == 256) {
                // K-quants: the reference quantizer does not produce them; random bits with sane scales behave alike
                rnd.nextBytes(raw);
                MemorySegment.copy(MemorySegment.ofArray(raw), 0, data, off, rowBytes);
                for (int b = 0; b < cols / 256; b++) {
                    long o = off + (long) b * ggmlType.bytesPerBlock();
                    short scale = Half.fromFloat(0.01f);
                    switch (ggmlType) {
                        case Q2_K -> { data.set(LittleEndian.SHORT, o + 80, scale); data.set(LittleEndian.SHORT, o + 82, scale); }
                        case Q3_K -> data.set(LittleEndian.SHORT, o + 108, scale);
                        case Q4_K, Q5_K -> { data.set(LittleEndian.SHORT, o, scale); data.set(LittleEndian.SHORT, o + 2, scale); }
                        case Q6_K -> data.set(LittleEndian.SHORT, o + 208, scale);
                        default -> throw new IllegalArgumentException(type);
                    }
                }
            } else {
                for (int i = 0; i < cols; i++) {
                    rowValues[i] = (float) rnd.nextGaussian() * 0.05f;
                }
                Quantize.row(ggmlType, rowValues, 0, cols, data, off);
            }
        }
        weights = new QTensor("bench", ggmlType, rows, cols, data);
        x = new float[cols];
        for (int i = 0; i < cols; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        y = new float[rows];
        xBatch = new float[BATCH * cols];
        for (int i = 0; i < xBatch.length; i++) {
            xBatch[i] = (float) rnd.nextGaussian();
        }
        yBatch = new float[BATCH * rows];
        xq = Quantize.row(GgmlType.Q8_0, x, 0, cols);
        pool = Parallel.create(threads);
        matMul = new MatMul(pool).activationPrecision(
                path.equals("int") ? ActivationPrecision.VEC_DOT_TYPE : ActivationPrecision.F32);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public float[] matvec(Traffic traffic) {
        matMul.matvec(weights, x, 0, y, 0);
        traffic.weightGB += weights.rowBytes() * (double) rows * 1e-9;
        traffic.gflop += 2.0 * rows * cols * 1e-9;
        return y;
    }

    /** {@link MatMul#matmul} with 32 activation rows (prefill): each weight row is read once for the whole batch. */
    @Benchmark
    public float[] matmulBatch(Traffic traffic) {
        matMul.matmul(weights, xBatch, 0, BATCH, yBatch, 0);
        traffic.weightGB += weights.rowBytes() * (double) rows * 1e-9;
        traffic.gflop += 2.0 * rows * cols * BATCH * 1e-9;
        return yBatch;
    }

    @Benchmark
    public float dotRow(Traffic traffic) {
        traffic.weightGB += weights.rowBytes() * 1e-9;
        traffic.gflop += 2.0 * cols * 1e-9;
        if (path.equals("int")) {
            if (ggmlType == GgmlType.Q8_0) {
                return Kernels.dotQ8_0Q8_0(weights.data(), 0, xq, 0, cols);
            }
            if (ggmlType == GgmlType.Q4_0) {
                return Kernels.dotQ4_0Q8_0(weights.data(), 0, xq, 0, cols);
            }
        }
        return Kernels.dot(ggmlType, weights.data(), 0, x, 0, cols);
    }
}
