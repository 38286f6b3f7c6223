package io.edgellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgellm.chat.ChatTemplate;
import io.edgellm.quant.gguf.GgufArray;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufWriter;
import io.edgellm.testing.SharedData;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code template}, {@code chat}, {@code generate --chat}, reasoning flags and llama.cpp flag compatibility. */
class ChatCliTest {
    @TempDir
    Path tmp;

    static EdgeLlmCliTest.Run run(String... args) {
        return EdgeLlmCliTest.run(args);
    }

    @Test
    void templateCommandPrintsTheGoldenRendering() throws Exception {
        Path dir = SharedData.path("golden/chat");
        JsonNode conv = new ObjectMapper().readTree(dir.resolve("conversations.json").toFile()).get("c3_multiturn");
        Path msgs = tmp.resolve("m.json");
        Files.writeString(msgs, conv.get("messages").toString());
        for (JsonNode e : new ObjectMapper().readTree(dir.resolve("expected.json").toFile())) {
            if (!e.get("case").asText().equals("c3_multiturn") || !e.has("rendered")
                    || !e.get("template").asText().startsWith("Qwen-Qwen3")) continue;
            String kwargs = e.get("extra_vars").toString();
            EdgeLlmCliTest.Run r = e.get("add_generation_prompt").asBoolean()
                    ? run("template", "--chat-template-file", dir.resolve("templates/Qwen-Qwen3-0.6B.jinja").toString(),
                            "--messages", msgs.toString(), "--eos-token", "<|im_end|>", "--kwargs", kwargs)
                    : run("template", "--chat-template-file", dir.resolve("templates/Qwen-Qwen3-0.6B.jinja").toString(),
                            "--messages", msgs.toString(), "--eos-token", "<|im_end|>", "--kwargs", kwargs,
                            "--no-generation-prompt");
            assertEquals(0, r.code(), r.err());
            assertEquals(e.get("rendered").asText(), r.out(), kwargs);
        }
        EdgeLlmCliTest.Run g = run("template", "--chat-template-file",
                dir.resolve("templates/google-gemma-2-2b-it.jinja").toString(), "--messages", msgs.toString());
        assertEquals(1, g.code());
        assertEquals("edgellm: chat template: System role not supported", g.err().strip());
    }

    @Test
    void chatReusesTheCacheAcrossTurnsAndHandlesContinuationAndExit() throws Exception {
        String stdin = "Once upon a time\\\nthere was a cat\nShe said\n/exit\nnever read\n";
        InputStream old = System.in;
        EdgeLlmCliTest.Run r;
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            r = run("chat", "-sys", "Tell a story.", "-n", "6", "--temp", "0", "-t", "1", "-ngl", "99", "-cnv");
        } finally {
            System.setIn(old);
        }
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("ignoring -ngl"), r.err());
        assertTrue(r.err().contains("has no tokenizer.chat_template; using the plain fallback"), r.err());
        Matcher m = Pattern.compile("reused (\\d+) cached prompt tokens").matcher(r.err());
        assertTrue(m.find());
        assertEquals("0", m.group(1));
        assertTrue(m.find(), "a second turn: " + r.err());
        assertTrue(Integer.parseInt(m.group(1)) > 10, r.err());
        assertTrue(!m.find(), "/exit ends the chat");
    }

    static Path thinkModel(Path dir) throws Exception {
        Path out = dir.resolve("think.gguf");
        String template = Files.readString(SharedData.path(
                "golden/chat/templates/deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.upstream-20bdc4f.jinja"));
        try (GgufFile f = GgufFile.open(SharedData.path("golden/arch/models/synth-qwen2-F32.gguf"))) {
            String[] tokens = f.getStringArray("tokenizer.ggml.tokens");
            int[] types = ((int[]) ((GgufArray) f.metadata().get("tokenizer.ggml.token_type")).values()).clone();
            tokens[509] = "<think>";
            tokens[510] = "</think>";
            types[509] = 4;
            types[510] = 4;
            new GgufWriter().copyMetadataFrom(f).copyTensorsFrom(f).putStringArray("tokenizer.ggml.tokens", tokens)
                    .putInt32Array("tokenizer.ggml.token_type", types).putString(ChatTemplate.GGUF_KEY, template).write(out);
        }
        return out;
    }

    @Test
    void generateChatWithReasoningBudgetAndNoThink() throws Exception {
        Path model = thinkModel(tmp);
        EdgeLlmCliTest.Run r = run("generate", "--chat", "-m", model.toString(), "-p", "Hi", "-sys", "Be brief.",
                "--reasoning-budget", "4", "-n", "10", "--temp", "0", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertTrue(j.get("prompt").asText().endsWith("Be brief.<｜User｜>Hi<｜Assistant｜><think>\n"), j.toString());
        assertEquals(4, j.get("n_thinking").asInt());
        assertTrue(j.get("n_forced").asInt() > 0);
        assertTrue(j.get("text").asText().contains("</think>"));
        assertEquals(4 + j.get("n_forced").asInt(), j.get("n_think").asInt());   // the closing tag counts as thinking
        assertTrue(j.get("ttfat_ms").asDouble() >= j.get("ttft_ms").asDouble() && j.get("ttft_ms").asDouble() > 0, j.toString());
        // a plain generate whose prompt opens a thinking block reports the split in its timings
        EdgeLlmCliTest.Run g = run("generate", "-m", model.toString(), "-p", j.get("prompt").asText(), "-n", "4",
                "--temp", "0", "--json");
        assertEquals(0, g.code(), g.err());
        JsonNode gt = new ObjectMapper().readTree(g.out()).get("timings");
        assertEquals(gt.get("n_generated").asInt(), gt.get("n_think").asInt() + gt.get("n_answer").asInt(), gt.toString());
        assertTrue(gt.get("ttft_ms").asDouble() >= gt.get("t_p_eval_ms").asDouble(), gt.toString());
        EdgeLlmCliTest.Run gs = run("generate", "-m", model.toString(), "-p", j.get("prompt").asText(), "-n", "4", "--temp", "0");
        assertTrue(gs.err().contains("TTFAT"), gs.err());
        EdgeLlmCliTest.Run n = run("generate", "--chat", "-m", model.toString(), "-p", "Hi", "--no-think", "-n", "5",
                "--temp", "0", "--json");
        JsonNode k = new ObjectMapper().readTree(n.out());
        assertTrue(k.get("prompt").asText().endsWith("<think>\n\n</think>\n\n"), k.toString());
        assertEquals(0, k.get("n_thinking").asInt());
        EdgeLlmCliTest.Run s = run("generate", "--chat", "-m", model.toString(), "-p", "Hi", "-n", "3", "--temp", "0");
        assertTrue(s.err().contains("thinking tokens") && s.err().contains("time to first answer token"), s.err());
    }

    @Test
    void llamaCppFlagsAndErrors() {
        EdgeLlmCliTest.Run r = run("generate", "-p", "Once upon a time\\nthere", "-n", "2", "--temp", "0", "-ngl", "99",
                "--no-mmap", "-fa", "-t", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Once upon a time\nthere"), r.out());   // -e on by default, bundled model
        assertTrue(r.err().contains("edgellm: ignoring -ngl --no-mmap -fa"), r.err());
        EdgeLlmCliTest.Run raw = run("generate", "--no-escape", "-p", "a\\nb", "-n", "1", "--temp", "0", "-t", "1");
        assertTrue(raw.out().startsWith("a\\nb"), raw.out());
        EdgeLlmCliTest.Run bad = run("generate", "--bogus");
        assertEquals(2, bad.code());
        assertEquals("edgellm generate: Unknown option: '--bogus' (see edgellm generate --help)", bad.err().strip());
        EdgeLlmCliTest.Run help = run("--help");
        for (String c : new String[] {"generate", "chat", "template", "bench", "synth", "jmh"}) {
            assertTrue(help.out().contains("  " + c + " "), c + " in " + help.out());
        }
    }
}
