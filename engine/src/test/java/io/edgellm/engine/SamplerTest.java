package io.edgellm.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgellm.SamplingParams;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {
    static final float[] LOGITS = {1f, 3f, 2.9f, -1f, 0.5f, 3f};

    @Test
    void greedyTakesTheLowestIdOnTies() {
        Sampler s = new Sampler(SamplingParams.greedy(), LOGITS.length, new int[] {}, 16);
        assertEquals(1, s.sample(LOGITS, 0));
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegative() {
        Sampler s = new Sampler(SamplingParams.greedy().withRepeatPenalty(2f), LOGITS.length, new int[] {}, 16);
        s.accept(1);
        s.accept(5);   // both 3.0 logits are now 1.5, so 2.9 wins
        assertEquals(2, s.sample(LOGITS, 0));
        // the window: only the last repeatLastN tokens count
        Sampler w = new Sampler(SamplingParams.greedy().withRepeatPenalty(2f).withRepeatLastN(1), LOGITS.length, new int[] {}, 16);
        w.accept(1);
        w.accept(3);
        assertEquals(1, w.sample(LOGITS, 0));
    }

    @Test
    void ignoreEosMasksEndOfGeneration() {
        Sampler s = new Sampler(SamplingParams.greedy().withIgnoreEos(true), LOGITS.length, new int[] {1, 5}, 16);
        assertEquals(2, s.sample(LOGITS, 0));
    }

    @Test
    void topKOneIsGreedyAndTopPKeepsTheNucleus() {
        Sampler k1 = new Sampler(SamplingParams.defaults().withTopK(1).withSeed(3), LOGITS.length, new int[] {}, 16);
        for (int i = 0; i < 20; i++) assertEquals(1, k1.sample(LOGITS, 0));
        // top-p 0.5: p(1) = p(5) ≈ 0.33 each, cumulative reaches 0.5 at the second -> only {1, 5}
        Sampler p = new Sampler(SamplingParams.defaults().withTopK(0).withTopP(0.5f).withMinP(0).withTemperature(1f).withSeed(5),
                LOGITS.length, new int[] {}, 16);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) seen.add(p.sample(LOGITS, 0));
        assertEquals(Set.of(1, 5), seen);
    }

    @Test
    void minPDropsUnlikelyTokensAndSeedRepeats() {
        SamplingParams params = SamplingParams.defaults().withTopK(0).withTopP(1f).withMinP(0.5f).withTemperature(1f).withSeed(11);
        Sampler a = new Sampler(params, LOGITS.length, new int[] {}, 16);
        Sampler b = new Sampler(params, LOGITS.length, new int[] {}, 16);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int x = a.sample(LOGITS, 0);
            assertEquals(x, b.sample(LOGITS, 0), "same seed, same draws");
            seen.add(x);
        }
        // p >= 0.5 * p_max keeps logits >= 3 - ln 2 = 2.31: ids 1, 2, 5
        assertEquals(Set.of(1, 2, 5), seen);
        assertTrue(seen.contains(2));
    }

    @Test
    void topKSelectionEqualsFullSort() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(9);
        for (int trial = 0; trial < 50; trial++) {
            int n = 1 + r.nextInt(3000), k = 1 + r.nextInt(Math.min(n, 64));
            float[] x = new float[n];
            for (int i = 0; i < n; i++) x[i] = r.nextInt(4) == 0 ? 1.5f : (float) r.nextGaussian() * (r.nextBoolean() ? -3 : 3);
            Integer[] all = new Integer[n];
            for (int i = 0; i < n; i++) all[i] = i;
            java.util.Arrays.sort(all, (a, b) -> x[a] != x[b] ? Float.compare(x[b], x[a]) : Integer.compare(a, b));
            int[] top = new int[n];
            Sampler.selectTopK(x, n, k, top);
            for (int i = 0; i < k; i++) assertEquals(all[i].intValue(), top[i], "trial " + trial + " rank " + i);
        }
    }
}
