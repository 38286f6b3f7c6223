package io.edgellm.bench.runner;

/**
 * The operations a benchmark times, over one loaded model and one session (KV cache): the narrow waist between the
 * runner/JMH benchmarks and the engine ({@link EngineTargets}). Tokens are plain ids: tokenization and sampling are
 * outside every timed region.
 */
public interface BenchTarget extends AutoCloseable {

    /** Vocabulary size: random token ids are drawn from {@code [0, vocabSize)}. */
    int vocabSize();

    /** The session's context size (n_ctx): depth + prompt + generated tokens must fit. */
    int contextSize();

    /** Clears the KV cache (position 0). */
    void reset();

    /**
     * Runs the forward pass over {@code tokens} at the current position, appending them to the KV cache (one prefill
     * batch; one token for a decode step).
     */
    void evaluate(int[] tokens);

    /** Bytes of the KV cache as allocated. */
    long kvCacheBytes();

    /** Worker threads the engine uses. */
    int threads();

    /**
     * Decodes {@code nSeq} sequences together, sharing one prompt: the prompt is prefilled once (untimed) and its KV
     * cells shared, then each step evaluates one token of every sequence in one batch ({@code Session.generateParallel},
     * greedy, end of generation ignored). Leaves the cache empty.
     *
     * @param prompt prompt ids (at least one)
     * @param nSeq   sequences, 1 .. {@code KvCache.MAX_SEQUENCES}
     * @param nGen   decode steps per sequence
     * @return the timed decode
     * @throws UnsupportedOperationException when the target has no multi-sequence decode (the default)
     */
    default ParallelDecode decodeParallel(int[] prompt, int nSeq, int nGen) {
        throw new UnsupportedOperationException("multi-sequence decode");
    }

    /**
     * One multi-sequence decode.
     *
     * @param tokens  tokens evaluated in decode steps, all sequences together (nSeq × nGen when none stopped early)
     * @param seconds wall time of the decode steps' forward passes (sampling excluded), s
     */
    record ParallelDecode(int tokens, double seconds) {
    }

    @Override
    void close();
}
