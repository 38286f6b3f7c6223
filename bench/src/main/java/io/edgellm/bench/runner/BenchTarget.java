package io.edgellm.bench.runner;

/**
 * The operations a benchmark times, over one loaded model and one session (KV cache): the narrow waist between the
 * runner/JMH benchmarks and the engine ({@link EngineTargets#open}). Tokens are plain ids: tokenization and sampling are
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

    @Override
    void close();
}
