package io.edgellm.bench.synth;

import static org.junit.jupiter.api.Assertions.*;

import io.edgellm.GenerationResult;
import io.edgellm.Model;
import io.edgellm.ModelConfig;
import io.edgellm.SamplingParams;
import io.edgellm.Session;
import io.edgellm.SessionOptions;
import io.edgellm.quant.GgmlType;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufTensorInfo;
import io.edgellm.testing.SharedData;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The presets of the non-llama architectures and of the new llama shapes (issue 9): full-size plans against the real
 * models' tensor shapes and parameter counts, and the same families at a tiny width ({@link #shrink}) written, loaded
 * by the engine and run.
 */
class SyntheticArchitecturesTest {

    static final String[] NEW_PRESETS = {"phi-2", "phi-3-mini-4k", "mixtral-8x7b", "mistral-7b-v0.3", "llama-3-8b",
            "deepseek-r1-distill-qwen-1.5b", "deepseek-r1-distill-qwen-7b", "qwen2.5-0.5b", "qwen2.5-1.5b", "gemma-2b",
            "gemma-2-2b"};

    @TempDir
    Path dir;

    /**
     * Test-only scaling: the same family (architecture, tying, GQA/MQA ratio kind, explicit head size, partial rotary,
     * experts, softcaps) at width 128, 2 layers, FFN 256, 512 tokens; Gemma 2's window shrinks to 4 so a short run
     * crosses it.
     */
    static ModelPreset shrink(ModelPreset p) {
        ModelPreset.Family f = p.family();
        int heads = 4;
        int kv = p.kvHeads() == p.heads() ? 4 : p.kvHeads() == 1 ? 1 : 2;
        int hd = f.headDim() > 0 ? 64 : 0;                 // 4 × 64 = 256 ≠ 128, as gemma's q dim ≠ n_embd
        int newHd = hd > 0 ? hd : 128 / heads;
        int rope = f.ropeDims() > 0 ? Math.max(2, (int) ((long) f.ropeDims() * newHd / p.headDim()) & ~1) : 0;
        ModelPreset.Family small = new ModelPreset.Family(f.architecture(), hd, rope, f.experts(), f.expertsUsed(),
                f.slidingWindow() > 0 ? Math.min(4, f.slidingWindow()) : 0, f.attnSoftcap(), f.finalSoftcap());
        return new ModelPreset(p.name() + "-small", p.hfName(), 128, 2, heads, kv, 256, 512, p.ropeTheta(),
                p.ropeScaling(), p.tiedEmbeddings(), p.rmsEps(), 512, p.vocabHint(), small);
    }

    private static SyntheticModel.TensorSpec spec(List<SyntheticModel.TensorSpec> plan, String name) {
        return plan.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no tensor " + name));
    }

    private static void assertDims(List<SyntheticModel.TensorSpec> plan, String name, long... dims) {
        assertArrayEquals(dims, spec(plan, name).dims(), name);
    }

    @Test
    void fullSizePlansHaveTheRealShapesAndParameterCounts() {
        // Parameter counts as the model cards give them (rounded there): phi-2 2.78B, Phi-3-mini 3.82B, Mixtral 46.7B,
        // Mistral v0.3 7.25B, Llama 3 8.03B, R1-Distill-Qwen 1.78B / 7.62B, Qwen2.5 0.49B / 1.54B, Gemma 2.51B / 2.61B.
        Map<String, Long> params = Map.ofEntries(Map.entry("phi-2", 2_779_683_840L),
                Map.entry("phi-3-mini-4k", 3_821_079_552L), Map.entry("mixtral-8x7b", 46_702_792_704L),
                Map.entry("mistral-7b-v0.3", 7_248_023_552L), Map.entry("llama-3-8b", 8_030_261_248L),
                Map.entry("deepseek-r1-distill-qwen-1.5b", 1_777_088_000L),
                Map.entry("deepseek-r1-distill-qwen-7b", 7_615_616_512L), Map.entry("qwen2.5-0.5b", 494_032_768L),
                Map.entry("qwen2.5-1.5b", 1_543_714_304L), Map.entry("gemma-2b", 2_506_172_416L),
                Map.entry("gemma-2-2b", 2_614_341_888L));
        for (String n : NEW_PRESETS) {
            assertEquals(params.get(n), ModelPreset.byName(n).parameterCount(), n);
        }

        List<SyntheticModel.TensorSpec> phi2 = SyntheticModel.plan(ModelPreset.byName("phi-2"), GgmlType.Q8_0);
        assertEquals(5 + 32 * 10, phi2.size());
        assertDims(phi2, "blk.0.attn_qkv.weight", 2560, 7680);
        assertDims(phi2, "blk.31.attn_qkv.bias", 7680);
        assertDims(phi2, "blk.0.ffn_up.weight", 2560, 10240);
        assertDims(phi2, "output.bias", 51200);
        assertEquals(GgmlType.F32, spec(phi2, "blk.0.attn_norm.bias").type());
        assertEquals(32, ModelPreset.byName("phi-2").ropeDims());
        assertEquals(80, ModelPreset.byName("phi-2").headDim());

        List<SyntheticModel.TensorSpec> phi3 = SyntheticModel.plan(ModelPreset.byName("phi-3-mini-4k"), GgmlType.Q4_0);
        assertEquals(3 + 32 * 6, phi3.size());
        assertDims(phi3, "blk.0.attn_qkv.weight", 3072, 9216);
        assertDims(phi3, "blk.5.ffn_up.weight", 3072, 16384);
        assertDims(phi3, "token_embd.weight", 3072, 32064);

        List<SyntheticModel.TensorSpec> mix = SyntheticModel.plan(ModelPreset.byName("mixtral-8x7b"), GgmlType.Q4_0);
        assertEquals(3 + 32 * 10, mix.size());
        assertDims(mix, "blk.0.ffn_gate_exps.weight", 4096, 14336, 8);
        assertDims(mix, "blk.0.ffn_down_exps.weight", 14336, 4096, 8);
        assertDims(mix, "blk.0.ffn_gate_inp.weight", 4096, 8);
        assertEquals(GgmlType.F32, spec(mix, "blk.0.ffn_gate_inp.weight").type());
        assertEquals(GgmlType.Q4_0, spec(mix, "blk.0.ffn_up_exps.weight").type());
        assertDims(mix, "blk.0.attn_k.weight", 4096, 1024);

        List<SyntheticModel.TensorSpec> qwen = SyntheticModel.plan(ModelPreset.byName("deepseek-r1-distill-qwen-1.5b"),
                GgmlType.Q8_0);
        assertEquals(3 + 28 * 12, qwen.size());                    // untied: output.weight present
        assertDims(qwen, "blk.0.attn_k.bias", 256);
        assertDims(qwen, "output.weight", 1536, 151936);
        List<SyntheticModel.TensorSpec> qwenTied = SyntheticModel.plan(ModelPreset.byName("qwen2.5-0.5b"), GgmlType.Q8_0);
        assertEquals(2 + 24 * 12, qwenTied.size());
        assertTrue(qwenTied.stream().noneMatch(t -> t.name().equals("output.weight")));

        List<SyntheticModel.TensorSpec> g = SyntheticModel.plan(ModelPreset.byName("gemma-2b"), GgmlType.Q8_0);
        assertEquals(2 + 18 * 9, g.size());
        assertDims(g, "blk.0.attn_q.weight", 2048, 2048);
        assertDims(g, "blk.0.attn_k.weight", 2048, 256);            // MQA: one 256-wide KV head
        List<SyntheticModel.TensorSpec> g2 = SyntheticModel.plan(ModelPreset.byName("gemma-2-2b"), GgmlType.Q8_0);
        assertEquals(2 + 26 * 11, g2.size());
        assertDims(g2, "blk.0.attn_q.weight", 2304, 2048);          // 8 × 256 ≠ 2304
        assertDims(g2, "blk.0.attn_output.weight", 2048, 2304);
        assertDims(g2, "blk.25.post_ffw_norm.weight", 2304);
    }

    @ParameterizedTest
    @ValueSource(strings = {"phi-2", "phi-3-mini-4k", "mixtral-8x7b", "mistral-7b-v0.3", "llama-3-8b",
            "deepseek-r1-distill-qwen-1.5b", "deepseek-r1-distill-qwen-7b", "qwen2.5-0.5b", "qwen2.5-1.5b", "gemma-2b",
            "gemma-2-2b"})
    void smallVersionLoadsAndGenerates(String name) throws Exception {
        ModelPreset full = ModelPreset.byName(name);
        ModelPreset p = shrink(full);
        Path f = dir.resolve(name + ".gguf");
        SyntheticModel.write(p, GgmlType.Q8_0, f, null, 11);
        String a = full.architecture();
        List<SyntheticModel.TensorSpec> plan = SyntheticModel.plan(p, GgmlType.Q8_0);
        try (GgufFile g = GgufFile.open(f)) {
            assertEquals(a, g.getString("general.architecture"));
            assertEquals(p.dim(), g.getInt(a + ".embedding_length"));
            assertEquals(2, g.getInt(a + ".block_count"));
            assertEquals(p.kvHeads(), g.getInt(a + ".attention.head_count_kv"));
            assertEquals(p.ropeDims(), g.getInt(a + ".rope.dimension_count"));
            assertEquals(full.ropeTheta(), (float) g.getDouble(a + ".rope.freq_base"));
            assertEquals(full.family().experts(), g.contains(a + ".expert_count") ? g.getInt(a + ".expert_count") : 0);
            assertEquals(full.family().headDim() > 0, g.contains(a + ".attention.key_length"));
            assertEquals(a.equals("gemma2"), g.contains(a + ".final_logit_softcapping"));
            assertEquals(plan.size(), g.tensors().size());
            for (SyntheticModel.TensorSpec t : plan) {
                GgufTensorInfo info = g.tensor(t.name());
                assertArrayEquals(t.dims(), info.dims(), t.name());
                assertEquals(t.type(), info.type(), t.name());
            }
        }
        try (Model m = Model.load(f);
             Session s = m.newSession(SessionOptions.defaults().withContextLength(64).withThreads(1))) {
            ModelConfig c = m.config();
            assertEquals(a, c.architecture());
            assertEquals(p.headDim(), c.keyLength());
            assertEquals(p.ropeDims(), c.ropeDimensionCount());
            assertEquals(p.tiedEmbeddings(), c.tiedEmbeddings());
            assertEquals(512, c.vocabSize());
            float[] logits = s.evaluate(new int[] {1, 300, 301, 302, 5, 6, 7, 8});
            for (int i = 0; i < 3; i++) {
                logits = s.evaluate(new int[] {400 + i});
            }
            assertFinite(logits, name);
            s.reset();
            GenerationResult r = s.generate(new int[] {1, 260, 270, 280},
                    SamplingParams.greedy().withMaxNewTokens(6).withIgnoreEos(true), null);
            assertEquals(6, r.generatedIds().length, name);
            assertTrue(Arrays.stream(r.generatedIds()).allMatch(id -> id >= 0 && id < 512));
        }
    }

    private static void assertFinite(float[] logits, String what) {
        assertEquals(512, logits.length);
        double max = 0;
        for (float v : logits) {
            assertTrue(Float.isFinite(v), what + ": non-finite logit");
            max = Math.max(max, Math.abs(v));
        }
        assertTrue(max > 0, what + ": logits are all zero");
    }

    @Test
    void presetVocabularyStandInsArePaddedToTheRealVocabSize() throws Exception {
        // phi-2: the GPT-2 BPE vocabulary (50257 tokens, no scores) padded to 51200 like llama.cpp pads phi-2's.
        ModelPreset phi = shrink(ModelPreset.byName("phi-2")).withVocab(51200);
        Path f = dir.resolve("phi2-vocab.gguf");
        ModelPreset written = SyntheticModel.write(phi, GgmlType.Q8_0, f, SharedData.path("vocab/ggml-vocab-gpt-2.gguf"), 1);
        assertEquals(51200, written.vocab());
        try (GgufFile g = GgufFile.open(f)) {
            String[] tokens = g.getStringArray("tokenizer.ggml.tokens");
            assertEquals(51200, tokens.length);
            assertEquals("[PAD50257]", tokens[50257]);
            assertEquals("[PAD51199]", tokens[51199]);
            int[] types = g.getIntArray("tokenizer.ggml.token_type");
            assertEquals(51200, types.length);
            assertEquals(5, types[51000]);
            assertEquals(51200, g.tensor("token_embd.weight").dims()[1]);
            assertEquals(51200, g.tensor("output.bias").dims()[0]);
        }
        try (Model m = Model.load(f); Session s = m.newSession(SessionOptions.defaults().withContextLength(32).withThreads(1))) {
            assertEquals(51200, m.config().vocabSize());
            int[] ids = m.tokenizer().encode("Hello world", false, false);
            assertTrue(ids.length > 0);
            assertEquals(51200, s.evaluate(ids).length);
        }

        // mistral-7b-v0.3: the Llama 2 SentencePiece vocabulary (32000, with scores) padded to 32768.
        ModelPreset mis = shrink(ModelPreset.byName("mistral-7b-v0.3")).withVocab(32768);
        Path f2 = dir.resolve("mistral-vocab.gguf");
        assertEquals(32768, SyntheticModel.write(mis, GgmlType.Q8_0, f2,
                SharedData.path("vocab/ggml-vocab-llama-spm.gguf"), 1).vocab());
        try (GgufFile g = GgufFile.open(f2)) {
            assertEquals(32768, g.getFloatArray("tokenizer.ggml.scores").length);
            assertEquals(-1000f, g.getFloatArray("tokenizer.ggml.scores")[32767]);
            assertEquals(32768, g.getInt("llama.vocab_size"));
        }
        try (Model m = Model.load(f2)) {
            assertEquals(32768, m.config().vocabSize());
        }

        // Another preset's vocabulary keeps the old rule: the file's token count wins.
        Path f3 = dir.resolve("other.gguf");
        assertEquals(50257, SyntheticModel.write(shrink(ModelPreset.byName("qwen2.5-0.5b")), GgmlType.Q8_0, f3,
                SharedData.path("vocab/ggml-vocab-gpt-2.gguf"), 1).vocab());
    }

    @Test
    void layersOverrideKeepsEveryPerBlockShape() throws Exception {
        ModelPreset mix = ModelPreset.byName("mixtral-8x7b");
        ModelPreset two = mix.withLayers(2);
        assertEquals("mixtral-8x7b@2L", two.name());
        assertSame(mix, mix.withLayers(32));
        List<SyntheticModel.TensorSpec> full = SyntheticModel.plan(mix, GgmlType.Q4_0);
        List<SyntheticModel.TensorSpec> cut = SyntheticModel.plan(two, GgmlType.Q4_0);
        assertEquals(3 + 2 * 10, cut.size());
        for (SyntheticModel.TensorSpec t : cut) {
            assertArrayEquals(spec(full, t.name()).dims(), t.dims(), t.name());
        }
        assertThrows(IllegalArgumentException.class, () -> mix.withLayers(0));

        Path out = dir.resolve("g2.gguf");
        int rc = new picocli.CommandLine(new SynthCommand()).execute("--preset", "tiny", "--type", "Q8_0",
                "--layers", "3", "-o", out.toString());
        assertEquals(0, rc);
        try (GgufFile g = GgufFile.open(out)) {
            assertEquals(3, g.getInt("llama.block_count"));
            assertTrue(g.findTensor("blk.2.ffn_down.weight").isPresent());
            assertTrue(g.getString("general.name").startsWith("tiny@3L"));
        }
        assertNotEquals(0, new picocli.CommandLine(new SynthCommand()).execute("--preset", "tiny", "--layers", "0",
                "-o", dir.resolve("bad.gguf").toString()));
    }
}
