package io.edgellm.engine.nn;

import java.util.Objects;

/**
 * A feed-forward block (llama.cpp {@code build_ffn}) in one of three shapes:
 * <pre>
 *   gated:       down( act(gate·x) * (up·x) )          llama, qwen2, gemma (act = SILU: SwiGLU, GELU: GeGLU)
 *   fused gate:  down( act(u[0..n_ff)) * u[n_ff..2n_ff) ),  u = up·x     phi3 (ffn_up holds gate | up)
 *   plain:       down( act(up·x) )                      phi2 (GELU)
 * </pre>
 *
 * @param gate       {@code ffn_gate}: n_embd → n_ff, or null (plain or fused)
 * @param up         {@code ffn_up}: n_embd → n_ff, or n_embd → 2·n_ff when {@code fusedGate}
 * @param down       {@code ffn_down}: n_ff → n_embd
 * @param activation the activation
 * @param fusedGate  true when {@code up} holds the gate rows followed by the up rows
 */
public record FeedForward(Linear gate, Linear up, Linear down, Activation activation, boolean fusedGate) {

    /** The non-linearity. */
    public enum Activation {
        /** {@code x / (1 + e^-x)} (SiLU, Swish-1). */
        SILU,
        /** tanh-approximated GELU as llama.cpp's CPU backend computes it (an FP16 lookup table). */
        GELU
    }

    /** Checks the shape. */
    public FeedForward {
        Objects.requireNonNull(up, "up");
        Objects.requireNonNull(down, "down");
        Objects.requireNonNull(activation, "activation");
        if (fusedGate && gate != null) throw new IllegalArgumentException("a fused gate has no separate ffn_gate");
    }

    /**
     * Hidden width n_ff.
     *
     * @return elements per row between up and down
     */
    public int hidden() {
        return down.in();
    }

    /**
     * Whether the block is gated (separately or fused).
     *
     * @return true for SwiGLU / GeGLU
     */
    public boolean gated() {
        return gate != null || fusedGate;
    }
}
