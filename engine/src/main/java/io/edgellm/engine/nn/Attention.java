package io.edgellm.engine.nn;

/**
 * The projections of one self-attention layer (llama.cpp {@code build_qkv} and {@code build_attn}): either split
 * {@code attn_q}, {@code attn_k}, {@code attn_v} or one fused {@code attn_qkv} whose output rows are
 * {@code [0, n_q)} Q, then {@code n_kv} rows K, then {@code n_kv} rows V (the bias in the same order), and the output
 * projection {@code attn_output}. Exactly one of {@code qkv} and ({@code q}, {@code k}, {@code v}) is set.
 *
 * @param q   {@code attn_q}: n_embd → n_head·head_k, or null when fused
 * @param k   {@code attn_k}: n_embd → n_head_kv·head_k, or null when fused
 * @param v   {@code attn_v}: n_embd → n_head_kv·head_v, or null when fused
 * @param qkv {@code attn_qkv}: n_embd → n_q + 2·n_kv, or null when split
 * @param out {@code attn_output}: n_head·head_v → n_embd
 */
public record Attention(Linear q, Linear k, Linear v, Linear qkv, Linear out) {

    /** Checks that the projections are either split or fused. */
    public Attention {
        boolean split = q != null && k != null && v != null;
        if (split == (qkv != null) || out == null) {
            throw new IllegalArgumentException("attention needs either attn_q/k/v or attn_qkv, and attn_output");
        }
    }

    /**
     * Split projections.
     *
     * @param q   query
     * @param k   key
     * @param v   value
     * @param out output
     * @return the weights
     */
    public static Attention split(Linear q, Linear k, Linear v, Linear out) {
        return new Attention(q, k, v, null, out);
    }

    /**
     * One fused Q|K|V projection.
     *
     * @param qkv fused projection
     * @param out output
     * @return the weights
     */
    public static Attention fused(Linear qkv, Linear out) {
        return new Attention(null, null, null, qkv, out);
    }
}
