package io.edgellm.bench.synth;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The shape and hyperparameters of a known model, from its Hugging Face {@code config.json} ({@code hidden_size},
 * {@code num_hidden_layers}, {@code num_attention_heads}, {@code num_key_value_heads}, {@code intermediate_size},
 * {@code vocab_size}, {@code rope_theta}, {@code rope_scaling}, {@code tie_word_embeddings}, {@code rms_norm_eps} or
 * {@code layer_norm_eps}, {@code max_position_embeddings}, and the family extras in {@link Family}), written as
 * llama.cpp's {@code convert_hf_to_gguf.py} writes them under {@code general.architecture = family.architecture()}.
 *
 * @param name           preset name ({@code llama-3.2-1b})
 * @param hfName         the model it copies ({@code meta-llama/Llama-3.2-1B})
 * @param dim            embedding length ({@code hidden_size})
 * @param layers         transformer blocks
 * @param heads          query heads
 * @param kvHeads        key/value heads (grouped-query attention when fewer than {@code heads})
 * @param ffn            feed-forward hidden size (per expert for mixture-of-experts models)
 * @param vocab          vocabulary size (rows of {@code token_embd})
 * @param ropeTheta      RoPE base frequency
 * @param ropeScaling    Llama 3.x frequency scaling, or null
 * @param tiedEmbeddings whether the output projection reuses {@code token_embd} (no {@code output.weight})
 * @param rmsEps         norm epsilon (RMSNorm; LayerNorm for phi2)
 * @param contextLength  training context length ({@code max_position_embeddings})
 * @param vocabHint      which vocabulary GGUF in {@code ../shared/vocab} matches (for --vocab), or null; when that file
 *                       has fewer tokens than {@code vocab} the writer pads it to {@code vocab} as llama.cpp's converter
 *                       pads a tokenizer to {@code config.json}'s {@code vocab_size} ({@code [PAD<id>]}, UNUSED)
 * @param family         architecture and its extras (head size, partial rotary, experts, Gemma 2 softcaps)
 */
public record ModelPreset(String name, String hfName, int dim, int layers, int heads, int kvHeads, int ffn, int vocab,
                          float ropeTheta, RopeScaling ropeScaling, boolean tiedEmbeddings, float rmsEps,
                          int contextLength, String vocabHint, Family family) {

    /**
     * Llama 3.x RoPE scaling ({@code rope_scaling.rope_type = "llama3"}); llama.cpp turns it into the per-dimension
     * {@code rope_freqs.weight} tensor ({@link #ropeFactors(RopeScaling, int, float)}).
     *
     * @param factor                {@code rope_scaling.factor}
     * @param lowFreqFactor         {@code rope_scaling.low_freq_factor}
     * @param highFreqFactor        {@code rope_scaling.high_freq_factor}
     * @param originalContextLength {@code rope_scaling.original_max_position_embeddings}
     */
    public record RopeScaling(float factor, float lowFreqFactor, float highFreqFactor, int originalContextLength) {
    }

    /**
     * What distinguishes an architecture's file beyond the common shape: its {@code general.architecture} and the
     * family-specific hyperparameters (0 = absent / default).
     *
     * @param architecture  {@code general.architecture}: llama, qwen2, phi2, phi3, gemma or gemma2 (the names the
     *                      engine binds, {@code io.edgellm.engine.arch})
     * @param headDim       explicit per-head size ({@code head_dim}, written as {@code attention.key_length} and
     *                      {@code value_length}); 0 = {@code dim / heads}
     * @param ropeDims      rotated dimensions per head ({@code rope.dimension_count}; phi-2's
     *                      {@code partial_rotary_factor · head_dim}); 0 = the whole head
     * @param experts       {@code expert_count} (Mixtral: {@code num_local_experts}); 0 = dense FFN
     * @param expertsUsed   {@code expert_used_count} ({@code num_experts_per_tok})
     * @param slidingWindow {@code attention.sliding_window}; 0 = not written
     * @param attnSoftcap   Gemma 2 {@code attn_logit_softcapping}; 0 = not written
     * @param finalSoftcap  Gemma 2 {@code final_logit_softcapping}; 0 = not written
     */
    public record Family(String architecture, int headDim, int ropeDims, int experts, int expertsUsed,
                         int slidingWindow, float attnSoftcap, float finalSoftcap) {

        /** A plain llama file (what every preset was before the other architectures). */
        public static final Family LLAMA = of("llama");

        /**
         * An architecture with no extras.
         *
         * @param architecture {@code general.architecture}
         * @return the family
         */
        public static Family of(String architecture) {
            return new Family(architecture, 0, 0, 0, 0, 0, 0f, 0f);
        }

        /**
         * With experts (Mixtral-style MoE FFN).
         *
         * @param count {@code expert_count}
         * @param used  {@code expert_used_count}
         * @return the family with experts
         */
        public Family withExperts(int count, int used) {
            return new Family(architecture, headDim, ropeDims, count, used, slidingWindow, attnSoftcap, finalSoftcap);
        }

        /**
         * With an explicit head size.
         *
         * @param hd {@code head_dim}
         * @return the family
         */
        public Family withHeadDim(int hd) {
            return new Family(architecture, hd, ropeDims, experts, expertsUsed, slidingWindow, attnSoftcap, finalSoftcap);
        }

        /**
         * With partial rotary embeddings.
         *
         * @param n rotated dimensions per head
         * @return the family
         */
        public Family withRopeDims(int n) {
            return new Family(architecture, headDim, n, experts, expertsUsed, slidingWindow, attnSoftcap, finalSoftcap);
        }

        /**
         * With a sliding window.
         *
         * @param n {@code attention.sliding_window}
         * @return the family
         */
        public Family withSlidingWindow(int n) {
            return new Family(architecture, headDim, ropeDims, experts, expertsUsed, n, attnSoftcap, finalSoftcap);
        }

        /**
         * With Gemma 2 soft-capping.
         *
         * @param attn  {@code attn_logit_softcapping}
         * @param fin   {@code final_logit_softcapping}
         * @return the family
         */
        public Family withSoftcaps(float attn, float fin) {
            return new Family(architecture, headDim, ropeDims, experts, expertsUsed, slidingWindow, attn, fin);
        }
    }

    /** The architectures {@link SyntheticModel} writes. */
    public static final List<String> ARCHITECTURES = List.of("llama", "qwen2", "phi2", "phi3", "gemma", "gemma2");

    /** A llama-architecture preset (the form of the presets before the other families). */
    public ModelPreset(String name, String hfName, int dim, int layers, int heads, int kvHeads, int ffn, int vocab,
                       float ropeTheta, RopeScaling ropeScaling, boolean tiedEmbeddings, float rmsEps,
                       int contextLength, String vocabHint) {
        this(name, hfName, dim, layers, heads, kvHeads, ffn, vocab, ropeTheta, ropeScaling, tiedEmbeddings, rmsEps,
                contextLength, vocabHint, Family.LLAMA);
    }

    public ModelPreset {
        java.util.Objects.requireNonNull(family, "family");
        if (!ARCHITECTURES.contains(family.architecture())) {
            throw new IllegalArgumentException(name + ": architecture '" + family.architecture()
                    + "' is not one of " + ARCHITECTURES);
        }
        if (layers < 1 || heads < 1 || kvHeads < 1 || heads % kvHeads != 0
                || (family.headDim() == 0 && dim % heads != 0)) {
            throw new IllegalArgumentException(name + ": dim " + dim + " must divide by heads " + heads
                    + " and heads by kv heads " + kvHeads + " (layers " + layers + ")");
        }
        int hd = family.headDim() > 0 ? family.headDim() : dim / heads;
        if (family.ropeDims() < 0 || family.ropeDims() > hd || (family.ropeDims() & 1) != 0) {
            throw new IllegalArgumentException(name + ": rope dims " + family.ropeDims()
                    + " must be even and at most the head size " + hd);
        }
        if (family.experts() < 0 || (family.experts() > 0
                && (family.expertsUsed() < 1 || family.expertsUsed() > family.experts()))) {
            throw new IllegalArgumentException(name + ": " + family.expertsUsed() + " of " + family.experts()
                    + " experts used");
        }
        if (family.experts() > 0 && !family.architecture().equals("llama")) {
            throw new IllegalArgumentException(name + ": experts are written for llama files only");
        }
    }

    /** Per-head query/key/value size: {@code family.headDim()}, or {@code dim / heads}. */
    public int headDim() {
        return family.headDim() > 0 ? family.headDim() : dim / heads;
    }

    /** Rotated dimensions per head ({@code rope.dimension_count}). */
    public int ropeDims() {
        return family.ropeDims() > 0 ? family.ropeDims() : headDim();
    }

    /** {@code general.architecture}. */
    public String architecture() {
        return family.architecture();
    }

    /**
     * Number of weights (norms and biases included, the tied embedding counted once, llama 3 {@code rope_freqs}
     * excluded: what llama-bench prints as "params" and the model card's count).
     */
    public long parameterCount() {
        long n = 0;
        for (SyntheticModel.TensorSpec t : SyntheticModel.plan(this, io.edgellm.quant.GgmlType.F32)) {
            if (!t.name().equals("rope_freqs.weight")) {
                long e = 1;
                for (long d : t.dims()) {
                    e *= d;
                }
                n += e;
            }
        }
        return n;
    }

    private static final RopeScaling LLAMA_3_2 = new RopeScaling(32f, 1f, 4f, 8192);
    private static final RopeScaling LLAMA_3_1 = new RopeScaling(8f, 1f, 4f, 8192);

    /** The presets of {@code edgellm synth --preset}, by name. */
    public static final Map<String, ModelPreset> PRESETS = presets(
            new ModelPreset("llama-3.2-1b", "meta-llama/Llama-3.2-1B", 2048, 16, 32, 8, 8192, 128256, 500000f,
                    LLAMA_3_2, true, 1e-5f, 131072, "ggml-vocab-llama-bpe.gguf"),
            new ModelPreset("llama-3.2-3b", "meta-llama/Llama-3.2-3B", 3072, 28, 24, 8, 8192, 128256, 500000f,
                    LLAMA_3_2, true, 1e-5f, 131072, "ggml-vocab-llama-bpe.gguf"),
            new ModelPreset("llama-3.1-8b", "meta-llama/Llama-3.1-8B", 4096, 32, 32, 8, 14336, 128256, 500000f,
                    LLAMA_3_1, false, 1e-5f, 131072, "ggml-vocab-llama-bpe.gguf"),
            new ModelPreset("mistral-7b", "mistralai/Mistral-7B-v0.1", 4096, 32, 32, 8, 14336, 32000, 10000f,
                    null, false, 1e-5f, 32768, "ggml-vocab-llama-spm.gguf"),
            new ModelPreset("tinyllama-1.1b", "TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T", 2048, 22, 32, 4,
                    5632, 32000, 10000f, null, false, 1e-5f, 2048, "ggml-vocab-llama-spm.gguf"),
            new ModelPreset("smollm2-135m", "HuggingFaceTB/SmolLM2-135M", 576, 30, 9, 3, 1536, 49152, 100000f,
                    null, true, 1e-5f, 8192, null),
            new ModelPreset("smollm2-360m", "HuggingFaceTB/SmolLM2-360M", 960, 32, 15, 5, 2560, 49152, 100000f,
                    null, true, 1e-5f, 8192, null),
            // The seed shapes of the other architectures (issue 9). Values are each model's config.json on the
            // Hugging Face hub, written as llama.cpp's convert_hf_to_gguf.py writes them.
            // microsoft/phi-2: hidden_size 2560, intermediate_size 10240, 32 layers, 32 heads (no GQA),
            // partial_rotary_factor 0.4 (32 of head_dim 80 rotated), rope_theta 10000, layer_norm_eps 1e-5,
            // max_position_embeddings 2048, vocab_size 51200 (the 50295-token CodeGen tokenizer padded), untied
            // lm_head with bias. Phi2Model: LayerNorm w+b, fused attn_qkv (+bias) of the Wqkv checkpoints, GELU.
            new ModelPreset("phi-2", "microsoft/phi-2", 2560, 32, 32, 32, 10240, 51200, 10000f, null, false, 1e-5f,
                    2048, "ggml-vocab-gpt-2.gguf", Family.of("phi2").withRopeDims(32)),
            // microsoft/Phi-3-mini-4k-instruct: 3072, intermediate 8192 (fused gate_up_proj: ffn_up 2 x 8192),
            // 32 layers, 32/32 heads, rope_theta 10000, rms_norm_eps 1e-5, max_position_embeddings 4096
            // (= original_max_position_embeddings), sliding_window 2047, vocab 32064, untied, fused qkv_proj.
            new ModelPreset("phi-3-mini-4k", "microsoft/Phi-3-mini-4k-instruct", 3072, 32, 32, 32, 8192, 32064,
                    10000f, null, false, 1e-5f, 4096, "ggml-vocab-phi-3.gguf", Family.of("phi3").withSlidingWindow(2047)),
            // mistralai/Mixtral-8x7B-v0.1: 4096, intermediate 14336 per expert, 32 layers, 32/8 heads,
            // num_local_experts 8, num_experts_per_tok 2, rope_theta 1e6, rms_norm_eps 1e-5, max_position 32768,
            // vocab 32000 (Llama 2 SentencePiece), untied. llama.cpp: llama + ffn_gate_inp + ffn_*_exps [.., .., 8].
            new ModelPreset("mixtral-8x7b", "mistralai/Mixtral-8x7B-v0.1", 4096, 32, 32, 8, 14336, 32000, 1000000f,
                    null, false, 1e-5f, 32768, "ggml-vocab-llama-spm.gguf", Family.LLAMA.withExperts(8, 2)),
            // mistralai/Mistral-7B-v0.3: v0.1's shape with vocab 32768 (v0.1's 32000 + 768 control tokens),
            // rope_theta 1e6, no sliding window, max_position 32768.
            new ModelPreset("mistral-7b-v0.3", "mistralai/Mistral-7B-v0.3", 4096, 32, 32, 8, 14336, 32768, 1000000f,
                    null, false, 1e-5f, 32768, "ggml-vocab-llama-spm.gguf"),
            // meta-llama/Meta-Llama-3-8B: 4096, 14336, 32 layers, 32/8, rope_theta 500000 (no rope_scaling),
            // rms_norm_eps 1e-5, max_position 8192, vocab 128256, untied.
            new ModelPreset("llama-3-8b", "meta-llama/Meta-Llama-3-8B", 4096, 32, 32, 8, 14336, 128256, 500000f,
                    null, false, 1e-5f, 8192, "ggml-vocab-llama-bpe.gguf"),
            // deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B: 1536, 8960, 28 layers, 12/2, rope_theta 10000,
            // rms_norm_eps 1e-6, max_position 131072, vocab 151936, tie_word_embeddings false (unlike Qwen2.5-1.5B).
            new ModelPreset("deepseek-r1-distill-qwen-1.5b", "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", 1536, 28, 12,
                    2, 8960, 151936, 10000f, null, false, 1e-6f, 131072, "ggml-vocab-qwen2.gguf", Family.of("qwen2")),
            // deepseek-ai/DeepSeek-R1-Distill-Qwen-7B (Qwen2.5-Math-7B): 3584, 18944, 28 layers, 28/4,
            // rope_theta 10000, rms_norm_eps 1e-6, max_position 131072, vocab_size 152064 (the 7B's padding), untied.
            new ModelPreset("deepseek-r1-distill-qwen-7b", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", 3584, 28, 28, 4,
                    18944, 152064, 10000f, null, false, 1e-6f, 131072, "ggml-vocab-qwen2.gguf", Family.of("qwen2")),
            // Qwen/Qwen2.5-0.5B: 896, 4864, 24 layers, 14/2, rope_theta 1e6, rms_norm_eps 1e-6, max_position 32768,
            // vocab 151936, tied.
            new ModelPreset("qwen2.5-0.5b", "Qwen/Qwen2.5-0.5B", 896, 24, 14, 2, 4864, 151936, 1000000f, null, true,
                    1e-6f, 32768, "ggml-vocab-qwen2.gguf", Family.of("qwen2")),
            // Qwen/Qwen2.5-1.5B: 1536, 8960, 28 layers, 12/2, rope_theta 1e6, rms_norm_eps 1e-6, max_position
            // 131072, vocab 151936, tied.
            new ModelPreset("qwen2.5-1.5b", "Qwen/Qwen2.5-1.5B", 1536, 28, 12, 2, 8960, 151936, 1000000f, null, true,
                    1e-6f, 131072, "ggml-vocab-qwen2.gguf", Family.of("qwen2")),
            // google/gemma-2b: 2048, 16384, 18 layers, 8 heads / 1 kv (MQA), head_dim 256, rope_theta 10000,
            // rms_norm_eps 1e-6, max_position 8192, vocab 256000, tied. No Gemma vocabulary in ../shared/vocab:
            // the synthetic SentencePiece vocabulary of 256000 tokens stands in.
            new ModelPreset("gemma-2b", "google/gemma-2b", 2048, 18, 8, 1, 16384, 256000, 10000f, null, true, 1e-6f,
                    8192, null, Family.of("gemma").withHeadDim(256)),
            // google/gemma-2-2b: 2304, 9216, 26 layers, 8/4 heads, head_dim 256 (q dim 2048 != 2304),
            // rope_theta 10000, rms_norm_eps 1e-6, max_position 8192, vocab 256000, tied, sliding_window 4096,
            // attn_logit_softcapping 50, final_logit_softcapping 30 (query_pre_attn_scalar 256 = head_dim).
            new ModelPreset("gemma-2-2b", "google/gemma-2-2b", 2304, 26, 8, 4, 9216, 256000, 10000f, null, true, 1e-6f,
                    8192, null, Family.of("gemma2").withHeadDim(256).withSlidingWindow(4096).withSoftcaps(50f, 30f)),
            // Not a real model: a few-hundred-kB shape for tests and smoke runs.
            new ModelPreset("tiny", "(synthetic test shape)", 64, 2, 4, 2, 128, 512, 10000f, null, true, 1e-5f, 512,
                    null));

    private static Map<String, ModelPreset> presets(ModelPreset... ps) {
        Map<String, ModelPreset> m = new LinkedHashMap<>();
        for (ModelPreset p : ps) {
            m.put(p.name(), p);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The preset with this name (case-insensitive); {@link IllegalArgumentException} listing the known names. */
    public static ModelPreset byName(String name) {
        ModelPreset p = PRESETS.get(name.toLowerCase(Locale.ROOT));
        if (p == null) {
            throw new IllegalArgumentException("unknown preset '" + name + "'; known: " + String.join(", ", PRESETS.keySet()));
        }
        return p;
    }

    /** The same shape with a different vocabulary size (when a --vocab file has another token count). */
    public ModelPreset withVocab(int newVocab) {
        return new ModelPreset(name, hfName, dim, layers, heads, kvHeads, ffn, newVocab, ropeTheta, ropeScaling,
                tiedEmbeddings, rmsEps, contextLength, vocabHint, family);
    }

    /**
     * The same model with fewer (or more) transformer blocks ({@code synth --layers}): the per-token work and size
     * shrink with the block count, so a Mixtral-shaped file fits a small machine. The name gets {@code @<n>L}.
     *
     * @param n block count, at least 1
     * @return this preset when {@code n == layers()}, else a copy named {@code <name>@<n>L}
     * @throws IllegalArgumentException when {@code n < 1}
     */
    public ModelPreset withLayers(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("--layers must be at least 1, got " + n);
        }
        if (n == layers) {
            return this;
        }
        return new ModelPreset(name + "@" + n + "L", hfName, dim, n, heads, kvHeads, ffn, vocab, ropeTheta,
                ropeScaling, tiedEmbeddings, rmsEps, contextLength, vocabHint, family);
    }

    /**
     * Llama 3 RoPE frequency factors, one per rotated pair ({@code headDim / 2} values), as llama.cpp's converter
     * computes them for {@code rope_freqs.weight}: wavelengths shorter than {@code original / highFreqFactor} keep
     * factor 1, longer than {@code original / lowFreqFactor} get {@code factor}, and the band between is interpolated.
     */
    public static float[] ropeFactors(RopeScaling s, int headDim, float theta) {
        float[] out = new float[headDim / 2];
        double lowWavelen = s.originalContextLength() / s.lowFreqFactor();
        double highWavelen = s.originalContextLength() / s.highFreqFactor();
        for (int i = 0; i < out.length; i++) {
            double freq = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
            double wavelen = 2 * Math.PI / freq;
            if (wavelen < highWavelen) {
                out[i] = 1f;
            } else if (wavelen > lowWavelen) {
                out[i] = s.factor();
            } else {
                double smooth = (s.originalContextLength() / wavelen - s.lowFreqFactor())
                        / (s.highFreqFactor() - s.lowFreqFactor());
                out[i] = (float) (1 / ((1 - smooth) / s.factor() + smooth));
            }
        }
        return out;
    }

    /** Names of all presets. */
    public static List<String> names() {
        return List.copyOf(PRESETS.keySet());
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (%s): %s, dim %d, %d layers, %d/%d heads%s, ffn %d%s, vocab %d, rope θ %.0f%s%s%s",
                name, hfName, family.architecture(), dim, layers, heads, kvHeads,
                family.headDim() > 0 ? " × " + family.headDim() : "", ffn,
                family.experts() > 0 ? " × " + family.experts() + " experts (top " + family.expertsUsed() + ")" : "",
                vocab, ropeTheta,
                family.ropeDims() > 0 ? " on " + family.ropeDims() + " of " + headDim() + " dims" : "",
                ropeScaling == null ? "" : ", llama3 rope scaling ×" + ropeScaling.factor(),
                tiedEmbeddings ? ", tied embeddings" : "");
    }
}
