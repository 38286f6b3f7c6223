package io.edgellm.engine.arch;

import io.edgellm.ModelConfig;
import io.edgellm.ModelFormatException;
import io.edgellm.engine.Forward;
import io.edgellm.engine.Network;
import io.edgellm.engine.Rope;
import io.edgellm.engine.TensorBinder;
import io.edgellm.engine.nn.Linear;
import io.edgellm.engine.nn.Norm;
import io.edgellm.quant.kernel.QTensor;
import java.util.List;

/**
 * Gemma (llama.cpp {@code LLM_ARCH_GEMMA}, {@code src/models/gemma.cpp}): the llama block with
 * <ul>
 *   <li>the token embeddings multiplied by {@code sqrt(n_embd)} (the tied output uses the unscaled matrix);</li>
 *   <li>a GeGLU FFN {@code down(gelu(gate·x) * up·x)} with llama.cpp's FP16-table GELU;</li>
 *   <li>{@code head_dim} from {@code attention.key_length}, so {@code n_head · head_dim} may differ from n_embd;</li>
 *   <li>NEOX RoPE, scale {@code 1/sqrt(head_dim)}, tied output.</li>
 * </ul>
 * HF Gemma's RMSNorm multiplies by {@code (1 + w)}; llama.cpp's converter stores {@code w + 1} in the GGUF, so the
 * graph multiplies by the stored weight and this class must not add 1.
 */
public final class Gemma implements Architecture {

    /** Creates the architecture (used by the registry). */
    public Gemma() {
    }

    @Override
    public List<String> names() {
        return List.of("gemma");
    }

    @Override
    public Network bind(ModelConfig c, TensorBinder t) throws ModelFormatException {
        // token_embd first, as llama.cpp binds it: a wrong n_embd is reported on the embedding
        io.edgellm.quant.kernel.QTensor tokenEmbd = t.matrix("token_embd.weight", c.embeddingLength(), c.vocabSize());
        int e = c.embeddingLength();
        Llama.Block[] blocks = new Llama.Block[c.blockCount()];
        for (int i = 0; i < blocks.length; i++) {
            String p = "blk." + i + ".";
            blocks[i] = new Llama.Block(t.rmsNorm(p + "attn_norm", e, c.normEpsilon()), Llama.splitAttention(c, t, p),
                    t.rmsNorm(p + "ffn_norm", e, c.normEpsilon()),
                    Llama.gated(c, t, p, c.feedForwardLength(), io.edgellm.engine.nn.FeedForward.Activation.GELU), null);
        }
                return new Net(c, Rope.of(c, Rope.Mode.NEOX, null), tokenEmbd, blocks, t.rmsNorm("output_norm", e, c.normEpsilon()),
                Llama.output(c, t));
    }

    private static final class Net implements Network {
        private final ModelConfig c;
        private final Rope rope;
        private final QTensor tokenEmbd;
        private final Llama.Block[] blocks;
        private final Norm outputNorm;
        private final Linear output;
        private final Forward.AttentionOptions attnOpts;

        Net(ModelConfig c, Rope rope, QTensor tokenEmbd, Llama.Block[] blocks, Norm outputNorm, Linear output) {
            this.c = c;
            this.rope = rope;
            this.tokenEmbd = tokenEmbd;
            this.blocks = blocks;
            this.outputNorm = outputNorm;
            this.output = output;
            this.attnOpts = Forward.AttentionOptions.scaled((float) (1.0 / Math.sqrt(c.keyLength())));
        }

        @Override
        public Rope rope(int nCtx) {
            return rope;
        }

        @Override
        public void forward(Forward f) {
            f.embed(tokenEmbd);
            f.scale(f.x, (float) Math.sqrt(c.embeddingLength()));
            for (int l = 0; l < blocks.length; l++) {
                Llama.Block b = blocks[l];
                f.norm(f.x, f.cur, b.attnNorm());
                f.attention(l, b.attn(), f.cur, f.attnOut, attnOpts, c.headCount(), c.headCountKv(), c.keyLength(), c.valueLength());
                f.add(f.x, f.attnOut);
                f.norm(f.x, f.cur, b.ffnNorm());
                f.ffn(b.ffn(), f.cur, f.ffnOut);
                f.add(f.x, f.ffnOut);
            }
            f.norm(f.x, f.cur, outputNorm);
            f.logits(output, f.cur);
        }
    }
}
