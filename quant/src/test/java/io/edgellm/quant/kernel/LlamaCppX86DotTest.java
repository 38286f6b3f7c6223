package io.edgellm.quant.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgellm.quant.GgmlType;
import io.edgellm.quant.ggml.Dequantize;
import io.edgellm.quant.ggml.Half;
import io.edgellm.quant.ggml.LittleEndian;
import io.edgellm.quant.ggml.Quantize;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link LlamaCppX86Dot}: close to an exact dot, exact integer groups, and llama.cpp's horizontal-sum order. */
class LlamaCppX86DotTest {

    /** Exact (double) dot of the dequantized rows and the sum of |products| (the scale of the rounding error). */
    private static double[] exact(GgmlType wType, MemorySegment w, MemorySegment xq, int n) {
        float[] wf = new float[n];
        float[] xf = new float[n];
        Dequantize.row(wType, w, 0, wf, 0, n);
        Dequantize.row(GgmlType.Q8_0, xq, 0, xf, 0, n);
        double s = 0, a = 0;
        for (int i = 0; i < n; i++) {
            s += (double) wf[i] * xf[i];
            a += Math.abs((double) wf[i] * xf[i]);
        }
        return new double[] {s, a};
    }

    @Test
    void closeToDoublePrecisionDot() {
        Random rnd = new Random(7);
        for (int n : new int[] {32, 64, 256, 768, 4096}) {
            float[] x = KernelTestSupport.randomFloats(rnd, n, 1f);
            MemorySegment xq = MemorySegment.ofArray(new byte[(int) GgmlType.Q8_0.rowBytes(n)]);
            ActivationQuantizer.LLAMA_CPP_X86.quantizeRow(GgmlType.Q8_0, x, 0, n, xq, 0);
            for (GgmlType t : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0}) {
                MemorySegment w = Quantize.row(t, KernelTestSupport.randomFloats(rnd, n, 1f), 0, n);
                double[] e = exact(t, w, xq, n);
                double tol = 4e-7 * e[1] + 1e-30;
                if (t == GgmlType.Q8_0) {
                    assertEquals(e[0], LlamaCppX86Dot.dotQ8_0Q8_0(w, 0, xq, 0, n), tol, "Q8_0 n=" + n);
                } else {
                    assertEquals(e[0], LlamaCppX86Dot.dotQ4_0Q8_0(w, 0, xq, 0, n), tol, "Q4_0 n=" + n);
                    assertEquals(e[0], LlamaCppX86Dot.dotQ4_0Q8_0Repacked(w, 0, xq, 0, n), tol, "Q4_0 repacked n=" + n);
                }
            }
        }
    }

    /** Writes a block with scale 1.0 and the given int8 quants (Q8_0) or nibbles (Q4_0, value + 8). */
    private static void block(MemorySegment seg, long off, GgmlType t, int[] q) {
        LittleEndian.writeHalf(seg, off, 1.0f);
        if (t == GgmlType.Q8_0) {
            for (int i = 0; i < 32; i++) seg.set(LittleEndian.BYTE, off + 2 + i, (byte) q[i]);
        } else {
            for (int j = 0; j < 16; j++) {
                seg.set(LittleEndian.BYTE, off + 2 + j, (byte) ((q[j] + 8) | ((q[j + 16] + 8) << 4)));
            }
        }
    }

    @Test
    void integerGroupsAreExact() {
        // scales 1.0: every product is an integer, the extremes (±127·±127, -8·±127) included; the whole sum stays
        // below 2^24, so the float result must equal the exact integer sum whatever the grouping
        Random rnd = new Random(11);
        int blocks = 8;
        int n = 32 * blocks;
        for (GgmlType t : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0}) {
            MemorySegment w = MemorySegment.ofArray(new byte[(int) t.rowBytes(n)]);
            MemorySegment xq = MemorySegment.ofArray(new byte[(int) GgmlType.Q8_0.rowBytes(n)]);
            long expected = 0;
            for (int b = 0; b < blocks; b++) {
                int[] wq = new int[32];
                int[] xv = new int[32];
                for (int i = 0; i < 32; i++) {
                    wq[i] = t == GgmlType.Q8_0 ? (b == 0 ? -127 : rnd.nextInt(255) - 127) : (b == 0 ? -8 : rnd.nextInt(16) - 8);
                    xv[i] = b == 0 ? (i % 2 == 0 ? 127 : -127) : rnd.nextInt(255) - 127;
                    expected += (long) wq[i] * xv[i];
                }
                block(w, (long) b * t.bytesPerBlock(), t, wq);
                block(xq, (long) b * 34, GgmlType.Q8_0, xv);
            }
            if (t == GgmlType.Q8_0) {
                assertEquals((float) expected, LlamaCppX86Dot.dotQ8_0Q8_0(w, 0, xq, 0, n));
            } else {
                assertEquals((float) expected, LlamaCppX86Dot.dotQ4_0Q8_0(w, 0, xq, 0, n));
                assertEquals((float) expected, LlamaCppX86Dot.dotQ4_0Q8_0Repacked(w, 0, xq, 0, n));
            }
        }
    }

    @Test
    void horizontalSumsFollowLlamaCpp() {
        // hsum_float_8: (acc0+acc4) + (acc2+acc6) first, then + ((acc1+acc5) + (acc3+acc7)); a left-to-right sum would
        // lose the small terms against 1e8 and give 3
        assertEquals(6f, LlamaCppX86Dot.hsum8(new float[] {1e8f, 1, 1, 1, -1e8f, 1, 1, 1}));
        // _mm512_reduce_add_ps: lanes i and i+8, then i and i+4, then 0+2 and 1+3
        float[] v = new float[16];
        java.util.Arrays.fill(v, 1f);
        v[0] = 1e8f;
        v[8] = -1e8f;
        assertEquals(14f, LlamaCppX86Dot.reduceAdd16(v));
    }

    @Test
    void f16DotIsCloseToExactAndHandlesLeftovers() {
        Random rnd = new Random(3);
        for (int n : new int[] {5, 64, 172, 256}) {
            float[] x = KernelTestSupport.randomFloats(rnd, n, 1f);
            float[] w = KernelTestSupport.randomFloats(rnd, n, 1f);
            MemorySegment ws = MemorySegment.ofArray(new byte[2 * n]);
            double e = 0, a = 0;
            for (int i = 0; i < n; i++) {
                x[i] = Half.toFloat(Half.fromFloat(x[i]));
                LittleEndian.writeHalf(ws, 2L * i, w[i]);
                double p = (double) LittleEndian.readHalf(ws, 2L * i) * x[i];
                e += p;
                a += Math.abs(p);
            }
            assertEquals(e, LlamaCppX86Dot.dotF16(ws, 0, x, 0, n), 4e-7 * a, "n=" + n);
        }
    }
}
