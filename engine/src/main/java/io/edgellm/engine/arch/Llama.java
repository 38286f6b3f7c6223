package io.edgellm.engine.arch;

import io.edgellm.ModelConfig;
import io.edgellm.ModelFormatException;
import io.edgellm.engine.Forward;
import io.edgellm.engine.Network;
import io.edgellm.engine.Rope;
import io.edgellm.engine.TensorBinder;
import io.edgellm.engine.nn.Attention;
import io.edgellm.engine.nn.Experts;
import io.edgellm.engine.nn.FeedForward;
import io.edgellm.engine.nn.Linear;
import io.edgellm.engine.nn.Norm;
import io.edgellm.quant.kernel.QTensor;
import java.util.List;

/**
 * The llama family: Llama 1/2/3/3.1/3.2, Mistral, Mixtral (experts), DeepSeek-R1-Distill-Llama, TinyLlama, SmolLM,
 * llama2.c/TinyStories models (llama.cpp {@code LLM_ARCH_LLAMA}, {@code src/models/llama.cpp}). Per block:
 * <pre>
 *   h   = x + Wo · Attention(RoPE(Wq·n), RoPE(Wk·n), Wv·n)      n = RMSNorm(x) * attn_norm
 *   out = h + FFN(m)                                              m = RMSNorm(h) * ffn_norm
 *   FFN = Wdown · (silu(Wgate·m) * (Wup·m))                       dense
 *       = sum over the top-k experts of the renormalised softmax router weights   with {@code expert_count > 0}
 * </pre>
 * RoPE in NORM mode (adjacent pairs): llama.cpp's converter permutes the HF q/k weights for it. Optional q/k/v/o
 * biases are used when present. When there is no {@code output.weight} the embedding matrix doubles as the output
 * projection (tied embeddings). Llama 3.1+ ships {@code rope_freqs.weight}; a file that instead only says
 * {@code rope.scaling.type = llama3} gets the factors computed.
 */
public final class Llama implements Architecture {

    /** Creates the architecture (used by the registry). */
    public Llama() {
    }

    @Override
    public List<String> names() {
        return List.of("llama");
    }

    @Override
    public Network bind(ModelConfig c, TensorBinder t) throws ModelFormatException {
        // token_embd first, as llama.cpp binds it: a wrong n_embd is reported on the embedding
        io.edgellm.quant.kernel.QTensor tokenEmbd = t.matrix("token_embd.weight", c.embeddingLength(), c.vocabSize());
        ArchKeys keys = new ArchKeys(t.file(), c.architecture());
        int nExpert = keys.integer("expert_count", 0, 0, 4096);
        int nUsed = keys.integer("expert_used_count", 0, 0, Math.max(nExpert, 0));
        if (nExpert > 0 && nUsed < 1) {
            throw new ModelFormatException(t.file().path(), "'" + c.architecture() + ".expert_count' = " + nExpert
                    + " needs '" + c.architecture() + ".expert_used_count' >= 1");
        }
        Block[] blocks = new Block[c.blockCount()];
        for (int i = 0; i < blocks.length; i++) {
            String p = "blk." + i + ".";
            Experts moe = null;
            FeedForward ffn = null;
            if (nExpert > 0) {
                moe = experts(c, t, p, nExpert, nUsed, c.feedForwardLength(), true, null, null);
            } else {
                ffn = swiglu(c, t, p, c.feedForwardLength());
            }
            blocks[i] = new Block(t.rmsNorm(p + "attn_norm", c.embeddingLength(), c.normEpsilon()),
                    splitAttention(c, t, p), t.rmsNorm(p + "ffn_norm", c.embeddingLength(), c.normEpsilon()), ffn, moe);
        }
        float[] ropeFreqs = t.optionalVector("rope_freqs.weight", c.ropeDimensionCount() / 2);
        return new Net(c, Rope.of(c, Rope.Mode.NORM, ropeFreqs), tokenEmbd,
                blocks, t.rmsNorm("output_norm", c.embeddingLength(), c.normEpsilon()), output(c, t));
    }

    /**
     * One llama block.
     *
     * @param attnNorm {@code attn_norm}
     * @param attn     the attention projections
     * @param ffnNorm  {@code ffn_norm}
     * @param ffn      the dense FFN, or null with experts
     * @param moe      the experts, or null for a dense block
     */
    record Block(Norm attnNorm, Attention attn, Norm ffnNorm, FeedForward ffn, Experts moe) {
    }

    /** The llama graph (also qwen2's, qwen2moe's and phi3's: their differences are in the weights they bind). */
    static final class Net implements Network {
        private final ModelConfig c;
        private final Rope rope;
        private final QTensor tokenEmbd;
        private final Block[] blocks;
        private final Norm outputNorm;
        private final Linear output;
        private final Forward.AttentionOptions attnOpts;
        private final Rope longRope;
        private final int longAbove;

        Net(ModelConfig c, Rope rope, QTensor tokenEmbd, Block[] blocks, Norm outputNorm, Linear output) {
            this(c, rope, null, Integer.MAX_VALUE, tokenEmbd, blocks, outputNorm, output);
        }

        /** With a second schedule for contexts longer than {@code longAbove} (LongRoPE). */
        Net(ModelConfig c, Rope rope, Rope longRope, int longAbove, QTensor tokenEmbd, Block[] blocks, Norm outputNorm,
            Linear output) {
            this.c = c;
            this.rope = rope;
            this.longRope = longRope;
            this.longAbove = longAbove;
            this.tokenEmbd = tokenEmbd;
            this.blocks = blocks;
            this.outputNorm = outputNorm;
            this.output = output;
            this.attnOpts = Forward.AttentionOptions.scaled((float) (1.0 / Math.sqrt(c.keyLength())));
        }

        @Override
        public Rope rope(int nCtx) {
            return longRope != null && nCtx > longAbove ? longRope : rope;
        }

        @Override
        public void forward(Forward f) {
            f.embed(tokenEmbd);
            for (int l = 0; l < blocks.length; l++) {
                Block b = blocks[l];
                f.norm(f.x, f.cur, b.attnNorm());
                f.attention(l, b.attn(), f.cur, f.attnOut, attnOpts, c.headCount(), c.headCountKv(), c.keyLength(), c.valueLength());
                f.add(f.x, f.attnOut);
                f.norm(f.x, f.cur, b.ffnNorm());
                if (b.moe() != null) {
                    f.moe(b.moe(), f.cur, f.ffnOut);
                } else {
                    f.ffn(b.ffn(), f.cur, f.ffnOut);
                }
                f.add(f.x, f.ffnOut);
            }
            f.norm(f.x, f.cur, outputNorm);
            f.logits(output, f.cur);
        }
    }

    // ---- binding helpers shared by the architectures of this package ------------------------------------------------

    /** {@code attn_q/k/v/output} with their optional biases. */
    static Attention splitAttention(ModelConfig c, TensorBinder t, String p) throws ModelFormatException {
        int e = c.embeddingLength();
        return Attention.split(t.linear(p + "attn_q", e, c.queryDim()), t.linear(p + "attn_k", e, c.kvDimK()),
                t.linear(p + "attn_v", e, c.kvDimV()), t.linear(p + "attn_output", (long) c.headCount() * c.valueLength(), e));
    }

    /** Fused {@code attn_qkv} (Q | K | V rows) and {@code attn_output}, with optional biases. */
    static Attention fusedAttention(ModelConfig c, TensorBinder t, String p) throws ModelFormatException {
        int e = c.embeddingLength();
        long qkv = (long) c.queryDim() + c.kvDimK() + c.kvDimV();
        return Attention.fused(t.linear(p + "attn_qkv", e, qkv), t.linear(p + "attn_output", (long) c.headCount() * c.valueLength(), e));
    }

    /** {@code ffn_gate/up/down} as SwiGLU. */
    static FeedForward swiglu(ModelConfig c, TensorBinder t, String p, int ff) throws ModelFormatException {
        return gated(c, t, p, ff, FeedForward.Activation.SILU);
    }

    /** {@code ffn_gate/up/down} as a GLU of the given activation. */
    static FeedForward gated(ModelConfig c, TensorBinder t, String p, int ff, FeedForward.Activation act)
            throws ModelFormatException {
        int e = c.embeddingLength();
        return new FeedForward(t.linear(p + "ffn_gate", e, ff), t.linear(p + "ffn_up", e, ff),
                t.linear(p + "ffn_down", ff, e), act, false);
    }

    /** {@code ffn_gate_inp} and the 3-D {@code ffn_{gate,up,down}_exps}, plus an optional shared expert. */
    static Experts experts(ModelConfig c, TensorBinder t, String p, int nExpert, int nUsed, int ff, boolean normalize,
                           FeedForward shared, float[] sharedGate) throws ModelFormatException {
        int e = c.embeddingLength();
        QTensor[] gate = t.experts(p + "ffn_gate_exps.weight", e, ff, nExpert);
        QTensor[] up = t.experts(p + "ffn_up_exps.weight", e, ff, nExpert);
        QTensor[] down = t.experts(p + "ffn_down_exps.weight", ff, e, nExpert);
        FeedForward[] ex = new FeedForward[nExpert];
        for (int i = 0; i < nExpert; i++) {
            ex[i] = new FeedForward(new Linear(gate[i], null), new Linear(up[i], null), new Linear(down[i], null),
                    FeedForward.Activation.SILU, false);
        }
        return new Experts(t.linear(p + "ffn_gate_inp", e, nExpert), ex, nUsed, normalize, shared, sharedGate);
    }

    /** {@code output} (+ optional bias), or the tied {@code token_embd}. */
    static Linear output(ModelConfig c, TensorBinder t) throws ModelFormatException {
        if (c.tiedEmbeddings()) return new Linear(t.matrix("token_embd.weight", c.embeddingLength(), c.vocabSize()), null);
        return t.linear("output", c.embeddingLength(), c.vocabSize());
    }
}
