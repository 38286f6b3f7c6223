package io.edgellm.server;

import io.edgellm.SessionOptions;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of an {@link EdgeLlmServer} (the {@code edgellm serve} flags). Immutable; start from {@link #defaults()}
 * and use the {@code with*} methods.
 *
 * @param host          the address to bind (llama-server's {@code --host}); only this one, default {@code 127.0.0.1}
 * @param port          TCP port ({@code --port}, default 8080); 0 picks a free one ({@link EdgeLlmServer#port()})
 * @param parallel      sequences decoded together ({@code -np}, default 1): choices beyond it wait for a free one
 * @param session       session options of the batch engine: context size of each sequence ({@code -c}), threads ({@code -t}), batch, KV cache
 * @param chatTemplate  Jinja chat template source overriding the model's {@code tokenizer.chat_template}
 *                      ({@code --chat-template FILE}); null = the model's, or the ChatML fallback when it has none
 * @param chatTemplateKwargs extra template variables for every chat request ({@code --chat-template-kwargs}, e.g.
 *                      {@code enable_thinking=false}); a request's {@code chat_template_kwargs} add to them
 * @param modelAlias    the model id reported by {@code /v1/models} and in responses; null = the file name
 * @param maxChoices    the largest {@code n} (choices per request) accepted, default 8
 * @param maxBodyBytes  the largest request body accepted, bytes (default 8 MiB; larger gets 413)
 */
public record ServerOptions(String host, int port, int parallel, SessionOptions session, String chatTemplate,
                            Map<String, Object> chatTemplateKwargs, String modelAlias, int maxChoices, long maxBodyBytes) {

    /**
     * Validates.
     *
     * @throws IllegalArgumentException when a value is out of range
     */
    public ServerOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(session, "session");
        chatTemplateKwargs = chatTemplateKwargs == null ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(chatTemplateKwargs));
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be in [0, 65535], got " + port);
        if (parallel < 1) throw new IllegalArgumentException("-np must be >= 1, got " + parallel);
        if (maxChoices < 1) throw new IllegalArgumentException("maxChoices must be >= 1, got " + maxChoices);
        if (maxBodyBytes < 1) throw new IllegalArgumentException("maxBodyBytes must be >= 1, got " + maxBodyBytes);
    }

    /**
     * Returns 127.0.0.1:8080, one session with {@link SessionOptions#defaults()}, the model's template, n up to 8,
     * bodies up to 8 MiB.
     *
     * @return the defaults
     */
    public static ServerOptions defaults() {
        return new ServerOptions("127.0.0.1", 8080, 1, SessionOptions.defaults(), null, Map.of(), null, 8, 8L << 20);
    }

    /**
     * A copy with {@code host} replaced.
     *
     * @param v the new value
     * @return the modified copy
     */
    public ServerOptions withHost(String v) {
        return new ServerOptions(v, port, parallel, session, chatTemplate, chatTemplateKwargs, modelAlias, maxChoices, maxBodyBytes);
    }

    /**
     * A copy with {@code port} replaced.
     *
     * @param v the new value
     * @return the modified copy
     */
    public ServerOptions withPort(int v) {
        return new ServerOptions(host, v, parallel, session, chatTemplate, chatTemplateKwargs, modelAlias, maxChoices, maxBodyBytes);
    }

    /**
     * A copy with {@code parallel} replaced.
     *
     * @param v the new value
     * @return the modified copy
     */
    public ServerOptions withParallel(int v) {
        return new ServerOptions(host, port, v, session, chatTemplate, chatTemplateKwargs, modelAlias, maxChoices, maxBodyBytes);
    }

    /**
     * A copy with {@code session} replaced.
     *
     * @param v the new value
     * @return the modified copy
     */
    public ServerOptions withSession(SessionOptions v) {
        return new ServerOptions(host, port, parallel, v, chatTemplate, chatTemplateKwargs, modelAlias, maxChoices, maxBodyBytes);
    }

    /**
     * A copy with {@code chatTemplate} replaced.
     *
     * @param v the new value (Jinja source), or null
     * @return the modified copy
     */
    public ServerOptions withChatTemplate(String v) {
        return new ServerOptions(host, port, parallel, session, v, chatTemplateKwargs, modelAlias, maxChoices, maxBodyBytes);
    }

    /**
     * A copy with {@code chatTemplateKwargs} replaced.
     *
     * @param v the new value (copied), or null for none
     * @return the modified copy
     */
    public ServerOptions withChatTemplateKwargs(Map<String, Object> v) {
        return new ServerOptions(host, port, parallel, session, chatTemplate, v, modelAlias, maxChoices, maxBodyBytes);
    }

    /**
     * A copy with {@code modelAlias} replaced.
     *
     * @param v the new value, or null
     * @return the modified copy
     */
    public ServerOptions withModelAlias(String v) {
        return new ServerOptions(host, port, parallel, session, chatTemplate, chatTemplateKwargs, v, maxChoices, maxBodyBytes);
    }

    /**
     * A copy with {@code maxChoices} replaced.
     *
     * @param v the new value
     * @return the modified copy
     */
    public ServerOptions withMaxChoices(int v) {
        return new ServerOptions(host, port, parallel, session, chatTemplate, chatTemplateKwargs, modelAlias, v, maxBodyBytes);
    }

    /**
     * A copy with {@code maxBodyBytes} replaced.
     *
     * @param v the new value
     * @return the modified copy
     */
    public ServerOptions withMaxBodyBytes(long v) {
        return new ServerOptions(host, port, parallel, session, chatTemplate, chatTemplateKwargs, modelAlias, maxChoices, v);
    }
}
