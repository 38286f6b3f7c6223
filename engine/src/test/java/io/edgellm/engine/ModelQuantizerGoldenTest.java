package io.edgellm.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.edgellm.quant.GgmlType;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufTensorInfo;
import io.edgellm.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link ModelQuantizer} against files {@code llama-quantize} made (../shared/golden/synth: the synthetic Llama model
 * quantized from its F32 source, K-quant mixes and --pure types): same tensor order, same type per tensor, same
 * bytes per tensor, same {@code general.file_type}, and in the end the same file, byte for byte.
 */
class ModelQuantizerGoldenTest {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{1}{2} -> {0}")
    @CsvSource({
            "synth-small-Q2_K-mix.gguf, Q2_K, ''",
            "synth-small-Q3_K_M.gguf,   Q3_K_M, ''",
            "synth-small-Q4_K_M.gguf,   Q4_K_M, ''",
            "synth-small-Q5_K_M.gguf,   Q5_K_M, ''",
            "synth-small-Q6_K.gguf,     Q6_K, --pure",
            "synth-small-Q3_K.gguf,     Q3_K_M, --pure",
            "synth-small-Q8_0.gguf,     Q8_0, --pure",
            "synth-small-Q4_0.gguf,     Q4_0, --pure",
    })
    void synthMixesAreByteIdenticalToLlamaQuantize(String golden, String type, String pure) throws IOException {
        Path src = SharedData.path("golden/synth/models/synth-small-F32.gguf");
        Path expected = SharedData.path("golden/synth/models/" + golden);
        Path out = tmp.resolve("out.gguf");
        List<String> log = new ArrayList<>();
        int[] lastTensors = {0};
        ModelQuantizer.quantize(src, out, LlamaFtype.parse(type), pure.equals("--pure"), log::add,
                (t, n, b, total) -> lastTensors[0] = t);
        assertSameFile(expected, out);
        assertEquals(21, log.size(), "one log line per tensor");
        assertEquals(21, lastTensors[0], "progress reaches the tensor count");
    }

    @Test
    void planFollowsLlamaCppOrderAndMixRules() throws IOException {
        try (GgufFile f = GgufFile.open(SharedData.path("golden/synth/models/synth-small-F32.gguf"))) {
            List<ModelQuantizer.Plan> plan = ModelQuantizer.plan(f, LlamaFtype.Q4_K_M, false);
            assertEquals(List.of("output.weight", "output_norm.weight", "token_embd.weight", "blk.0.attn_k.weight"),
                    plan.subList(0, 4).stream().map(ModelQuantizer.Plan::name).toList());
            // 2 layers: use_more_bits is true for layer 1 only (i >= 7*2/8)
            assertEquals(GgmlType.Q4_K, type(plan, "blk.0.attn_v.weight"));
            assertEquals(GgmlType.Q6_K, type(plan, "blk.1.attn_v.weight"));
            assertEquals(GgmlType.Q6_K, type(plan, "blk.1.ffn_down.weight"));
            assertEquals(GgmlType.Q6_K, type(plan, "output.weight"));
            assertEquals(GgmlType.F32, type(plan, "output_norm.weight"));
        }
    }

    @Test
    void rowsNotAMultipleOf256FallBackLikeLlamaCpp() {
        assertEquals(GgmlType.Q4_0, ModelQuantizer.fallback(GgmlType.Q2_K, 128));
        assertEquals(GgmlType.Q4_0, ModelQuantizer.fallback(GgmlType.Q3_K, 128));
        assertEquals(GgmlType.Q5_0, ModelQuantizer.fallback(GgmlType.Q4_K, 128));
        assertEquals(GgmlType.Q5_1, ModelQuantizer.fallback(GgmlType.Q5_K, 128));
        assertEquals(GgmlType.Q8_0, ModelQuantizer.fallback(GgmlType.Q6_K, 64));
        assertEquals(GgmlType.F16, ModelQuantizer.fallback(GgmlType.Q4_K, 172));
        assertEquals(GgmlType.F16, ModelQuantizer.fallback(GgmlType.Q4_0, 172));
        assertEquals(GgmlType.Q4_K, ModelQuantizer.fallback(GgmlType.Q4_K, 512));
    }

    @Test
    void typeNamesAndIdsAreLlamaQuantizes() {
        assertEquals(LlamaFtype.Q4_K_M, LlamaFtype.parse("q4_k"));
        assertEquals(LlamaFtype.Q3_K_M, LlamaFtype.parse("Q3_K"));
        assertEquals(LlamaFtype.Q5_K_S, LlamaFtype.parse("16"));
        assertEquals(15, LlamaFtype.Q4_K_M.id());
        assertEquals(18, LlamaFtype.Q6_K.id());
        assertEquals(32, LlamaFtype.BF16.id());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> LlamaFtype.parse("IQ2_XS"));
        assertTrue(e.getMessage().contains("IQ2_XS") && e.getMessage().contains("Q4_K_M"), e.getMessage());
    }

    private static GgmlType type(List<ModelQuantizer.Plan> plan, String name) {
        return plan.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow().to();
    }

    /** Compares tensor names, order, types and bytes, general.file_type, then the whole file. */
    static void assertSameFile(Path expected, Path actual) throws IOException {
        try (GgufFile e = GgufFile.open(expected); GgufFile a = GgufFile.open(actual)) {
            assertEquals(e.tensors().stream().map(t -> t.name() + ":" + t.type()).toList(),
                    a.tensors().stream().map(t -> t.name() + ":" + t.type()).toList(), "tensor order and types");
            for (GgufTensorInfo te : e.tensors()) {
                GgufTensorInfo ta = a.tensor(te.name());
                long m = e.tensorData(te).mismatch(a.tensorData(ta));
                if (m >= 0) {
                    fail(expected.getFileName() + ": tensor " + te.name() + " (" + te.type() + ") differs at byte " + m);
                }
            }
            assertEquals(e.getLong("general.file_type"), a.getLong("general.file_type"), "general.file_type");
            assertEquals(new ArrayList<>(e.metadata().keySet()), new ArrayList<>(a.metadata().keySet()), "metadata keys");
        }
        assertEquals(-1L, Files.mismatch(expected, actual), "file bytes vs " + expected.getFileName());
    }
}
