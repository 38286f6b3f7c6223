package io.edgellm.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgellm.Model;
import io.edgellm.ModelConfig;
import io.edgellm.ModelFormatException;
import io.edgellm.SharedData;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufValueType;
import io.edgellm.quant.gguf.GgufWriter;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HyperParamsTest {

    @Test
    void readsTinyStories() throws Exception {
        try (GgufFile f = GgufFile.open(SharedData.model("TinyStories-656K-Q8_0.gguf"))) {
            ModelConfig c = HyperParams.read(f);
            assertEquals("llama", c.architecture());
            assertEquals(2, c.blockCount());
            assertEquals(128, c.embeddingLength());
            assertEquals(384, c.feedForwardLength());
            assertEquals(8, c.headCount());
            assertEquals(4, c.headCountKv());
            assertEquals(16, c.keyLength());
            assertEquals(16, c.ropeDimensionCount());
            assertEquals(512, c.contextLength());
            assertEquals(2048, c.vocabSize());
            assertEquals(1e-6f, c.normEpsilon(), 1e-12f);
            assertTrue(c.tiedEmbeddings());
        }
        try (GgufFile f = GgufFile.open(SharedData.model("stories260K.gguf"))) {
            assertFalse(HyperParams.read(f).tiedEmbeddings());
        }
    }

    /** A copy of stories260K with one metadata edit must fail to load with a message naming the key and file. */
    Path edited(Path tmp, Consumer<GgufWriter> edit) throws Exception {
        java.nio.file.Files.createDirectories(tmp);
        Path out = tmp.resolve("edited.gguf");
        try (GgufFile f = GgufFile.open(SharedData.model("stories260K.gguf"))) {
            GgufWriter w = new GgufWriter().copyMetadataFrom(f).copyTensorsFrom(f);
            edit.accept(w);
            w.write(out);
        }
        return out;
    }

    @Test
    void missingOrInconsistentKeysAreNamed(@TempDir Path tmp) throws Exception {
        Path p = edited(tmp, w -> w.remove("llama.block_count"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Model.load(p));
        assertTrue(e.getMessage().contains("llama.block_count") && e.getMessage().contains("edited.gguf"), e.getMessage());

        Path q = edited(tmp, w -> w.put("llama.attention.head_count_kv", GgufValueType.UINT32, 3L));
        e = assertThrows(ModelFormatException.class, () -> Model.load(q));
        assertTrue(e.getMessage().contains("head_count_kv"), e.getMessage());

        Path r = edited(tmp, w -> w.put("general.architecture", GgufValueType.STRING, "mamba"));
        e = assertThrows(ModelFormatException.class, () -> Model.load(r));
        assertTrue(e.getMessage().contains("unsupported architecture 'mamba'"), e.getMessage());

        Path s = edited(tmp, w -> w.put("llama.embedding_length", GgufValueType.UINT32, 128L));
        e = assertThrows(ModelFormatException.class, () -> Model.load(s));
        assertTrue(e.getMessage().contains("token_embd.weight") && e.getMessage().contains("wrong shape"), e.getMessage());

        Path t = edited(tmp, w -> w.remove("tokenizer.ggml.tokens"));
        e = assertThrows(ModelFormatException.class, () -> Model.load(t));
        assertTrue(e.getMessage().contains("tokenizer.ggml.tokens"), e.getMessage());
    }

    /** rope_freqs.weight divides the RoPE angles: all ones = no change; a wrong length is an error naming it. */
    @Test
    void ropeFreqsTensor(@TempDir Path tmp) throws Exception {
        int half = 8 / 2; // stories260K: head size 8
        java.lang.foreign.MemorySegment ones = java.lang.foreign.Arena.ofAuto().allocate(4L * half);
        java.lang.foreign.MemorySegment twos = java.lang.foreign.Arena.ofAuto().allocate(4L * half);
        for (int i = 0; i < half; i++) {
            ones.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, i, 1f);
            twos.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, i, 2f);
        }
        int[] ids = {1, 403, 407, 261, 378};
        float[] base = Qwen2Test.logits(SharedData.model("stories260K.gguf"), ids);
        Path p1 = edited(tmp, w -> w.addTensor("rope_freqs.weight", io.edgellm.quant.GgmlType.F32, new long[] {half}, ones));
        org.junit.jupiter.api.Assertions.assertArrayEquals(base, Qwen2Test.logits(p1, ids), 1e-5f);
        Path p2 = edited(tmp.resolve("b"), w -> w.addTensor("rope_freqs.weight",
                io.edgellm.quant.GgmlType.F32, new long[] {half}, twos));
        float[] scaled = Qwen2Test.logits(p2, ids);
        float diff = 0;
        for (int i = 0; i < base.length; i++) diff = Math.max(diff, Math.abs(base[i] - scaled[i]));
        assertTrue(diff > 1e-3, "factors 2 change the angles");
        java.lang.foreign.MemorySegment three = java.lang.foreign.Arena.ofAuto().allocate(12);
        Path p3 = edited(tmp.resolve("c"), w -> w.addTensor("rope_freqs.weight",
                io.edgellm.quant.GgmlType.F32, new long[] {3}, three));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Model.load(p3));
        assertTrue(e.getMessage().contains("rope_freqs.weight"), e.getMessage());
    }

    @Test
    void validateTensorDataFindsNaN(@TempDir Path tmp) throws Exception {
        Path p = edited(tmp, w -> {
            java.lang.foreign.MemorySegment nan = java.lang.foreign.Arena.ofAuto().allocate(4L * 64);
            nan.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 5, Float.NaN);
            w.addTensor("nan_probe.weight", io.edgellm.quant.GgmlType.F32, new long[] {64}, nan);
        });
        try (Model m = Model.load(p)) {
            assertEquals(64, m.config().embeddingLength()); // loads without validation
        }
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> Model.load(p, io.edgellm.LoadOptions.defaults().withValidateTensorData(true)));
        assertTrue(e.getMessage().contains("nan_probe.weight") && e.getMessage().contains("element 5"), e.getMessage());
    }

    /**
     * Issue 14, item 3: metadata that would amplify (a block count of 2^30 in a small file, head sizes whose products
     * wrap around int) or pass garbage on (implausible epsilon, non-finite rope parameters, an original context
     * beyond int, token types outside the enum) is rejected at load, naming the key, before any large allocation.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"block_count", "key_length", "eps_huge", "eps_zero",
            "eps_nan", "freq_base_inf", "linear_factor_inf", "llama3_low_nan", "llama3_high_le_low", "orig_ctx_2e40",
            "yarn_attn_factor_neg", "token_type"})
    void hostileHyperparametersAreRejected(String edit, @TempDir Path tmp) throws Exception {
        String expected;
        Consumer<GgufWriter> e;
        switch (edit) {
            case "block_count" -> {
                e = w -> w.putUInt32("llama.block_count", 1073741823L);
                expected = "llama.block_count' = 1073741823 but the file has tensors for 5 block(s)";
            }
            case "key_length" -> {
                e = w -> w.putUInt32("llama.attention.key_length", 536870920L);
                expected = "attention sizes overflow";
            }
            case "eps_huge" -> {
                e = w -> w.putFloat32("llama.attention.layer_norm_rms_epsilon", 3e38f);
                expected = "layer_norm_rms_epsilon' = 3.0E38 is not a plausible norm epsilon";
            }
            case "eps_zero" -> {
                e = w -> w.putFloat32("llama.attention.layer_norm_rms_epsilon", 0f);
                expected = "layer_norm_rms_epsilon' = 0.0 is not a plausible";
            }
            case "eps_nan" -> {
                e = w -> w.putFloat32("llama.attention.layer_norm_rms_epsilon", Float.NaN);
                expected = "layer_norm_rms_epsilon' = NaN is not a plausible";
            }
            case "freq_base_inf" -> {
                e = w -> w.putFloat32("llama.rope.freq_base", Float.POSITIVE_INFINITY);
                expected = "llama.rope.freq_base' = Infinity must be a finite number";
            }
            case "linear_factor_inf" -> {
                e = w -> w.putString("llama.rope.scaling.type", "linear")
                        .putFloat32("llama.rope.scaling.factor", Float.POSITIVE_INFINITY);
                expected = "llama.rope.scaling.factor' = Infinity must be a finite number > 0";
            }
            case "llama3_low_nan" -> {
                e = w -> w.putString("llama.rope.scaling.type", "llama3").putFloat32("llama.rope.scaling.factor", 8f)
                        .putFloat32("llama.rope.scaling.low_freq_factor", Float.NaN);
                expected = "llama.rope.scaling.low_freq_factor' = NaN must be a finite number > 0";
            }
            case "llama3_high_le_low" -> {
                e = w -> w.putString("llama.rope.scaling.type", "llama3").putFloat32("llama.rope.scaling.factor", 8f)
                        .putFloat32("llama.rope.scaling.low_freq_factor", 4f)
                        .putFloat32("llama.rope.scaling.high_freq_factor", 4f);
                expected = "must be greater than 'llama.rope.scaling.low_freq_factor'";
            }
            case "orig_ctx_2e40" -> {
                e = w -> w.putString("llama.rope.scaling.type", "linear").putFloat32("llama.rope.scaling.factor", 2f)
                        .putUInt64("llama.rope.scaling.original_context_length", 1L << 40);
                expected = "llama.rope.scaling.original_context_length' = 1099511627776 is out of range";
            }
            case "yarn_attn_factor_neg" -> {
                e = w -> w.putString("llama.rope.scaling.type", "yarn").putFloat32("llama.rope.scaling.factor", 4f)
                        .putFloat32("llama.rope.scaling.attn_factor", -1f);
                expected = "llama.rope.scaling.attn_factor' = -1.0 must be a finite number > 0";
            }
            case "token_type" -> {
                e = w -> {
                    try (GgufFile f = GgufFile.open(SharedData.model("stories260K.gguf"))) {
                        int n = f.getStringArray("tokenizer.ggml.tokens").length;
                        int[] types = new int[n];
                        java.util.Arrays.fill(types, 1);
                        types[100] = 77;
                        w.putInt32Array("tokenizer.ggml.token_type", types);
                    } catch (java.io.IOException x) {
                        throw new java.io.UncheckedIOException(x);
                    }
                };
                expected = "tokenizer.ggml.token_type' [100] = 77 is not a token type";
            }
            default -> throw new IllegalArgumentException(edit);
        }
        Path p = edited(tmp, e);
        ModelFormatException ex = assertThrows(ModelFormatException.class, () -> Model.load(p));
        assertTrue(ex.getMessage().contains(expected) && ex.getMessage().contains("edited.gguf"), ex.getMessage());
    }

    /** The bounds accept every real model and vocabulary in ../shared. */
    @Test
    void realModelsAndVocabulariesPassTheBounds() throws Exception {
        int n = 0;
        for (String dir : new String[] {"models", "vocab"}) {
            try (var files = java.nio.file.Files.list(SharedData.root().resolve(dir))) {
                for (Path p : files.filter(f -> f.toString().endsWith(".gguf")).sorted().toList()) {
                    try (GgufFile f = GgufFile.open(p)) {
                        if (f.contains("tokenizer.ggml.model")) GgufVocabulary.read(f);
                        if (dir.equals("models")) HyperParams.read(f);
                        n++;
                    }
                }
            }
        }
        assertTrue(n > 10, "files checked: " + n);
    }

    /** Item 7: a renamed output.weight still loads (tied embeddings) but logs a warning naming the tensor. */
    @Test
    void renamedOutputWeightIsReported(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("renamed.gguf");
        try (GgufFile f = GgufFile.open(SharedData.model("stories260K.gguf"))) {
            GgufWriter w = new GgufWriter().copyMetadataFrom(f);
            for (io.edgellm.quant.gguf.GgufTensorInfo t : f.tensors()) {
                w.addTensor(t.name().equals("output.weight") ? "output.weight.old" : t.name(), t.type(), t.dims(),
                        f.tensorData(t));
            }
            w.write(out);
        }
        java.util.List<String> logged = new java.util.ArrayList<>();
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger("io.edgellm.engine");
        java.util.logging.Handler h = new java.util.logging.Handler() {
            @Override public void publish(java.util.logging.LogRecord r) { logged.add(r.getMessage()); }
            @Override public void flush() { }
            @Override public void close() { }
        };
        jul.addHandler(h);
        try (GgufFile f = GgufFile.open(out)) {
            assertTrue(HyperParams.read(f).tiedEmbeddings());
        } finally {
            jul.removeHandler(h);
        }
        assertTrue(logged.stream().anyMatch(m -> m.contains("no tensor 'output.weight' but 'output.weight.old'")), logged.toString());
    }
}
