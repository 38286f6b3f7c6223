package io.edgellm.engine.arch;

import io.edgellm.ModelConfig;
import io.edgellm.ModelFormatException;
import io.edgellm.engine.Network;
import io.edgellm.engine.Rope;
import io.edgellm.engine.TensorBinder;
import io.edgellm.engine.nn.Attention;
import io.edgellm.engine.nn.Experts;
import io.edgellm.engine.nn.FeedForward;
import java.util.List;

/**
 * Qwen1.5-MoE / Qwen2-MoE (llama.cpp {@code LLM_ARCH_QWEN2MOE}, {@code src/models/qwen2moe.cpp}): qwen2's attention
 * (q/k/v biases, NEOX RoPE) and a mixture-of-experts FFN whose top-k weights are the raw softmax probabilities
 * (not renormalised: {@code norm_topk_prob = False}), plus a shared expert every token runs, scaled by
 * {@code sigmoid(ffn_gate_inp_shexp · x)}. Expert width {@code expert_feed_forward_length} (default
 * {@code feed_forward_length / expert_used_count}), shared width {@code expert_shared_feed_forward_length} (default
 * {@code feed_forward_length}). The graph is {@link Llama}'s.
 */
public final class Qwen2Moe implements Architecture {

    /** Creates the architecture (used by the registry). */
    public Qwen2Moe() {
    }

    @Override
    public List<String> names() {
        return List.of("qwen2moe");
    }

    @Override
    public Network bind(ModelConfig c, TensorBinder t) throws ModelFormatException {
        // token_embd first, as llama.cpp binds it: a wrong n_embd is reported on the embedding
        io.edgellm.quant.kernel.QTensor tokenEmbd = t.matrix("token_embd.weight", c.embeddingLength(), c.vocabSize());
        ArchKeys keys = new ArchKeys(t.file(), c.architecture());
        int nExpert = keys.integer("expert_count", 0, 1, 4096);
        if (nExpert < 1) {
            throw new ModelFormatException(t.file().path(), "missing metadata key '" + c.architecture() + ".expert_count'");
        }
        int nUsed = keys.integer("expert_used_count", 0, 1, nExpert);
        if (nUsed < 1) {
            throw new ModelFormatException(t.file().path(), "missing metadata key '" + c.architecture() + ".expert_used_count'");
        }
        int ffExp = keys.integer("expert_feed_forward_length", c.feedForwardLength() / nUsed, 1, Integer.MAX_VALUE / 2);
        int ffShared = keys.integer("expert_shared_feed_forward_length", c.feedForwardLength(), 1, Integer.MAX_VALUE / 2);
        int e = c.embeddingLength();
        Llama.Block[] blocks = new Llama.Block[c.blockCount()];
        for (int i = 0; i < blocks.length; i++) {
            String p = "blk." + i + ".";
            Attention attn = Attention.split(t.linearWithBias(p + "attn_q", e, c.queryDim()),
                    t.linearWithBias(p + "attn_k", e, c.kvDimK()), t.linearWithBias(p + "attn_v", e, c.kvDimV()),
                    t.linear(p + "attn_output", (long) c.headCount() * c.valueLength(), e));
            FeedForward shared = new FeedForward(t.linear(p + "ffn_gate_shexp", e, ffShared),
                    t.linear(p + "ffn_up_shexp", e, ffShared), t.linear(p + "ffn_down_shexp", ffShared, e),
                    FeedForward.Activation.SILU, false);
            float[] sharedGate = t.vector(p + "ffn_gate_inp_shexp.weight", e);
            Experts moe = Llama.experts(c, t, p, nExpert, nUsed, ffExp, false, shared, sharedGate);
            blocks[i] = new Llama.Block(t.rmsNorm(p + "attn_norm", e, c.normEpsilon()), attn,
                    t.rmsNorm(p + "ffn_norm", e, c.normEpsilon()), null, moe);
        }
        return new Llama.Net(c, Rope.of(c, Rope.Mode.NEOX, null), tokenEmbd, blocks,
                t.rmsNorm("output_norm", e, c.normEpsilon()), Llama.output(c, t));
    }
}
