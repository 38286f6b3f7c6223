package io.edgellm.bench.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgellm.Model;
import io.edgellm.ReasoningTimings;
import io.edgellm.SamplingParams;
import io.edgellm.Session;
import io.edgellm.SessionOptions;
import io.edgellm.bench.support.SharedData;
import io.edgellm.chat.ChatMessage;
import io.edgellm.chat.ChatOptions;
import io.edgellm.chat.ChatSession;
import io.edgellm.chat.ChatTemplate;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench --reasoning}: the think row's n_think / n_answer / ttfat_ms on a synthetic qwen2 model with
 * DeepSeek-R1-Distill's template (the setup of the engine's ChatSessionTest), against a ChatSession run directly.
 */
class BenchReasoningTest {
    @TempDir
    Path dir;

    private Path thinkModel() throws Exception {
        Path out = dir.resolve("synth-qwen2-think.gguf");
        String template = Files.readString(SharedData.path(
                "golden/chat/templates/deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.upstream-20bdc4f.jinja"), StandardCharsets.UTF_8);
        try (GgufFile f = GgufFile.open(SharedData.path("golden/arch/models/synth-qwen2-F32.gguf"))) {
            String[] tokens = f.getStringArray("tokenizer.ggml.tokens");
            tokens[509] = ChatSession.THINK_OPEN;
            tokens[510] = ChatSession.THINK_CLOSE;
            int[] types = ((int[]) ((io.edgellm.quant.gguf.GgufArray) f.metadata().get("tokenizer.ggml.token_type"))
                    .values()).clone();
            types[509] = 4;   // USER_DEFINED, as converters mark added tokens
            types[510] = 4;
            new GgufWriter().copyMetadataFrom(f).copyTensorsFrom(f).putStringArray("tokenizer.ggml.tokens", tokens)
                    .putInt32Array("tokenizer.ggml.token_type", types).putString(ChatTemplate.GGUF_KEY, template).write(out);
        }
        return out;
    }

    @Test
    void thinkRowSplitsThinkingFromAnswer() throws Exception {
        Path model = thinkModel();
        int budget = 4, n = 10;
        String jsonl = BenchCommandFakeTest.run(new BenchCommand(), "-m", model.toString(), "-p", "0", "-n",
                Integer.toString(n), "-r", "2", "-t", "1", "--power", "none", "--no-warmup", "-o", "jsonl",
                "--reasoning", "Once upon a time there was a", "--reasoning-budget", Integer.toString(budget));
        List<JsonNode> rows = new ArrayList<>();
        for (String line : jsonl.split("\n")) rows.add(new ObjectMapper().readTree(line));
        assertEquals(2, rows.size(), jsonl);   // tg10 and think10
        JsonNode tg = rows.get(0), think = rows.get(1);
        assertEquals("tg10", tg.get("test").asText());
        assertTrue(tg.get("n_think").isNull() && tg.get("ttfat_ms").isNull(), tg.toString());
        assertEquals("think10 (budget 4)", think.get("test").asText());

        ReasoningTimings direct;
        try (Model m = Model.load(model); Session s = m.newSession(SessionOptions.defaults().withContextLength(256))) {
            direct = new ChatSession(s, ChatTemplate.fromModel(m).orElseThrow(), ChatOptions.defaults()
                    .withReasoningBudget(budget)).chat(List.of(ChatMessage.user("Once upon a time there was a")),
                    SamplingParams.greedy().withMaxNewTokens(n), null).reasoningTimings();
        }
        assertTrue(direct.thinkTokens() > budget, direct.toString());   // budget + the forced closing tag
        assertEquals(direct.thinkTokens(), think.get("n_think").asDouble(), think.toString());
        assertEquals(direct.answerTokens(), think.get("n_answer").asDouble(), think.toString());
        assertEquals(n - budget, direct.answerTokens() + 0.0, 0.0, "greedy reaches max tokens: " + direct);
        assertTrue(think.get("ttfat_ms").asDouble() >= think.get("ttft_ms").asDouble()
                && think.get("ttft_ms").asDouble() > 0, think.toString());
        assertTrue(think.get("avg_ts").asDouble() > 0, think.toString());

        String md = BenchCommandFakeTest.run(new BenchCommand(), "-m", model.toString(), "-p", "0", "-n", "6", "-r", "1",
                "-t", "1", "--power", "none", "--no-warmup", "--reasoning", "Hi", "--reasoning-budget", "2");
        assertTrue(md.contains(" n_think ") && md.contains(" n_answer ") && md.contains(" TTFAT ms "), md);
        assertTrue(md.contains(" think6 "), md);
    }
}
