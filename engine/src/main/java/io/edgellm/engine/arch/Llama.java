package io.edgellm.engine.arch;

import io.edgellm.ModelConfig;
import io.edgellm.ModelFormatException;
import io.edgellm.engine.ModelWeights;
import io.edgellm.engine.Rope;
import io.edgellm.engine.TensorBinder;
import io.edgellm.quant.kernel.QTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The llama family: Llama 1/2/3/3.1/3.2, Mistral (dense), TinyLlama, SmolLM, llama2.c/TinyStories models
 * (llama.cpp {@code LLM_ARCH_LLAMA}, {@code llm_build_llama}). Per block:
 * <pre>
 *   h   = x + Wo · Attention(RoPE(Wq·n), RoPE(Wk·n), Wv·n)      n = RMSNorm(x) * attn_norm
 *   out = h + Wdown · (silu(Wgate·m) * (Wup·m))                  m = RMSNorm(h) * ffn_norm
 * </pre>
 * RoPE in NORM mode (adjacent pairs): llama.cpp's converter permutes the HF q/k weights for it. When there is no
 * {@code output.weight} the embedding matrix doubles as the output projection (tied embeddings). Llama 3.1+ ships
 * {@code rope_freqs.weight}; a file that instead only says {@code rope.scaling.type = llama3} gets the factors computed.
 */
public final class Llama implements Architecture {

    /** Creates the command / architecture (used by picocli or the registry). */
    public Llama() {
    }

    @Override
    public List<String> names() {
        return List.of("llama");
    }

    @Override
    public Rope.Mode ropeMode() {
        return Rope.Mode.NORM;
    }

    @Override
    public ModelWeights bind(ModelConfig c, TensorBinder t) throws ModelFormatException {
        if (t.file().findLong(c.architecture() + ".expert_count").orElse(0) > 0) {
            throw new ModelFormatException(t.file().path(), "mixture-of-experts llama models ('"
                    + c.architecture() + ".expert_count' > 0) are not supported");
        }
        int e = c.embeddingLength();
        QTensor tokEmbd = t.matrix("token_embd.weight", e, c.vocabSize());
        float[] outNorm = t.vector("output_norm.weight", e);
        QTensor output = c.tiedEmbeddings() ? tokEmbd : t.matrix("output.weight", e, c.vocabSize());
        float[] ropeFreqs = t.optionalVector("rope_freqs.weight", c.ropeDimensionCount() / 2);
        List<ModelWeights.Layer> layers = new ArrayList<>(c.blockCount());
        for (int i = 0; i < c.blockCount(); i++) {
            String p = "blk." + i + ".";
            layers.add(new ModelWeights.Layer(
                    t.vector(p + "attn_norm.weight", e),
                    t.matrix(p + "attn_q.weight", e, c.queryDim()),
                    t.matrix(p + "attn_k.weight", e, c.kvDimK()),
                    t.matrix(p + "attn_v.weight", e, c.kvDimV()),
                    t.matrix(p + "attn_output.weight", (long) c.headCount() * c.valueLength(), e),
                    t.optionalVector(p + "attn_q.bias", c.queryDim()),
                    t.optionalVector(p + "attn_k.bias", c.kvDimK()),
                    t.optionalVector(p + "attn_v.bias", c.kvDimV()),
                    t.vector(p + "ffn_norm.weight", e),
                    t.matrix(p + "ffn_gate.weight", e, c.feedForwardLength()),
                    t.matrix(p + "ffn_up.weight", e, c.feedForwardLength()),
                    t.matrix(p + "ffn_down.weight", c.feedForwardLength(), e)));
        }
        return new ModelWeights(tokEmbd, List.copyOf(layers), outNorm, output, ropeFreqs);
    }
}
