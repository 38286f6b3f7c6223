package io.edgellm.engine.nn;

import java.util.Objects;

/**
 * A mixture-of-experts feed-forward block (llama.cpp {@code build_moe_ffn}): a router, {@code n_expert} SwiGLU
 * experts stored in the file as 3-D tensors {@code ffn_{gate,up,down}_exps} (bound here as one zero-copy matrix view
 * per expert), and optionally a shared expert that every token runs, scaled by a sigmoid gate (qwen2moe).
 * <pre>
 *   p   = softmax(router·x)                        over all experts
 *   sel = top-k(p), k = expert_used_count;  w = p[sel], divided by max(sum(w), 2^-14) when {@code normalize} (Mixtral)
 *   y   = sum_k w_k · down_k( silu(gate_k·x) * (up_k·x) )
 *   y  += sigmoid(shared_gate·x) · shared(x)       when a shared expert exists
 * </pre>
 *
 * @param router     {@code ffn_gate_inp}: n_embd → n_expert (F32 in llama.cpp's quantized files)
 * @param experts    per expert its SwiGLU block ({@code ffn_gate_exps[e]}, {@code ffn_up_exps[e]}, {@code ffn_down_exps[e]})
 * @param used       experts per token ({@code expert_used_count})
 * @param normalize  whether the top-k weights are renormalised to sum 1 (llama: yes; qwen2moe: no)
 * @param shared     the shared expert, or null
 * @param sharedGate {@code ffn_gate_inp_shexp}, n_embd floats (one logit per token), or null
 */
public record Experts(Linear router, FeedForward[] experts, int used, boolean normalize,
                      FeedForward shared, float[] sharedGate) {

    /** Checks the parts. */
    public Experts {
        Objects.requireNonNull(router, "router");
        int n = router.out();
        if (experts.length != n) {
            throw new IllegalArgumentException("expert tensors for " + experts.length + " experts, router for " + n);
        }
        if (used < 1 || used > n) throw new IllegalArgumentException("expert_used_count " + used + " not in 1.." + n);
    }

    /**
     * Number of experts.
     *
     * @return n_expert
     */
    public int count() {
        return experts.length;
    }

    /**
     * Hidden width of one expert.
     *
     * @return n_ff_exp
     */
    public int hidden() {
        return experts[0].hidden();
    }
}
