package io.edgellm.quant.kernel;

import io.edgellm.quant.GgmlType;
import io.edgellm.quant.ggml.Quantize;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.Random;

/**
 * Child-JVM probe of {@link KernelProfilePollutionTest}: in a fresh JVM, runs {@link MatMul#matvec} (the fused
 * kernels), a 3-row matmul (the two-row integer kernels) and an 8-row {@link MatMul#matmul} (the
 * dequantize-and-tile path) on weight matrices of the given types one after the other, each until the JIT has settled, and prints per type the heap bytes one such pair of calls
 * allocates at steady state. Compiled Vector API code allocates nothing; a kernel whose vectors C2 could
 * not keep in registers allocates a box per vector operation, every block of every row.
 *
 * <p>Usage: {@code PollutionProbe Q4_0,Q8_0} (activations rounded to Q8_0, so these two run the integer kernels).
 * Output: one line {@code TYPE BYTES_PER_CALL} per type.
 */
public final class PollutionProbe {

    /** Rows × cols of each weight matrix: small, so that a call takes well under a millisecond once compiled. */
    private static final int ROWS = 64, COLS = 2048;

    private PollutionProbe() {
    }

    public static void main(String[] args) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().threadId();
        Random rnd = new Random(7);
        float[] x = new float[COLS];
        for (int i = 0; i < COLS; i++) x[i] = (float) rnd.nextGaussian();
        float[] y = new float[ROWS];
        float[] xb = new float[8 * COLS];
        for (int i = 0; i < xb.length; i++) xb[i] = (float) rnd.nextGaussian();
        float[] yb = new float[8 * ROWS];
        try (Arena arena = Arena.ofConfined(); Parallel pool = Parallel.create(1)) {
            MatMul mm = new MatMul(pool);
            for (String name : args[0].split(",")) {
                GgmlType type = GgmlType.valueOf(name);
                long rowBytes = type.rowBytes(COLS);
                MemorySegment data = arena.allocate(rowBytes * ROWS, 64);
                float[] row = new float[COLS];
                for (int r = 0; r < ROWS; r++) {
                    for (int i = 0; i < COLS; i++) row[i] = (float) rnd.nextGaussian() * 0.05f;
                    Quantize.row(type, row, 0, COLS, data, r * rowBytes);
                }
                QTensor w = new QTensor(name, type, ROWS, COLS, data);
                // run in rounds of 2000 calls (each about as long as C2 needs to act on a new profile), 60 rounds at
                // most; stop after 5 rounds in a row that allocated (almost) nothing
                long perCall = Long.MAX_VALUE;
                int quiet = 0;
                for (int round = 0; round < 60 && quiet < 5; round++) {
                    long before = mx.getThreadAllocatedBytes(self);
                    for (int i = 0; i < 2000; i++) {
                        mm.matvec(w, x, 0, y, 0);
                        if (i % 8 == 0) mm.matmul(w, xb, 0, 8, yb, 0);
                        if (i % 8 == 4) mm.matmul(w, xb, 0, 3, yb, 0);
                    }
                    perCall = (mx.getThreadAllocatedBytes(self) - before) / 2000;
                    quiet = perCall < 64 ? quiet + 1 : 0;
                }
                System.out.println(name + " " + perCall);
            }
        }
    }
}
