package io.edgellm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Issue 14, item 7: thread bound, cancel before generate and during prefill, sessions released without close(). */
class SessionLifecycleTest {

    @Test
    void threadsAreBounded() {
        assertEquals(SessionOptions.maxThreads(), SessionOptions.defaults().withThreads(100_000).effectiveThreads());
        assertEquals(2, SessionOptions.defaults().withThreads(2).effectiveThreads());
    }

    @Test
    void cancelBeforeGenerateIsHonouredOnceAndDuringPrefillBetweenBatches() throws Exception {
        try (Model m = Model.load(SharedData.model("stories260K.gguf"));
             Session s = m.newSession(SessionOptions.defaults().withContextLength(256).withBatchSize(1).withThreads(1))) {
            s.cancel();
            GenerationResult r = s.generate("Once upon a time", SamplingParams.greedy().withMaxNewTokens(8), null);
            assertEquals(StopReason.CANCELLED, r.stopReason());
            assertEquals(0, r.generatedIds().length);
            assertEquals(0, s.position(), "nothing evaluated");
            r = s.generate("Once upon a time", SamplingParams.greedy().withMaxNewTokens(4), null);
            assertEquals(StopReason.MAX_TOKENS, r.stopReason(), "the cancel applied to one call only");
            assertEquals(4, r.generatedIds().length);

            s.reset();
            int[] prompt = new int[240];
            java.util.Arrays.fill(prompt, 1, prompt.length, 403);
            prompt[0] = 1;
            // a listener cannot run during prefill: another thread cancels once the first batch (of 1 token) is in
            Thread canceller = new Thread(() -> {
                while (s.position() == 0) Thread.onSpinWait();
                s.cancel();
            });
            canceller.start();
            r = s.generate(prompt, SamplingParams.greedy().withMaxNewTokens(4), null);
            canceller.join();
            assertEquals(StopReason.CANCELLED, r.stopReason());
            assertEquals(0, r.generatedIds().length);
            assertTrue(s.position() > 0 && s.position() < prompt.length, "stopped between batches at " + s.position());
        }
    }

    @Test
    void unclosedSessionsReleaseTheirThreads() throws Exception {
        try (Model m = Model.load(SharedData.model("stories260K.gguf"))) {
            long before = poolThreads();
            for (int i = 0; i < 5; i++) {
                m.newSession(SessionOptions.defaults().withContextLength(64).withThreads(3));   // never closed
            }
            assertTrue(poolThreads() >= before + 10, "workers started");
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                while (poolThreads() > before) {
                    System.gc();
                    Thread.sleep(50);
                }
            });
        }
    }

    private static long poolThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("edgellm-parallel-") && t.isAlive()).count();
    }
}
