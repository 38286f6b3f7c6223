package io.edgellm.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgellm.GenerationResult;
import io.edgellm.SamplingParams;
import io.edgellm.Session;
import io.edgellm.SessionOptions;
import java.util.ArrayList;
import io.edgellm.chat.ChatMessage;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every endpoint of a served TinyStories-656K, through java.net.http, streamed and not, checked against the engine. */
class ServerEndpointsTest {
    static ServerFixture f;

    @BeforeAll
    static void start() throws Exception {
        f = new ServerFixture(ServerOptions.defaults().withSession(SessionOptions.defaults().withThreads(1)));
    }

    @AfterAll
    static void stop() {
        if (f != null) f.close();
    }

    /** What the engine generates for these ids directly. */
    static GenerationResult direct(int[] ids, SamplingParams p) {
        try (Session s = f.model.newSession(SessionOptions.defaults().withThreads(1))) {
            return s.generate(ids, p, null);
        }
    }

    static int[] tokenize(String text, boolean addSpecial) throws Exception {
        JsonNode t = f.post("/tokenize", "{\"content\":" + ServerFixture.JSON.writeValueAsString(text)
                + ",\"add_special\":" + addSpecial + "}").json().get("tokens");
        int[] ids = new int[t.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = t.get(i).intValue();
        return ids;
    }

    @Test
    void healthAndModels() throws Exception {
        ServerFixture.Reply h = f.get("/health");
        assertEquals(200, h.status());
        assertEquals("ok", h.json().get("status").asText());
        assertTrue(h.contentType().startsWith("application/json"), h.contentType());
        JsonNode m = f.get("/v1/models").json();
        assertEquals("list", m.get("object").asText());
        assertEquals("TinyStories-656K-Q8_0.gguf", m.get("data").get(0).get("id").asText());
        assertEquals("model", m.get("data").get(0).get("object").asText());
        assertEquals(2048, m.get("data").get(0).get("meta").get("n_vocab").asInt());
    }

    @Test
    void tokenizeDetokenize() throws Exception {
        int[] ids = tokenize("Once upon a time", true);
        assertArrayEquals(f.model.tokenizer().encode("Once upon a time", true, true), ids);
        assertEquals(1, ids[0], "BOS <|start_story|> with add_special");
        assertEquals(ids.length - 1, tokenize("Once upon a time", false).length);
        JsonNode pieces = f.post("/tokenize", "{\"content\":\"Once upon\",\"with_pieces\":true}").json().get("tokens");
        assertEquals(f.model.tokenizer().encode("Once upon", false, true)[0], pieces.get(0).get("id").asInt());
        assertEquals(f.model.tokenizer().piece(pieces.get(0).get("id").asInt()), pieces.get(0).get("piece").asText());
        int[] plain = tokenize("Once upon a time", false);
        StringBuilder arr = new StringBuilder();
        for (int id : plain) arr.append(arr.isEmpty() ? "" : ",").append(id);
        JsonNode d = f.post("/detokenize", "{\"tokens\":[" + arr + "]}").json();
        assertEquals("Once upon a time", d.get("content").asText().strip());
    }

    @Test
    void applyTemplate() throws Exception {
        JsonNode r = f.post("/apply-template", "{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Tell a story.\"}]}]}").json();
        String expected = f.server.chatPrompt(List.of(new ChatMessage("system", "Be brief."),
                new ChatMessage("user", "Tell a story.")), true);
        assertEquals(expected, r.get("prompt").asText());
        // TinyStories has no tokenizer.chat_template: the ChatML fallback
        assertEquals("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nTell a story.<|im_end|>\n"
                + "<|im_start|>assistant\n", expected);
    }

    static final String CHAT = "{\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}],"
            + "\"temperature\":0,\"max_tokens\":24";

    @Test
    void chatCompletionMatchesTheEngine() throws Exception {
        ServerFixture.Reply reply = f.post("/v1/chat/completions", CHAT + "}");
        assertEquals(200, reply.status(), reply.body());
        JsonNode r = reply.json();
        assertEquals("chat.completion", r.get("object").asText());
        assertTrue(r.get("id").asText().startsWith("chatcmpl-"));
        assertTrue(r.get("created").asLong() > 1_600_000_000L);
        assertEquals("TinyStories-656K-Q8_0.gguf", r.get("model").asText());
        JsonNode c = r.get("choices").get(0);
        assertEquals(0, c.get("index").asInt());
        assertEquals("assistant", c.get("message").get("role").asText());
        assertEquals("length", c.get("finish_reason").asText());

        String prompt = f.server.chatPrompt(List.of(new ChatMessage("user", "Once upon a time")), true);
        int[] ids = f.server.promptIds(prompt, "messages");
        GenerationResult g = direct(ids, SamplingParams.greedy().withMaxNewTokens(24)
                .withStopStrings(List.of("<|im_end|>")));
        assertEquals(g.text(), c.get("message").get("content").asText());
        assertFalse(g.text().isBlank());
        JsonNode u = r.get("usage");
        assertEquals(ids.length, u.get("prompt_tokens").asInt());
        assertEquals(24, u.get("completion_tokens").asInt());
        assertEquals(ids.length + 24, u.get("total_tokens").asInt());
        JsonNode t = r.get("timings");
        assertEquals(ids.length, t.get("prompt_n").asInt());
        assertEquals(24, t.get("predicted_n").asInt());
        assertTrue(t.get("predicted_ms").asDouble() > 0);
    }

    @Test
    void chatStreamGivesTheSameText() throws Exception {
        String whole = f.post("/v1/chat/completions", CHAT + "}").json().get("choices").get(0).get("message")
                .get("content").asText();
        ServerFixture.Reply reply = f.post("/v1/chat/completions", CHAT + ",\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}}");
        assertEquals(200, reply.status(), reply.body());
        assertTrue(reply.contentType().startsWith("text/event-stream"), reply.contentType());
        List<String> events = ServerFixture.events(reply.body());
        assertEquals("[DONE]", events.getLast());
        JsonNode first = ServerFixture.JSON.readTree(events.getFirst());
        assertEquals("chat.completion.chunk", first.get("object").asText());
        assertEquals("assistant", first.get("choices").get(0).get("delta").get("role").asText());
        StringBuilder text = new StringBuilder();
        String finish = null;
        JsonNode usage = null;
        String id = first.get("id").asText();
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode j = ServerFixture.JSON.readTree(e);
            assertEquals(id, j.get("id").asText(), "one id for every chunk");
            if (j.hasNonNull("usage")) usage = j.get("usage");
            if (j.get("choices").isEmpty()) continue;
            JsonNode ch = j.get("choices").get(0);
            if (ch.get("delta").has("content")) text.append(ch.get("delta").get("content").asText());
            if (!ch.get("finish_reason").isNull()) finish = ch.get("finish_reason").asText();
        }
        assertEquals(whole, text.toString());
        assertEquals("length", finish);
        assertEquals(24, usage.get("completion_tokens").asInt());
        assertTrue(events.size() > 5, "the text arrives in several chunks: " + events.size());
    }

    @Test
    void completionMatchesTheEngineStreamedAndNot() throws Exception {
        String req = "{\"prompt\":\"Once upon a time\",\"temperature\":0,\"n_predict\":32";
        JsonNode r = f.post("/v1/completions", req + "}").json();
        assertEquals("text_completion", r.get("object").asText());
        GenerationResult g = direct(f.model.tokenizer().encode("Once upon a time", true, true),
                SamplingParams.greedy().withMaxNewTokens(32));
        assertEquals(g.text(), r.get("choices").get(0).get("text").asText());
        assertTrue(g.text().contains("Lily"), g.text()); // the golden greedy continuation (README)

        ServerFixture.Reply s = f.post("/v1/completions", req + ",\"stream\":true}");
        List<String> events = ServerFixture.events(s.body());
        assertEquals("[DONE]", events.getLast());
        StringBuilder text = new StringBuilder();
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode j = ServerFixture.JSON.readTree(e);
            assertEquals("text_completion", j.get("object").asText());
            text.append(j.get("choices").get(0).get("text").asText());
        }
        assertEquals(g.text(), text.toString());
        JsonNode last = ServerFixture.JSON.readTree(events.get(events.size() - 2));
        assertEquals("length", last.get("choices").get(0).get("finish_reason").asText());
        assertTrue(last.has("timings"));
    }

    @Test
    void stopStringCutsTheText() throws Exception {
        JsonNode r = f.post("/v1/completions", "{\"prompt\":\"Once upon a time\",\"temperature\":0,"
                + "\"max_tokens\":64,\"stop\":[\"Lily\"]}").json();
        JsonNode c = r.get("choices").get(0);
        assertEquals("stop", c.get("finish_reason").asText());
        assertFalse(c.get("text").asText().contains("Lily"));
        assertTrue(c.get("text").asText().endsWith("named "), c.get("text").asText());
    }

    @Test
    void severalChoicesAndSeeds() throws Exception {
        String req = "{\"prompt\":\"Once upon a time\",\"temperature\":1.0,\"max_tokens\":16,\"n\":3,\"seed\":42}";
        JsonNode a = f.post("/v1/completions", req).json();
        JsonNode b = f.post("/v1/completions", req).json();
        assertEquals(3, a.get("choices").size());
        for (int i = 0; i < 3; i++) {
            assertEquals(i, a.get("choices").get(i).get("index").asInt());
            assertEquals(a.get("choices").get(i).get("text"), b.get("choices").get(i).get("text"), "same seed, same text");
        }
        assertEquals(48, a.get("usage").get("completion_tokens").asInt());
        List<String> texts = new ArrayList<>();
        for (JsonNode c : a.get("choices")) texts.add(c.get("text").asText());
        assertNotEquals(texts.get(0), texts.get(1), "choice i draws with seed + i");
    }

    @Test
    void concurrentRequestsQueueOnOneSession() throws Exception {
        try (ExecutorService ex = Executors.newFixedThreadPool(3)) {
            List<Future<ServerFixture.Reply>> fs = new ArrayList<>();
            for (int i = 0; i < 3; i++) fs.add(ex.submit(() -> f.post("/v1/chat/completions", CHAT + "}")));
            String first = null;
            for (Future<ServerFixture.Reply> fu : fs) {
                ServerFixture.Reply r = fu.get();
                assertEquals(200, r.status(), r.body());
                String text = r.json().get("choices").get(0).get("message").get("content").asText();
                if (first == null) first = text;
                assertEquals(first, text, "each request starts from an empty KV cache");
            }
        }
        assertEquals(1, f.get("/health").json().get("slots_idle").asInt());
    }
}
