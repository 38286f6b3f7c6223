package io.edgellm.engine.arch;

import io.edgellm.ModelConfig;
import io.edgellm.ModelFormatException;
import io.edgellm.engine.Network;
import io.edgellm.engine.Rope;
import io.edgellm.engine.TensorBinder;
import java.util.List;

/**
 * Qwen2 / Qwen2.5 and DeepSeek-R1-Distill-Qwen (llama.cpp {@code LLM_ARCH_QWEN2}, {@code src/models/qwen2.cpp}): the
 * {@link Llama} graph with biases on the q/k/v projections (required here: a qwen2 file without them is malformed) and
 * NEOX RoPE (dimension i pairs with i + n_rot/2). Small models tie the output to the embedding.
 */
public final class Qwen2 implements Architecture {

    /** Creates the architecture (used by the registry). */
    public Qwen2() {
    }

    @Override
    public List<String> names() {
        return List.of("qwen2");
    }

    @Override
    public Network bind(ModelConfig c, TensorBinder t) throws ModelFormatException {
        // token_embd first, as llama.cpp binds it: a wrong n_embd is reported on the embedding
        io.edgellm.quant.kernel.QTensor tokenEmbd = t.matrix("token_embd.weight", c.embeddingLength(), c.vocabSize());
        int e = c.embeddingLength();
        Llama.Block[] blocks = new Llama.Block[c.blockCount()];
        for (int i = 0; i < blocks.length; i++) {
            String p = "blk." + i + ".";
            var attn = io.edgellm.engine.nn.Attention.split(t.linearWithBias(p + "attn_q", e, c.queryDim()),
                    t.linearWithBias(p + "attn_k", e, c.kvDimK()), t.linearWithBias(p + "attn_v", e, c.kvDimV()),
                    t.linear(p + "attn_output", (long) c.headCount() * c.valueLength(), e));
            blocks[i] = new Llama.Block(t.rmsNorm(p + "attn_norm", e, c.normEpsilon()), attn,
                    t.rmsNorm(p + "ffn_norm", e, c.normEpsilon()), Llama.swiglu(c, t, p, c.feedForwardLength()), null);
        }
        return new Llama.Net(c, Rope.of(c, Rope.Mode.NEOX, null), tokenEmbd, blocks,
                t.rmsNorm("output_norm", e, c.normEpsilon()), Llama.output(c, t));
    }
}
