package io.edgellm.bench;

import io.edgellm.quant.GgmlType;
import io.edgellm.quant.ggml.Quantize;
import io.edgellm.quant.kernel.ActivationPrecision;
import io.edgellm.quant.kernel.Kernels;
import io.edgellm.quant.kernel.MatMul;
import io.edgellm.quant.kernel.Parallel;
import io.edgellm.quant.kernel.QTensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Warm-up driver of {@code bench/scripts/kernel-asm.sh}: runs the hot kernels of the Vector API backend through
 * {@link MatMul}, the way a forward pass does, long enough for C2 to compile each of them, so that the script's JVM
 * flags ({@code -XX:CompileCommand=print,...}) dump their machine code. It measures nothing and prints only what it ran.
 *
 * <p>Per weight type, one small matrix of {@value #ROWS} × {@value #COLS} (one K-quant super-block per row) is run as
 * a matrix-vector product (batch 1: the fused dot kernels; Q8_0 and Q4_0 with Q8_0 activations, so the integer
 * kernels), as a batch of 2 (two sequences: the two-row integer kernels) and as a batch of 4 (the prefill path:
 * {@code dequantize} of each weight row, then the 4 × 4 {@code dotTile}). The types are interleaved round by round, as the tensors of a mixed (Q4_K_M) model are in every
 * forward pass, so the type profiles C2 compiles from are shared as they are in production.
 *
 * <p>Usage: {@code KernelAsmProbe [ROUNDS [TYPES]]}: {@code ROUNDS} (default 3000) rounds of one batch-1, one
 * batch-2 and one batch-4 product per type; {@code TYPES} a comma-separated list of ggml type names (default
 * {@code F32,F16,Q8_0,Q4_0,Q4_K,Q5_K,Q6_K}). Emulated aarch64 needs no more than the default: C2 compiles a kernel
 * after some thousand calls, and each round calls each dot kernel {@value #ROWS} times.
 */
public final class KernelAsmProbe {

    /** Rows × cols of each weight matrix: the smallest that has a full K-quant super-block and a 4 × 4 tile. */
    static final int ROWS = 8, COLS = 256;

    private KernelAsmProbe() {
    }

    /**
     * Runs the kernels.
     *
     * @param args {@code [ROUNDS [TYPES]]}, see the class comment
     * @throws IllegalArgumentException on an unknown type name or a round count below 1
     */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        if (rounds < 1) {
            throw new IllegalArgumentException("ROUNDS must be >= 1, got " + rounds);
        }
        String typeList = args.length > 1 ? args[1] : "F32,F16,Q8_0,Q4_0,Q4_K,Q5_K,Q6_K";
        System.out.println("kernels: " + Kernels.description());
        Random rnd = new Random(11);
        float[] x = new float[4 * COLS];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        float[] y = new float[4 * ROWS];
        try (Arena arena = Arena.ofConfined(); Parallel pool = Parallel.create(1)) {
            MatMul mm = new MatMul(pool).activationPrecision(ActivationPrecision.VEC_DOT_TYPE);
            List<QTensor> tensors = new ArrayList<>();
            for (String name : typeList.split(",")) {
                GgmlType type = GgmlType.valueOf(name.trim());
                long rowBytes = type.rowBytes(COLS);
                MemorySegment data = arena.allocate(rowBytes * ROWS, 64);
                float[] row = new float[COLS];
                for (int r = 0; r < ROWS; r++) {
                    for (int i = 0; i < COLS; i++) {
                        row[i] = (float) rnd.nextGaussian() * 0.05f;
                    }
                    Quantize.row(type, row, 0, COLS, data, r * rowBytes);
                }
                tensors.add(new QTensor(name, type, ROWS, COLS, data));
            }
            double check = 0;
            for (int round = 0; round < rounds; round++) {
                for (QTensor w : tensors) {
                    mm.matvec(w, x, 0, y, 0);
                    mm.matmul(w, x, 0, 2, y, 0);
                    mm.matmul(w, x, 0, 4, y, 0);
                    check += y[round % y.length];
                }
            }
            System.out.println("ran " + rounds + " rounds of " + typeList + " (checksum " + (float) check + ")");
        }
    }
}
