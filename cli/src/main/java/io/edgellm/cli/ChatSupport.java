package io.edgellm.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgellm.Model;
import io.edgellm.chat.ChatOptions;
import io.edgellm.chat.ChatResult;
import io.edgellm.chat.ChatTemplate;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Chat options shared by {@code generate --chat} and {@code chat}. */
public final class ChatSupport {
    /** Created by picocli. */
    public ChatSupport() {
    }

    /** The template used when the model has none and no {@code --chat-template} is given: each message's text on a line. */
    static final String FALLBACK = "{% for m in messages %}{{ m.content }}\n{% endfor %}";

    @Option(names = {"-sys", "--system-prompt"}, paramLabel = "TEXT", description = "system message")
    String system;

    @Option(names = "--chat-template", paramLabel = "FILE",
            description = "Jinja chat template file (default: the model's tokenizer.chat_template)")
    Path templateFile;

    @Option(names = "--chat-template-kwargs", paramLabel = "JSON",
            description = "extra template variables as a JSON object, e.g. '{\"enable_thinking\": false}'")
    String kwargs;

    @Option(names = "--reasoning-budget", paramLabel = "N", defaultValue = "-1",
            description = "thinking tokens allowed inside <think>...</think>; then </think> is inserted (-1 = no limit)")
    int reasoningBudget;

    @Option(names = "--no-think", description = "skip thinking: enable_thinking=false, or an empty <think></think> prefill")
    boolean noThink;

    ChatTemplate template(Model m, PrintWriter err) throws IOException {
        if (templateFile != null) return ChatTemplate.of(Files.readString(templateFile, StandardCharsets.UTF_8));
        return ChatTemplate.fromModel(m).orElseGet(() -> {
            err.println("edgellm: " + m.path().getFileName() + " has no tokenizer.chat_template; using the plain "
                    + "fallback (each message's text on its own line); give --chat-template FILE for a real one");
            return ChatTemplate.of(FALLBACK);
        });
    }

    ChatOptions options() {
        return new ChatOptions(parseKwargs(kwargs), reasoningBudget, noThink);
    }

    static Map<String, Object> parseKwargs(String json) {
        if (json == null || json.isBlank()) return Map.of();
        try {
            return new ObjectMapper().readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException("template kwargs must be a JSON object: " + e.getOriginalMessage());
        }
    }

    static void printTimings(PrintWriter err, ChatResult r) {
        for (String line : r.timings().format().split("\n")) err.println("edgellm_perf_context_print: " + line);
        err.print("edgellm_perf_context_print: " + r.formatReasoning());
        if (r.reasoningTimings().hasThinking()) err.print("edgellm_perf_context_print: " + r.reasoningTimings().format());
        err.println("edgellm: reused " + r.reusedTokens() + " cached prompt tokens; stop reason "
                + r.stopReason().name().toLowerCase(java.util.Locale.ROOT));
    }
}
