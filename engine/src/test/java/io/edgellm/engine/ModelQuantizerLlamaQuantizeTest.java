package io.edgellm.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufTensorInfo;
import io.edgellm.quant.gguf.GgufValueType;
import io.edgellm.quant.gguf.GgufWriter;
import io.edgellm.testing.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ModelQuantizer} against a live {@code llama-quantize} (built by {@code ../shared/tools/peers/llama-cpp};
 * the test is skipped when it is not there, or point {@code -Dedgellm.llama.quantize=PATH} at one): every K-quant mix
 * and Q4_0/Q8_0, on the real tiny models (rows of 64/128: the fall-backs), the synthetic Llama, the synthetic
 * architectures of ../shared/golden/arch (phi2's fused attn_qkv, 8-expert MoE, qwen2moe, gemma …) and a 12-layer
 * GQA-4 Llama made here (the use_more_bits layer pattern, Q2_K's GQA rule). Every output must equal llama-quantize's
 * file byte for byte.
 */
class ModelQuantizerLlamaQuantizeTest {

    @TempDir
    static Path tmp;

    static Path llamaQuantize() {
        String p = System.getProperty("edgellm.llama.quantize");
        if (p == null) {
            String peers = System.getenv().getOrDefault("EDGELLM_PEERS",
                    System.getProperty("user.home") + "/.cache/edgellm-peers");
            p = peers + "/llama.cpp/build/bin/llama-quantize";
        }
        Path bin = Path.of(p);
        Assumptions.assumeTrue(Files.isExecutable(bin), "llama-quantize not built (../shared/tools/peers/llama-cpp): " + bin);
        return bin;
    }

    @TestFactory
    List<DynamicTest> everyMixMatchesLlamaQuantize() throws IOException {
        Path bin = llamaQuantize();
        Path shared = SharedData.root();
        List<Path> sources = new ArrayList<>(List.of(
                shared.resolve("models/TinyStories-656K-F32.gguf"),
                shared.resolve("models/stories260K.gguf"),
                shared.resolve("golden/synth/models/synth-small-F32.gguf"),
                deepLlama(shared.resolve("golden/synth/models/synth-small-F32.gguf"), 12, 2)));
        for (String a : List.of("qwen2", "phi2", "phi3", "gemma", "gemma2", "llama-moe", "qwen2moe")) {
            sources.add(shared.resolve("golden/arch/models/synth-" + a + "-F32.gguf"));
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Path src : sources) {
            for (LlamaFtype f : List.of(LlamaFtype.Q2_K, LlamaFtype.Q3_K_S, LlamaFtype.Q3_K_M, LlamaFtype.Q3_K_L,
                    LlamaFtype.Q4_K_S, LlamaFtype.Q4_K_M, LlamaFtype.Q5_K_S, LlamaFtype.Q5_K_M, LlamaFtype.Q6_K,
                    LlamaFtype.Q4_0, LlamaFtype.Q8_0)) {
                String name = src.getFileName().toString().replace(".gguf", "") + "-" + f;
                tests.add(dynamicTest(name, () -> {
                    Path expected = tmp.resolve(name + ".llama.gguf");
                    Path actual = tmp.resolve(name + ".edgellm.gguf");
                    Process p = new ProcessBuilder(bin.toString(), src.toString(), expected.toString(), f.name(), "1")
                            .redirectErrorStream(true).redirectOutput(tmp.resolve(name + ".log").toFile()).start();
                    assertEquals(true, p.waitFor(120, TimeUnit.SECONDS), "llama-quantize finished");
                    assertEquals(0, p.exitValue(), "llama-quantize exit code; log: "
                            + Files.readString(tmp.resolve(name + ".log")));
                    ModelQuantizer.quantize(src, actual, f, false, s -> { }, Progress.NONE);
                    ModelQuantizerGoldenTest.assertSameFile(expected, actual);
                    Files.delete(expected);
                    Files.delete(actual);
                }));
            }
        }
        return tests;
    }

    /** The 2-layer synthetic Llama stretched to {@code layers} layers (layer i reuses layer i % 2's weights). */
    static Path deepLlama(Path src, int layers, int headsKv) throws IOException {
        Path out = tmp.resolve("synth-deep" + layers + "-F32.gguf");
        try (GgufFile f = GgufFile.open(src)) {
            GgufWriter w = new GgufWriter().copyMetadataFrom(f);
            w.put("llama.block_count", GgufValueType.UINT32, (long) layers);
            w.put("llama.attention.head_count_kv", GgufValueType.UINT32, (long) headsKv);
            int kvRows = (int) (f.getLong("llama.embedding_length") / f.getLong("llama.attention.head_count") * headsKv);
            for (GgufTensorInfo t : f.tensors()) {
                if (!t.name().startsWith("blk.")) {
                    w.addTensor(t.name(), t.type(), t.dims(), f.tensorData(t));
                }
            }
            for (int l = 0; l < layers; l++) {
                for (GgufTensorInfo t : f.tensors()) {
                    if (t.name().startsWith("blk." + (l % 2) + ".")) {
                        String n = "blk." + l + t.name().substring(t.name().indexOf('.', 4));
                        long[] dims = t.dims();
                        var data = f.tensorData(t);
                        if (n.endsWith("attn_k.weight") || n.endsWith("attn_v.weight")) {
                            dims = new long[] {dims[0], kvRows};
                            data = data.asSlice(0, t.type().rowBytes(dims[0]) * kvRows);
                        }
                        w.addTensor(n, t.type(), dims, data);
                    }
                }
            }
            w.write(out);
        }
        return out;
    }
}
