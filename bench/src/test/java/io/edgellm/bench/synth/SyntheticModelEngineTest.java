package io.edgellm.bench.synth;

import static org.junit.jupiter.api.Assertions.*;

import io.edgellm.Model;
import io.edgellm.Session;
import io.edgellm.SessionOptions;
import io.edgellm.quant.GgmlType;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Synthetic models load in the engine and give finite logits (the random-weight scale keeps activations sane). */
class SyntheticModelEngineTest {

    @TempDir
    Path dir;

    private static void assertRuns(Path file, int expectedVocab) throws Exception {
        try (Model m = Model.load(file);
             Session s = m.newSession(SessionOptions.defaults().withContextLength(64).withThreads(1))) {
            assertEquals(expectedVocab, m.config().vocabSize());
            float[] logits = s.evaluate(new int[] {1, 300, 301, 302, 5, 6, 7, 8});
            for (int i = 0; i < 4; i++) {
                logits = s.evaluate(new int[] {400 + i});
            }
            assertEquals(expectedVocab, logits.length);
            double max = 0;
            for (float v : logits) {
                assertTrue(Float.isFinite(v));
                max = Math.max(max, Math.abs(v));
            }
            assertTrue(max > 0, "logits are not all zero");
            assertEquals(12, s.position());
        }
    }

    @Test
    void smolLm2ShapeInQ4_0Runs() throws Exception {
        Path f = dir.resolve("smol.gguf");
        SyntheticModel.write(ModelPreset.byName("smollm2-135m"), GgmlType.Q4_0, f, null, 1);  // 9 heads / 3 KV heads
        assertRuns(f, 49152);
    }

    @Test
    void llama3RopeScalingAndUntiedOutputRun() throws Exception {
        // The Llama 3.x code path (rope_freqs.weight, untied output.weight) at a tiny size.
        ModelPreset p = new ModelPreset("tiny-llama3", "(test)", 128, 2, 4, 2, 256, 1024, 500000f,
                new ModelPreset.RopeScaling(32f, 1f, 4f, 8192), false, 1e-5f, 1024, null);
        Path f = dir.resolve("l3.gguf");
        SyntheticModel.write(p, GgmlType.F16, f, null, 2);
        assertRuns(f, 1024);
    }
}
