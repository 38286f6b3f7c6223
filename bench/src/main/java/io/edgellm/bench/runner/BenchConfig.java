package io.edgellm.bench.runner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The sweep of one {@code edgellm bench} run (llama-bench's parameters): every model × thread count × depth, one pp
 * test per prompt length and one tg test per generation length.
 *
 * @param models      GGUF files
 * @param nPrompt     prompt lengths (pp tests; 0 skips)
 * @param nGen        generation lengths (tg tests; 0 skips)
 * @param depths      KV-cache depths: tokens already in the cache before the timed region (untimed prefill)
 * @param threads     thread counts
 * @param nBatch      prompt tokens per forward call (llama-bench {@code -b}, n_batch); the prompt is split in chunks
 * @param nSeq        parallel sequences decoding together in tg tests (the batch axis, {@code -np}); pp tests run at
 *                    n_seq 1 only
 * @param repetitions timed repetitions per test (llama-bench {@code -r})
 * @param warmup      whether to run one untimed warm-up of each test first
 * @param idle        how long to measure the idle baseline (zero: none)
 * @param seed        seed of the random token ids
 */
public record BenchConfig(List<Path> models, List<Integer> nPrompt, List<Integer> nGen, List<Integer> depths,
                          List<Integer> threads, int nBatch, List<Integer> nSeq, int repetitions, boolean warmup,
                          Duration idle, long seed) {

    public BenchConfig {
        models = List.copyOf(models);
        nPrompt = List.copyOf(nPrompt);
        nGen = List.copyOf(nGen);
        depths = List.copyOf(depths);
        threads = List.copyOf(threads);
        nSeq = List.copyOf(nSeq);
        if (repetitions < 1) throw new IllegalArgumentException("repetitions must be >= 1: " + repetitions);
        if (nBatch < 1) throw new IllegalArgumentException("n_batch must be >= 1: " + nBatch);
        for (List<Integer> l : List.of(nPrompt, nGen, depths)) {
            for (int v : l) if (v < 0) throw new IllegalArgumentException("lengths must be >= 0: " + l);
        }
        for (int n : nSeq) {
            if (n < 1 || n > io.edgellm.engine.KvCache.MAX_SEQUENCES) {
                throw new IllegalArgumentException("n_seq must be 1 .. " + io.edgellm.engine.KvCache.MAX_SEQUENCES + ": " + nSeq);
            }
        }
        for (int t : threads) if (t < 1) throw new IllegalArgumentException("threads must be >= 1: " + threads);
    }
}
