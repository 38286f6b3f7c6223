package io.edgellm.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgellm.testing.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every template × conversation × add_generation_prompt × extra-variable variant of {@code ../shared/golden/chat}
 * (378 entries, rendered by Python's jinja2 configured as Hugging Face's {@code apply_chat_template}, with
 * {@code strftime_now} fixed to 2026-01-15 00:00:00) renders byte-identical through {@link ChatTemplate}, or raises
 * where jinja2 raises; for {@code raise_exception} the message must be the template's.
 */
class ChatTemplateGoldenTest {
    static final LocalDateTime FIXED_NOW = LocalDateTime.of(2026, 1, 15, 0, 0, 0);

    /** Entries known not to match, "template|case|agp|extra_vars" -> why (documented in README's Chat section). */
    static final Map<String, String> KNOWN = Map.of();

    @Test
    void everyEntryRendersLikeHuggingFace() throws IOException {
        Path dir = SharedData.path("golden/chat");
        ObjectMapper json = new ObjectMapper();
        Map<String, Map<String, Object>> conversations = json.readValue(dir.resolve("conversations.json").toFile(),
                new TypeReference<LinkedHashMap<String, Map<String, Object>>>() { });
        List<Map<String, Object>> expected = json.readValue(dir.resolve("expected.json").toFile(),
                new TypeReference<List<Map<String, Object>>>() { });
        Map<String, ChatTemplate> templates = new HashMap<>();
        int pass = 0, raises = 0;
        List<String> failures = new ArrayList<>();
        for (Map<String, Object> e : expected) {
            String name = (String) e.get("template");
            ChatTemplate t = templates.computeIfAbsent(name, n -> {
                try {
                    return ChatTemplate.of(Files.readString(dir.resolve("templates").resolve(n), StandardCharsets.UTF_8))
                            .withNow(FIXED_NOW);
                } catch (IOException x) {
                    throw new java.io.UncheckedIOException(x);
                }
            });
            Map<String, Object> conv = conversations.get((String) e.get("case"));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> raw = (List<Map<String, Object>>) conv.get("messages");
            List<ChatMessage> messages = raw.stream().map(ChatMessage::fromMap).toList();
            @SuppressWarnings("unchecked")
            Map<String, Object> extra = new LinkedHashMap<>((Map<String, Object>) e.get("extra_vars"));
            if (Boolean.TRUE.equals(e.get("tools"))) extra.put("tools", conv.get("tools"));
            String key = name + "|" + e.get("case") + "|" + e.get("add_generation_prompt") + "|" + e.get("extra_vars");
            String got;
            ChatTemplateException err = null;
            try {
                got = t.render(messages, (Boolean) e.get("add_generation_prompt"), (String) e.get("bos_token"),
                        (String) e.get("eos_token"), extra);
            } catch (ChatTemplateException x) {
                got = null;
                err = x;
            }
            String problem;
            if (e.containsKey("rendered")) {
                String want = (String) e.get("rendered");
                problem = err != null ? "raised: " + err.getMessage()
                        : want.equals(got) ? null : "differs at " + firstDiff(want, got) + ": want «"
                        + around(want, firstDiff(want, got)) + "» got «" + around(got, firstDiff(want, got)) + "»";
            } else {
                raises++;
                if (err == null) {
                    problem = "rendered but " + e.get("error_type") + " expected (" + e.get("error") + ")";
                } else if ("TemplateError".equals(e.get("error_type"))
                        && !(err.raisedByTemplate() && err.getMessage().equals(e.get("error")))) {
                    problem = "raised «" + err.getMessage() + "» but raise_exception(«" + e.get("error") + "») expected";
                } else {
                    problem = null;
                }
            }
            if (problem == null) {
                pass++;
            } else if (!KNOWN.containsKey(key)) {
                failures.add(key + ": " + problem);
            }
        }
        System.out.println("golden/chat: " + pass + "/" + expected.size() + " entries match (" + raises
                + " expected to raise); known mismatches: " + KNOWN.size());
        failures.forEach(System.out::println);
        assertEquals(378, expected.size());
        assertTrue(failures.isEmpty(), failures.size() + " entries differ:\n" + String.join("\n", failures));
        assertEquals(expected.size() - KNOWN.size(), pass);
    }

    private static int firstDiff(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) if (a.charAt(i) != b.charAt(i)) return i;
        return n;
    }

    private static String around(String s, int i) {
        return s.substring(Math.max(0, i - 30), Math.min(s.length(), i + 40)).replace("\n", "\\n");
    }
}
