package io.edgellm.engine.arch;

import io.edgellm.ModelConfig;
import io.edgellm.ModelFormatException;
import io.edgellm.engine.ModelWeights;
import io.edgellm.engine.Rope;
import io.edgellm.engine.TensorBinder;
import java.util.List;

/**
 * Qwen2 / Qwen2.5 (llama.cpp {@code LLM_ARCH_QWEN2}, {@code llm_build_qwen2}): the llama block with biases on the
 * q/k/v projections and NEOX RoPE (dimension i pairs with i + n_rot/2). Tensor names are llama's; small models tie
 * the output to the embedding. This class is the whole difference to {@link Llama}.
 */
public final class Qwen2 implements Architecture {

    /** Creates the command / architecture (used by picocli or the registry). */
    public Qwen2() {
    }

    @Override
    public List<String> names() {
        return List.of("qwen2");
    }

    @Override
    public Rope.Mode ropeMode() {
        return Rope.Mode.NEOX;
    }

    @Override
    public ModelWeights bind(ModelConfig c, TensorBinder t) throws ModelFormatException {
        for (int i = 0; i < c.blockCount(); i++) {
            for (String b : new String[] {"attn_q.bias", "attn_k.bias", "attn_v.bias"}) {
                if (!t.has("blk." + i + "." + b)) {
                    throw new ModelFormatException(t.file().path(), "missing tensor 'blk." + i + "." + b + "' (qwen2 has q/k/v biases)");
                }
            }
        }
        return new Llama().bind(c, t); // same tensor names and shapes; the biases are bound as optional parts there
    }
}
