package io.edgellm.bench.accuracy;

import io.edgellm.Session;
import java.util.Arrays;

/**
 * Evaluates one perplexity chunk from an empty context and returns the logits that are scored.
 *
 * <p>llama-perplexity scores only the second half of each chunk: the logits at positions {@code first .. n-2} predict
 * the tokens at {@code first+1 .. n-1}. The logits of the last position are never used, so an evaluator need not
 * compute them.
 */
@FunctionalInterface
public interface ChunkEvaluator {

    /**
     * Evaluates {@code chunk} at positions {@code 0 .. chunk.length-1} of an empty context (causal attention).
     *
     * @param chunk token ids (the first one already replaced by BOS where the vocabulary adds BOS)
     * @param first first scored position ({@code chunk.length / 2} in llama-perplexity)
     * @return {@code chunk.length - 1 - first} rows of {@code n_vocab} logits: row {@code j} is the output at position
     *         {@code first + j}
     */
    float[][] logits(int[] chunk, int first);

    /**
     * An evaluator over an engine session: resets the KV cache, evaluates the first {@code first} tokens (their logits
     * are discarded), then the scored part with {@link Session#evaluateAll}. Rows beyond the last scored position are
     * never computed, so memory is {@code (n/2 - 1) · n_vocab} floats per chunk.
     *
     * @param session a session whose context holds at least {@code chunk.length} tokens
     * @return the evaluator (uses the session; not thread-safe)
     */
    static ChunkEvaluator of(Session session) {
        return (chunk, first) -> {
            if (first < 1 || first >= chunk.length - 1) {
                throw new IllegalArgumentException("first scored position " + first + " outside [1, " + (chunk.length - 2) + "]");
            }
            session.reset();
            session.evaluate(Arrays.copyOfRange(chunk, 0, first));
            return session.evaluateAll(Arrays.copyOfRange(chunk, first, chunk.length - 1));
        };
    }
}
