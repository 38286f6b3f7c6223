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
 * Gemma 2 (llama.cpp {@code LLM_ARCH_GEMMA2}, {@code src/models/gemma2.cpp}): {@link Gemma} plus
 * <pre>
 *   x += RMSNorm(Attention(RMSNorm(x) * attn_norm)) * post_attention_norm
 *   x += RMSNorm(GeGLU(RMSNorm(x) * ffn_norm)) * post_ffw_norm
 *   logits = cap_f * tanh((E · RMSNorm(x) * output_norm) / cap_f)
 * </pre>
 * Attention scores are soft-capped before the softmax, {@code s = cap_a * tanh(s / cap_a)} with
 * {@code cap_a = attn_logit_softcapping} (50 in the released models) and {@code cap_f = final_logit_softcapping} (30).
 * Layers 0, 2, 4, ... use sliding-window attention over the last {@code attention.sliding_window} positions (4096
 * when absent), the odd layers see everything ({@code load_swa_pattern(2)}). Scale {@code 1/sqrt(head_dim)}, except
 * that llama.cpp's 27B (46 layers) uses {@code 1/sqrt(n_embd / n_head)}.
 */
public final class Gemma2 implements Architecture {

    /** Creates the architecture (used by the registry). */
    public Gemma2() {
    }

    @Override
    public List<String> names() {
        return List.of("gemma2");
    }

    /**
     * One gemma2 block.
     *
     * @param attnNorm     {@code attn_norm}
     * @param attn         attention projections
     * @param postAttnNorm {@code post_attention_norm}
     * @param ffnNorm      {@code ffn_norm}
     * @param ffn          GeGLU FFN
     * @param postFfnNorm  {@code post_ffw_norm}
     */
    record Block(Norm attnNorm, Attention attn, Norm postAttnNorm, Norm ffnNorm, FeedForward ffn, Norm postFfnNorm) {
    }

    @Override
    public Network bind(ModelConfig c, TensorBinder t) throws ModelFormatException {
        // token_embd first, as llama.cpp binds it: a wrong n_embd is reported on the embedding
        io.edgellm.quant.kernel.QTensor tokenEmbd = t.matrix("token_embd.weight", c.embeddingLength(), c.vocabSize());
        ArchKeys keys = new ArchKeys(t.file(), c.architecture());
        int window = keys.integer("attention.sliding_window", 4096, 1, Integer.MAX_VALUE);
        float attnCap = keys.number("attn_logit_softcapping", 50f);
        float finalCap = keys.number("final_logit_softcapping", 30f);
        int e = c.embeddingLength();
        float eps = c.normEpsilon();
        Block[] blocks = new Block[c.blockCount()];
        for (int i = 0; i < blocks.length; i++) {
            String p = "blk." + i + ".";
            blocks[i] = new Block(t.rmsNorm(p + "attn_norm", e, eps), Llama.splitAttention(c, t, p),
                    t.rmsNorm(p + "post_attention_norm", e, eps), t.rmsNorm(p + "ffn_norm", e, eps),
                    Llama.gated(c, t, p, c.feedForwardLength(), FeedForward.Activation.GELU),
                    t.rmsNorm(p + "post_ffw_norm", e, eps));
        }
        float scale = (float) (1.0 / Math.sqrt(c.blockCount() == 46 ? (double) e / c.headCount() : c.keyLength()));
        Forward.AttentionOptions local = new Forward.AttentionOptions(scale, attnCap, window);
        Forward.AttentionOptions global = new Forward.AttentionOptions(scale, attnCap, 0);
        return new Net(c, Rope.of(c, Rope.Mode.NEOX, null), tokenEmbd, blocks,
                t.rmsNorm("output_norm", e, eps), Llama.output(c, t), local, global, finalCap);
    }

    private static final class Net implements Network {
        private final ModelConfig c;
        private final Rope rope;
        private final QTensor tokenEmbd;
        private final Block[] blocks;
        private final Norm outputNorm;
        private final Linear output;
        private final Forward.AttentionOptions local;
        private final Forward.AttentionOptions global;
        private final float finalCap;

        Net(ModelConfig c, Rope rope, QTensor tokenEmbd, Block[] blocks, Norm outputNorm, Linear output,
            Forward.AttentionOptions local, Forward.AttentionOptions global, float finalCap) {
            this.c = c;
            this.rope = rope;
            this.tokenEmbd = tokenEmbd;
            this.blocks = blocks;
            this.outputNorm = outputNorm;
            this.output = output;
            this.local = local;
            this.global = global;
            this.finalCap = finalCap;
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
                Block b = blocks[l];
                f.norm(f.x, f.cur, b.attnNorm());
                f.attention(l, b.attn(), f.cur, f.attnOut, l % 2 == 0 ? local : global,
                        c.headCount(), c.headCountKv(), c.keyLength(), c.valueLength());
                f.norm(f.attnOut, f.attnOut, b.postAttnNorm());
                f.add(f.x, f.attnOut);
                f.norm(f.x, f.cur, b.ffnNorm());
                f.ffn(b.ffn(), f.cur, f.ffnOut);
                f.norm(f.ffnOut, f.ffnOut, b.postFfnNorm());
                f.add(f.x, f.ffnOut);
            }
            f.norm(f.x, f.cur, outputNorm);
            f.logits(output, f.cur);
            if (finalCap > 0f) f.softcapLogits(finalCap);
        }
    }
}
