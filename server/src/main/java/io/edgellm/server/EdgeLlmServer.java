package io.edgellm.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgellm.GenerationResult;
import io.edgellm.Model;
import io.edgellm.SamplingParams;
import io.edgellm.SessionOptions;
import io.edgellm.BatchEngine;
import io.edgellm.StopReason;
import io.edgellm.chat.ChatMessage;
import io.edgellm.chat.ChatTemplate;
import io.edgellm.chat.ChatTemplateException;
import io.edgellm.tokenizer.Tokenizer;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI-compatible HTTP server over one loaded {@link Model}, with llama-server's extra endpoints.
 *
 * <table>
 * <caption>endpoints</caption>
 * <tr><th>endpoint</th><th>request</th><th>answer</th></tr>
 * <tr><td>{@code POST /v1/chat/completions}</td><td>{@code messages}, sampling fields, {@code stream}</td>
 *     <td>{@code chat.completion}, or SSE {@code chat.completion.chunk}s ending in {@code data: [DONE]}</td></tr>
 * <tr><td>{@code POST /v1/completions}</td><td>{@code prompt} (string or array of strings), sampling fields</td>
 *     <td>{@code text_completion} (streamed or not)</td></tr>
 * <tr><td>{@code GET /v1/models}</td><td></td><td>the one model</td></tr>
 * <tr><td>{@code GET /health}</td><td></td><td>{@code {"status":"ok"}}</td></tr>
 * <tr><td>{@code POST /tokenize}</td><td>{@code content}, {@code add_special}, {@code parse_special}, {@code with_pieces}</td>
 *     <td>{@code {"tokens":[...]}}</td></tr>
 * <tr><td>{@code POST /detokenize}</td><td>{@code tokens}</td><td>{@code {"content":"..."}}</td></tr>
 * <tr><td>{@code POST /apply-template}</td><td>{@code messages}</td><td>{@code {"prompt":"..."}}</td></tr>
 * </table>
 *
 * <p>Sampling fields: {@code max_tokens} (also {@code max_completion_tokens}, {@code n_predict}; -1 or absent = until
 * an end-of-generation token or the context is full), {@code temperature}, {@code top_p}, {@code top_k},
 * {@code min_p}, {@code repeat_penalty}, {@code seed}, {@code stop}, {@code n} (choices), {@code ignore_eos};
 * absent ones take llama.cpp's defaults ({@link SamplingParams#defaults()}). Other fields are ignored.
 *
 * <p>Concurrency: one {@link BatchEngine} (one KV cache, one thread pool, one decoding loop) with
 * {@link ServerOptions#parallel()} sequences ({@code -np}), each with the context a session of
 * {@link ServerOptions#session()} would have; concurrent requests are decoded together (continuous batching), each
 * choice as one sequence (the {@code n} choices of a non-streamed request together, of a streamed one one after
 * another), and choices beyond {@code -np} wait in arrival order. Tokenization, template and validation run first.
 *
 * <p>Errors are {@code {"error":{"message","type","param","code"}}} with a 4xx status for the client's faults
 * (malformed JSON, wrong field types or ranges, missing {@code messages}, a prompt longer than the context, unknown
 * endpoint, oversized body) and 500 for the server's. A client that goes away during a stream cancels its generation;
 * its session is reset and returned either way.
 *
 * <p>Thread-safe; {@link #close()} stops the web server and the sessions but does not close the model.
 */
public final class EdgeLlmServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeLlmServer.class);
    private static final int MAX_STOP_STRINGS = 16;

    private final Model model;
    private final ServerOptions options;
    private final BatchEngine engine;
    /** Requests generating now (for {@code /health}'s slots). */
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private final ChatTemplate template;
    private final String templateOrigin;
    private final String modelId;
    private final long created = System.currentTimeMillis() / 1000;
    private final ObjectMapper json;
    private final SecureRandom random = new SecureRandom();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicLong disconnects = new AtomicLong();
    private final WebServer web;

    private EdgeLlmServer(Model model, ServerOptions options) {
        this.model = model;
        this.options = options;
        if (options.chatTemplate() != null) {
            template = ChatTemplate.of(options.chatTemplate());
            templateOrigin = "--chat-template";
        } else {
            Optional<ChatTemplate> t = ChatTemplate.fromModel(model);
            template = t.orElseGet(() -> ChatTemplate.of(CHATML));
            templateOrigin = t.isPresent() ? ChatTemplate.GGUF_KEY : "ChatML fallback (the model has no "
                    + ChatTemplate.GGUF_KEY + ")";
        }
        this.modelId = options.modelAlias() != null ? options.modelAlias() : model.path().getFileName().toString();
        this.json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        json.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
        SessionOptions so = options.session();
        int perSequence = so.contextLength() > 0 ? so.contextLength()
                : Math.min(model.config().contextLength(), SessionOptions.DEFAULT_MAX_CONTEXT);
        // one engine, one pool: -np sequences, each with the context a session of these options would have
        this.engine = new BatchEngine(model, so.withContextLength(perSequence * options.parallel()), options.parallel());
        WebServer w;
        try {
            w = WebServer.builder()
                    .host(options.host())
                    .port(options.port())
                    .shutdownHook(false)
                    .routing(this::routes)
                    .build()
                    .start();
        } catch (RuntimeException | Error e) {
            engine.close();
            throw e;
        }
        this.web = w;
        LOG.info("edgellm server listening on http://{}:{} ({} sequence(s) in one batch engine, n_ctx {} each, model {}, chat template: {})",
                options.host(), web.port(), options.parallel(), engine.sequenceContextLength(), modelId, templateOrigin);
    }

    /**
     * Creates the sessions, binds {@link ServerOptions#host()}:{@link ServerOptions#port()} and starts serving.
     *
     * @param model   the model to serve (stays open after {@link #close()}; the caller closes it)
     * @param options host, port, sessions, template, limits
     * @return the running server
     * @throws IllegalArgumentException when the chat template or the session options are unusable
     * @throws RuntimeException         when the address cannot be bound
     */
    public static EdgeLlmServer start(Model model, ServerOptions options) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(options, "options");
        return new EdgeLlmServer(model, options);
    }

    /**
     * The template used when the model has none and none is given: ChatML, as llama-server falls back to
     * ({@code <|im_start|>role\ncontent<|im_end|>\n} per message, then {@code <|im_start|>assistant\n}).
     */
    public static final String CHATML = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + "
            + "message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}"
            + "{{ '<|im_start|>assistant\\n' }}{% endif %}";

    /**
     * Returns the port the server listens on (the actual one when {@link ServerOptions#port()} was 0).
     *
     * @return the TCP port
     */
    public int port() {
        return web.port();
    }

    /**
     * Returns the bound host.
     *
     * @return the host given in the options
     */
    public String host() {
        return options.host();
    }

    /**
     * Returns the model id the server reports ({@code /v1/models}, {@code model} of responses).
     *
     * @return the model id
     */
    public String modelId() {
        return modelId;
    }

    /**
     * Blocks until {@link #close()} is called.
     *
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public void awaitTermination() throws InterruptedException {
        stopped.await();
    }

    /** Stops accepting requests, stops the web server and closes the sessions. */
    @Override
    public void close() {
        try {
            web.stop();
        } finally {
            engine.close();
            stopped.countDown();
        }
    }

    // ---------------------------------------------------------------- routing

    private void routes(HttpRouting.Builder r) {
        r.get("/health", guard(this::health))
                .get("/v1/models", guard(this::models))
                .get("/models", guard(this::models))
                .post("/v1/chat/completions", guard(this::chatCompletions))
                .post("/chat/completions", guard(this::chatCompletions))
                .post("/v1/completions", guard(this::completions))
                .post("/completions", guard(this::completions))
                .post("/tokenize", guard(this::tokenize))
                .post("/detokenize", guard(this::detokenize))
                .post("/apply-template", guard(this::applyTemplate))
                .any(guard((req, res) -> {
                    throw new ApiException(404, "not_found_error", null, "not_found",
                            "unknown endpoint: " + req.prologue().method().text() + " " + req.path().rawPath());
                }));
    }

    private Handler guard(Handler h) {
        return (req, res) -> {
            try {
                h.handle(req, res);
            } catch (ApiException e) {
                sendError(res, e);
            } catch (JsonProcessingException e) {
                sendError(res, ApiException.badRequest(null, "malformed JSON: " + e.getOriginalMessage()
                        + (e.getLocation() != null ? " at line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr() : "")));
            } catch (IllegalArgumentException e) {
                sendError(res, ApiException.badRequest(null, String.valueOf(e.getMessage())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                sendError(res, new ApiException(503, "server_error", null, "unavailable", "the server is stopping"));
            } catch (Exception | StackOverflowError | OutOfMemoryError e) {
                LOG.warn("request {} {} failed", req.prologue().method().text(), req.path().rawPath(), e);
                sendError(res, new ApiException(500, "server_error", null, null,
                        e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "")));
            }
        };
    }

    private void sendError(ServerResponse res, ApiException e) {
        if (e.status() >= 500) LOG.warn("{} {}", e.status(), e.getMessage());
        else LOG.debug("{} {}", e.status(), e.getMessage());
        if (res.isSent()) return;
        sendJson(res, e.status(), errorBody(e));
    }

    private ObjectNode errorBody(ApiException e) {
        ObjectNode err = json.createObjectNode();
        err.put("message", e.getMessage());
        err.put("type", e.type());
        err.put("param", e.param());
        err.put("code", e.code());
        ObjectNode o = json.createObjectNode();
        o.set("error", err);
        return o;
    }

    private void sendJson(ServerResponse res, int status, JsonNode body) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        res.send(bytes);
    }

    private ObjectNode body(ServerRequest req) throws IOException {
        long limit = options.maxBodyBytes();
        if (req.headers().contentLength().isPresent() && req.headers().contentLength().getAsLong() > limit) {
            throw tooLarge(req.headers().contentLength().getAsLong());
        }
        if (!req.content().hasEntity()) {
            throw ApiException.badRequest(null, "the request has no body; a JSON object is expected");
        }
        byte[] bytes;
        try (InputStream in = req.content().inputStream()) {
            bytes = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 16));
        }
        if (bytes.length > limit) throw tooLarge(-1);
        if (bytes.length == 0) throw ApiException.badRequest(null, "the request body is empty; a JSON object is expected");
        JsonNode n = json.readTree(bytes);
        if (!(n instanceof ObjectNode o)) {
            throw ApiException.badRequest(null, "the request body must be a JSON object, got " + Fields.kind(n));
        }
        return o;
    }

    private ApiException tooLarge(long length) {
        return new ApiException(413, "invalid_request_error", null, "request_too_large", "the request body"
                + (length >= 0 ? " (" + length + " bytes)" : "") + " is larger than the limit of "
                + options.maxBodyBytes() + " bytes");
    }

    // ---------------------------------------------------------------- simple endpoints

    private void health(ServerRequest req, ServerResponse res) {
        ObjectNode o = json.createObjectNode();
        o.put("status", "ok");
        o.put("slots_idle", Math.max(0, options.parallel() - inFlight.get()));
        o.put("slots_total", options.parallel());
        sendJson(res, 200, o);
    }

    private void models(ServerRequest req, ServerResponse res) {
        ObjectNode m = json.createObjectNode();
        m.put("id", modelId);
        m.put("object", "model");
        m.put("created", created);
        m.put("owned_by", "edgellm");
        ObjectNode meta = m.putObject("meta");
        meta.put("architecture", model.config().architecture());
        meta.put("n_vocab", model.config().vocabSize());
        meta.put("n_ctx_train", model.config().contextLength());
        meta.put("n_embd", model.config().embeddingLength());
        meta.put("n_ctx", engine.sequenceContextLength());
        ObjectNode o = json.createObjectNode();
        o.put("object", "list");
        o.putArray("data").add(m);
        sendJson(res, 200, o);
    }

    private void tokenize(ServerRequest req, ServerResponse res) throws IOException {
        ObjectNode body = body(req);
        String content = Fields.string(body, "content", null);
        if (content == null) throw ApiException.badRequest("content", "'content' (the text to tokenize) is required");
        boolean addSpecial = Fields.bool(body, "add_special", false);
        boolean parseSpecial = Fields.bool(body, "parse_special", true);
        boolean withPieces = Fields.bool(body, "with_pieces", false);
        Tokenizer tok = model.tokenizer();
        int[] ids = tok.encode(content, addSpecial, parseSpecial);
        ObjectNode o = json.createObjectNode();
        ArrayNode tokens = o.putArray("tokens");
        for (int id : ids) {
            if (withPieces) {
                ObjectNode t = tokens.addObject();
                t.put("id", id);
                t.put("piece", tok.piece(id));
            } else {
                tokens.add(id);
            }
        }
        sendJson(res, 200, o);
    }

    private void detokenize(ServerRequest req, ServerResponse res) throws IOException {
        ObjectNode body = body(req);
        JsonNode t = Fields.get(body, "tokens");
        if (t == null) throw ApiException.badRequest("tokens", "'tokens' (an array of token ids) is required");
        if (!t.isArray()) throw Fields.wrongType("tokens", "an array of token ids", t);
        int[] ids = new int[t.size()];
        int vocab = model.tokenizer().vocabSize();
        for (int i = 0; i < ids.length; i++) {
            JsonNode e = t.get(i);
            if (!e.isIntegralNumber() || !e.canConvertToInt() || e.intValue() < 0 || e.intValue() >= vocab) {
                throw ApiException.badRequest("tokens", "'tokens[" + i + "]' must be a token id in [0, " + vocab
                        + "), got " + e);
            }
            ids[i] = e.intValue();
        }
        ObjectNode o = json.createObjectNode();
        o.put("content", model.tokenizer().decode(ids, false, true));
        sendJson(res, 200, o);
    }

    private void applyTemplate(ServerRequest req, ServerResponse res) throws IOException {
        ObjectNode body = body(req);
        List<ChatMessage> messages = messages(body);
        ObjectNode o = json.createObjectNode();
        o.put("prompt", render(messages, Fields.bool(body, "add_generation_prompt", true), kwargs(body)));
        sendJson(res, 200, o);
    }

    // ---------------------------------------------------------------- parsing

    private List<ChatMessage> messages(ObjectNode body) {
        JsonNode ms = Fields.get(body, "messages");
        if (ms == null) throw ApiException.badRequest("messages", "'messages' is required");
        if (!ms.isArray()) throw Fields.wrongType("messages", "an array of messages", ms);
        if (ms.isEmpty()) throw ApiException.badRequest("messages", "'messages' must not be empty");
        List<ChatMessage> out = new ArrayList<>(ms.size());
        for (int i = 0; i < ms.size(); i++) {
            JsonNode m = ms.get(i);
            String p = "messages[" + i + "]";
            if (!(m instanceof ObjectNode mo)) throw Fields.wrongType(p, "an object", m);
            String role = Fields.string(mo, "role", null);
            if (role == null) throw ApiException.badRequest(p + ".role", "'" + p + ".role' is required");
            Map<String, Object> extra = new LinkedHashMap<>(); // name, tool_calls, tool_call_id ... for the template
            mo.properties().forEach(e -> {
                if (!e.getKey().equals("role") && !e.getKey().equals("content") && !e.getValue().isNull()) {
                    extra.put(e.getKey(), json.convertValue(e.getValue(), Object.class));
                }
            });
            out.add(new ChatMessage(role, content(mo, p + ".content"), extra));
        }
        return out;
    }

    /** A message's content: a string, null (empty), or an array of {@code {"type":"text","text":...}} parts. */
    private static String content(ObjectNode m, String p) {
        JsonNode c = Fields.get(m, "content");
        if (c == null) return "";
        if (c.isTextual()) return c.textValue();
        if (!c.isArray()) throw Fields.wrongType(p, "a string or an array of content parts", c);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < c.size(); i++) {
            JsonNode part = c.get(i);
            String pp = p + "[" + i + "]";
            if (!(part instanceof ObjectNode po)) throw Fields.wrongType(pp, "a content part object", part);
            String type = Fields.string(po, "type", "text");
            if (!type.equals("text")) {
                throw ApiException.badRequest(pp + ".type", "only text content parts are supported, got type '" + type + "'");
            }
            String text = Fields.string(po, "text", null);
            if (text == null) throw ApiException.badRequest(pp + ".text", "'" + pp + ".text' is required");
            sb.append(text);
        }
        return sb.toString();
    }

    /** The sampling, choice and streaming fields shared by both completion endpoints. */
    private record Request(SamplingParams sampling, boolean seeded, int n, boolean stream, boolean includeUsage) {
    }

    private Request request(ObjectNode body) {
        Fields.string(body, "model", null); // any model name is accepted (one model is served), but it must be a string
        int nCtx = engine.sequenceContextLength();
        long maxTokens = -1;
        for (String f : new String[] {"n_predict", "max_tokens", "max_completion_tokens"}) {
            if (Fields.has(body, f)) maxTokens = Fields.integer(body, f, -1, -1, nCtx);
        }
        SamplingParams d = SamplingParams.defaults();
        double temperature = Fields.number(body, "temperature", d.temperature(), -1e6, 1e6);
        double topP = Fields.number(body, "top_p", d.topP(), 0, 1);
        long topK = Fields.integer(body, "top_k", d.topK(), Integer.MIN_VALUE, Integer.MAX_VALUE);
        double minP = Fields.number(body, "min_p", d.minP(), 0, 1);
        double repeatPenalty = Fields.number(body, "repeat_penalty", d.repeatPenalty(), 1e-6, 1e6);
        long repeatLastN = Fields.integer(body, "repeat_last_n", d.repeatLastN(), -1, Integer.MAX_VALUE);
        Fields.number(body, "presence_penalty", 0, -2, 2);  // accepted for compatibility, not applied
        Fields.number(body, "frequency_penalty", 0, -2, 2); // accepted for compatibility, not applied
        long seed = Fields.integer(body, "seed", -1, Long.MIN_VALUE, Long.MAX_VALUE);
        List<String> stop = Fields.strings(body, "stop", MAX_STOP_STRINGS);
        boolean ignoreEos = Fields.bool(body, "ignore_eos", false);
        int n = (int) Fields.integer(body, "n", 1, 1, options.maxChoices());
        boolean stream = Fields.bool(body, "stream", false);
        boolean includeUsage = false;
        JsonNode so = Fields.get(body, "stream_options");
        if (so != null) {
            if (!(so instanceof ObjectNode soo)) throw Fields.wrongType("stream_options", "an object", so);
            includeUsage = Fields.bool(soo, "include_usage", false);
        }
        SamplingParams s = new SamplingParams((float) temperature, (int) topK, (float) topP, (float) minP,
                (float) repeatPenalty, (int) repeatLastN, seed, (int) maxTokens, ignoreEos, stop);
        return new Request(s, seed != -1, n, stream, includeUsage);
    }

    private SamplingParams forChoice(Request r, int i) {
        long seed = r.seeded() ? r.sampling().seed() + i : random.nextLong() & 0xFFFFFFFFL;
        return r.sampling().withSeed(seed);
    }

    /** Tokenizes a prompt as the model's vocabulary asks (BOS), parsing special-token text; checks it fits. */
    int[] promptIds(String prompt, String param) {
        Tokenizer tok = model.tokenizer();
        String text = prompt;
        if (tok.addsBos() && tok.bosId() >= 0) {
            String bos = tok.tokenText(tok.bosId());
            if (!bos.isEmpty() && text.startsWith(bos)) text = text.substring(bos.length()); // the template wrote it
        }
        int[] ids = tok.encode(text, true, true);
        if (ids.length == 0) throw ApiException.badRequest(param, "the prompt is empty");
        int nCtx = engine.sequenceContextLength();
        if (ids.length >= nCtx) {
            throw new ApiException(400, "invalid_request_error", param, "context_length_exceeded", "the prompt is "
                    + ids.length + " tokens but the context (n_ctx) holds " + nCtx
                    + " (at least one position must remain for the answer; start the server with a larger -c)");
        }
        return ids;
    }

    /** The prompt a conversation renders to (what {@code /apply-template} answers). */
    String chatPrompt(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, options.chatTemplateKwargs());
    }

    private String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> kwargs) {
        Tokenizer tok = model.tokenizer();
        String bos = tok.bosId() >= 0 ? tok.tokenText(tok.bosId()) : "";
        String eos = tok.eosId() >= 0 ? tok.tokenText(tok.eosId()) : "";
        try {
            return template.render(messages, addGenerationPrompt, bos, eos, kwargs);
        } catch (ChatTemplateException e) {
            throw new ApiException(400, "invalid_request_error", "messages", "chat_template_error",
                    "the chat template (" + templateOrigin + ") refused the conversation: " + e.getMessage());
        }
    }

    /** The server's template variables plus the request's {@code chat_template_kwargs}. */
    private Map<String, Object> kwargs(ObjectNode body) {
        JsonNode k = Fields.get(body, "chat_template_kwargs");
        if (k == null) return options.chatTemplateKwargs();
        if (!k.isObject()) throw Fields.wrongType("chat_template_kwargs", "an object", k);
        Map<String, Object> m = new LinkedHashMap<>(options.chatTemplateKwargs());
        k.properties().forEach(e -> m.put(e.getKey(), json.convertValue(e.getValue(), Object.class)));
        return m;
    }

    // ---------------------------------------------------------------- completions

    private void chatCompletions(ServerRequest req, ServerResponse res) throws Exception {
        ObjectNode body = body(req);
        List<ChatMessage> messages = messages(body);
        Request r = request(body);
        int[] ids = promptIds(render(messages, true, kwargs(body)), "messages");
        List<String> stops = new ArrayList<>(r.sampling().stopStrings());
        for (String s : template.stopStrings()) if (!stops.contains(s)) stops.add(s); // the template's end-of-turn text
        r = new Request(r.sampling().withStopStrings(stops), r.seeded(), r.n(), r.stream(), r.includeUsage());
        generate(res, r, List.of(ids), true);
    }

    private void completions(ServerRequest req, ServerResponse res) throws Exception {
        ObjectNode body = body(req);
        JsonNode p = Fields.get(body, "prompt");
        if (p == null) throw ApiException.badRequest("prompt", "'prompt' is required");
        List<String> prompts = new ArrayList<>();
        if (p.isTextual()) {
            prompts.add(p.textValue());
        } else if (p.isArray() && !p.isEmpty()) {
            for (JsonNode e : p) {
                if (!e.isTextual()) throw Fields.wrongType("prompt", "a string or an array of strings", p);
                prompts.add(e.textValue());
            }
        } else {
            throw Fields.wrongType("prompt", "a string or a non-empty array of strings", p);
        }
        Request r = request(body);
        if ((long) prompts.size() * r.n() > options.maxChoices()) {
            throw ApiException.badRequest("n", prompts.size() + " prompts x n " + r.n() + " = "
                    + (long) prompts.size() * r.n() + " choices, more than the limit of " + options.maxChoices());
        }
        List<int[]> ids = new ArrayList<>();
        for (String s : prompts) ids.add(promptIds(s, "prompt"));
        generate(res, r, ids, false);
    }

    /** Runs every (prompt, choice) on one leased session and answers, streamed or not. */
    private void generate(ServerResponse res, Request r, List<int[]> prompts, boolean isChat) throws Exception {
        String id = (isChat ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
        long now = System.currentTimeMillis() / 1000;
        int choices = prompts.size() * r.n();
        boolean clientGone = false;
        boolean released = false;
        inFlight.incrementAndGet();
        try {
            if (!r.stream()) {
                List<BatchEngine.Request> running = new ArrayList<>();   // all choices decode together
                try {
                    for (int c = 0; c < choices; c++) {
                        running.add(engine.submit(prompts.get(c / r.n()), forChoice(r, c % r.n()), null));
                    }
                    List<GenerationResult> results = new ArrayList<>();
                    for (BatchEngine.Request q : running) results.add(await(q));
                    ObjectNode body = completion(id, now, isChat, results, prompts);
                    // the slot is free once every choice has finished: release it before the reply is written, so a
                    // client that reads /health right after its reply sees it idle (the streamed path likewise
                    // releases it before its last chunks)
                    inFlight.decrementAndGet();
                    released = true;
                    sendJson(res, 200, body);
                } finally {
                    for (BatchEngine.Request q : running) q.cancel();        // no-op when finished
                }
                return;
            }
            res.status(200);
            res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            res.header(HeaderNames.CACHE_CONTROL, "no-cache");
            try (OutputStream os = res.outputStream()) {
                Sse sse = new Sse(os);
                List<GenerationResult> results = new ArrayList<>();
                try {
                    for (int c = 0; c < choices && !sse.gone; c++) {
                        int index = c;
                        if (isChat) {
                            ObjectNode delta = json.createObjectNode();
                            delta.put("role", "assistant");
                            delta.put("content", "");
                            sse.send(chunk(id, now, true, index, delta, null));
                        }
                        // the loop thread only queues text; this thread writes it, so a slow client slows only itself
                        java.util.concurrent.LinkedBlockingQueue<String> pieces = new java.util.concurrent.LinkedBlockingQueue<>();
                        BatchEngine.Request q = engine.submit(prompts.get(c / r.n()), forChoice(r, c % r.n()),
                                (tok, text) -> { if (!text.isEmpty()) pieces.add(text); });
                        q.result().whenComplete((v, t) -> pieces.add(END_OF_STREAM));
                        try {
                            for (String text; (text = pieces.take()) != END_OF_STREAM; ) {
                                if (sse.gone) continue;
                                sse.send(chunk(id, now, isChat, index, text, null));
                                if (sse.gone) q.cancel();
                            }
                        } finally {
                            q.cancel();
                        }
                        GenerationResult g = await(q);
                        results.add(g);
                        if (sse.gone) break;
                        ObjectNode fin = chunk(id, now, isChat, index, isChat ? json.createObjectNode() : "",
                                finishReason(g.stopReason()));
                        if (c == choices - 1) fin.set("timings", timings(results));
                        sse.send(fin);
                    }
                    inFlight.decrementAndGet();   // every choice has finished: the slot is free (as unstreamed)
                    released = true;
                    if (r.includeUsage() && !sse.gone) {
                        ObjectNode u = envelope(id, now, isChat ? "chat.completion.chunk" : "text_completion");
                        u.putArray("choices");
                        u.set("usage", usage(results, prompts));
                        sse.send(u);
                    }
                    if (!sse.gone) sse.raw("data: [DONE]\n\n");
                } catch (RuntimeException e) {
                    LOG.warn("stream {} failed", id, e);
                    if (!sse.gone) sse.send(errorBody(new ApiException(500, "server_error", null, null, String.valueOf(e.getMessage()))));
                }
                clientGone = sse.gone;
            } catch (IOException | RuntimeException e) {
                clientGone = true; // closing the stream failed: the client is gone
            }
        } finally {
            if (!released) {
                inFlight.decrementAndGet();
            }
        }
        if (clientGone) {
            disconnects.incrementAndGet();
            LOG.info("{}: the client disconnected during the stream; generation cancelled, its sequence freed", id);
        }
    }

    /** Marks the end of one choice's streamed text (compared by identity). */
    @SuppressWarnings("StringOperationCanBeSimplified")
    private static final String END_OF_STREAM = new String("");

    /** The result of a request; its failure is rethrown as it was raised on the loop thread. */
    private static GenerationResult await(BatchEngine.Request q) {
        try {
            return q.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    /** Streams that ended because the client went away (tests). */
    long disconnects() {
        return disconnects.get();
    }

    /** Server-sent events over the response stream; a failed write marks the client gone. */
    private final class Sse {
        private final OutputStream os;
        volatile boolean gone;

        Sse(OutputStream os) {
            this.os = os;
        }

        void send(JsonNode event) {
            try {
                raw("data: " + json.writeValueAsString(event) + "\n\n");
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        void raw(String s) {
            if (gone) return;
            try {
                os.write(s.getBytes(StandardCharsets.UTF_8));
                os.flush();
            } catch (IOException | RuntimeException e) {
                gone = true;
            }
        }
    }

    private ObjectNode envelope(String id, long now, String object) {
        ObjectNode o = json.createObjectNode();
        o.put("id", id);
        o.put("object", object);
        o.put("created", now);
        o.put("model", modelId);
        o.put("system_fingerprint", "edgellm");
        return o;
    }

    /**
     * One streamed chunk.
     *
     * @param delta the chat {@code delta} object, or a String: the text (a chat delta's {@code content}, or a text
     *              completion's {@code text})
     */
    private ObjectNode chunk(String id, long now, boolean isChat, int index, Object delta, String finish) {
        ObjectNode o = envelope(id, now, isChat ? "chat.completion.chunk" : "text_completion");
        ObjectNode c = o.putArray("choices").addObject();
        c.put("index", index);
        if (isChat && delta instanceof ObjectNode d) {
            c.set("delta", d);
        } else if (isChat) {
            c.putObject("delta").put("content", (String) delta);
        } else {
            c.put("text", (String) delta);
        }
        c.putNull("logprobs");
        c.put("finish_reason", finish);
        return o;
    }

    private ObjectNode completion(String id, long now, boolean isChat, List<GenerationResult> results, List<int[]> prompts) {
        ObjectNode o = envelope(id, now, isChat ? "chat.completion" : "text_completion");
        ArrayNode cs = o.putArray("choices");
        for (int i = 0; i < results.size(); i++) {
            GenerationResult g = results.get(i);
            ObjectNode c = cs.addObject();
            c.put("index", i);
            if (isChat) {
                ObjectNode m = c.putObject("message");
                m.put("role", "assistant");
                m.put("content", g.text());
            } else {
                c.put("text", g.text());
            }
            c.putNull("logprobs");
            c.put("finish_reason", finishReason(g.stopReason()));
        }
        o.set("usage", usage(results, prompts));
        o.set("timings", timings(results));
        return o;
    }

    private static String finishReason(StopReason r) {
        return switch (r) {
            case END_OF_GENERATION, STOP_STRING, CANCELLED -> "stop";
            case MAX_TOKENS, CONTEXT_FULL -> "length";
        };
    }

    private ObjectNode usage(List<GenerationResult> results, List<int[]> prompts) {
        long promptTokens = 0, completionTokens = 0;
        for (int[] p : prompts) promptTokens += p.length;
        for (GenerationResult g : results) completionTokens += g.generatedIds().length;
        ObjectNode u = json.createObjectNode();
        u.put("prompt_tokens", promptTokens);
        u.put("completion_tokens", completionTokens);
        u.put("total_tokens", promptTokens + completionTokens);
        return u;
    }

    /** llama-server's {@code timings}, summed over the choices. */
    private ObjectNode timings(List<GenerationResult> results) {
        long promptN = 0, predictedN = 0;
        double promptMs = 0, predictedMs = 0;
        for (GenerationResult g : results) {
            promptN += g.timings().promptTokens();
            promptMs += g.timings().promptEvalMs();
            predictedN += g.timings().generatedTokens();
            predictedMs += g.timings().evalMs() + g.timings().sampleMs();
        }
        ObjectNode t = json.createObjectNode();
        t.put("prompt_n", promptN);
        t.put("prompt_ms", promptMs);
        t.put("prompt_per_token_ms", promptN > 0 ? promptMs / promptN : 0);
        t.put("prompt_per_second", promptMs > 0 ? promptN * 1000.0 / promptMs : 0);
        t.put("predicted_n", predictedN);
        t.put("predicted_ms", predictedMs);
        t.put("predicted_per_token_ms", predictedN > 0 ? predictedMs / predictedN : 0);
        t.put("predicted_per_second", predictedMs > 0 ? predictedN * 1000.0 / predictedMs : 0);
        return t;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "EdgeLlmServer[http://%s:%d, %s, %d session(s)]", options.host(), port(),
                modelId, options.parallel());
    }
}
