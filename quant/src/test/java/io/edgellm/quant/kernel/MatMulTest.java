package io.edgellm.quant.kernel;

import io.edgellm.quant.GgmlType;
import io.edgellm.quant.ggml.Dequantize;
import io.edgellm.quant.ggml.LittleEndian;
import io.edgellm.quant.ggml.Quantize;
import io.edgellm.quant.ggml.ScalarDot;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufTensorInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import static io.edgellm.quant.kernel.KernelTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link MatMul}: matvec equals the per-row dot products; matmul(batch) equals repeated matvec (bit for bit below
 * {@link MatMul#TILE_MIN_BATCH} rows, within float summation error on the tile path above it, where results also do
 * not depend on the batch's composition); any number of threads gives bit-identical results; with {@link ActivationPrecision#VEC_DOT_TYPE} the activations are rounded as
 * llama.cpp does (checked against the scalar references on the rounded activations).
 */
@Tag("kernels")
class MatMulTest {

    static Parallel one;
    static Parallel three;

    @BeforeAll
    static void pools() {
        System.out.println("[kernels] MatMulTest on " + Kernels.description());
        one = Parallel.create(1);
        three = Parallel.create(3);
    }

    @AfterAll
    static void close() {
        one.close();
        three.close();
    }

    static QTensor randomMatrix(Random rnd, GgmlType type, int rows, int cols) {
        long rb = type.rowBytes(cols);
        MemorySegment data = MemorySegment.ofArray(new byte[(int) (rb * rows)]);
        for (int r = 0; r < rows; r++) {
            MemorySegment row = randomRow(rnd, type, cols, 0, true);
            MemorySegment.copy(row, 0, data, r * rb, rb);
        }
        return new QTensor("random-" + type, type, rows, cols, data);
    }

    static int colsFor(GgmlType t) {
        return isKQuant(t) ? 512 : 96 * 2;
    }

    @Test
    void matvecEqualsPerRowDotsWithF32Activations() {
        Random rnd = new Random(1);
        MatMul mm = new MatMul(one).activationPrecision(ActivationPrecision.F32);
        for (GgmlType t : WEIGHT_TYPES) {
            int cols = colsFor(t);
            QTensor w = randomMatrix(rnd, t, 13, cols);
            float[] x = randomFloats(rnd, cols + 2, 1f);
            float[] y = new float[13 + 1];
            mm.matvec(w, x, 2, y, 1);
            for (int r = 0; r < 13; r++) {
                assertEquals(Kernels.dot(t, w.data(), w.rowOffset(r), x, 2, cols), y[1 + r], 0f, t + " row " + r);
            }
        }
    }

    @Test
    void vecDotTypeRoundsActivationsLikeLlamaCpp() {
        Random rnd = new Random(2);
        MatMul mm = new MatMul(one).activationQuantizer(ActivationQuantizer.GGML_REFERENCE);
        assertEquals(ActivationPrecision.VEC_DOT_TYPE, mm.activationPrecision());   // the default
        for (GgmlType t : WEIGHT_TYPES) {
            int cols = colsFor(t);
            int rows = 9;
            QTensor w = randomMatrix(rnd, t, rows, cols);
            float[] x = randomFloats(rnd, cols, 1f);
            float[] y = new float[rows];
            mm.matvec(w, x, 0, y, 0);
            GgmlType vdt = t.vecDotType();
            MemorySegment xq = Quantize.row(vdt, x, 0, cols);
            float[] xr = Dequantize.row(vdt, xq, 0, cols);
            for (int r = 0; r < rows; r++) {
                long off = w.rowOffset(r);
                double scale = sumAbs(t, w.data(), off, xr, 0, cols);
                switch (t) {
                    case Q8_0, Q4_0 -> {
                        // the integer kernel, bit for bit, and close to the scalar integer reference
                        float k = t == GgmlType.Q8_0 ? Kernels.dotQ8_0Q8_0(w.data(), off, xq, 0, cols)
                                : Kernels.dotQ4_0Q8_0(w.data(), off, xq, 0, cols);
                        assertEquals(k, y[r], 0f, t + " row " + r);
                        assertEquals(ScalarDot.dotQ8_0(t, w.data(), off, xq, 0, cols), y[r], 1e-6 * scale, t + " row " + r);
                    }
                    case Q4_K, Q5_K, Q6_K -> {
                        // the K-quant integer kernel, bit for bit, and close to llama.cpp's generic integer order
                        assertEquals(Kernels.dotKQ8_K(t, w.data(), off, xq, 0, cols), y[r], 0f, t + " row " + r);
                        assertEquals(ScalarDot.dotQ8_K(t, w.data(), off, xq, 0, cols), y[r], 1e-6 * scale, t + " row " + r);
                    }
                    case Q4_1, Q5_1 -> {
                        // m * s with the f16 block sums of the Q8_1 activation, as ggml_vec_dot_q4_1_q8_1
                        float[] s = new float[cols / 32];
                        for (int b = 0; b < s.length; b++) {
                            s[b] = LittleEndian.readHalf(xq, 36L * b + 2);
                        }
                        float ref = ScalarBackend.INSTANCE.dotWithBlockSums(t, w.data(), off, xr, 0, s, 0, cols);
                        assertEquals(ref, y[r], 2e-5 * scale, t + " row " + r);
                    }
                    default -> assertEquals(ScalarDot.dot(t, w.data(), off, xr, 0, cols), y[r], 2e-5 * scale, t + " row " + r);
                }
            }
        }
    }

    @Test
    void everyActivationQuantizerFeedsTheIntegerKernels() {
        Random rnd = new Random(8);
        int cols = 256;
        for (ActivationQuantizer q : ActivationQuantizer.values()) {
            MatMul mm = new MatMul(three).activationQuantizer(q);
            assertSame(q, mm.activationQuantizer());
            for (GgmlType t : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0}) {
                QTensor w = randomMatrix(rnd, t, 5, cols);
                float[] x = randomFloats(rnd, cols, 1f);
                float[] y = new float[5];
                mm.matvec(w, x, 0, y, 0);
                MemorySegment xq = MemorySegment.ofArray(new byte[(int) GgmlType.Q8_0.rowBytes(cols)]);
                q.quantizeRow(GgmlType.Q8_0, x, 0, cols, xq, 0);
                for (int r = 0; r < 5; r++) {
                    float k = t == GgmlType.Q8_0 ? Kernels.dotQ8_0Q8_0(w.data(), w.rowOffset(r), xq, 0, cols)
                            : Kernels.dotQ4_0Q8_0(w.data(), w.rowOffset(r), xq, 0, cols);
                    assertEquals(k, y[r], 0f, q + " " + t + " row " + r);
                }
            }
        }
    }

    @Test
    void batchEqualsRepeatedMatvecAndThreadsAreBitExact() {
        Random rnd = new Random(3);
        for (ActivationPrecision p : ActivationPrecision.values()) {
            MatMul single = new MatMul(one).activationPrecision(p);
            MatMul multi = new MatMul(three).activationPrecision(p);
            for (GgmlType t : WEIGHT_TYPES) {
                int cols = colsFor(t);
                int rows = 11;
                for (int batch : new int[] {2, MatMul.TILE_MIN_BATCH - 1, MatMul.TILE_MIN_BATCH + 1}) {
                    boolean tiles = batch >= MatMul.TILE_MIN_BATCH && !(p == ActivationPrecision.VEC_DOT_TYPE
                            && (t == GgmlType.Q4_1 || t == GgmlType.Q5_1));
                    QTensor w = randomMatrix(rnd, t, rows, cols);
                    float[] x = randomFloats(rnd, batch * cols + 3, 1f);
                    float[] yb = new float[batch * rows + 2];
                    single.matmul(w, x, 3, batch, yb, 2);
                    float[] ym = new float[batch * rows + 2];
                    multi.matmul(w, x, 3, batch, ym, 2);
                    assertArrayEquals(yb, ym, t + " " + p + " batch " + batch + ": 3 threads differ from 1");
                    for (int b = 0; b < batch; b++) {
                        float[] yv = new float[rows];
                        single.matvec(w, x, 3 + b * cols, yv, 0);
                        float[] xr = activationAsRounded(t, p, x, 3 + b * cols, cols);
                        for (int r = 0; r < rows; r++) {
                            double tol = tiles ? 2e-6 * sumAbs(t, w.data(), w.rowOffset(r), xr, 0, cols) : 0;
                            assertEquals(yv[r], yb[2 + b * rows + r], tol, t + " " + p + " batch " + batch + " row " + b + "/" + r);
                        }
                    }
                }
            }
        }
    }

    /** The activation row as the kernels see it: rounded to {@code vec_dot_type} under VEC_DOT_TYPE. */
    static float[] activationAsRounded(GgmlType t, ActivationPrecision p, float[] x, int off, int cols) {
        if (p == ActivationPrecision.F32 || t.vecDotType() == GgmlType.F32) {
            return java.util.Arrays.copyOfRange(x, off, off + cols);
        }
        GgmlType vdt = t.vecDotType();
        return Dequantize.row(vdt, Quantize.row(vdt, x, off, cols), 0, cols);
    }

    @Test
    void tilePathResultsDoNotDependOnBatchComposition() {
        // 8192-float rows (a Llama FFN width): a row's outputs are the same bits whether it is evaluated in a batch
        // of 20, of 7, or as the third row of a batch of 9 that starts elsewhere
        Random rnd = new Random(4);
        int cols = 8192;
        int rows = 7;
        int batch = 20;
        for (GgmlType t : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.F16, GgmlType.Q6_K}) {
            QTensor w = randomMatrix(rnd, t, rows, cols);
            float[] x = randomFloats(rnd, batch * cols, 1f);
            for (ActivationPrecision p : ActivationPrecision.values()) {
                MatMul mm = new MatMul(three).activationPrecision(p);
                float[] y = new float[batch * rows];
                mm.matmul(w, x, 0, batch, y, 0);
                float[] y7 = new float[7 * rows];
                mm.matmul(w, x, 0, 7, y7, 0);
                float[] y9 = new float[9 * rows];
                mm.matmul(w, x, 9 * cols, 9, y9, 0);
                for (int r = 0; r < rows; r++) {
                    for (int b = 0; b < 7; b++) {
                        assertEquals(y[b * rows + r], y7[b * rows + r], 0f, t + " " + p + " batch of 7, b=" + b + " r=" + r);
                    }
                    for (int b = 0; b < 9; b++) {
                        assertEquals(y[(9 + b) * rows + r], y9[b * rows + r], 0f, t + " " + p + " batch of 9, b=" + b + " r=" + r);
                    }
                }
            }
        }
    }

    /** Real weights: every 2-D tensor of the TinyStories and stories260K models, against the scalar references. */
    @Test
    @Tag("slow-on-emulator")
    void realModelTensors() throws Exception {
        Random rnd = new Random(5);
        String[] models = {"TinyStories-656K-Q8_0.gguf", "TinyStories-656K-Q4_0.gguf", "stories260K-Q8_0.gguf"};
        int checked = 0;
        for (String m : models) {
            try (GgufFile f = GgufFile.open(shared().resolve("models").resolve(m))) {
                for (GgufTensorInfo info : f.tensors()) {
                    if (info.nDims() != 2) {
                        continue;
                    }
                    QTensor w = new QTensor(info.name(), info.type(), (int) info.rows(), (int) info.rowLength(), f.tensorData(info));
                    int cols = w.cols();
                    float[] x = randomFloats(rnd, cols, 1f);
                    float[] yv = new float[w.rows()];
                    float[] yf = new float[w.rows()];
                    new MatMul(three).activationQuantizer(ActivationQuantizer.GGML_REFERENCE).matvec(w, x, 0, yv, 0);
                    new MatMul(three).activationPrecision(ActivationPrecision.F32).matvec(w, x, 0, yf, 0);
                    GgmlType vdt = w.type().vecDotType();
                    MemorySegment xq = Quantize.row(vdt, x, 0, cols);
                    float[] xr = Dequantize.row(vdt, xq, 0, cols);
                    for (int r = 0; r < w.rows(); r++) {
                        long off = w.rowOffset(r);
                        double scaleF = sumAbs(w.type(), w.data(), off, x, 0, cols);
                        assertEquals(ScalarDot.dot(w.type(), w.data(), off, x, 0, cols), yf[r], 2e-5 * scaleF, m + " " + info.name() + " F32 row " + r);
                        double scaleQ = sumAbs(w.type(), w.data(), off, xr, 0, cols);
                        float ref = switch (w.type()) {
                            case Q8_0, Q4_0, Q5_0 -> ScalarDot.dotQ8_0(w.type(), w.data(), off, xq, 0, cols);
                            default -> ScalarDot.dot(w.type(), w.data(), off, xr, 0, cols);
                        };
                        assertEquals(ref, yv[r], 2e-5 * scaleQ, m + " " + info.name() + " VEC_DOT row " + r);
                        checked++;
                    }
                }
            }
        }
        assertTrue(checked > 1000, "rows checked: " + checked);
    }

    @Test
    void rejectsBadShapes() {
        QTensor w = randomMatrix(new Random(6), GgmlType.Q8_0, 4, 64);
        MatMul mm = new MatMul(one);
        assertThrows(IndexOutOfBoundsException.class, () -> mm.matvec(w, new float[63], 0, new float[4], 0));
        assertThrows(IndexOutOfBoundsException.class, () -> mm.matvec(w, new float[64], 0, new float[3], 0));
        assertThrows(IllegalArgumentException.class, () -> mm.matmul(w, new float[64], 0, 0, new float[4], 0));
        assertThrows(IllegalArgumentException.class,
                () -> new QTensor("t", GgmlType.Q8_0, 4, 48, w.data()));      // 48 not a multiple of 32
        assertThrows(IllegalArgumentException.class,
                () -> new QTensor("t", GgmlType.Q8_0, 5, 64, w.data()));      // 5 rows do not fit
    }
}
