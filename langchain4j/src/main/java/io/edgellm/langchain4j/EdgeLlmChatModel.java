package io.edgellm.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

/**
 * A LangChain4j {@link ChatModel} over a loaded edgellm {@link io.edgellm.Model}: the conversation is rendered with
 * the chat template (the builder's, else the GGUF's {@code tokenizer.chat_template}, else ChatML), generated on one
 * session and answered with the text, token usage and finish reason.
 *
 * <pre>{@code
 * try (Model model = Model.load(Path.of("model.gguf"));
 *      EdgeLlmChatModel chat = EdgeLlmChatModel.builder().model(model).temperature(0).maxTokens(64).build()) {
 *     System.out.println(chat.chat("Tell me a story."));
 * }
 * }</pre>
 *
 * <p>Text messages only (system, user, assistant, tool results); tools and images raise
 * {@link dev.langchain4j.exception.UnsupportedFeatureException}. Thread-safe: concurrent calls take turns on the
 * one session. Close it to stop the session's threads (the model stays open).
 */
public final class EdgeLlmChatModel implements ChatModel, AutoCloseable {
    private final ChatEngine engine;

    private EdgeLlmChatModel(Builder b) {
        engine = new ChatEngine(b);
    }

    /**
     * Returns a new builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        return engine.run(request, null);
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    /** Stops the session's threads. */
    @Override
    public void close() {
        engine.close();
    }

    /** Builder of {@link EdgeLlmChatModel}. */
    public static final class Builder extends EdgeLlmBuilder<Builder, EdgeLlmChatModel> {
        private Builder() {
        }

        @Override
        public EdgeLlmChatModel build() {
            return new EdgeLlmChatModel(this);
        }
    }
}
