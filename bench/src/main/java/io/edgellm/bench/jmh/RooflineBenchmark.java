package io.edgellm.bench.jmh;

import io.edgellm.quant.kernel.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
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
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * The machine's own limits, for the roofline of the kernels ({@link KernelBenchmark}), measured in the same run:
 *
 * <ul>
 *   <li>{@code streamRead}: sum of a 512 MiB off-heap buffer (far out of cache) in {@code IntVector}s of the
 *       preferred width, split over {@code threads} like a matvec; the counter {@code readGB} is its rate in GB/s. This
 *       is the read bandwidth a memory-bound decode can reach.</li>
 *   <li>{@code fmaPeak}: 16 independent {@code FloatVector} FMA chains per thread on registers; the counter
 *       {@code gflop} is its rate in GFLOP/s (2 per lane per FMA): the float compute roof.</li>
 *   <li>{@code intMulAddPeak}: the same with {@code IntVector} multiply + add (the integer kernels' inner operation:
 *       2 ops per lane), as GOP/s.</li>
 * </ul>
 * Vector width follows {@code -XX:MaxVectorSize} (JMH {@code -jvmArgsAppend}), so the roofs can be taken at 128, 256
 * and 512 bits.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class RooflineBenchmark {

    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    @Param({"1", "2"})
    public int threads;

    /** Buffer size of {@code streamRead}, MiB. */
    @Param({"512"})
    public int mib;

    private Arena arena;
    private MemorySegment buffer;
    private Parallel pool;
    private long[] partial;
    private float[] fIn;
    private int[] iIn;

    /** Gigabytes read by {@link #streamRead}; JMH divides by time: GB/s. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Read {
        /** Gigabytes read. */
        public double readGB;
    }

    /** Giga floating-point operations of {@link #fmaPeak} (an FMA is 2): GFLOP/s. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Flops {
        /** Giga floating-point operations. */
        public double gflop;
    }

    /** Giga integer operations of {@link #intMulAddPeak} (a multiply and an add are 2): GOP/s. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class IntOps {
        /** Giga integer operations. */
        public double gop;
    }

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        buffer = arena.allocate((long) mib << 20, 64);
        for (long o = 0; o < buffer.byteSize(); o += 8) {
            buffer.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, o, o * 0x9E3779B97F4A7C15L);
        }
        pool = Parallel.create(threads);
        partial = new long[threads * 16];
        fIn = new float[F.length() * 2];
        for (int i = 0; i < fIn.length; i++) {
            fIn[i] = 1f + i * 1e-7f;
        }
        iIn = new int[I.length() * 2];
        for (int i = 0; i < iIn.length; i++) {
            iIn[i] = i + 1;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public long streamRead(Read rates) {
        long chunks = buffer.byteSize() / 4096;
        pool.forRange((int) chunks, (start, end, worker) -> partial[worker * 16] = sumInts(buffer, start * 4096L, end * 4096L));
        long s = 0;
        for (int t = 0; t < threads; t++) {
            s += partial[t * 16];
        }
        rates.readGB += buffer.byteSize() * 1e-9;
        return s;
    }

    private static long sumInts(MemorySegment m, long from, long to) {
        IntVector a0 = IntVector.zero(I), a1 = a0, a2 = a0, a3 = a0;
        long step = I.vectorByteSize();
        for (long o = from; o < to; o += 4 * step) {
            a0 = a0.add(IntVector.fromMemorySegment(I, m, o, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(IntVector.fromMemorySegment(I, m, o + step, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(IntVector.fromMemorySegment(I, m, o + 2 * step, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(IntVector.fromMemorySegment(I, m, o + 3 * step, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }

    /** FMA iterations per thread and call of {@link #fmaPeak}: 16 chains × this many FMAs each. */
    static final int FMA_ITERATIONS = 1 << 20;

    @Benchmark
    public float fmaPeak(Flops rates) {
        float[] sink = new float[threads];
        pool.forRange(threads, (start, end, worker) -> {
            for (int t = start; t < end; t++) {
                sink[t] = fmaChains(fIn, FMA_ITERATIONS);
            }
        });
        rates.gflop += 2.0 * 16 * F.length() * (double) FMA_ITERATIONS * threads * 1e-9;
        return sink[0];
    }

    private static float fmaChains(float[] in, int n) {
        FloatVector m = FloatVector.fromArray(F, in, 0);
        FloatVector b = FloatVector.fromArray(F, in, F.length());
        FloatVector c0 = b, c1 = b.add(1f), c2 = b.add(2f), c3 = b.add(3f), c4 = b.add(4f), c5 = b.add(5f),
                c6 = b.add(6f), c7 = b.add(7f), c8 = b.add(8f), c9 = b.add(9f), c10 = b.add(10f), c11 = b.add(11f),
                c12 = b.add(12f), c13 = b.add(13f), c14 = b.add(14f), c15 = b.add(15f);
        for (int i = 0; i < n; i++) {
            c0 = c0.fma(m, b); c1 = c1.fma(m, b); c2 = c2.fma(m, b); c3 = c3.fma(m, b);
            c4 = c4.fma(m, b); c5 = c5.fma(m, b); c6 = c6.fma(m, b); c7 = c7.fma(m, b);
            c8 = c8.fma(m, b); c9 = c9.fma(m, b); c10 = c10.fma(m, b); c11 = c11.fma(m, b);
            c12 = c12.fma(m, b); c13 = c13.fma(m, b); c14 = c14.fma(m, b); c15 = c15.fma(m, b);
        }
        FloatVector s = c0.add(c1).add(c2.add(c3)).add(c4.add(c5).add(c6.add(c7)))
                .add(c8.add(c9).add(c10.add(c11)).add(c12.add(c13).add(c14.add(c15))));
        return s.lane(0);
    }

    @Benchmark
    public int intMulAddPeak(IntOps rates) {
        int[] sink = new int[threads];
        pool.forRange(threads, (start, end, worker) -> {
            for (int t = start; t < end; t++) {
                sink[t] = intChains(iIn, FMA_ITERATIONS);
            }
        });
        rates.gop += 2.0 * 8 * I.length() * (double) FMA_ITERATIONS * threads * 1e-9;
        return sink[0];
    }

    private static int intChains(int[] in, int n) {
        IntVector m = IntVector.fromArray(I, in, 0);
        IntVector b = IntVector.fromArray(I, in, I.length());
        IntVector c0 = b, c1 = b.add(1), c2 = b.add(2), c3 = b.add(3), c4 = b.add(4), c5 = b.add(5), c6 = b.add(6),
                c7 = b.add(7);
        for (int i = 0; i < n; i++) {
            c0 = c0.mul(m).add(b); c1 = c1.mul(m).add(b); c2 = c2.mul(m).add(b); c3 = c3.mul(m).add(b);
            c4 = c4.mul(m).add(b); c5 = c5.mul(m).add(b); c6 = c6.mul(m).add(b); c7 = c7.mul(m).add(b);
        }
        return c0.add(c1).add(c2.add(c3)).add(c4.add(c5).add(c6.add(c7))).lane(0);
    }
}
