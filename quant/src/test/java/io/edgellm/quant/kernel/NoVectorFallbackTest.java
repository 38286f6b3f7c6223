package io.edgellm.quant.kernel;

import io.edgellm.quant.GgmlType;
import io.edgellm.quant.ggml.Quantize;
import io.edgellm.quant.ggml.ScalarDot;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static io.edgellm.quant.kernel.KernelTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Runs in a JVM WITHOUT {@code --add-modules jdk.incubator.vector} (Surefire execution {@code no-vector-module}) and
 * in one WITH it but {@code -Dedgellm.kernels=scalar} (execution {@code forced-scalar}): the kernels must fall back to
 * the scalar references, log exactly one warning, and compute correct results. This class must not reference
 * {@code jdk.incubator.vector}.
 */
@Tag("novector")
class NoVectorFallbackTest {

    @Test
    void fallsBackToScalarWithOneWarningAndCorrectResults() {
        boolean moduleAbsent = ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty();
        boolean forced = "scalar".equals(System.getProperty(Kernels.PROPERTY));
        assertTrue(moduleAbsent || forced, "this test must run without jdk.incubator.vector or with -Dedgellm.kernels=scalar");
        PrintStream oldErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        String log;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            // first use of Kernels happens here: class initialization picks the backend and warns
            assertFalse(Kernels.isVectorized());
            Random rnd = new Random(1);
            for (GgmlType t : WEIGHT_TYPES) {
                int n = isKQuant(t) ? 512 : 96;
                MemorySegment w = randomRow(rnd, t, n, 0, true);
                float[] x = randomFloats(rnd, n, 1f);
                assertEquals(ScalarDot.dot(t, w, 0, x, 0, n), Kernels.dot(t, w, 0, x, 0, n), 0f, t.toString());
            }
            float[] x = randomFloats(rnd, 64, 1f);
            MemorySegment xq = Quantize.row(GgmlType.Q8_0, x, 0, 64);
            MemorySegment w8 = randomRow(rnd, GgmlType.Q8_0, 64, 0, true);
            assertEquals(ScalarDot.dotQ8_0(GgmlType.Q8_0, w8, 0, xq, 0, 64), Kernels.dotQ8_0Q8_0(w8, 0, xq, 0, 64), 0f);
            // and the matmul on top of it, with threads
            try (Parallel p = Parallel.create(2)) {
                QTensor w = new QTensor("w", GgmlType.Q8_0, 1, 64, w8);
                float[] y = new float[1];
                new MatMul(p).matvec(w, x, 0, y, 0);
                assertEquals(Kernels.dotQ8_0Q8_0(w8, 0, xq, 0, 64), y[0], 0f);
                new MatMul(p).activationPrecision(ActivationPrecision.F32).matvec(w, x, 0, y, 0);
                assertEquals(ScalarDot.dot(GgmlType.Q8_0, w8, 0, x, 0, 64), y[0], 0f);
            }
        } finally {
            System.setErr(oldErr);
            log = captured.toString(StandardCharsets.UTF_8);
            System.err.print(log);
        }
        System.out.println("[novector] " + Kernels.description());
        assertTrue(Kernels.description().startsWith("scalar"), Kernels.description());
        int warnings = log.split("SCALAR fallback", -1).length - 1;
        assertEquals(1, warnings, "expected exactly one fallback warning, log was:\n" + log);
        assertTrue(log.contains(moduleAbsent ? "--add-modules jdk.incubator.vector" : "-Dedgellm.kernels=scalar"), log);
    }
}
