package io.edgellm.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgellm.Model;
import io.edgellm.SamplingParams;
import io.edgellm.Session;
import io.edgellm.SessionOptions;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufWriter;
import io.edgellm.testing.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ChatSession} on the synthetic qwen2 model of {@code ../shared/golden/arch} (random weights) with
 * DeepSeek-R1-Distill-Qwen-32B's chat template: budget forcing, {@code noThink}, KV reuse across turns. The test
 * GGUF is that model with two vocabulary entries (ids 509, 510) turned into the user-defined tokens
 * {@code <think>} / {@code </think>} and the template stored as {@code tokenizer.chat_template}.
 */
class ChatSessionTest {
    static final String R1 = "golden/chat/templates/deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.upstream-20bdc4f.jinja";
    static final String R1_EDITED = "golden/chat/templates/deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja";
    @TempDir
    static Path tmp;
    static Path model;

    @BeforeAll
    static void makeModel() throws Exception {
        model = thinkModel(tmp, Files.readString(SharedData.path(R1), StandardCharsets.UTF_8));
    }

    static Path thinkModel(Path dir, String template) throws Exception {
        Path out = dir.resolve("synth-qwen2-think.gguf");
        try (GgufFile f = GgufFile.open(SharedData.path("golden/arch/models/synth-qwen2-F32.gguf"))) {
            String[] tokens = f.getStringArray("tokenizer.ggml.tokens");
            tokens[509] = ChatSession.THINK_OPEN;
            tokens[510] = ChatSession.THINK_CLOSE;
            int[] types = ((int[]) ((io.edgellm.quant.gguf.GgufArray) f.metadata().get("tokenizer.ggml.token_type"))
                    .values()).clone();
            types[509] = 4;   // USER_DEFINED, as converters mark added tokens
            types[510] = 4;
            GgufWriter w = new GgufWriter().copyMetadataFrom(f).copyTensorsFrom(f);
            w.putStringArray("tokenizer.ggml.tokens", tokens);
            w.putInt32Array("tokenizer.ggml.token_type", types);
            w.putString(ChatTemplate.GGUF_KEY, template);
            w.write(out);
        }
        return out;
    }

    static final List<ChatMessage> ASK = List.of(ChatMessage.user("Once upon a time there was a"));

    private static ChatResult run(Model m, ChatOptions o, int maxTokens) {
        try (Session s = m.newSession(SessionOptions.defaults().withContextLength(256).withThreads(1))) {
            ChatSession chat = new ChatSession(s, ChatTemplate.fromModel(m).orElseThrow(), o);
            return chat.chat(ASK, SamplingParams.greedy().withMaxNewTokens(maxTokens), null);
        }
    }

    @Test
    void budgetForcingClosesThinkingExactlyAtTheBudget() throws Exception {
        try (Model m = Model.load(model)) {
            assertEquals(1, m.tokenizer().encode(ChatSession.THINK_CLOSE, false, true).length);
            for (int budget : new int[] {0, 1, 5, 12}) {
                // the first `budget` tokens greedy decoding thinks, unforced
                String free = run(m, ChatOptions.defaults(), budget).text();
                ChatResult r = run(m, ChatOptions.defaults().withReasoningBudget(budget), budget + 8);
                assertEquals(budget, r.thinkingTokens(), "budget " + budget);
                assertTrue(r.text().startsWith(free + ChatSession.THINK_CLOSE),
                        "budget " + budget + ": «" + r.text() + "» should start with «" + free + "</think>»");
                assertEquals(free.indexOf(ChatSession.THINK_CLOSE) < 0 ? free.length() : -1,
                        r.text().indexOf(ChatSession.THINK_CLOSE));
                assertEquals(ChatSession.closingTokens(m.tokenizer()).length, r.forcedTokens());
                assertTrue(r.firstAnswerTokenMs() >= 0 || r.answerTokens() == 0);
                assertEquals(free.strip(), r.reasoning());
            }
        }
    }

    @Test
    void noThinkPrefillsAnEmptyThinkingBlock() throws Exception {
        try (Model m = Model.load(model); Session s = m.newSession(SessionOptions.defaults().withContextLength(256))) {
            ChatSession chat = new ChatSession(s, ChatTemplate.fromModel(m).orElseThrow(),
                    ChatOptions.defaults().withNoThink(true));
            assertTrue(chat.prompt(ASK).endsWith("<｜Assistant｜><think>\n\n</think>\n\n"), chat.prompt(ASK));
            ChatResult r = chat.chat(ASK, SamplingParams.greedy().withMaxNewTokens(6), null);
            assertEquals(0, r.thinkingTokens());
            assertEquals(r.text(), r.answer());
        }
        // llama.cpp's edited template reads enable_thinking: noThink sets it false instead of prefilling
        ChatTemplate edited = ChatTemplate.of(Files.readString(SharedData.path(R1_EDITED), StandardCharsets.UTF_8));
        try (Model m = Model.load(model); Session s = m.newSession(SessionOptions.defaults().withContextLength(256))) {
            assertTrue(new ChatSession(s, edited, ChatOptions.defaults().withNoThink(true)).prompt(ASK)
                    .endsWith("<｜Assistant｜><think>\n</think>"));
            assertTrue(new ChatSession(s, edited, ChatOptions.defaults()).prompt(ASK).endsWith("<｜Assistant｜><think>\n"));
        }
    }

    @Test
    void secondTurnReusesTheCacheAndMatchesAFreshSession() throws Exception {
        try (Model m = Model.load(model); Session s = m.newSession(SessionOptions.defaults().withContextLength(256))) {
            ChatTemplate t = ChatTemplate.fromModel(m).orElseThrow();
            SamplingParams p = SamplingParams.greedy().withMaxNewTokens(10);
            ChatSession chat = new ChatSession(s, t, ChatOptions.defaults().withReasoningBudget(3));
            List<ChatMessage> conv = new ArrayList<>(ASK);
            ChatResult first = chat.chat(conv, p, null);
            conv.add(ChatMessage.assistant(first.text()));
            conv.add(ChatMessage.user("And then?"));
            ChatResult second = chat.chat(conv, p, null);
            assertTrue(second.reusedTokens() > 5, "reused " + second.reusedTokens());
            try (Session fresh = m.newSession(SessionOptions.defaults().withContextLength(256))) {
                ChatResult ref = new ChatSession(fresh, t, ChatOptions.defaults().withReasoningBudget(3)).chat(conv, p, null);
                assertEquals(0, ref.reusedTokens());
                assertEquals(ref.text(), second.text());
                assertEquals(ref.timings().promptTokens(), second.timings().promptTokens() + second.reusedTokens());
            }
        }
    }
}
