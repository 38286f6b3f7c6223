package io.edgellm;

import java.util.Objects;

/**
 * Hyperparameters of a loaded model, read from the GGUF metadata keys {@code general.architecture} and
 * {@code <arch>.*} (see the GGUF spec, "LLM" section, and llama.cpp's {@code llama_model::load_hparams}).
 *
 * <p>All lengths are element counts (not bytes). Where a key is optional in GGUF the documented llama.cpp default
 * is applied by the loader: {@code head_count_kv} = {@code head_count}, {@code key_length} = {@code value_length} =
 * {@code embedding_length / head_count}, {@code rope.dimension_count} = {@code key_length},
 * {@code rope.freq_base} = 10000.
 *
 * @param architecture        {@code general.architecture}, e.g. {@code "llama"}
 * @param name                {@code general.name}, or the file name when absent
 * @param blockCount          {@code <arch>.block_count}: number of transformer layers (n_layer)
 * @param embeddingLength     {@code <arch>.embedding_length}: model width (n_embd)
 * @param feedForwardLength   {@code <arch>.feed_forward_length}: hidden width of the FFN (n_ff)
 * @param headCount           {@code <arch>.attention.head_count}: query heads (n_head)
 * @param headCountKv         {@code <arch>.attention.head_count_kv}: key/value heads (n_head_kv; grouped-query attention when smaller)
 * @param keyLength           {@code <arch>.attention.key_length}: per-head query/key size (n_embd_head_k)
 * @param valueLength         {@code <arch>.attention.value_length}: per-head value size (n_embd_head_v)
 * @param normEpsilon         {@code <arch>.attention.layer_norm_rms_epsilon}, or {@code layer_norm_epsilon} for LayerNorm models (phi2)
 * @param ropeFreqBase        {@code <arch>.rope.freq_base} (theta base)
 * @param ropeDimensionCount  {@code <arch>.rope.dimension_count}: how many leading dimensions of each head are rotated (n_rot)
 * @param ropeScaling         {@code <arch>.rope.scaling.*}
 * @param contextLength       {@code <arch>.context_length}: training context (n_ctx_train), tokens
 * @param vocabSize           number of tokens ({@code tokenizer.ggml.tokens} length; the embedding's row count)
 * @param tiedEmbeddings      true when the file has no {@code output.weight} and the logits use {@code token_embd.weight}
 */
public record ModelConfig(
        String architecture,
        String name,
        int blockCount,
        int embeddingLength,
        int feedForwardLength,
        int headCount,
        int headCountKv,
        int keyLength,
        int valueLength,
        float normEpsilon,
        float ropeFreqBase,
        int ropeDimensionCount,
        RopeScaling ropeScaling,
        int contextLength,
        int vocabSize,
        boolean tiedEmbeddings) {

    /** Checks the non-null parts. */
    public ModelConfig {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(ropeScaling, "ropeScaling");
    }

    /**
     * The norm epsilon under its older name.
     *
     * @return {@link #normEpsilon()}
     * @deprecated since the LayerNorm architectures; use {@link #normEpsilon()}
     */
    @Deprecated
    public float rmsEpsilon() {
        return normEpsilon;
    }

    /**
     * Returns query heads per key/value head (the GQA group size, n_gqa).
     *
     * @return query heads per key/value head (the GQA group size, n_gqa)
     */
    public int groupSize() {
        return headCount / headCountKv;
    }

    /**
     * Returns the width of all query heads together: {@code headCount * keyLength}.
     *
     * @return the width of all query heads together: {@code headCount * keyLength}
     */
    public int queryDim() {
        return headCount * keyLength;
    }

    /**
     * Returns the width of the key projection / one K cache row: {@code headCountKv * keyLength}.
     *
     * @return the width of the key projection / one K cache row: {@code headCountKv * keyLength}
     */
    public int kvDimK() {
        return headCountKv * keyLength;
    }

    /**
     * Returns the width of the value projection / one V cache row: {@code headCountKv * valueLength}.
     *
     * @return the width of the value projection / one V cache row: {@code headCountKv * valueLength}
     */
    public int kvDimV() {
        return headCountKv * valueLength;
    }

    /**
     * RoPE frequency scaling ({@code <arch>.rope.scaling.*}).
     *
     * @param type                  how positions/frequencies are scaled
     * @param factor                {@code rope.scaling.factor} (1 = none); linear/YaRN use {@code freq_scale = 1/factor}
     * @param originalContextLength {@code rope.scaling.original_context_length} (YaRN, Llama 3), 0 when absent
     * @param lowFreqFactor         Llama 3 only ({@code rope.scaling.low_freq_factor}, default 1)
     * @param highFreqFactor        Llama 3 only ({@code rope.scaling.high_freq_factor}, default 4)
     * @param yarnBetaFast          YaRN {@code rope.scaling.yarn_beta_fast} (default 32)
     * @param yarnBetaSlow          YaRN {@code rope.scaling.yarn_beta_slow} (default 1)
     * @param attnFactor            {@code rope.scaling.attn_factor} (magnitude scale of cos/sin, default 1)
     */
    public record RopeScaling(Type type, float factor, int originalContextLength, float lowFreqFactor,
                              float highFreqFactor, float yarnBetaFast, float yarnBetaSlow, float attnFactor) {
        /** No scaling. */
        public static final RopeScaling NONE = new RopeScaling(Type.NONE, 1f, 0, 1f, 4f, 32f, 1f, 1f);

        /** Scaling kinds; the GGUF string values are {@code none}, {@code linear}, {@code yarn}, {@code llama3}. */
        public enum Type {
            /** No scaling. */
            NONE,
            /** Positions divided by the factor (theta multiplied by {@code 1/factor}). */
            LINEAR,
            /** YaRN: per-dimension blend of interpolation and extrapolation plus a magnitude correction. */
            YARN,
            /** Llama 3.1: per-frequency divisors ({@code rope_freqs}) computed from factor / low / high / original context. */
            LLAMA3
        }

        /**
         * Returns the frequency scale llama.cpp passes to {@code ggml_rope_ext}: {@code 1/factor} for linear and YaRN, else 1.
         *
         * @return the frequency scale llama.cpp passes to {@code ggml_rope_ext}: {@code 1/factor} for linear and YaRN, else 1
         */
        public float freqScale() {
            return (type == Type.LINEAR || type == Type.YARN) && factor != 0f ? 1f / factor : 1f;
        }
    }
}
