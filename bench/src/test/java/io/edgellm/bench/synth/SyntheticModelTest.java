package io.edgellm.bench.synth;

import static org.junit.jupiter.api.Assertions.*;

import io.edgellm.bench.support.SharedData;
import io.edgellm.quant.GgmlType;
import io.edgellm.quant.ggml.Dequantize;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufTensorInfo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SyntheticModelTest {

    @TempDir
    Path dir;

    @Test
    void llama32OneBShapeMatchesTheRealModel() {
        ModelPreset p = ModelPreset.byName("llama-3.2-1b");
        assertEquals(64, p.headDim());
        assertEquals(1_235_814_400L, p.parameterCount()); // Llama-3.2-1B: 1.24 B parameters (tied embeddings)
        List<SyntheticModel.TensorSpec> plan = SyntheticModel.plan(p, GgmlType.Q4_0);
        assertEquals(2 + 1 + 16 * 9, plan.size());          // embd, rope_freqs, output_norm; no output.weight (tied)
        assertTrue(plan.stream().noneMatch(t -> t.name().equals("output.weight")));
        SyntheticModel.TensorSpec k = plan.stream().filter(t -> t.name().equals("blk.3.attn_k.weight")).findFirst().orElseThrow();
        assertArrayEquals(new long[] {2048, 512}, k.dims());
        long bytes = plan.stream().mapToLong(SyntheticModel.TensorSpec::bytes).sum();
        assertTrue(bytes > 690_000_000L && bytes < 700_000_000L, "Q4_0 1B ≈ 0.70 GB: " + bytes);
        // 8B is untied: output.weight present
        assertTrue(SyntheticModel.plan(ModelPreset.byName("llama-3.1-8b"), GgmlType.Q8_0).stream()
                .anyMatch(t -> t.name().equals("output.weight")));
        assertEquals(8_030_261_248L, ModelPreset.byName("llama-3.1-8b").parameterCount());
    }

    @Test
    void llama3RopeFactorsFollowTheLlama3Rule() {
        ModelPreset p = ModelPreset.byName("llama-3.2-1b");
        float[] f = ModelPreset.ropeFactors(p.ropeScaling(), p.headDim(), p.ropeTheta());
        assertEquals(32, f.length);
        assertEquals(1f, f[0]);                 // high frequencies are not scaled
        assertEquals(32f, f[31]);               // low frequencies get the full factor
        for (int i = 1; i < f.length; i++) {
            assertTrue(f[i] >= f[i - 1], "monotonic");
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1"})
    void tinyModelInEveryTypeHasTheMetadataAndSaneWeights(GgmlType type) throws Exception {
        Path out = dir.resolve("tiny-" + type + ".gguf");
        ModelPreset p = ModelPreset.byName("tiny");
        SyntheticModel.write(p, type, out, null, 7);
        try (GgufFile g = GgufFile.open(out)) {
            assertEquals("llama", g.getString("general.architecture"));
            assertEquals(p.dim(), g.getInt("llama.embedding_length"));
            assertEquals(p.layers(), g.getInt("llama.block_count"));
            assertEquals(p.kvHeads(), g.getInt("llama.attention.head_count_kv"));
            assertEquals(p.ffn(), g.getInt("llama.feed_forward_length"));
            assertEquals(p.vocab(), g.getStringArray("tokenizer.ggml.tokens").length);
            assertEquals("llama", g.getString("tokenizer.ggml.model"));
            assertEquals(SyntheticModel.plan(p, type).size(), g.tensors().size());
            GgufTensorInfo q = g.tensor("blk.1.attn_q.weight");
            assertEquals(type, q.type());
            float[] row = new float[p.dim()];
            double sum2 = 0;
            int n = 0;
            for (int r = 0; r < 16; r++) {
                Dequantize.row(type, g.tensorData(q), r * type.rowBytes(p.dim()), row, 0, p.dim());
                for (float v : row) {
                    assertTrue(Float.isFinite(v));
                    sum2 += v * v;
                    n++;
                }
            }
            double std = Math.sqrt(sum2 / n);
            assertTrue(std > 0.015 && std < 0.025, "std of random weights ≈ 0.02: " + std);
            float[] norm = new float[p.dim()];
            Dequantize.row(GgmlType.F32, g.tensorData(g.tensor("output_norm.weight")), 0, norm, 0, p.dim());
            assertEquals(1f, norm[5]);
        }
    }

    @Test
    void sameSeedSameBytesAndVocabCopiedFromAGguf() throws Exception {
        Path a = dir.resolve("a.gguf"), b = dir.resolve("b.gguf");
        SyntheticModel.write(ModelPreset.byName("tiny"), GgmlType.Q8_0, a, null, 3);
        SyntheticModel.write(ModelPreset.byName("tiny"), GgmlType.Q8_0, b, null, 3);
        assertEquals(-1, Files.mismatch(a, b));

        Path vocab = SharedData.path("vocab/ggml-vocab-llama-spm.gguf");
        Path c = dir.resolve("c.gguf");
        ModelPreset written = SyntheticModel.write(ModelPreset.byName("tiny"), GgmlType.Q4_0, c, vocab, 3);
        assertEquals(32000, written.vocab());
        try (GgufFile g = GgufFile.open(c); GgufFile v = GgufFile.open(vocab)) {
            assertArrayEquals(v.getStringArray("tokenizer.ggml.tokens"), g.getStringArray("tokenizer.ggml.tokens"));
            assertEquals(32000, g.tensor("token_embd.weight").dims()[1]);
        }
    }

    @Test
    void unsupportedTypeAndUnknownPresetAreClearErrors() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> SyntheticModel.write(ModelPreset.byName("tiny"), GgmlType.Q4_K, dir.resolve("x.gguf"), null, 1));
        assertTrue(e.getMessage().contains("Q4_K"));
        var e2 = assertThrows(IllegalArgumentException.class, () -> ModelPreset.byName("gpt-5"));
        assertTrue(e2.getMessage().contains("llama-3.2-1b"));
    }

    @Test
    void syntheticVocabularyIsAcceptedByTheTokenizer() throws Exception {
        Path out = dir.resolve("v.gguf");
        SyntheticModel.write(ModelPreset.byName("tiny"), GgmlType.Q8_0, out, null, 1);
        try (GgufFile g = GgufFile.open(out)) {
            io.edgellm.tokenizer.Vocabulary v = io.edgellm.tokenizer.Vocabulary.builder()
                    .model(g.getString("tokenizer.ggml.model"))
                    .tokens(g.getStringArray("tokenizer.ggml.tokens"))
                    .scores(g.getFloatArray("tokenizer.ggml.scores"))
                    .tokenTypes(g.getIntArray("tokenizer.ggml.token_type"))
                    .bosId(g.getInt("tokenizer.ggml.bos_token_id")).eosId(g.getInt("tokenizer.ggml.eos_token_id"))
                    .unkId(g.getInt("tokenizer.ggml.unknown_token_id")).addBos(true).build();
            io.edgellm.tokenizer.Tokenizer t = io.edgellm.tokenizer.Tokenizer.create(v);
            String text = "Hello wörld, ab ba!";
            int[] ids = t.encode(text, true, false);
            assertEquals(1, ids[0]);                                  // BOS
            assertEquals(text, t.decode(java.util.Arrays.copyOfRange(ids, 1, ids.length)).strip());
            assertEquals(512, t.vocabSize());
        }
    }

    @Test
    void syntheticVocabularyTokensAreDistinct() {
        assertEquals("a", SyntheticModel.word(0));
        assertEquals("z", SyntheticModel.word(25));
        assertEquals("aa", SyntheticModel.word(26));
    }
}
