package io.edgellm.quant.kernel;

import io.edgellm.quant.GgmlType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.edgellm.quant.kernel.KernelTestSupport.randomFloats;
import static org.junit.jupiter.api.Assertions.*;

/** {@link KernelProfile}: what MatMul records per shape when on, and that nothing is recorded when off. */
class KernelProfileTest {

    @AfterEach
    void off() {
        KernelProfile.enable(false);
        KernelProfile.reset();
    }

    @Test
    void recordsEachShapeAndPathOnlyWhileEnabled() {
        Random rnd = new Random(3);
        QTensor w = MatMulTest.randomMatrix(rnd, GgmlType.Q8_0, 12, 256);
        float[] x = randomFloats(rnd, 8 * 256, 1f);
        float[] y = new float[8 * 12];
        try (Parallel pool = Parallel.create(2)) {
            MatMul mm = new MatMul(pool);
            KernelProfile.reset();
            mm.matvec(w, x, 0, y, 0);                      // off: not recorded
            assertTrue(KernelProfile.snapshot().matmuls().isEmpty());
            KernelProfile.enable(true);
            mm.matvec(w, x, 0, y, 0);
            mm.matvec(w, x, 0, y, 0);
            mm.matmul(w, x, 0, 8, y, 0);                   // 8 rows: the tile path, its own entry
            long t0 = KernelProfile.begin();
            KernelProfile.end("attention", t0);
            KernelProfile.enable(false);
            mm.matvec(w, x, 0, y, 0);
        }
        KernelProfile.Snapshot s = KernelProfile.snapshot();
        assertEquals(2, s.matmuls().size(), s.toString());
        KernelProfile.MatMulShape vec = s.matmuls().get(0), tile = s.matmuls().get(1);
        assertEquals(GgmlType.Q8_0, vec.type());
        assertEquals(12, vec.rows());
        assertEquals(256, vec.cols());
        assertEquals(1, vec.batch());
        assertFalse(vec.tiles());
        assertEquals(2, vec.calls());
        assertEquals(12 * GgmlType.Q8_0.rowBytes(256), vec.weightBytes());
        assertEquals(2, vec.threads());
        assertTrue(vec.wallNanos() > 0 && vec.maxWorkerNanos() <= vec.wallNanos() && vec.roundNanos() <= vec.wallNanos());
        assertTrue(vec.workerNanos() >= vec.maxWorkerNanos());
        assertTrue(tile.tiles());
        assertEquals(8, tile.batch());
        assertEquals(1, tile.calls());
        assertEquals(1, s.sections().size());
        assertEquals("attention", s.sections().get(0).name());
        assertEquals(1, s.sections().get(0).calls());
        assertEquals(0L, KernelProfile.begin(), "no timer call while off");
    }
}
