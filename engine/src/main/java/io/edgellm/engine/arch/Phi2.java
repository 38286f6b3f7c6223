package io.edgellm.engine.arch;

import io.edgellm.ModelConfig;
import io.edgellm.ModelFormatException;
import io.edgellm.engine.Forward;
import io.edgellm.engine.Network;
import io.edgellm.engine.Rope;
import io.edgellm.engine.TensorBinder;
import io.edgellm.engine.nn.Attention;
import io.edgellm.engine.nn.FeedForward;
import io.edgellm.engine.nn.Linear;
import io.edgellm.engine.nn.Norm;
import io.edgellm.quant.kernel.QTensor;
import java.util.List;

/**
 * Phi-2 (llama.cpp {@code LLM_ARCH_PHI2}, {@code src/models/phi2.cpp}). One LayerNorm per block feeds both branches,
 * which run in parallel and are added to the residual together:
 * <pre>
 *   h   = LayerNorm(x) * attn_norm + attn_norm.bias
 *   out = x + Attention(h) + Wdown · gelu(Wup · h + b_up) + b_down
 *   logits = Woutput · (LayerNorm(x) * output_norm + bias) + output.bias
 * </pre>
 * Attention: fused {@code attn_qkv} (+bias) or split q/k/v, partial rotary NEOX RoPE (only the first
 * {@code rope.dimension_count} dimensions of each head, frequencies from that count), scale {@code 1/sqrt(head_dim)},
 * {@code attn_output} with bias. GELU is llama.cpp's FP16-table GELU ({@link io.edgellm.engine.Ops#gelu}).
 */
public final class Phi2 implements Architecture {

    /** Creates the architecture (used by the registry). */
    public Phi2() {
    }

    @Override
    public List<String> names() {
        return List.of("phi2");
    }

    /**
     * One phi2 block.
     *
     * @param norm the shared LayerNorm
     * @param attn attention projections
     * @param ffn  the plain GELU FFN
     */
    record Block(Norm norm, Attention attn, FeedForward ffn) {
    }

    @Override
    public Network bind(ModelConfig c, TensorBinder t) throws ModelFormatException {
        // token_embd first, as llama.cpp binds it: a wrong n_embd is reported on the embedding
        io.edgellm.quant.kernel.QTensor tokenEmbd = t.matrix("token_embd.weight", c.embeddingLength(), c.vocabSize());
        int e = c.embeddingLength(), ff = c.feedForwardLength();
        float eps = c.normEpsilon();
        Block[] blocks = new Block[c.blockCount()];
        for (int i = 0; i < blocks.length; i++) {
            String p = "blk." + i + ".";
            Attention attn = t.has(p + "attn_qkv.weight") ? Llama.fusedAttention(c, t, p) : Llama.splitAttention(c, t, p);
            FeedForward ffn = new FeedForward(null, t.linear(p + "ffn_up", e, ff), t.linear(p + "ffn_down", ff, e),
                    FeedForward.Activation.GELU, false);
            blocks[i] = new Block(t.layerNorm(p + "attn_norm", e, eps), attn, ffn);
        }
                return new Net(c, Rope.of(c, Rope.Mode.NEOX, null), tokenEmbd, blocks, t.layerNorm("output_norm", e, eps),
                Llama.output(c, t));
    }

    private static final class Net implements Network {
        private final ModelConfig c;
        private final Rope rope;
        private final QTensor tokenEmbd;
        private final Block[] blocks;
        private final Norm outputNorm;
        private final Linear output;
        private final Forward.AttentionOptions attnOpts;

        Net(ModelConfig c, Rope rope, QTensor tokenEmbd, Block[] blocks, Norm outputNorm, Linear output) {
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
            for (int l = 0; l < blocks.length; l++) {
                Block b = blocks[l];
                f.norm(f.x, f.cur, b.norm());
                f.attention(l, b.attn(), f.cur, f.attnOut, attnOpts, c.headCount(), c.headCountKv(), c.keyLength(), c.valueLength());
                f.ffn(b.ffn(), f.cur, f.ffnOut);          // parallel: the same normed input as attention
                f.add(f.x, f.attnOut);
                f.add(f.x, f.ffnOut);
            }
            f.norm(f.x, f.cur, outputNorm);
            f.logits(output, f.cur);
        }
    }
}
