package io.edgellm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgellm.quant.kernel.AccumulationOrder;
import io.edgellm.testing.SharedData;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link BatchEngine}: concurrent requests from several threads decoded in one loop over one pool give, request by
 * request, what {@link Session#generate} gives for the same prompt alone; cancellation, joining and errors stay local
 * to their request.
 */
class BatchEngineTest {
    private static final int NSEQ = 8;
    private static final int SEQ_CTX = 96;
    private static final String[] PROMPTS = {
        "Once upon a time", "The little dog", "Lily and Ben went to the park", "One day, a girl named Sue",
        "There was a big tree", "Tom had a red ball", "The sun was hot", "A cat sat on the mat",
        "Mom said", "The bird flew over the house", "Sam liked to play", "It was a rainy day",
        "The boy found a box", "Anna wanted a cake", "In the forest there was", "The fish swam",
    };

    private static SessionOptions opts(int ctx) {
        return opts(ctx, AccumulationOrder.KERNEL);
    }

    private static SessionOptions opts(int ctx, AccumulationOrder order) {
        return SessionOptions.defaults().withContextLength(ctx).withBatchSize(16).withThreads(2).withAccumulationOrder(order);
    }

    private static List<int[]> sequential(Model m, List<int[]> prompts, SamplingParams sp) {
        return sequential(m, prompts, sp, AccumulationOrder.KERNEL);
    }

    /** What each prompt gives alone in a session with the engine's per-sequence context. */
    private static List<int[]> sequential(Model m, List<int[]> prompts, SamplingParams sp, AccumulationOrder order) {
        List<int[]> want = new ArrayList<>();
        try (Session s = m.newSession(opts(SEQ_CTX, order))) {
            for (int[] p : prompts) {
                s.reset();
                want.add(s.generate(p, sp, null).generatedIds());
            }
        }
        return want;
    }

    private static List<int[]> encode(Model m) {
        List<int[]> ids = new ArrayList<>();
        for (String p : PROMPTS) ids.add(m.tokenizer().encode(p, true, true));
        return ids;
    }

    private static long poolThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("edgellm-parallel-")).count();
    }

    /**
     * 8 threads submit 16 prompts into 8 sequences (so requests also wait, join and reuse freed sequences). Greedy runs
     * with the default summation order, whose 4 × 4 tile path (a decode step of 4 or more sequences) changes logits by
     * ~1e-6 against one-row decode: greedy ids stay equal on these models. Seeded sampling can flip on such a
     * difference, so it runs (on the 656K model, where it flipped a token before the x86 attention took cell lists) with
     * {@link AccumulationOrder#LLAMA_CPP_X86}, which takes no tile path: every row is
     * computed as when alone, so the sampled ids must match exactly too.
     */
    @Test
    void concurrentSubmittersGetTheirSequentialResults() throws Exception {
        for (String model : new String[] {"models/stories260K.gguf", "models/TinyStories-656K-Q8_0.gguf"}) {
          for (AccumulationOrder order : model.contains("656K") ? AccumulationOrder.values()
                  : new AccumulationOrder[] {AccumulationOrder.KERNEL}) {
            SamplingParams sp = order == AccumulationOrder.KERNEL ? SamplingParams.greedy().withMaxNewTokens(20)
                    : SamplingParams.defaults().withSeed(7).withMaxNewTokens(20);
            try (Model m = Model.load(SharedData.path(model))) {
                List<int[]> prompts = encode(m);
                List<int[]> want = sequential(m, prompts, sp, order);
                long before = poolThreads();
                AtomicInteger maxPool = new AtomicInteger();
                try (BatchEngine e = new BatchEngine(m, opts(NSEQ * SEQ_CTX, order), NSEQ)) {
                    assertEquals(SEQ_CTX, e.sequenceContextLength());
                    long withEngine = poolThreads();
                    assertEquals(e.threads() - 1, withEngine - before, "one pool: threads - 1 workers + the loop");
                    ExecutorService users = Executors.newFixedThreadPool(8);
                    List<Future<GenerationResult>> results = new ArrayList<>();
                    List<StringBuilder> streamed = new ArrayList<>();
                    for (int i = 0; i < prompts.size(); i++) {
                        int[] p = prompts.get(i);
                        StringBuilder sb = new StringBuilder();
                        streamed.add(sb);
                        results.add(users.submit(() -> e.submit(p, sp, (id, text) -> {
                            sb.append(text);
                            maxPool.accumulateAndGet((int) poolThreads(), Math::max);
                        }).join()));
                    }
                    for (int i = 0; i < prompts.size(); i++) {
                        GenerationResult r = results.get(i).get(60, TimeUnit.SECONDS);
                        assertArrayEquals(want.get(i), r.generatedIds(), model + " " + order + " prompt " + i + ": " + PROMPTS[i]);
                        assertEquals(r.text(), streamed.get(i).toString());
                        if (sp.isGreedy()) assertEquals(StopReason.MAX_TOKENS, r.stopReason());
                    }
                    users.shutdown();
                    assertEquals(withEngine, maxPool.get(), "no pool is created per request");
                    assertTrue(e.steps() < 16 * 20, "requests shared forward passes: " + e.steps() + " steps");
                }
            }
          }
        }
    }

    @Test
    void cancellingOneLeavesTheOthersCorrect() throws Exception {
        try (Model m = Model.load(SharedData.path("models/stories260K.gguf"));
             BatchEngine e = new BatchEngine(m, opts(4 * SEQ_CTX), 4)) {
            List<int[]> prompts = encode(m).subList(0, 4);
            SamplingParams sp = SamplingParams.greedy().withMaxNewTokens(24);
            List<int[]> want = sequential(m, prompts, sp);
            AtomicReference<BatchEngine.Request> victim = new AtomicReference<>();
            AtomicInteger seen = new AtomicInteger();
            CountDownLatch submitted = new CountDownLatch(1);
            List<BatchEngine.Request> reqs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                if (i == 1) {
                    BatchEngine.Request r = e.submit(prompts.get(i), sp.withIgnoreEos(true), (id, text) -> {
                        try {
                            submitted.await();
                        } catch (InterruptedException ex) {
                            throw new RuntimeException(ex);
                        }
                        if (seen.incrementAndGet() == 3) victim.get().cancel();
                    });
                    victim.set(r);
                    reqs.add(r);
                    submitted.countDown();
                } else {
                    reqs.add(e.submit(prompts.get(i), sp, null));
                }
            }
            GenerationResult cancelled = reqs.get(1).join();
            assertEquals(StopReason.CANCELLED, cancelled.stopReason());
            assertEquals(3, cancelled.generatedIds().length);
            for (int i = 0; i < 3; i++) assertEquals(want.get(1)[i], cancelled.generatedIds()[i]);
            for (int i : new int[] {0, 2, 3}) assertArrayEquals(want.get(i), reqs.get(i).join().generatedIds(), "prompt " + i);
            // a request cancelled before it runs ends without being evaluated
            BatchEngine.Request early = e.submit(prompts.get(0), sp, null);
            early.cancel();
            assertEquals(StopReason.CANCELLED, early.join().stopReason());
        }
    }

    @Test
    void aRequestJoinsWhileAnotherDecodes() throws Exception {
        try (Model m = Model.load(SharedData.path("models/stories260K.gguf"));
             BatchEngine e = new BatchEngine(m, opts(2 * SEQ_CTX), 2)) {
            List<int[]> prompts = encode(m).subList(2, 4);
            SamplingParams spA = SamplingParams.greedy().withMaxNewTokens(40).withIgnoreEos(true);
            SamplingParams spB = SamplingParams.greedy().withMaxNewTokens(16);
            int[] wantA = sequential(m, prompts.subList(0, 1), spA).get(0);
            int[] wantB = sequential(m, prompts.subList(1, 2), spB).get(0);
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch joined = new CountDownLatch(1);
            AtomicInteger aTokens = new AtomicInteger();
            AtomicInteger aTokensAtBFirst = new AtomicInteger(-1);
            BatchEngine.Request a = e.submit(prompts.get(0), spA, (id, text) -> {
                if (aTokens.incrementAndGet() == 3) {
                    started.countDown();
                    try {
                        joined.await(10, TimeUnit.SECONDS);     // B is queued before A's next step
                    } catch (InterruptedException ex) {
                        throw new RuntimeException(ex);
                    }
                }
            });
            assertTrue(started.await(30, TimeUnit.SECONDS));
            BatchEngine.Request b = e.submit(prompts.get(1), spB, (id, text) -> aTokensAtBFirst.compareAndSet(-1, aTokens.get()));
            joined.countDown();
            assertArrayEquals(wantB, b.join().generatedIds());
            assertArrayEquals(wantA, a.join().generatedIds());
            assertTrue(aTokensAtBFirst.get() > 0 && aTokensAtBFirst.get() < 40,
                    "B's first token came while A decoded (A had " + aTokensAtBFirst.get() + ")");
        }
    }

    @Test
    void errorsStayInTheirRequestAndCloseFailsTheRest() throws Exception {
        try (Model m = Model.load(SharedData.path("models/stories260K.gguf"))) {
            List<int[]> prompts = encode(m).subList(0, 2);
            SamplingParams sp = SamplingParams.greedy().withMaxNewTokens(12);
            List<int[]> want = sequential(m, prompts, sp);
            BatchEngine e = new BatchEngine(m, opts(2 * SEQ_CTX), 2);
            BatchEngine.Request bad = e.submit(prompts.get(0), sp, (id, text) -> {
                throw new IllegalStateException("listener broke");
            });
            BatchEngine.Request good = e.submit(prompts.get(1), sp, null);
            CompletionException ce = assertThrows(CompletionException.class, bad::join);
            assertEquals("listener broke", ce.getCause().getMessage());
            assertArrayEquals(want.get(1), good.join().generatedIds());
            assertThrows(IllegalArgumentException.class, () -> e.submit(new int[0], sp, null));
            assertThrows(IllegalArgumentException.class, () -> e.submit(new int[] {1, 100000}, sp, null));
            assertThrows(IllegalArgumentException.class, () -> e.submit(new int[SEQ_CTX + 1], sp, null));
            CountDownLatch running = new CountDownLatch(1);
            BatchEngine.Request endless = e.submit(prompts.get(0), sp.withMaxNewTokens(-1).withIgnoreEos(true),
                    (id, text) -> running.countDown());
            assertTrue(running.await(30, TimeUnit.SECONDS));
            e.close();
            assertTrue(endless.result().isDone());
            GenerationResult r = endless.result().handle((v, t) -> v).join();
            if (r != null) assertEquals(StopReason.CONTEXT_FULL, r.stopReason());   // it may have filled its context
            assertThrows(IllegalStateException.class, () -> e.submit(prompts.get(0), sp, null));
        }
    }
}
