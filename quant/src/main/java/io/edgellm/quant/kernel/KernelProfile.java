package io.edgellm.quant.kernel;

import io.edgellm.quant.GgmlType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where the time of a forward pass goes, from cheap {@link System#nanoTime()} sums: every {@link MatMul} call per
 * weight type and shape (activation rounding, the kernel's wall time, each worker's busy time), plus any named
 * section a caller times with {@link #begin()} / {@link #end(String, long)} (the hook for attention, norms, RoPE and
 * sampling in the forward pass).
 *
 * <p>Off by default; {@link #enable(boolean)} turns it on for the whole JVM. When off, {@code MatMul} reads one
 * static field per call and nothing else happens (no allocation, no timer calls). When on, the recording is
 * allocation-free after the first call of each shape/section. Recording is meant for one inference thread at a time
 * (the thread that calls {@code MatMul}); workers' busy times are gathered by {@code MatMul} on the calling thread.
 *
 * <h2>What the numbers mean</h2>
 * For a shape: {@code wallNanos} is the whole {@link MatMul#matmul} call, {@code roundNanos} the part spent rounding
 * activations to {@code vec_dot_type} (on the calling thread, before the workers start), {@code maxWorkerNanos} the
 * sum over calls of the slowest worker's busy time and {@code workerNanos} the sum of all workers' busy times. So per
 * call {@code wall - round - maxWorker} is the pool's wake-up and join cost, and {@code maxWorker - workerNanos/threads}
 * the load imbalance.
 */
public final class KernelProfile {

    private static volatile boolean enabled;

    /** Recorded matmul shapes, in first-seen order. */
    private static MatMulStats[] shapes = new MatMulStats[0];
    private static int shapeCount;
    /** Named sections, in first-seen order. */
    private static Section[] sections = new Section[0];
    private static int sectionCount;

    private KernelProfile() {
    }

    /** Turns recording on or off (JVM-wide). */
    public static void enable(boolean on) {
        enabled = on;
    }

    /** Whether recording is on. */
    public static boolean enabled() {
        return enabled;
    }

    /** Forgets everything recorded so far. */
    public static synchronized void reset() {
        shapes = new MatMulStats[0];
        shapeCount = 0;
        sections = new Section[0];
        sectionCount = 0;
    }

    /** The start of a timed section: {@link System#nanoTime()} when recording, else 0 (no timer call). */
    public static long begin() {
        return enabled ? System.nanoTime() : 0L;
    }

    /**
     * Ends a section started by {@link #begin()}: adds {@code nanoTime() - begin} to the section {@code name} (e.g.
     * {@code "attention"}, {@code "rmsnorm"}, {@code "rope"}, {@code "sampling"}). Does nothing when not recording.
     * Use constant names: sections are matched by identity first, then by equality.
     */
    public static void end(String name, long begin) {
        if (!enabled) {
            return;
        }
        long t = System.nanoTime() - begin;
        section(name).add(t);
    }

    private static synchronized Section section(String name) {
        for (int i = 0; i < sectionCount; i++) {
            Section s = sections[i];
            if (s.name == name || s.name.equals(name)) {
                return s;
            }
        }
        if (sectionCount == sections.length) {
            sections = Arrays.copyOf(sections, Math.max(8, 2 * sections.length));
        }
        Section s = new Section(name);
        sections[sectionCount++] = s;
        return s;
    }

    /** Called by {@link MatMul} after a call when recording. */
    static synchronized void recordMatMul(GgmlType type, int rows, int cols, int batch, boolean tiles, long rowBytes,
                                          long wallNanos, long roundNanos, long[] workerNanos, int threads) {
        MatMulStats s = null;
        for (int i = 0; i < shapeCount; i++) {
            MatMulStats c = shapes[i];
            if (c.type == type && c.rows == rows && c.cols == cols && c.tiles == tiles && c.batch == batch) {
                s = c;
                break;
            }
        }
        if (s == null) {
            if (shapeCount == shapes.length) {
                shapes = Arrays.copyOf(shapes, Math.max(16, 2 * shapes.length));
            }
            s = new MatMulStats(type, rows, cols, batch, tiles, rowBytes * rows);
            shapes[shapeCount++] = s;
        }
        long max = 0, sum = 0;
        for (int t = 0; t < threads; t++) {
            max = Math.max(max, workerNanos[t]);
            sum += workerNanos[t];
        }
        s.calls++;
        s.wallNanos += wallNanos;
        s.roundNanos += roundNanos;
        s.maxWorkerNanos += max;
        s.workerNanos += sum;
        s.threads = threads;
    }

    /** A copy of everything recorded: matmul shapes and sections, in first-seen order. */
    public static synchronized Snapshot snapshot() {
        List<MatMulShape> m = new ArrayList<>();
        for (int i = 0; i < shapeCount; i++) {
            MatMulStats s = shapes[i];
            m.add(new MatMulShape(s.type, s.rows, s.cols, s.batch, s.tiles, s.weightBytes, s.calls, s.wallNanos,
                    s.roundNanos, s.maxWorkerNanos, s.workerNanos, s.threads));
        }
        List<SectionTime> t = new ArrayList<>();
        for (int i = 0; i < sectionCount; i++) {
            t.add(new SectionTime(sections[i].name, sections[i].calls, sections[i].nanos));
        }
        return new Snapshot(m, t);
    }

    /**
     * Everything recorded.
     *
     * @param matmuls  one entry per weight type × shape × batch size × path
     * @param sections the named sections timed through {@link #end(String, long)}
     */
    public record Snapshot(List<MatMulShape> matmuls, List<SectionTime> sections) {
        /** Copies the lists. */
        public Snapshot {
            matmuls = List.copyOf(matmuls);
            sections = List.copyOf(sections);
        }

        /** Sum of the matmuls' wall times, nanoseconds. */
        public long matmulNanos() {
            return matmuls.stream().mapToLong(MatMulShape::wallNanos).sum();
        }
    }

    /**
     * The calls of one weight type and shape.
     *
     * @param type           weight type
     * @param rows           output rows
     * @param cols           input columns
     * @param batch          activation rows per call
     * @param tiles          whether the dequantize-and-tile path ran (else the fused dot products)
     * @param weightBytes    bytes of the weight matrix (read once per call)
     * @param calls          calls recorded
     * @param wallNanos      total time inside {@code matmul}
     * @param roundNanos     of which: rounding the activations to {@code vec_dot_type}
     * @param maxWorkerNanos sum over calls of the slowest worker's busy time
     * @param workerNanos    sum over calls and workers of busy time
     * @param threads        workers of the pool
     */
    public record MatMulShape(GgmlType type, int rows, int cols, int batch, boolean tiles, long weightBytes, long calls,
                              long wallNanos, long roundNanos, long maxWorkerNanos, long workerNanos, int threads) {
        /** Weight bytes streamed per second of wall time, GB/s. */
        public double gbPerSecond() {
            return wallNanos == 0 ? Double.NaN : (double) weightBytes * calls / wallNanos;
        }

        /** Multiply-adds × 2 per second of wall time, GFLOP/s. */
        public double gflops() {
            return wallNanos == 0 ? Double.NaN : 2.0 * rows * cols * batch * calls / wallNanos;
        }

        /** Pool wake-up and join time: wall minus rounding minus the slowest worker, nanoseconds. */
        public long threadingNanos() {
            return Math.max(0, wallNanos - roundNanos - maxWorkerNanos);
        }

        /** Load imbalance: slowest worker minus the mean worker, nanoseconds. */
        public long imbalanceNanos() {
            return threads == 0 ? 0 : Math.max(0, maxWorkerNanos - workerNanos / threads);
        }
    }

    /**
     * A named section.
     *
     * @param name  as given to {@link #end(String, long)}
     * @param calls times it ended
     * @param nanos total time
     */
    public record SectionTime(String name, long calls, long nanos) {
    }

    private static final class MatMulStats {
        final GgmlType type;
        final int rows, cols, batch;
        final boolean tiles;
        final long weightBytes;
        long calls, wallNanos, roundNanos, maxWorkerNanos, workerNanos;
        int threads;

        MatMulStats(GgmlType type, int rows, int cols, int batch, boolean tiles, long weightBytes) {
            this.type = type;
            this.rows = rows;
            this.cols = cols;
            this.batch = batch;
            this.tiles = tiles;
            this.weightBytes = weightBytes;
        }
    }

    private static final class Section {
        final String name;
        long calls, nanos;

        Section(String name) {
            this.name = name;
        }

        void add(long t) {
            calls++;
            nanos += t;
        }
    }
}
