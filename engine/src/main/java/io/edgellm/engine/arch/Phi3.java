package io.edgellm.engine.arch;

import io.edgellm.ModelConfig;
import io.edgellm.ModelFormatException;
import io.edgellm.engine.Network;
import io.edgellm.engine.Rope;
import io.edgellm.engine.TensorBinder;
import io.edgellm.engine.nn.FeedForward;
import java.util.List;

/**
 * Phi-3 / Phi-3.5 mini (llama.cpp {@code LLM_ARCH_PHI3}, {@code src/models/phi3.cpp}): the {@link Llama} graph with a
 * fused {@code attn_qkv} (Q | K | V rows) and a fused {@code ffn_up} of {@code 2 n_ff} rows, the gate first:
 * {@code down(silu(u[0..n_ff)) * u[n_ff..2n_ff))} ({@code ggml_swiglu}, not swapped); NEOX RoPE; no biases.
 * {@code phi3.attention.sliding_window} is ignored, as llama.cpp does. The 128k variants' LongRoPE factors
 * ({@code rope_factors_long} / {@code rope_factors_short}) are per-pair frequency divisors: the long ones for a session
 * context beyond {@code rope.scaling.original_context_length}, the short ones otherwise, as llama.cpp's
 * {@code get_rope_factors} picks them.
 */
public final class Phi3 implements Architecture {

    /** Creates the architecture (used by the registry). */
    public Phi3() {
    }

    @Override
    public List<String> names() {
        return List.of("phi3");
    }

    @Override
    public Network bind(ModelConfig c, TensorBinder t) throws ModelFormatException {
        // token_embd first, as llama.cpp binds it: a wrong n_embd is reported on the embedding
        io.edgellm.quant.kernel.QTensor tokenEmbd = t.matrix("token_embd.weight", c.embeddingLength(), c.vocabSize());
        int e = c.embeddingLength(), ff = c.feedForwardLength();
        Llama.Block[] blocks = new Llama.Block[c.blockCount()];
        for (int i = 0; i < blocks.length; i++) {
            String p = "blk." + i + ".";
            FeedForward ffn = new FeedForward(null, t.linear(p + "ffn_up", e, 2L * ff), t.linear(p + "ffn_down", ff, e),
                    FeedForward.Activation.SILU, true);
            blocks[i] = new Llama.Block(t.rmsNorm(p + "attn_norm", e, c.normEpsilon()), Llama.fusedAttention(c, t, p),
                    t.rmsNorm(p + "ffn_norm", e, c.normEpsilon()), ffn, null);
        }
        int half = c.ropeDimensionCount() / 2;
        float[] shortF = t.optionalVector("rope_factors_short.weight", half);
        float[] longF = t.optionalVector("rope_factors_long.weight", half);
        int orig = c.ropeScaling().originalContextLength();
        Rope longRope = longF != null && orig > 0 ? Rope.of(c, Rope.Mode.NEOX, longF) : null;
        return new Llama.Net(c, Rope.of(c, Rope.Mode.NEOX, shortF), longRope, orig > 0 ? orig : Integer.MAX_VALUE, tokenEmbd, blocks,
                t.rmsNorm("output_norm", e, c.normEpsilon()), Llama.output(c, t));
    }
}
