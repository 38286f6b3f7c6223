package io.edgellm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgellm.SessionOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile and malformed requests: each gets an OpenAI-shaped 4xx naming the fault, and afterwards the server (one
 * session, so a leaked session would block everything) still answers {@code /health} and a real completion.
 */
class HostileRequestTest {
    static ServerFixture f;
    static final String MSG = "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]";

    @BeforeAll
    static void start() throws Exception {
        f = new ServerFixture(ServerOptions.defaults().withSession(SessionOptions.defaults().withThreads(1))
                .withParallel(1).withMaxChoices(4).withMaxBodyBytes(64 * 1024));
    }

    @AfterAll
    static void stop() {
        if (f != null) f.close();
    }

    @AfterEach
    void stillServing() throws Exception {
        assertEquals(200, f.get("/health").status());
        ServerFixture.Reply r = f.post("/v1/chat/completions", "{" + MSG + ",\"max_tokens\":4,\"temperature\":0}");
        assertEquals(200, r.status(), r.body());
        assertEquals(4, r.json().get("usage").get("completion_tokens").asInt());
    }

    static String longPrompt() {
        return "Once upon a time there was a little dog. ".repeat(120); // ~ 1000 tokens, n_ctx is 512
    }

    static Stream<Arguments> badRequests() {
        String chat = "/v1/chat/completions";
        return Stream.of(
                Arguments.of("malformed JSON", chat, "{\"messages\": [", 400, null),
                Arguments.of("trailing garbage", chat, "{" + MSG + "} {}", 400, null),
                Arguments.of("not an object", chat, "[1,2,3]", 400, null),
                Arguments.of("empty body", chat, "", 400, null),
                Arguments.of("deep nesting", chat, "[".repeat(5000) + "]".repeat(5000), 400, null),
                Arguments.of("missing messages", chat, "{\"max_tokens\":4}", 400, "messages"),
                Arguments.of("messages not an array", chat, "{\"messages\":\"hello\"}", 400, "messages"),
                Arguments.of("empty messages", chat, "{\"messages\":[]}", 400, "messages"),
                Arguments.of("message not an object", chat, "{\"messages\":[42]}", 400, "messages[0]"),
                Arguments.of("message without role", chat, "{\"messages\":[{\"content\":\"x\"}]}", 400, "messages[0].role"),
                Arguments.of("content a number", chat, "{\"messages\":[{\"role\":\"user\",\"content\":5}]}", 400, "messages[0].content"),
                Arguments.of("image content part", chat, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]}", 400, "messages[0].content[0].type"),
                Arguments.of("temperature a string", chat, "{" + MSG + ",\"temperature\":\"hot\"}", 400, "temperature"),
                Arguments.of("max_tokens a float", chat, "{" + MSG + ",\"max_tokens\":1.5}", 400, "max_tokens"),
                Arguments.of("max_tokens huge", chat, "{" + MSG + ",\"max_tokens\":100000000}", 400, "max_tokens"),
                Arguments.of("max_tokens below -1", chat, "{" + MSG + ",\"max_tokens\":-5}", 400, "max_tokens"),
                Arguments.of("max_tokens beyond long", chat, "{" + MSG + ",\"max_tokens\":123456789012345678901234567890}", 400, "max_tokens"),
                Arguments.of("stream a string", chat, "{" + MSG + ",\"stream\":\"yes\"}", 400, "stream"),
                Arguments.of("stop a number", chat, "{" + MSG + ",\"stop\":5}", 400, "stop"),
                Arguments.of("too many stops", chat, "{" + MSG + ",\"stop\":[" + "\"a\",".repeat(40) + "\"b\"]}", 400, "stop"),
                Arguments.of("top_p out of range", chat, "{" + MSG + ",\"top_p\":7}", 400, "top_p"),
                Arguments.of("seed a string", chat, "{" + MSG + ",\"seed\":\"42\"}", 400, "seed"),
                Arguments.of("n zero", chat, "{" + MSG + ",\"n\":0}", 400, "n"),
                Arguments.of("n beyond the limit", chat, "{" + MSG + ",\"n\":1000}", 400, "n"),
                Arguments.of("model a number", chat, "{" + MSG + ",\"model\":7}", 400, "model"),
                Arguments.of("chat prompt longer than the context", chat, "{\"messages\":[{\"role\":\"user\",\"content\":\""
                        + longPrompt() + "\"}]}", 400, "messages"),
                Arguments.of("completion prompt longer than the context", "/v1/completions",
                        "{\"prompt\":\"" + longPrompt() + "\",\"stream\":true}", 400, "prompt"),
                Arguments.of("completion without prompt", "/v1/completions", "{\"max_tokens\":3}", 400, "prompt"),
                Arguments.of("completion prompt an object", "/v1/completions", "{\"prompt\":{}}", 400, "prompt"),
                Arguments.of("prompts x n beyond the limit", "/v1/completions", "{\"prompt\":[\"a\",\"b\",\"c\"],\"n\":2}", 400, "n"),
                Arguments.of("tokenize without content", "/tokenize", "{}", 400, "content"),
                Arguments.of("detokenize out-of-range id", "/detokenize", "{\"tokens\":[1,99999]}", 400, "tokens"),
                Arguments.of("detokenize a string", "/detokenize", "{\"tokens\":\"1 2\"}", 400, "tokens"),
                Arguments.of("apply-template without messages", "/apply-template", "{}", 400, "messages"),
                Arguments.of("body over the limit", chat, "{\"messages\":[{\"role\":\"user\",\"content\":\""
                        + "x".repeat(70 * 1024) + "\"}]}", 413, null),
                Arguments.of("unknown endpoint", "/v1/embeddings", "{}", 404, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void badRequestGetsAnOpenAiError(String name, String path, String body, int status, String param) throws Exception {
        ServerFixture.Reply r = f.post(path, body);
        assertEquals(status, r.status(), name + ": " + r.body());
        assertTrue(r.contentType().startsWith("application/json"), r.contentType());
        JsonNode e = r.json().get("error");
        assertTrue(e.get("message").isTextual() && !e.get("message").asText().isBlank(), r.body());
        assertEquals(status == 404 ? "not_found_error" : "invalid_request_error", e.get("type").asText());
        assertTrue(e.has("param") && e.has("code"), r.body());
        if (param != null) assertEquals(param, e.get("param").asText(), r.body());
        if (name.contains("longer than the context")) assertEquals("context_length_exceeded", e.get("code").asText());
    }

    @Test
    void unknownMethodAndPath() throws Exception {
        ServerFixture.Reply r = f.get("/v1/chat/completions");
        assertEquals(404, r.status());
        assertTrue(r.json().get("error").get("message").asText().contains("GET /v1/chat/completions"), r.body());
        assertEquals(404, f.get("/nope/../../etc/passwd").status());
        HttpResponse<String> d = f.http.send(HttpRequest.newBuilder(f.uri("/health")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, d.statusCode());
    }

    @Test
    void wrongFieldTypesInsideStreamOptions() throws Exception {
        ServerFixture.Reply r = f.post("/v1/chat/completions", "{" + MSG + ",\"stream\":true,\"stream_options\":[]}");
        assertEquals(400, r.status());
        assertEquals("stream_options", r.json().get("error").get("param").asText());
    }

    @Test
    void invalidUtf8Body() throws Exception {
        byte[] body = "{\"messages\":[{\"role\":\"user\",\"content\":\"\u00ff\"}]}".getBytes(StandardCharsets.ISO_8859_1);
        HttpResponse<String> r = f.http.send(HttpRequest.newBuilder(f.uri("/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, r.statusCode(), r.body());
    }

    /** A client reads the first chunk of a long stream and hangs up: the generation stops and the session returns. */
    @Test
    void clientDisconnectMidStreamFreesTheSession() throws Exception {
        long before = f.server.disconnects();
        String body = "{" + MSG + ",\"stream\":true,\"max_tokens\":-1,\"ignore_eos\":true,\"n\":4}";
        URI u = f.uri("/v1/chat/completions");
        try (Socket s = new Socket(u.getHost(), u.getPort())) {
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder seen = new StringBuilder();
            while (!seen.toString().contains("data: ")) {
                int c = in.read();
                if (c < 0) break;
                seen.append((char) c);
            }
            assertTrue(seen.toString().startsWith("HTTP/1.1 200"), seen.toString());
        } // closed with unread data: the server's next writes fail
        // 4 choices x ~510 tokens would take a while; the server notices the hang-up and cancels
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (f.server.disconnects() == before && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(before + 1, f.server.disconnects(), "the server noticed the disconnect");
        assertEquals(1, f.get("/health").json().get("slots_idle").asInt());
    }
}
