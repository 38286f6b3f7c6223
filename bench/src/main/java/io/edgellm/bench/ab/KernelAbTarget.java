package io.edgellm.bench.ab;

import io.edgellm.quant.GgmlType;
import io.edgellm.quant.ggml.Quantize;
import io.edgellm.quant.kernel.MatMul;
import io.edgellm.quant.kernel.Parallel;
import io.edgellm.quant.kernel.QTensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * One side of {@link KernelAb}: a {@link MatMul} call on a fixed random weight matrix, loaded by {@code KernelAb} once
 * per build in a class loader of its own (so two builds of the kernels run in one JVM). Only public API of
 * {@code io.edgellm.quant} that every build since 2026-12-01 has: {@code Quantize.row}, {@code QTensor},
 * {@code MatMul}, {@code Parallel}.
 */
public final class KernelAbTarget implements Runnable {
    private final MatMul mm;
    private final QTensor w;
    private final float[] x;
    private final float[] y;
    private final int batch;
    /** Weight bytes one call streams. */
    public final double bytes;
    /** Floating-point operations of one call ({@code 2 * rows * cols * batch}). */
    public final double flop;

    /**
     * @param type    ggml type name of the weights (e.g. {@code Q4_0})
     * @param rows    weight rows
     * @param cols    weight columns (a multiple of the type's block size)
     * @param batch   activation rows per call (1 = decode)
     * @param threads pool size
     */
    public KernelAbTarget(String type, int rows, int cols, int batch, int threads) {
        GgmlType t = GgmlType.valueOf(type);
        Random rnd = new Random(1);
        long rowBytes = t.rowBytes(cols);
        MemorySegment data = Arena.ofAuto().allocate(rowBytes * rows, 64);
        float[] v = new float[cols];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < cols; i++) {
                v[i] = (float) rnd.nextGaussian() * 0.05f;
            }
            Quantize.row(t, v, 0, cols, data, r * rowBytes);
        }
        this.w = new QTensor("ab", t, rows, cols, data);
        this.batch = batch;
        this.x = new float[batch * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        this.y = new float[batch * rows];
        this.mm = new MatMul(Parallel.create(threads));
        this.bytes = (double) rowBytes * rows;
        this.flop = 2.0 * rows * cols * batch;
    }

    /** One {@code MatMul.matmul} call. */
    @Override
    public void run() {
        mm.matmul(w, x, 0, batch, y, 0);
    }
}
