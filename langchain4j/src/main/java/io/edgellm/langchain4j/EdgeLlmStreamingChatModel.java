package io.edgellm.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

/**
 * A LangChain4j {@link StreamingChatModel} over a loaded edgellm {@link io.edgellm.Model}: like
 * {@link EdgeLlmChatModel}, with each piece of text passed to
 * {@link StreamingChatResponseHandler#onPartialResponse(String)} as it is generated (on the calling thread; the call
 * returns after {@code onCompleteResponse} or {@code onError}).
 *
 * <p>Thread-safe: concurrent calls take turns on the one session. Close it to stop the session's threads.
 */
public final class EdgeLlmStreamingChatModel implements StreamingChatModel, AutoCloseable {
    private final ChatEngine engine;

    private EdgeLlmStreamingChatModel(Builder b) {
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
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        ChatResponse response;
        try {
            response = engine.run(request, (id, text) -> {
                if (!text.isEmpty()) handler.onPartialResponse(text);
            });
        } catch (RuntimeException e) {
            handler.onError(e);
            return;
        }
        handler.onCompleteResponse(response);
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

    /** Builder of {@link EdgeLlmStreamingChatModel}. */
    public static final class Builder extends EdgeLlmBuilder<Builder, EdgeLlmStreamingChatModel> {
        private Builder() {
        }

        @Override
        public EdgeLlmStreamingChatModel build() {
            return new EdgeLlmStreamingChatModel(this);
        }
    }
}
