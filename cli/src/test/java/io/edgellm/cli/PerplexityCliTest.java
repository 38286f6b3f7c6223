package io.edgellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgellm.testing.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code edgellm perplexity} in-process: llama-perplexity's output lines and values, both modes. */
class PerplexityCliTest {

    static JsonNode golden(String kind, String model) throws Exception {
        for (JsonNode r : new ObjectMapper().readTree(SharedData.path("golden/perplexity/results.json").toFile()).get("runs")) {
            if (r.get("kind").asText().equals(kind) && r.get("model").asText().equals(model)
                    && r.get("text").asText().equals("GPL-3") && r.get("n_ctx").asInt() == 128
                    && r.get("config").asText().equals("f32attn")) return r;
        }
        throw new AssertionError(model);
    }

    @Test
    void perplexityPrintsRunningValuesAndFinalEstimateLikeLlamaCpp(@TempDir Path tmp) throws Exception {
        String text = SharedData.path("golden/perplexity/texts/GPL-3.txt").toString();
        Path base = tmp.resolve("base.kld");
        EdgeLlmCliTest.Run r = EdgeLlmCliTest.run("perplexity", "-m", SharedData.path("models/stories260K.gguf").toString(),
                "-f", text, "-c", "128", "-b", "128", "--chunks", "3", "-t", "1", "--kl-divergence-base", base.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode g = golden("ppl", "stories260K").get("per_chunk_running_ppl");
        Matcher m = Pattern.compile("^\\[1\\]([0-9.]+),\\[2\\]([0-9.]+),\\[3\\]([0-9.]+),$", Pattern.MULTILINE).matcher(r.out());
        assertTrue(m.find(), r.out());
        for (int i = 0; i < 3; i++) assertEquals(g.get(i).asDouble(), Double.parseDouble(m.group(i + 1)), 2e-4 * g.get(i).asDouble());
        assertTrue(r.out().contains("Final estimate: PPL = " + m.group(3) + " +/- "), r.out());
        assertTrue(r.err().contains("calculating perplexity over 3 chunks, n_ctx=128"), r.err());
        assertEquals(20 + 4 * 3 * 128 + 2L * 3 * 63 * (512 + 4), Files.size(base));

        EdgeLlmCliTest.Run k = EdgeLlmCliTest.run("perplexity", "-m", SharedData.path("models/stories260K-Q8_0.gguf").toString(),
                "--kl-divergence-base", base.toString(), "--kl-divergence", "-t", "1");
        assertEquals(0, k.code(), k.err());
        for (String line : new String[] {"chunk             PPL", "====== Perplexity statistics ======", "Mean PPL(Q)/PPL(base)",
                "====== KL divergence statistics ======", "Mean    KLD:", "99.9%   KLD:", " 0.1%   KLD:",
                "====== Token probability statistics ======", "RMS Δp    :", "Same top p:"}) {
            assertTrue(k.out().contains(line), line + " in\n" + k.out());
        }
        // the per-chunk table's PPL column is the Q8_0 model's running perplexity (llama.cpp: chunk 3 of its KLD run)
        JsonNode row3 = golden("kld", "stories260K-Q8_0").get("per_chunk_running").get(2);
        Matcher p = Pattern.compile("^   3\\s+([0-9.]+) ±", Pattern.MULTILINE).matcher(k.out());
        assertTrue(p.find(), k.out());
        assertEquals(row3.get("ppl").get(0).asDouble(), Double.parseDouble(p.group(1)), 0.005 * row3.get("ppl").get(0).asDouble());
    }

    @Test
    void badInputIsOneLineAndExitCode1(@TempDir Path tmp) throws Exception {
        Path junk = Files.writeString(tmp.resolve("junk.kld"), "junk junk junk junk junk");
        EdgeLlmCliTest.Run r = EdgeLlmCliTest.run("perplexity", "-m", SharedData.path("models/stories260K.gguf").toString(),
                "--kl-divergence-base", junk.toString(), "--kl-divergence");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("not a KLD base file"), r.err());
        Path tiny = Files.writeString(tmp.resolve("t.txt"), "Once upon a time");
        r = EdgeLlmCliTest.run("perplexity", "-m", SharedData.path("models/stories260K.gguf").toString(), "-f", tiny.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("you need at least 1024 tokens"), r.err());
    }
}
