package io.edgellm.bench.synth;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The shape and hyperparameters of a known Llama-family model, from its Hugging Face {@code config.json}
 * ({@code hidden_size}, {@code num_hidden_layers}, {@code num_attention_heads}, {@code num_key_value_heads},
 * {@code intermediate_size}, {@code vocab_size}, {@code rope_theta}, {@code rope_scaling}, {@code tie_word_embeddings},
 * {@code rms_norm_eps}, {@code max_position_embeddings}). All are {@code general.architecture = llama} in GGUF.
 *
 * @param name           preset name ({@code llama-3.2-1b})
 * @param hfName         the model it copies ({@code meta-llama/Llama-3.2-1B})
 * @param dim            embedding length ({@code hidden_size})
 * @param layers         transformer blocks
 * @param heads          query heads
 * @param kvHeads        key/value heads (grouped-query attention when fewer than {@code heads})
 * @param ffn            feed-forward (SwiGLU) hidden size
 * @param vocab          vocabulary size (rows of {@code token_embd})
 * @param ropeTheta      RoPE base frequency
 * @param ropeScaling    Llama 3.x frequency scaling, or null
 * @param tiedEmbeddings whether the output projection reuses {@code token_embd} (no {@code output.weight})
 * @param rmsEps         RMSNorm epsilon
 * @param contextLength  training context length ({@code max_position_embeddings})
 * @param vocabHint      which vocabulary GGUF in {@code ../shared/vocab} matches (for --vocab), or null
 */
public record ModelPreset(String name, String hfName, int dim, int layers, int heads, int kvHeads, int ffn, int vocab,
                          float ropeTheta, RopeScaling ropeScaling, boolean tiedEmbeddings, float rmsEps,
                          int contextLength, String vocabHint) {

    /**
     * Llama 3.x RoPE scaling ({@code rope_scaling.rope_type = "llama3"}); llama.cpp turns it into the per-dimension
     * {@code rope_freqs.weight} tensor ({@link #ropeFactors(RopeScaling, int, float)}).
     */
    public record RopeScaling(float factor, float lowFreqFactor, float highFreqFactor, int originalContextLength) {
    }

    public ModelPreset {
        if (dim % heads != 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException(name + ": dim " + dim + " must divide by heads " + heads
                    + " and heads by kv heads " + kvHeads);
        }
    }

    /** {@code dim / heads}. */
    public int headDim() {
        return dim / heads;
    }

    /** Number of weights, counting the tied embedding once (what llama-bench prints as "params"). */
    public long parameterCount() {
        long hd = headDim();
        long attn = (long) dim * heads * hd * 2 + (long) dim * kvHeads * hd * 2; // q, o, k, v
        long mlp = 3L * dim * ffn;
        long perLayer = attn + mlp + 2L * dim;
        long embd = (long) vocab * dim;
        return layers * perLayer + embd * (tiedEmbeddings ? 1 : 2) + dim;
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
                tiedEmbeddings, rmsEps, contextLength, vocabHint);
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
        return String.format(Locale.ROOT, "%s (%s): dim %d, %d layers, %d/%d heads, ffn %d, vocab %d, rope θ %.0f%s%s",
                name, hfName, dim, layers, heads, kvHeads, ffn, vocab, ropeTheta,
                ropeScaling == null ? "" : ", llama3 rope scaling ×" + ropeScaling.factor(),
                tiedEmbeddings ? ", tied embeddings" : "");
    }
}
