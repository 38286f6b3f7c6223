package io.edgellm.engine;

/**
 * A model bound to its weights: what one architecture file ({@code io.edgellm.engine.arch}) returns from
 * {@link io.edgellm.engine.arch.Architecture#bind}. {@link #forward} says the whole graph top to bottom (embeddings,
 * every block, output norm, logits) in calls to {@link Forward}'s building blocks, as llama.cpp's
 * {@code src/models/<arch>.cpp} graph builders do. Immutable and shared by every session of the model.
 */
public interface Network {

    /**
     * The RoPE schedule of this model (pairing, rotated dimensions, base, scaling) for a context length (phi3's
     * LongRoPE switches factors beyond the original context; every other model has one schedule).
     *
     * @param nCtx the session's context length (n_ctx), tokens
     * @return the rope
     */
    Rope rope(int nCtx);

    /**
     * Runs one micro-batch: reads {@code f}'s rows (tokens, positions, sequences), writes their K/V to the cache and
     * the logits of the rows that want them.
     *
     * @param f the forward context of the micro-batch
     */
    void forward(Forward f);
}
