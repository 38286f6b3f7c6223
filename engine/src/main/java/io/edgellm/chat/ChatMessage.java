package io.edgellm.chat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One message of a conversation, as a chat template sees it: {@code {"role": ..., "content": ..., ...extra}}.
 *
 * <p>{@code role} is usually {@code system}, {@code user}, {@code assistant} or {@code tool}. {@code content} may be
 * {@code null}, which means the message has <em>no</em> {@code content} key (the form of an assistant message that only
 * carries {@code tool_calls}); templates that concatenate {@code message.content} then raise, as under Hugging Face.
 * {@code extra} holds further fields passed to the template unchanged and in order: {@code tool_calls},
 * {@code tool_call_id}, {@code name}, {@code reasoning_content}, ... Values are Strings, Numbers, Booleans,
 * {@code null}, {@code List}s and {@code Map}s (JSON-like).
 *
 * @param role    the speaker; never null
 * @param content the text; null for "no content key"
 * @param extra   further template-visible fields (copied, insertion order kept); never null
 */
public record ChatMessage(String role, String content, Map<String, Object> extra) {

    /**
     * Checks and copies the fields.
     *
     * @throws NullPointerException when {@code role} or {@code extra} is null
     * @throws IllegalArgumentException when {@code extra} repeats {@code role} or {@code content}
     */
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(extra, "extra");
        if (extra.containsKey("role") || extra.containsKey("content")) {
            throw new IllegalArgumentException("extra fields must not repeat 'role' or 'content'");
        }
        extra = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    /**
     * A message with only a role and a content.
     *
     * @param role    the speaker
     * @param content the text
     */
    public ChatMessage(String role, String content) {
        this(role, content, Map.of());
    }

    /**
     * A {@code system} message.
     *
     * @param content the text
     * @return the message
     */
    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    /**
     * A {@code user} message.
     *
     * @param content the text
     * @return the message
     */
    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    /**
     * An {@code assistant} message.
     *
     * @param content the text
     * @return the message
     */
    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }

    /**
     * Builds a message from a JSON-like map (e.g. one element of an OpenAI {@code messages} array): {@code role} and
     * {@code content} are taken out, every other key goes to {@link #extra()}.
     *
     * @param map the message object; must have a String {@code role}; {@code content} absent or null means no content
     * @return the message
     * @throws IllegalArgumentException when {@code role} is missing or not a String, or {@code content} is present but
     *                                  neither a String nor null
     */
    public static ChatMessage fromMap(Map<String, ?> map) {
        if (!(map.get("role") instanceof String role)) {
            throw new IllegalArgumentException("message has no string 'role': " + map.keySet());
        }
        Object c = map.get("content");
        if (c != null && !(c instanceof String)) {
            throw new IllegalArgumentException("message 'content' must be a string or null, got "
                    + c.getClass().getSimpleName());
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (!k.equals("role") && !k.equals("content")) extra.put(k, v);
        });
        return new ChatMessage(role, (String) c, extra);
    }

    /**
     * The message as the template sees it: {@code role}, then {@code content} (absent when null), then the extra
     * fields, in that order.
     *
     * @return a new mutable map
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        if (content != null) m.put("content", content);
        m.putAll(extra);
        return m;
    }
}
