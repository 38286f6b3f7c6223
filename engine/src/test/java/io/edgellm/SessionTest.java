package io.edgellm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Session behaviour on stories260K: batching structure, KV cache, sampling options, stops, errors. */
class SessionTest {
    static Model model;

    @BeforeAll
    static void load() throws Exception {
        model = Model.load(SharedData.model("stories260K.gguf"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static int[] prompt128() {
        int[] ids = new int[128];
        ids[0] = 1;
        for (int i = 1; i < ids.length; i++) ids[i] = 3 + (i * 37) % 500;
        return ids;
    }

    /**
     * Prefill reads each weight once per batch: 128 prompt tokens in one batch = one pass over every weight matrix
     * (7 per layer + output), while 128 decode steps make 128 passes. Counted structurally (MatMul calls), not timed.
     */
    @Test
    void prefillDoesOneWeightPassPerBatch() {
        int[] ids = prompt128();
        int passesPerForward = 7 * model.config().blockCount() + 1;
        try (Session batched = model.newSession(SessionOptions.defaults().withContextLength(256).withBatchSize(128).withThreads(2));
             Session stepwise = model.newSession(SessionOptions.defaults().withContextLength(256).withThreads(2))) {
            float[] a = batched.evaluate(ids);
            assertEquals(passesPerForward, batched.weightPasses());
            float[] b = null;
            for (int id : ids) b = stepwise.evaluate(new int[] {id});
            assertEquals(128L * passesPerForward, stepwise.weightPasses());
            // same numbers either way (F32 model)
            for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-4f);
        }
        // n_batch 32: four passes for 128 tokens; the first three micro-batches want no logits, so their last layer
        // stops after storing K/V (llama.cpp's inp_out_ids): no attn_output, ffn_gate/up/down, output there
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(256).withBatchSize(32).withThreads(2))) {
            s.evaluate(ids);
            assertEquals(3L * (7 * model.config().blockCount() - 4) + passesPerForward, s.weightPasses());
        }
    }

    /** A Model is shared by sessions on several threads: each gets exactly the single-threaded result. */
    @Test
    void sharedModelConcurrentSessions() throws Exception {
        SamplingParams p = SamplingParams.greedy().withMaxNewTokens(32).withIgnoreEos(true);
        int[] expected;
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(64).withThreads(1))) {
            expected = s.generate("Once upon a time", p, null).generatedIds();
        }
        java.util.concurrent.ExecutorService ex = java.util.concurrent.Executors.newFixedThreadPool(3);
        try {
            List<java.util.concurrent.Future<int[]>> fs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                fs.add(ex.submit(() -> {
                    try (Session s = model.newSession(SessionOptions.defaults().withContextLength(64).withThreads(1))) {
                        return s.generate("Once upon a time", p, null).generatedIds();
                    }
                }));
            }
            for (var f : fs) assertArrayEquals(expected, f.get());
        } finally {
            ex.shutdown();
        }
    }

    @Test
    void positionResetAndKvBytes() {
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(64).withThreads(1))) {
            ModelConfig c = model.config();
            assertEquals(2L * c.blockCount() * 64 * c.kvDimK() * 4, s.kvCacheBytes());
            float[] first = s.evaluate(new int[] {1, 403, 407});
            assertEquals(3, s.position());
            s.reset();
            assertEquals(0, s.position());
            assertArrayEquals(first, s.evaluate(new int[] {1, 403, 407}));
            assertThrows(IllegalArgumentException.class, () -> s.evaluate(new int[62]));
            assertThrows(IllegalArgumentException.class, () -> s.evaluate(new int[] {100000}));
        }
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(64).withKvCacheType(KvCacheType.F16))) {
            assertEquals(2L * model.config().blockCount() * 64 * model.config().kvDimK() * 2, s.kvCacheBytes());
            float[] half = s.evaluate(new int[] {1, 403, 407, 261, 378});
            try (Session f = model.newSession(SessionOptions.defaults().withContextLength(64))) {
                float[] full = f.evaluate(new int[] {1, 403, 407, 261, 378});
                for (int i = 0; i < full.length; i++) assertEquals(full[i], half[i], 0.05f);
            }
        }
    }

    @Test
    void promptLongerThanContextIsAClearError() {
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(8))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.generate("Once upon a time there was a little girl named Lily", SamplingParams.greedy(), null));
            assertTrue(e.getMessage().contains("n_ctx") || e.getMessage().contains("context"), e.getMessage());
        }
    }

    @Test
    void seededSamplingIsReproducibleAndStreams() {
        SamplingParams p = SamplingParams.defaults().withSeed(42).withMaxNewTokens(40).withRepeatPenalty(1.1f);
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(128))) {
            StringBuilder streamed = new StringBuilder();
            GenerationResult a = s.generate("Once upon a time", p, (id, text) -> streamed.append(text));
            s.reset();
            GenerationResult b = s.generate("Once upon a time", p, null);
            assertArrayEquals(a.generatedIds(), b.generatedIds());
            assertEquals(a.text(), streamed.toString());
            s.reset();
            GenerationResult c = s.generate("Once upon a time", p.withSeed(7), null);
            assertFalse(java.util.Arrays.equals(a.generatedIds(), c.generatedIds()), "another seed, another text");
        }
    }

    @Test
    void stopStringCutsTheText() {
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(128))) {
            StringBuilder streamed = new StringBuilder();
            GenerationResult r = s.generate("Once upon a time", SamplingParams.greedy().withMaxNewTokens(64)
                    .withStopStrings(List.of("Lily")), (id, text) -> streamed.append(text));
            assertEquals(StopReason.STOP_STRING, r.stopReason());
            assertEquals(", there was a little girl named ", r.text());
            assertEquals(r.text(), streamed.toString());
        }
    }

    @Test
    void contextFullStops() {
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(12))) {
            GenerationResult r = s.generate("Once upon a time", SamplingParams.greedy().withMaxNewTokens(-1), null);
            assertEquals(StopReason.CONTEXT_FULL, r.stopReason());
            assertEquals(12 - 5 + 1, r.generatedIds().length); // the last sampled token no longer fits
            assertEquals(12, s.position());
        }
    }

    @Test
    void cancelFromListener() {
        try (Session s = model.newSession(SessionOptions.defaults().withContextLength(128))) {
            List<Integer> seen = new ArrayList<>();
            GenerationResult r = s.generate("Once upon a time", SamplingParams.greedy().withMaxNewTokens(64), (id, text) -> {
                seen.add(id);
                if (seen.size() == 5) s.cancel();
            });
            assertEquals(StopReason.CANCELLED, r.stopReason());
            assertEquals(5, r.generatedIds().length);
        }
    }

    @Test
    void endOfGenerationStops() throws Exception {
        // TinyStories emits EOS at step 4 of the 4th golden prompt (plain greedy, llama-simple)
        try (Model m = Model.load(SharedData.model("TinyStories-656K-F32.gguf"));
             Session s = m.newSession(SessionOptions.defaults().withContextLength(128))) {
            GenerationResult r = s.generate("Lily said sorry. Her mom hugged her and they were happy again.",
                    SamplingParams.greedy().withMaxNewTokens(64), null);
            assertEquals(StopReason.END_OF_GENERATION, r.stopReason());
            assertEquals(5, r.generatedIds().length);
            assertEquals(m.tokenizer().eosId(), r.generatedIds()[4]);
        }
    }
}
