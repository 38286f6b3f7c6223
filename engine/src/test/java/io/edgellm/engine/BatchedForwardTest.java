package io.edgellm.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgellm.KvCacheType;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.kernel.ActivationPrecision;
import io.edgellm.testing.SharedData;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Several sequences in one forward pass ({@link Batch}, the multi-sequence {@link KvCache}): every sequence gets the
 * greedy tokens it gets when decoded alone, and logits within the batched (tile) path's bound, on the real models and
 * the architecture goldens' models (gemma2 exercises the sliding window over a non-linear cache, the MoE models the
 * per-expert grouping of rows from several sequences).
 */
class BatchedForwardTest {
    /** Token ids of the four golden/arch dev prompts (the stories260K vocabulary shared by these models). */
    private static final int[][] PROMPTS = {
            {1, 403, 407, 261, 378},
            {1, 291, 376, 400, 428, 352, 303, 267, 265, 282, 295, 433, 269},
            {1, 338, 286, 393, 329, 429, 412, 425, 372},
            {1, 317, 269, 311, 268, 420, 309, 386, 274, 287, 263, 377, 267, 265, 370, 298, 276, 302, 282, 295, 433, 426,
                342, 337, 266, 353, 265, 262, 424, 299, 419, 269, 352, 303, 335, 261, 370, 400, 428, 426},
    };
    private static final int STEPS = 12;

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("models/stories260K.gguf", 1e-4f),
                Arguments.of("models/TinyStories-656K-Q8_0.gguf", 0.5f),
                Arguments.of("golden/arch/models/synth-gemma2-F32.gguf", 5e-3f),   // FP16-table GELU, as ArchGoldenTest
                Arguments.of("golden/arch/models/synth-llama-moe-Q4_0.gguf", 0.5f),
                Arguments.of("golden/arch/models/synth-qwen2moe-F32.gguf", 1e-3f),
                Arguments.of("golden/arch/models/synth-phi2-Q8_0.gguf", 0.5f));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void eachSequenceOfABatchDecodesAsAlone(String rel, float bound) throws Exception {
        Path model = SharedData.path(rel);
        try (GgufFile f = GgufFile.open(model)) {
            LoadedModel lm = LoadedModel.of(f);
            Transformer tr = lm.transformer();
            int vocab = lm.config().vocabSize();
            int n = PROMPTS.length;
            int[][] alone = new int[n][STEPS];
            float[][][] aloneLogits = new float[n][STEPS][];
            for (int s = 0; s < n; s++) {
                try (Transformer.State st = tr.newState(256, 64, 2, KvCacheType.F32, ActivationPrecision.VEC_DOT_TYPE)) {
                    float[] logits = new float[vocab];
                    tr.forward(st, PROMPTS[s], 0, PROMPTS[s].length, 0, logits, false);
                    int pos = PROMPTS[s].length;
                    for (int i = 0; i < STEPS; i++) {
                        aloneLogits[s][i] = logits.clone();
                        alone[s][i] = argmax(logits, 0, vocab);
                        tr.forward(st, new int[] {alone[s][i]}, 0, 1, pos++, logits, false);
                    }
                }
            }
            try (Transformer.State st = tr.newState(256, 64, 2, KvCacheType.F32, ActivationPrecision.VEC_DOT_TYPE)) {
                // all prompts in one batch (sequence ids 3, 0, 2, 1: the cells of a sequence are not its positions)
                int[] seqOf = {3, 0, 2, 1};
                Batch b = new Batch(128);
                for (int s = 0; s < n; s++) {
                    for (int i = 0; i < PROMPTS[s].length; i++) b.add(PROMPTS[s][i], i, seqOf[s], i == PROMPTS[s].length - 1);
                }
                float[] logits = new float[n * vocab];
                tr.forward(st, b, logits);
                assertTrue(!st.cache().linear());
                int[] next = new int[n];
                float maxDiff = 0;
                for (int i = 0; i < STEPS; i++) {
                    b.clear();
                    for (int s = 0; s < n; s++) {
                        maxDiff = Math.max(maxDiff, maxAbs(logits, s * vocab, aloneLogits[s][i]));
                        next[s] = argmax(logits, s * vocab, vocab);
                        assertEquals(alone[s][i], next[s], rel + ": sequence " + s + " step " + i);
                        b.add(next[s], PROMPTS[s].length + i, seqOf[s], true);
                    }
                    tr.forward(st, b, logits);
                }
                System.out.printf("%s: batched vs alone max |diff| %.3g (bound %.3g)%n", rel, maxDiff, bound);
                assertTrue(maxDiff <= bound, rel + ": batched logits differ by " + maxDiff + " > " + bound);
                for (int s = 0; s < n; s++) assertEquals(PROMPTS[s].length + STEPS - 1, st.cache().seqPosMax(seqOf[s]));
            }
        }
    }

    /** A prompt prefilled once and shared by three continuations (seq_cp) gives each what a separate prefill gives. */
    @Test
    void sharedPrefixThroughSeqCopy() throws Exception {
        try (GgufFile f = GgufFile.open(SharedData.path("models/stories260K.gguf"))) {
            LoadedModel lm = LoadedModel.of(f);
            Transformer tr = lm.transformer();
            int vocab = lm.config().vocabSize();
            int[] prompt = PROMPTS[1];
            int[] cont = {300, 301, 302};
            try (Transformer.State st = tr.newState(128, 64, 2, KvCacheType.F32, ActivationPrecision.VEC_DOT_TYPE);
                 Transformer.State alone = tr.newState(128, 64, 2, KvCacheType.F32, ActivationPrecision.VEC_DOT_TYPE)) {
                tr.forward(st, prompt, 0, prompt.length, 0, null, false);
                int cellsAfterPrompt = st.cache().usedCells();
                for (int s = 1; s < 3; s++) st.cache().seqCopy(0, s, -1, -1);
                assertEquals(cellsAfterPrompt, st.cache().usedCells(), "seq_cp shares cells");
                Batch b = new Batch(3);
                for (int s = 0; s < 3; s++) b.add(cont[s], prompt.length, s, true);
                float[] logits = new float[3 * vocab];
                tr.forward(st, b, logits);
                for (int s = 0; s < 3; s++) {
                    int[] ids = java.util.Arrays.copyOf(prompt, prompt.length + 1);
                    ids[prompt.length] = cont[s];
                    float[] want = new float[vocab];
                    alone.cache().clear();
                    tr.forward(alone, ids, 0, ids.length, 0, want, false);
                    assertTrue(maxAbs(logits, s * vocab, want) < 1e-4f, "continuation " + s);
                }
                st.cache().seqRemove(1, -1, -1);
                assertEquals(prompt.length + 1, st.cache().seqCells(0));
                assertEquals(0, st.cache().seqCells(1));
                assertEquals(prompt.length + 1, st.cache().seqCells(2));
                assertEquals(cellsAfterPrompt + 2, st.cache().usedCells());
            }
        }
    }

    @Test
    void badBatchesAreRefusedAndFreeTheirCells() throws Exception {
        try (GgufFile f = GgufFile.open(SharedData.path("models/stories260K.gguf"))) {
            LoadedModel lm = LoadedModel.of(f);
            Transformer tr = lm.transformer();
            try (Transformer.State st = tr.newState(16, 8, 1, KvCacheType.F32, ActivationPrecision.VEC_DOT_TYPE)) {
                tr.forward(st, new Batch(2).add(1, 0, 0, false).add(5, 1, 0, false), null);
                assertThrows(IllegalArgumentException.class, () -> tr.forward(st, new Batch(1).add(7, 1, 0, false), null),
                        "a position already cached");
                assertThrows(IllegalArgumentException.class, () -> tr.forward(st, new Batch(1).add(7, 0, 64, false), null));
                assertThrows(IllegalArgumentException.class, () -> tr.forward(st, new Batch(1).add(1 << 20, 0, 1, false), null));
                Batch big = new Batch(20);
                for (int i = 0; i < 20; i++) big.add(1, i, 2, false);
                assertThrows(IllegalStateException.class, () -> tr.forward(st, big, null), "context full");
                assertEquals(2, st.cache().usedCells(), "nothing held after a refused batch");
            }
        }
    }

    private static int argmax(float[] x, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (x[off + i] > x[off + best]) best = i;
        return best;
    }

    private static float maxAbs(float[] a, int off, float[] b) {
        float m = 0;
        for (int i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[off + i] - b[i]));
        return m;
    }
}
