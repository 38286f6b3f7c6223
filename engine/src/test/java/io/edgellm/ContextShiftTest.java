package io.edgellm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link SessionOptions#contextShift()}: generation past n_ctx on stories260K, and the default that stops. */
class ContextShiftTest {
    static Model model;
    static final int[] PROMPT = {1, 403, 407, 261, 378};

    @BeforeAll
    static void load() throws Exception {
        model = Model.load(SharedData.model("stories260K.gguf"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static SessionOptions ctx32() {
        return SessionOptions.defaults().withContextLength(32).withThreads(2);
    }

    @Test
    void withoutShiftAFullContextStops() {
        try (Session s = model.newSession(ctx32())) {
            GenerationResult r = s.generate(PROMPT, SamplingParams.greedy().withMaxNewTokens(100).withIgnoreEos(true), null);
            assertEquals(StopReason.CONTEXT_FULL, r.stopReason());
            assertEquals(32, s.position());
            assertEquals(32 - PROMPT.length + 1, r.generatedIds().length);   // the last sampled token is not fed back
            assertEquals(0, s.contextShifts());
        }
    }

    @Test
    void withShiftGenerationRunsPastTheContext() {
        int[] maxPos = {0};
        try (Session s = model.newSession(ctx32().withContextShift(true))) {
            GenerationResult r = s.generate(PROMPT, SamplingParams.greedy().withMaxNewTokens(100).withIgnoreEos(true),
                    (id, piece) -> maxPos[0] = Math.max(maxPos[0], s.position()));
            assertEquals(StopReason.MAX_TOKENS, r.stopReason());
            assertEquals(100, r.generatedIds().length);
            assertTrue(maxPos[0] <= 32 && s.position() <= 32, "position " + maxPos[0]);
            // n_keep 0 + BOS = 1: each shift drops (32 - 1) / 2 = 15; 104 tokens fed, 32 fit, then one per 15 more
            assertEquals(5, s.contextShifts());
            for (int id : r.generatedIds()) assertTrue(id >= 0 && id < model.config().vocabSize());
        }
    }

    @Test
    void shiftKeepsThePromptWhenAskedAndMatchesAFreshContinuationAtFirst() {
        // --keep -1: the whole prompt stays; the tokens until the first shift are those of the run without shift
        try (Session shifted = model.newSession(ctx32().withContextShift(true).withNKeep(-1));
             Session plain = model.newSession(ctx32())) {
            SamplingParams p = SamplingParams.greedy().withMaxNewTokens(60).withIgnoreEos(true);
            int[] a = shifted.generate(PROMPT, p, null).generatedIds();
            int[] b = plain.generate(PROMPT, p, null).generatedIds();
            assertEquals(60, a.length);
            for (int i = 0; i < b.length; i++) assertEquals(b[i], a[i], "token " + i + " before the first shift");
            assertTrue(shifted.contextShifts() >= 1);
        }
    }

    @Test
    void shiftContextChecksItsArgument() {
        try (Session s = model.newSession(ctx32())) {
            s.evaluate(PROMPT);
            assertThrows(IllegalArgumentException.class, () -> s.shiftContext(PROMPT.length + 1));
            assertThrows(IllegalArgumentException.class, () -> s.shiftContext(-1));
            assertEquals(2, s.shiftContext(1));             // (5 - 1) / 2 positions dropped
            assertEquals(3, s.position());
            assertEquals(0, s.shiftContext(2));             // (3 - 2) / 2 = 0: nothing to drop
        }
    }

    @Test
    void nKeepBelowMinusOneIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> SessionOptions.defaults().withNKeep(-2));
    }
}
