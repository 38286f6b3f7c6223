package io.edgellm.engine;

import io.edgellm.quant.kernel.QTensor;
import java.util.List;

/**
 * All weights of a decoder-only transformer, bound zero-copy to the GGUF mapping. Matrices are {@link QTensor}s in
 * ggml orientation ({@code cols} = input width, {@code rows} = output width); norm vectors and biases are
 * dequantized to {@code float[]} at load. Optional parts are null when an architecture has none.
 *
 * @param tokenEmbedding {@code token_embd.weight}: {@code [n_embd] x n_vocab} rows, one per token
 * @param layers         one entry per block
 * @param outputNorm     {@code output_norm.weight} {@code [n_embd]}
 * @param output         {@code output.weight} {@code [n_embd] x n_vocab}, or {@code tokenEmbedding} when tied
 * @param ropeFreqs      {@code rope_freqs.weight} {@code [n_rot/2]} frequency divisors (Llama 3.1+), or null
 */
public record ModelWeights(QTensor tokenEmbedding, List<Layer> layers, float[] outputNorm, QTensor output, float[] ropeFreqs) {

    /**
     * One transformer block (llama naming, {@code blk.N.*}).
     *
     * @param attnNorm {@code attn_norm.weight} [n_embd]
     * @param wq       {@code attn_q.weight}: n_embd → n_head·head_k
     * @param wk       {@code attn_k.weight}: n_embd → n_head_kv·head_k
     * @param wv       {@code attn_v.weight}: n_embd → n_head_kv·head_v
     * @param wo       {@code attn_output.weight}: n_head·head_v → n_embd
     * @param bq       {@code attn_q.bias} or null (qwen2)
     * @param bk       {@code attn_k.bias} or null
     * @param bv       {@code attn_v.bias} or null
     * @param ffnNorm  {@code ffn_norm.weight} [n_embd]
     * @param wGate    {@code ffn_gate.weight}: n_embd → n_ff
     * @param wUp      {@code ffn_up.weight}: n_embd → n_ff
     * @param wDown    {@code ffn_down.weight}: n_ff → n_embd
     */
    public record Layer(float[] attnNorm, QTensor wq, QTensor wk, QTensor wv, QTensor wo,
                        float[] bq, float[] bk, float[] bv,
                        float[] ffnNorm, QTensor wGate, QTensor wUp, QTensor wDown) {
    }
}
