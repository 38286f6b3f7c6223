package io.edgellm.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import io.edgellm.GenerationListener;
import io.edgellm.GenerationResult;
import io.edgellm.Model;
import io.edgellm.SamplingParams;
import io.edgellm.Session;
import io.edgellm.chat.ChatTemplate;
import io.edgellm.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/** The part both chat models share: messages to prompt through the template, one session, one request at a time. */
final class ChatEngine implements AutoCloseable {
    /** ChatML, used when neither the builder nor the model gives a template. */
    static final String CHATML = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + "
            + "message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}"
            + "{{ '<|im_start|>assistant\\n' }}{% endif %}";

    final Model model;
    final ChatTemplate template;
    final Map<String, Object> kwargs;
    final SamplingParams defaults;
    final String modelName;
    private final Session session;

    ChatEngine(EdgeLlmBuilder<?, ?> b) {
        model = Objects.requireNonNull(b.model, "model (builder().model(...)) is required");
        template = b.chatTemplate != null ? ChatTemplate.of(b.chatTemplate)
                : ChatTemplate.fromModel(model).orElseGet(() -> ChatTemplate.of(CHATML));
        kwargs = Map.copyOf(b.chatTemplateKwargs);
        defaults = b.sampling;
        modelName = b.modelName != null ? b.modelName : model.path().getFileName().toString();
        session = model.newSession(b.sessionOptions);
    }

    /** langchain4j messages as template messages. */
    static List<io.edgellm.chat.ChatMessage> messages(List<ChatMessage> in) {
        List<io.edgellm.chat.ChatMessage> out = new ArrayList<>();
        for (ChatMessage m : in) {
            out.add(switch (m) {
                case SystemMessage s -> io.edgellm.chat.ChatMessage.system(s.text());
                case UserMessage u -> io.edgellm.chat.ChatMessage.user(userText(u));
                case AiMessage a -> {
                    if (a.hasToolExecutionRequests()) {
                        throw new UnsupportedFeatureException("edgellm: tool calls are not supported");
                    }
                    yield io.edgellm.chat.ChatMessage.assistant(a.text() == null ? "" : a.text());
                }
                case ToolExecutionResultMessage t -> new io.edgellm.chat.ChatMessage("tool", t.text());
                default -> throw new UnsupportedFeatureException("edgellm: unsupported message type " + m.type());
            });
        }
        return out;
    }

    private static String userText(UserMessage u) {
        StringBuilder sb = new StringBuilder();
        for (Content c : u.contents()) {
            if (!(c instanceof TextContent t)) {
                throw new UnsupportedFeatureException("edgellm: only text content is supported, got " + c.type());
            }
            sb.append(t.text());
        }
        return sb.toString();
    }

    /** The default sampling with the request's parameters applied. */
    SamplingParams sampling(ChatRequestParameters p) {
        SamplingParams s = defaults;
        if (p == null) return s.withStopStrings(withTemplateStops(s.stopStrings()));
        if (p.toolSpecifications() != null && !p.toolSpecifications().isEmpty()) {
            throw new UnsupportedFeatureException("edgellm: tools are not supported");
        }
        if (p.temperature() != null) s = s.withTemperature(p.temperature().floatValue());
        if (p.topP() != null) s = s.withTopP(p.topP().floatValue());
        if (p.topK() != null) s = s.withTopK(p.topK());
        if (p.maxOutputTokens() != null) s = s.withMaxNewTokens(p.maxOutputTokens());
        if (p.stopSequences() != null && !p.stopSequences().isEmpty()) s = s.withStopStrings(p.stopSequences());
        return s.withStopStrings(withTemplateStops(s.stopStrings()));
    }

    private List<String> withTemplateStops(List<String> stops) {
        List<String> all = new ArrayList<>(stops);
        for (String t : template.stopStrings()) if (!all.contains(t)) all.add(t);
        return all;
    }

    /** The prompt token ids of a conversation (BOS as the vocabulary asks, not doubled). */
    int[] promptIds(List<ChatMessage> messages) {
        Tokenizer tok = model.tokenizer();
        String bos = tok.bosId() >= 0 ? tok.tokenText(tok.bosId()) : "";
        String eos = tok.eosId() >= 0 ? tok.tokenText(tok.eosId()) : "";
        String prompt = template.render(messages(messages), true, bos, eos, kwargs);
        if (tok.addsBos() && !bos.isEmpty() && prompt.startsWith(bos)) prompt = prompt.substring(bos.length());
        return tok.encode(prompt, true, true);
    }

    /** Runs one request on the session (requests from several threads take turns). */
    ChatResponse run(ChatRequest request, GenerationListener listener) {
        int[] ids = promptIds(request.messages());
        SamplingParams s = sampling(request.parameters());
        GenerationResult r;
        synchronized (session) {
            session.reset();
            r = session.generate(ids, s, listener);
        }
        FinishReason finish = switch (r.stopReason()) {
            case MAX_TOKENS, CONTEXT_FULL -> FinishReason.LENGTH;
            case END_OF_GENERATION, STOP_STRING -> FinishReason.STOP;
            case CANCELLED -> FinishReason.OTHER;
        };
        return ChatResponse.builder()
                .aiMessage(AiMessage.from(r.text()))
                .id("edgellm-" + UUID.randomUUID())
                .modelName(modelName)
                .tokenUsage(new TokenUsage(ids.length, r.generatedIds().length))
                .finishReason(finish)
                .build();
    }

    @Override
    public void close() {
        synchronized (session) {
            session.close();
        }
    }
}
