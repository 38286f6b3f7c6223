package io.edgellm.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgellm.chat.ChatMessage;
import io.edgellm.chat.ChatTemplate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code edgellm template}: renders a chat template for a conversation, as Hugging Face's apply_chat_template. */
@Command(name = "template", mixinStandardHelpOptions = true,
        description = {"Render a chat template (Jinja, Hugging Face apply_chat_template semantics) and print the prompt.",
                "--messages is a JSON array of {role, content, ...} or an object {\"messages\": [...], \"tools\": [...]}."})
public final class TemplateCommand implements Callable<Integer> {
    /** Created by picocli. */
    public TemplateCommand() {
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--chat-template-file", required = true, paramLabel = "FILE", description = "the Jinja template")
    Path templateFile;

    @Option(names = "--messages", required = true, paramLabel = "FILE", description = "the conversation (JSON)")
    Path messagesFile;

    @Option(names = "--bos-token", defaultValue = "", paramLabel = "S", description = "bos_token (default empty)")
    String bos;

    @Option(names = "--eos-token", defaultValue = "", paramLabel = "S", description = "eos_token (default empty)")
    String eos;

    @Option(names = "--no-generation-prompt", description = "add_generation_prompt = false")
    boolean noGenerationPrompt;

    @Option(names = "--kwargs", paramLabel = "JSON", description = "extra template variables as a JSON object")
    String kwargs;

    @Override
    @SuppressWarnings("unchecked")
    public Integer call() throws Exception {
        ChatTemplate t = ChatTemplate.of(Files.readString(templateFile, StandardCharsets.UTF_8));
        Object json;
        try {
            json = new ObjectMapper().readValue(messagesFile.toFile(), Object.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(messagesFile + ": not valid JSON: " + e.getOriginalMessage());
        }
        Map<String, Object> vars = new LinkedHashMap<>(ChatSupport.parseKwargs(kwargs));
        List<?> raw;
        if (json instanceof List<?> l) {
            raw = l;
        } else if (json instanceof Map<?, ?> m && m.get("messages") instanceof List<?> l) {
            raw = l;
            if (m.containsKey("tools")) vars.putIfAbsent("tools", m.get("tools"));
        } else {
            throw new IllegalArgumentException(messagesFile + ": expected a JSON array of messages or {\"messages\": [...]}");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (Object o : raw) {
            if (!(o instanceof Map<?, ?> m)) throw new IllegalArgumentException(messagesFile + ": a message is not an object");
            messages.add(ChatMessage.fromMap((Map<String, ?>) m));
        }
        String out = t.render(messages, !noGenerationPrompt, bos, eos, vars);
        spec.commandLine().getOut().print(out);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
