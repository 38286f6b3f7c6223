package io.edgellm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgellm.SessionOptions;
import io.edgellm.testing.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * {@code --chat-template FILE}: the server's {@code /apply-template} renders the golden conversations of
 * {@code ../shared/golden/chat} byte for byte as Hugging Face does, a chat completion runs through the template, and a
 * template's {@code raise_exception} becomes a 400.
 */
class ServerChatTemplateTest {

    static ServerFixture serve(String templateFile) throws Exception {
        String src = Files.readString(SharedData.path("golden/chat/templates/" + templateFile), StandardCharsets.UTF_8);
        return new ServerFixture(ServerOptions.defaults().withSession(SessionOptions.defaults().withThreads(1))
                .withChatTemplate(src));
    }

    @Test
    void qwenTemplateRendersTheGoldenConversations() throws Exception {
        JsonNode expected = ServerFixture.JSON.readTree(SharedData.path("golden/chat/expected.json").toFile());
        JsonNode conversations = ServerFixture.JSON.readTree(SharedData.path("golden/chat/conversations.json").toFile());
        String template = "Qwen-Qwen2.5-7B-Instruct.jinja";
        int checked = 0;
        try (ServerFixture f = serve(template)) {
            for (JsonNode e : expected) {
                if (!e.get("template").asText().equals(template) || e.get("tools").asBoolean()
                        || !e.get("extra_vars").isEmpty() || !e.has("rendered")) continue;
                ObjectNode req = ServerFixture.JSON.createObjectNode();
                req.set("messages", conversations.get(e.get("case").asText()).get("messages"));
                req.put("add_generation_prompt", e.get("add_generation_prompt").asBoolean());
                ServerFixture.Reply r = f.post("/apply-template", ServerFixture.JSON.writeValueAsString(req));
                assertEquals(200, r.status(), r.body());
                assertEquals(e.get("rendered").asText(), r.json().get("prompt").asText(), e.get("case").asText());
                checked++;
            }
            assertTrue(checked >= 10, "golden entries checked: " + checked);

            ServerFixture.Reply c = f.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":"
                    + "\"Tell me a story.\"}],\"max_tokens\":8,\"temperature\":0}");
            assertEquals(200, c.status(), c.body());
            String prompt = f.server.chatPrompt(java.util.List.of(io.edgellm.chat.ChatMessage.user("Tell me a story.")), true);
            assertTrue(prompt.startsWith("<|im_start|>system\nYou are Qwen"), prompt);
            assertEquals(f.server.promptIds(prompt, "messages").length, c.json().get("usage").get("prompt_tokens").asInt());
        }
    }

    @Test
    void templateRaiseIsABadRequest() throws Exception {
        // Gemma's template refuses a system message: raise_exception('System role not supported')
        try (ServerFixture f = serve("google-gemma-2-2b-it.jinja")) {
            ServerFixture.Reply r = f.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"system\",\"content\":\"x\"},"
                    + "{\"role\":\"user\",\"content\":\"y\"}]}");
            assertEquals(400, r.status(), r.body());
            JsonNode e = r.json().get("error");
            assertEquals("chat_template_error", e.get("code").asText());
            assertTrue(e.get("message").asText().contains("System role not supported"), r.body());
            assertEquals(200, f.get("/health").status());
            assertEquals(200, f.post("/apply-template", "{\"messages\":[{\"role\":\"user\",\"content\":\"y\"}]}").status());
        }
    }

    @Test
    void chatTemplateKwargsReachTheTemplate() throws Exception {
        try (ServerFixture f = serve("Qwen-Qwen3-0.6B.jinja")) {
            String msgs = "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]";
            String on = f.post("/apply-template", "{" + msgs + "}").json().get("prompt").asText();
            String off = f.post("/apply-template", "{" + msgs + ",\"chat_template_kwargs\":{\"enable_thinking\":false}}")
                    .json().get("prompt").asText();
            assertTrue(off.endsWith("<think>\n\n</think>\n\n"), off);
            assertTrue(!on.contains("<think>"), on);
            assertEquals(400, f.post("/apply-template", "{" + msgs + ",\"chat_template_kwargs\":true}").status());
        }
    }
}
