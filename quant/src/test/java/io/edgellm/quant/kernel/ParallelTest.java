package io.edgellm.quant.kernel;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

class ParallelTest {

    @Test
    void coversEveryIndexOnceWithContiguousChunks() {
        try (Parallel p = Parallel.create(3)) {
            assertEquals(3, p.threads());
            for (int n : new int[] {1, 2, 3, 4, 10, 1000}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                AtomicIntegerArray owner = new AtomicIntegerArray(n);
                p.forRange(n, (start, end, worker) -> {
                    assertTrue(start < end);
                    assertEquals((int) ((long) worker * n / 3), start, "chunk start of worker " + worker);
                    for (int i = start; i < end; i++) {
                        hits.incrementAndGet(i);
                        owner.set(i, worker);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertEquals(1, hits.get(i), "index " + i + " of " + n);
                }
            }
        }
    }

    @Test
    void singleThreadRunsOnCaller() {
        try (Parallel p = Parallel.create(1)) {
            Thread me = Thread.currentThread();
            p.forRange(10, (s, e, w) -> {
                assertSame(me, Thread.currentThread());
                assertEquals(0, s);
                assertEquals(10, e);
                assertEquals(0, w);
            });
        }
    }

    @Test
    void manyCallsReuseThePool() {
        try (Parallel p = Parallel.create(2)) {
            long[] sums = new long[2];
            for (int k = 0; k < 20_000; k++) {
                p.forRange(8, (s, e, w) -> {
                    for (int i = s; i < e; i++) {
                        sums[w] += i;
                    }
                });
            }
            assertEquals(20_000L * 28, sums[0] + sums[1]);
        }
    }

    @Test
    void exceptionsPropagateAndPoolStaysUsable() {
        try (Parallel p = Parallel.create(3)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> p.forRange(9, (s, en, w) -> {
                        if (w == 2) {
                            throw new IllegalStateException("boom");
                        }
                    }));
            assertEquals("boom", e.getMessage());
            AtomicIntegerArray hits = new AtomicIntegerArray(9);
            p.forRange(9, (s, en, w) -> {
                for (int i = s; i < en; i++) {
                    hits.incrementAndGet(i);
                }
            });
            for (int i = 0; i < 9; i++) {
                assertEquals(1, hits.get(i));
            }
        }
    }

    @Test
    void nestedCallsRunInline() {
        try (Parallel p = Parallel.create(2)) {
            AtomicIntegerArray hits = new AtomicIntegerArray(4 * 5);
            p.forRange(4, (s, e, w) -> {
                for (int i = s; i < e; i++) {
                    final int outer = i;
                    p.forRange(5, (s2, e2, w2) -> {
                        for (int j = s2; j < e2; j++) {
                            hits.incrementAndGet(outer * 5 + j);
                        }
                    });
                }
            });
            for (int i = 0; i < 20; i++) {
                assertEquals(1, hits.get(i));
            }
        }
    }

    @Test
    void closedPoolRejectsWorkAndBadArgumentsAreRejected() {
        Parallel p = Parallel.create(2);
        p.close();
        p.close();
        assertThrows(IllegalStateException.class, () -> p.forRange(3, (s, e, w) -> { }));
        assertThrows(IllegalArgumentException.class, () -> Parallel.create(0));
        try (Parallel q = Parallel.create(2)) {
            assertThrows(IllegalArgumentException.class, () -> q.forRange(-1, (s, e, w) -> { }));
            AtomicReference<Boolean> ran = new AtomicReference<>(false);
            q.forRange(0, (s, e, w) -> ran.set(true));
            assertFalse(ran.get());
        }
    }

    /**
     * Issue 14, item 1: closing the pool while another thread is inside {@code forRange} used to leave that thread
     * parked forever (workers that saw the close never counted their chunk down) and, once interrupted, spinning.
     * Each trial closes at a random point of a stream of loops (half of them also interrupt the looping thread); the
     * loop must end promptly with the pool's {@link IllegalStateException}, never hang.
     */
    @Test
    void closeDuringWorkNeverHangs() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int trial = 0; trial < 200; trial++) {
                int threads = 2 + trial % 3;
                Parallel p = Parallel.create(threads);
                AtomicInteger loops = new AtomicInteger();
                AtomicReference<Throwable> ended = new AtomicReference<>();
                long[] sink = new long[threads];
                Thread user = new Thread(() -> {
                    try {
                        while (true) {
                            p.forRange(threads * 4, (s, e, w) -> {
                                long x = 0;
                                for (int i = s; i < e; i++) {
                                    for (int k = 0; k < 200; k++) {
                                        x += (long) i * k;
                                    }
                                }
                                sink[w] += x;
                            });
                            loops.incrementAndGet();
                        }
                    } catch (Throwable t) {
                        ended.set(t);
                    }
                }, "parallel-test-user");
                user.start();
                int wait = ThreadLocalRandom.current().nextInt(20);
                while (loops.get() < wait && user.isAlive()) {
                    Thread.onSpinWait();
                }
                if (trial % 2 == 1) {
                    user.interrupt();
                }
                p.close();
                user.join();
                Throwable t = ended.get();
                assertInstanceOf(IllegalStateException.class, t, "trial " + trial + ": " + t);
                assertTrue(t.getMessage().contains("closed"), t.getMessage());
            }
        });
    }
}
