package io.edgellm.quant.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgellm.quant.GgmlType;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every real model and vocabulary GGUF in ../shared parses; known values from ../shared/models/MODELS.md. */
class GgufFileRealModelsTest {

    static Stream<Path> allFiles() throws IOException {
        try (Stream<Path> models = Files.list(SharedData.models()); Stream<Path> vocab = Files.list(SharedData.vocab())) {
            return Stream.concat(models.filter(p -> p.toString().endsWith(".gguf")).sorted().toList().stream(),
                    vocab.filter(p -> p.toString().endsWith(".gguf")).sorted().toList().stream());
        }
    }

    @ParameterizedTest
    @MethodSource("allFiles")
    void parsesAndTensorsLieInsideTheFile(Path file) throws IOException {
        try (GgufFile f = GgufFile.open(file)) {
            assertEquals(3, f.version(), "all shared files are v3");
            assertTrue(f.contains("general.architecture"));
            assertEquals(0, f.dataOffset() % f.alignment());
            for (GgufTensorInfo t : f.tensors()) {
                MemorySegment data = f.tensorData(t);
                assertEquals(t.byteSize(), data.byteSize());
                assertTrue(data.isReadOnly());
                assertEquals(t.type().rowBytes(t.rowLength()) * t.rows(), t.byteSize());
                assertTrue(f.dataOffset() + t.offset() + t.byteSize() <= f.size());
            }
        }
    }

    @Test
    void tinyStoriesQ8_0() throws IOException {
        try (GgufFile f = GgufFile.open(SharedData.model("TinyStories-656K-Q8_0.gguf"))) {
            assertEquals("llama", f.getString("general.architecture"));
            assertEquals(2, f.getInt("llama.block_count"));
            assertEquals(128, f.getLong("llama.embedding_length"));
            assertEquals(384, f.getInt("llama.feed_forward_length"));
            assertEquals(8, f.getInt("llama.attention.head_count"));
            assertEquals(4, f.getInt("llama.attention.head_count_kv"));
            assertEquals(512, f.getInt("llama.context_length"));
            assertEquals(1e-6, f.getDouble("llama.attention.layer_norm_rms_epsilon"), 1e-12);
            assertEquals("llama", f.getString("tokenizer.ggml.model"));
            String[] tokens = f.getStringArray("tokenizer.ggml.tokens");
            assertEquals(2048, tokens.length);
            assertEquals("<|start_story|>", tokens[f.getInt("tokenizer.ggml.bos_token_id")]);
            assertEquals("<|end_story|>", tokens[f.getInt("tokenizer.ggml.eos_token_id")]);
            assertEquals(2048, f.getFloatArray("tokenizer.ggml.scores").length);
            assertEquals(2048, f.getIntArray("tokenizer.ggml.token_type").length);
            assertEquals(Map.of(GgmlType.F32, 5, GgmlType.Q8_0, 15), typeCounts(f));
            assertTrue(f.findTensor("output.weight").isEmpty(), "tied embeddings");
            GgufTensorInfo emb = f.tensor("token_embd.weight");
            assertArrayEquals(new long[] {128, 2048}, emb.dims());
            assertEquals(GgmlType.Q8_0, emb.type());
            assertEquals(128, emb.rowLength());
            assertEquals(2048, emb.rows());
            assertEquals(2048L * 128 / 32 * 34, emb.byteSize());
        }
    }

    @Test
    void tinyStoriesF32AndQ4_0TypeMix() throws IOException {
        try (GgufFile f = GgufFile.open(SharedData.model("TinyStories-656K-F32.gguf"))) {
            assertEquals(Map.of(GgmlType.F32, 20), typeCounts(f));
        }
        try (GgufFile f = GgufFile.open(SharedData.model("TinyStories-656K-Q4_0.gguf"))) {
            assertEquals(Map.of(GgmlType.F32, 5, GgmlType.Q4_0, 14, GgmlType.Q8_0, 1), typeCounts(f));
        }
    }

    @Test
    void stories260K() throws IOException {
        try (GgufFile f = GgufFile.open(SharedData.model("stories260K.gguf"))) {
            assertEquals(48, f.tensors().size());
            assertEquals(Map.of(GgmlType.F32, 48), typeCounts(f));
            assertEquals(5, f.getInt("llama.block_count"));
            assertEquals(64, f.getInt("llama.embedding_length"));
            assertEquals(172, f.getInt("llama.feed_forward_length"));
            assertEquals(512, f.getStringArray("tokenizer.ggml.tokens").length);
            assertTrue(f.findTensor("output.weight").isPresent());
            // F32 norm weights of a trained model: finite and not all zero
            MemorySegment norm = f.tensorData(f.tensor("blk.0.attn_norm.weight"));
            assertEquals(64 * 4, norm.byteSize());
            float first = norm.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            assertTrue(Float.isFinite(first) && first != 0f);
        }
        try (GgufFile f = GgufFile.open(SharedData.model("stories260K-Q8_0.gguf"))) {
            assertEquals(Map.of(GgmlType.F32, 11, GgmlType.F16, 5, GgmlType.Q8_0, 32), typeCounts(f));
            assertEquals(GgmlType.F16, f.tensor("blk.0.ffn_down.weight").type());
            assertArrayEquals(new long[] {172, 64}, f.tensor("blk.0.ffn_down.weight").dims());
        }
        try (GgufFile f = GgufFile.open(SharedData.model("stories260K-Q4_0.gguf"))) {
            assertEquals(Map.of(GgmlType.F32, 11, GgmlType.F16, 5, GgmlType.Q4_0, 31, GgmlType.Q8_0, 1), typeCounts(f));
        }
    }

    @Test
    void vocabularies() throws IOException {
        try (GgufFile f = GgufFile.open(SharedData.vocab().resolve("ggml-vocab-llama-spm.gguf"))) {
            assertEquals("llama", f.getString("tokenizer.ggml.model"));
            assertEquals(32000, f.getStringArray("tokenizer.ggml.tokens").length);
            assertTrue(f.tensors().isEmpty());
        }
        try (GgufFile f = GgufFile.open(SharedData.vocab().resolve("ggml-vocab-llama-bpe.gguf"))) {
            assertEquals("gpt2", f.getString("tokenizer.ggml.model"));
            assertEquals("llama-bpe", f.getString("tokenizer.ggml.pre"));
            assertEquals(128256, f.getStringArray("tokenizer.ggml.tokens").length);
            assertTrue(f.getStringArray("tokenizer.ggml.merges").length > 100_000);
        }
    }

    @Test
    void accessorErrorsNameFileAndKey() throws IOException {
        Path p = SharedData.model("stories260K.gguf");
        try (GgufFile f = GgufFile.open(p)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.getString("no.such.key"));
            assertTrue(e.getMessage().contains("no.such.key") && e.getMessage().contains(p.toString()), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> f.getInt("general.architecture"));
            assertTrue(e.getMessage().contains("general.architecture") && e.getMessage().contains("STRING"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> f.getFloatArray("tokenizer.ggml.tokens"));
            assertTrue(e.getMessage().contains("tokenizer.ggml.tokens"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> f.tensor("nope.weight"));
            assertTrue(e.getMessage().contains("nope.weight") && e.getMessage().contains(p.toString()), e.getMessage());
            assertTrue(f.findLong("no.such.key").isEmpty());
            assertFalse(f.findString("no.such.key").isPresent());
        }
    }

    static Map<GgmlType, Integer> typeCounts(GgufFile f) {
        Map<GgmlType, Integer> counts = new EnumMap<>(GgmlType.class);
        List<GgufTensorInfo> ts = f.tensors();
        for (GgufTensorInfo t : ts) {
            counts.merge(t.type(), 1, Integer::sum);
        }
        return counts;
    }
}
