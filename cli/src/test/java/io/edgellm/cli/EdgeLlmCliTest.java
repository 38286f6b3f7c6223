package io.edgellm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgellm.testing.SharedData;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufTensorInfo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Runs EdgeLlmCli in-process. */
class EdgeLlmCliTest {

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = EdgeLlmCli.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void generateJsonIsGreedyGolden() throws Exception {
        JsonNode golden = new ObjectMapper().readTree(SharedData.path("golden/greedy/stories260K.json").toFile()).get("cases").get(0);
        Run r = run("generate", "-m", SharedData.path("models/stories260K.gguf").toString(), "-p", golden.get("prompt").asText(),
                "-n", "64", "--temp", "0", "--ignore-eos", "-t", "2", "-c", "256", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(golden.get("prompt_ids"), j.get("prompt_ids"));
        assertEquals(golden.get("f32_attention").get("generated_ids"), j.get("generated_ids"));
        assertEquals(golden.get("generated_text").asText(), j.get("text").asText());
        assertEquals("max_tokens", j.get("stop_reason").asText());
        assertEquals(5, j.get("timings").get("n_p_eval").asInt());
        assertEquals(63, j.get("timings").get("n_eval").asInt());
        assertTrue(j.get("timings").has("t_eval_ms") && j.get("timings").has("t_load_ms"));
    }

    @Test
    void generateStreamsTextAndTimings() {
        Run r = run("generate", "-m", SharedData.path("models/stories260K.gguf").toString(), "-p", "Once upon a time",
                "-n", "16", "--temp", "0", "-t", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Once upon a time, there was a little girl"), r.out());
        assertTrue(r.err().contains("prompt eval time") && r.err().contains("eval time") && r.err().contains("load time"), r.err());
    }

    @Test
    void inspectShowsMetadataAndTensors() {
        Run r = run("inspect", SharedData.path("models/TinyStories-656K-Q8_0.gguf").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("general.architecture") && r.out().contains("'llama'"), r.out());
        assertTrue(r.out().contains("llama.block_count"), r.out());
        assertTrue(r.out().contains("tokenizer.ggml.tokens") && r.out().contains("(2048) [") && r.out().contains(", ...]"));
        assertTrue(r.out().contains("blk.1.ffn_down.weight") && r.out().contains("Q8_0"), r.out());
        assertTrue(r.out().lines().count() < 200, "long arrays abbreviated");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ggml-vocab-llama-spm.gguf", "ggml-vocab-llama-bpe.gguf"})
    void tokenizeBatchMatchesLlamaCppVectors(String vocab) throws Exception {
        Path dir = SharedData.root().resolve("vocab");
        Run r = run("tokenize", "-m", dir.resolve(vocab).toString(), "--batch", dir.resolve(vocab + ".inp").toString());
        assertEquals(0, r.code(), r.err());
        String expected = Files.readString(dir.resolve(vocab + ".out"), StandardCharsets.UTF_8);
        assertEquals(expected.strip().lines().map(String::strip).toList(), r.out().strip().lines().map(String::strip).toList());
    }

    @Test
    void tokenizeIdsLikeLlamaTokenize() {
        Run r = run("tokenize", "-m", SharedData.path("models/stories260K.gguf").toString(), "-p", "Once upon a time", "--ids");
        assertEquals(0, r.code(), r.err());
        assertEquals("[1, 403, 407, 261, 378]", r.out().strip());
    }

    /** F32 → Q8_0 / Q4_0 gives the same tensor types and bytes as llama-quantize's shipped files. */
    @ParameterizedTest
    @CsvSource({"TinyStories-656K-F32.gguf, TinyStories-656K-Q8_0.gguf, Q8_0",
            "TinyStories-656K-F32.gguf, TinyStories-656K-Q4_0.gguf, Q4_0",
            "stories260K.gguf, stories260K-Q8_0.gguf, Q8_0",
            "stories260K.gguf, stories260K-Q4_0.gguf, Q4_0"})
    void quantizeMatchesLlamaQuantize(String in, String reference, String type, @TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out.gguf");
        Run r = run("quantize", SharedData.path("models/" + in).toString(), out.toString(), type);
        assertEquals(0, r.code(), r.err());
        try (GgufFile got = GgufFile.open(out); GgufFile ref = GgufFile.open(SharedData.path("models/" + reference))) {
            assertEquals(ref.tensors().size(), got.tensors().size());
            for (GgufTensorInfo t : ref.tensors()) {
                GgufTensorInfo g = got.tensor(t.name());
                assertEquals(t.type(), g.type(), t.name());
                assertArrayEquals(t.dims(), g.dims(), t.name());
                assertArrayEquals(ref.tensorData(t).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                        got.tensorData(g).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), t.name() + " bytes");
            }
            assertEquals(ref.getLong("general.file_type"), got.getLong("general.file_type"));
        }
    }

    /** --pure for every supported type reproduces the golden synthetic variants (llama-quantize --pure) byte for byte. */
    @ParameterizedTest
    @ValueSource(strings = {"F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1"})
    void quantizePureMatchesSyntheticVariants(String type, @TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("out.gguf");
        Run r = run("quantize", SharedData.path("golden/synth/models/synth-small-F32.gguf").toString(), out.toString(), type, "--pure", "-q");
        assertEquals(0, r.code(), r.err());
        try (GgufFile got = GgufFile.open(out); GgufFile ref = GgufFile.open(SharedData.path("golden/synth/models/synth-small-" + type + ".gguf"))) {
            assertEquals(ref.tensors().size(), got.tensors().size());
            for (GgufTensorInfo t : ref.tensors()) {
                GgufTensorInfo g = got.tensor(t.name());
                assertEquals(t.type(), g.type(), t.name());
                assertArrayEquals(ref.tensorData(t).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                        got.tensorData(g).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), t.name() + " bytes");
            }
        }
    }

    @Test
    void badPathIsOneLineAndNonZero() {
        Run r = run("generate", "-m", "/no/such/model.gguf", "-p", "hi");
        assertEquals(1, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("/no/such/model.gguf"), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bad_magic.gguf", "zero_dim.gguf", "kv_count_2e40.gguf", "truncated_tensor_data.gguf"})
    void malformedFileIsOneLineAndNonZero(String file) {
        Run r = run("generate", "-m", SharedData.path("golden/malformed/" + file).toString(), "-p", "hi", "-n", "1");
        assertEquals(1, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("edgellm: ") && r.err().contains(file), r.err());
        Run i = run("inspect", SharedData.path("golden/malformed/" + file).toString());
        assertTrue(file.equals("zero_dim.gguf") ? i.code() == 0 : i.code() == 1, i.err());
    }
}
