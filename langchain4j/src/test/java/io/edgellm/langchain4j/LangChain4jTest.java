package io.edgellm.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import io.edgellm.GenerationResult;
import io.edgellm.Model;
import io.edgellm.SamplingParams;
import io.edgellm.Session;
import io.edgellm.SessionOptions;
import io.edgellm.server.EdgeLlmServer;
import io.edgellm.server.ServerOptions;
import io.edgellm.testing.SharedData;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * EdgeLlmChatModel / EdgeLlmStreamingChatModel on TinyStories-656K (no chat template: ChatML), checked against the
 * engine; and langchain4j's own OpenAI client (OpenAiChatModel, OpenAiStreamingChatModel) talking to an in-process
 * {@code edgellm serve} on loopback, which must give the same greedy answer.
 */
class LangChain4jTest {
    static Model model;
    static EdgeLlmServer server;
    static final String QUESTION = "Once upon a time";

    @BeforeAll
    static void load() throws Exception {
        model = Model.load(SharedData.path("models/TinyStories-656K-Q8_0.gguf"));
        server = EdgeLlmServer.start(model, ServerOptions.defaults().withPort(0)
                .withSession(SessionOptions.defaults().withThreads(1)));
    }

    @AfterAll
    static void close() {
        if (server != null) server.close();
        if (model != null) model.close();
    }

    static EdgeLlmChatModel direct() {
        return EdgeLlmChatModel.builder().model(model).temperature(0).maxTokens(24)
                .sessionOptions(SessionOptions.defaults().withThreads(1)).build();
    }

    @Test
    void chatModelAnswersAsTheEngine() {
        try (EdgeLlmChatModel chat = direct()) {
            ChatResponse r = chat.chat(SystemMessage.from("Be kind."), UserMessage.from(QUESTION));
            String prompt = "<|im_start|>system\nBe kind.<|im_end|>\n<|im_start|>user\n" + QUESTION
                    + "<|im_end|>\n<|im_start|>assistant\n";
            int[] ids = model.tokenizer().encode(prompt, true, true);
            GenerationResult g;
            try (Session s = model.newSession(SessionOptions.defaults().withThreads(1))) {
                g = s.generate(ids, SamplingParams.greedy().withMaxNewTokens(24).withStopStrings(List.of("<|im_end|>")), null);
            }
            assertEquals(g.text(), r.aiMessage().text());
            assertFalse(g.text().isBlank());
            assertEquals(FinishReason.LENGTH, r.finishReason());
            assertEquals(ids.length, r.tokenUsage().inputTokenCount());
            assertEquals(24, r.tokenUsage().outputTokenCount());
            assertEquals("TinyStories-656K-Q8_0.gguf", r.metadata().modelName());
            // a request's parameters override the builder's
            ChatResponse shorter = chat.chat(dev.langchain4j.model.chat.request.ChatRequest.builder()
                    .messages(UserMessage.from(QUESTION)).maxOutputTokens(5).build());
            assertEquals(5, shorter.tokenUsage().outputTokenCount());
            assertThrows(UnsupportedFeatureException.class, () -> chat.chat(UserMessage.from(
                    ImageContent.from("http://127.0.0.1/x.png"))));
        }
    }

    @Test
    void streamingModelGivesTheSameText() throws Exception {
        String whole;
        try (EdgeLlmChatModel chat = direct()) {
            whole = chat.chat(QUESTION);
        }
        try (EdgeLlmStreamingChatModel chat = EdgeLlmStreamingChatModel.builder().model(model).temperature(0)
                .maxTokens(24).sessionOptions(SessionOptions.defaults().withThreads(1)).build()) {
            Collected c = stream(chat, QUESTION);
            assertEquals(whole, c.text.toString());
            assertEquals(whole, c.response.aiMessage().text());
            assertTrue(c.parts > 3, "several partial responses: " + c.parts);
        }
    }

    @Test
    void openAiClientTalksToEdgellmServe() throws Exception {
        String expected;
        try (EdgeLlmChatModel chat = direct()) {
            expected = chat.chat(QUESTION);
        }
        String base = "http://127.0.0.1:" + server.port() + "/v1";
        ChatModel openai = OpenAiChatModel.builder().baseUrl(base).apiKey("none").modelName("tinystories")
                .temperature(0.0).maxTokens(24).timeout(Duration.ofSeconds(60)).maxRetries(0).build();
        ChatResponse r = openai.chat(UserMessage.from(QUESTION));
        assertEquals(expected, r.aiMessage().text());
        assertEquals(24, r.tokenUsage().outputTokenCount());
        assertEquals(FinishReason.LENGTH, r.finishReason());

        StreamingChatModel streaming = OpenAiStreamingChatModel.builder().baseUrl(base).apiKey("none")
                .modelName("tinystories").temperature(0.0).maxTokens(24).timeout(Duration.ofSeconds(60)).build();
        Collected c = stream(streaming, QUESTION);
        assertEquals(expected, c.text.toString());
        assertEquals(expected, c.response.aiMessage().text());
        assertTrue(c.parts > 3, "several partial responses: " + c.parts);
    }

    /** What a streaming call delivered. */
    static final class Collected {
        final StringBuilder text = new StringBuilder();
        int parts;
        ChatResponse response;
    }

    static Collected stream(StreamingChatModel m, String question) throws Exception {
        Collected c = new Collected();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        m.chat(question, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                synchronized (c) {
                    c.text.append(partial);
                    c.parts++;
                }
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        c.response = done.get(120, TimeUnit.SECONDS);
        return c;
    }
}
