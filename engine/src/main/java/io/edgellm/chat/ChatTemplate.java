package io.edgellm.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import io.edgellm.Model;
import java.time.Clock;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import jinjava.javax.el.CompositeELResolver;

/**
 * A chat template (the Jinja source of a GGUF's {@code tokenizer.chat_template}, or of a Hugging Face
 * {@code tokenizer_config.json}) rendered as transformers' {@code apply_chat_template(..., tokenize=False)} renders it.
 *
 * <p>The environment matches Hugging Face's ({@code transformers/utils/chat_template_utils.py}): {@code trim_blocks}
 * and {@code lstrip_blocks} on, {@code {% break %}} / {@code {% continue %}}, the globals {@code raise_exception(msg)}
 * (raises {@link ChatTemplateException} with {@code msg}) and {@code strftime_now(fmt)} (Python {@code strftime} of the
 * local time, from {@link #withClock}), and a {@code tojson} filter with {@code json.dumps} semantics
 * ({@code ensure_ascii=False}, separators {@code ", "} / {@code ": "}, insertion order, {@code indent},
 * {@code separators}, {@code sort_keys}). The variables are {@code messages}, {@code tools} and {@code documents}
 * ({@code None} unless given in {@code extraVars}), {@code add_generation_prompt}, {@code bos_token},
 * {@code eos_token} and every entry of {@code extraVars} (e.g. {@code enable_thinking}).
 *
 * <p>The engine is Jinjava with additions for the Python-isms real templates use: string methods
 * ({@code strip/lstrip/rstrip(chars)}, {@code startswith/endswith}, {@code split/rsplit}, {@code upper/lower/title},
 * {@code replace}, {@code find}, {@code count}), dict {@code items()/keys()/values()/get()}, {@code [::-1]} slicing,
 * and jinja2's strict undefined behaviour where it matters (an operation on a missing field, e.g.
 * {@code 'x' + message.content} on a message without {@code content}, raises).
 *
 * <p>Thread-safety: immutable; {@link #render} may be called from any number of threads.
 */
public final class ChatTemplate {
    /** The GGUF metadata key holding a model's default chat template. */
    public static final String GGUF_KEY = "tokenizer.chat_template";

    private static final Jinjava JINJAVA = newJinjava();
    private static final ThreadLocal<RenderState> STATE = new ThreadLocal<>();

    private final String source;
    private final Supplier<LocalDateTime> now;

    private ChatTemplate(String source, Supplier<LocalDateTime> now) {
        this.source = source;
        this.now = now;
    }

    /**
     * A template from its Jinja source (read as is; like jinja2's default, one final newline is dropped).
     *
     * @param jinjaSource the template text
     * @return the template; syntax errors surface at {@link #render}
     * @throws NullPointerException when the source is null
     */
    public static ChatTemplate of(String jinjaSource) {
        Objects.requireNonNull(jinjaSource, "jinjaSource");
        String s = jinjaSource.endsWith("\n") ? jinjaSource.substring(0, jinjaSource.length() - 1) : jinjaSource;
        s = SourceRewriter.rewrite(s);
        return new ChatTemplate(s, LocalDateTime::now);
    }

    /**
     * The model's default template, from its GGUF key {@value #GGUF_KEY}.
     *
     * @param model a loaded model
     * @return the template, or empty when the GGUF has none
     */
    public static Optional<ChatTemplate> fromModel(Model model) {
        return model.gguf().findString(GGUF_KEY).map(ChatTemplate::of);
    }

    /**
     * This template with {@code strftime_now} reading {@code clock} (its local date-time in the clock's zone), e.g.
     * {@code Clock.fixed(...)} for reproducible output.
     *
     * @param clock the time source
     * @return a new template with the same source
     */
    public ChatTemplate withClock(Clock clock) {
        Objects.requireNonNull(clock, "clock");
        return new ChatTemplate(source, () -> LocalDateTime.now(clock));
    }

    /**
     * This template with {@code strftime_now} always seeing {@code fixed}.
     *
     * @param fixed the date-time templates see as "now"
     * @return a new template with the same source
     */
    public ChatTemplate withNow(LocalDateTime fixed) {
        Objects.requireNonNull(fixed, "fixed");
        return new ChatTemplate(source, () -> fixed);
    }

    /**
     * Returns the Jinja source (without the one final newline jinja2 drops).
     *
     * @return the Jinja source
     */
    public String source() {
        return source;
    }

    /**
     * Renders a conversation.
     *
     * @param messages            the conversation, oldest first
     * @param addGenerationPrompt whether to end with the header of an assistant turn (HF {@code add_generation_prompt})
     * @param bosToken            the {@code bos_token} variable (e.g. {@code "<|begin_of_text|>"}; {@code ""} if none)
     * @param eosToken            the {@code eos_token} variable
     * @param extraVars           further variables, e.g. {@code enable_thinking=false}, {@code tools} (a list of
     *                            JSON-like maps), {@code date_string}; may be null
     * @return the prompt text exactly as the template produces it (special tokens as text)
     * @throws ChatTemplateException when the template calls {@code raise_exception} (message kept), has a syntax
     *                               error, or an operation fails (e.g. a missing field used in {@code +})
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, String bosToken, String eosToken,
                         Map<String, Object> extraVars) {
        List<Object> msgs = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) msgs.add(PyNone.wrap(m.toMap()));
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("messages", msgs);
        vars.put("tools", PyNone.INSTANCE);
        vars.put("documents", PyNone.INSTANCE);
        vars.put(PyNone.VARIABLE, PyNone.INSTANCE);
        vars.put("add_generation_prompt", addGenerationPrompt);
        vars.put("bos_token", bosToken == null ? "" : bosToken);
        vars.put("eos_token", eosToken == null ? "" : eosToken);
        // the globals are also variables, so that `strftime_now is defined` holds as in jinja2
        vars.put("strftime_now", "<function strftime_now>");
        vars.put("raise_exception", "<function raise_exception>");
        if (extraVars != null) extraVars.forEach((k, v) -> vars.put(k, PyNone.wrap(v)));
        return renderVars(vars);
    }

    private String renderVars(Map<String, Object> vars) {
        RenderState st = new RenderState(now);
        RenderState prev = STATE.get();
        STATE.set(st);
        try {
            RenderResult r = JINJAVA.renderForResult(source, vars);
            if (st.raised != null) throw new ChatTemplateException(st.raised, true, null);
            if (st.failure != null) throw new ChatTemplateException(st.failure, false, null);
            for (TemplateError e : r.getErrors()) {
                if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                    throw new ChatTemplateException("chat template error at line " + e.getLineno() + ": "
                            + e.getMessage(), false, e.getException());
                }
            }
            return r.getOutput();
        } catch (ChatTemplateException e) {
            throw e;
        } catch (RuntimeException e) {
            if (st.raised != null) throw new ChatTemplateException(st.raised, true, e);
            throw new ChatTemplateException("chat template error: " + e.getMessage(), false, e);
        } finally {
            if (prev == null) STATE.remove(); else STATE.set(prev);
        }
    }

    /**
     * Stop strings this template implies: the end-of-turn markers it writes after each message (e.g.
     * {@code <|im_end|>}, {@code <|eot_id|>}, {@code <end_of_turn>}, {@code <|end|>}), found in its source. A model
     * that emits one as text (not as its end-of-generation token) has finished its turn.
     *
     * @return markers found, in a fixed order; empty when none is known
     */
    public List<String> stopStrings() {
        Set<String> out = new LinkedHashSet<>();
        for (String m : KNOWN_END_OF_TURN) {
            if (source.contains(m)) out.add(m);
        }
        return List.copyOf(out);
    }

    /**
     * End-of-generation token ids for chatting with {@code model} through this template: the tokenizer's EOG ids
     * (eos, eot, eom) plus the id of every {@link #stopStrings() stop string} that is a single token of its vocabulary.
     *
     * @param model the model
     * @return distinct ids, the tokenizer's first
     */
    public int[] endOfGenerationIds(Model model) {
        Set<Integer> ids = new LinkedHashSet<>();
        for (int id : model.tokenizer().endOfGenerationIds()) ids.add(id);
        for (String s : stopStrings()) {
            int id = model.tokenizer().tokenId(s);
            if (id >= 0) ids.add(id);
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** End-of-turn markers of the common template families, longest first where one contains another. */
    private static final List<String> KNOWN_END_OF_TURN = List.of(
            "<|im_end|>", "<|eot_id|>", "<|eom_id|>", "<end_of_turn>", "<|end|>", "<|endoftext|>",
            "<｜end▁of▁sentence｜>", "<|end_of_text|>", "<|return|>", "</s>");

    @Override
    public String toString() {
        return "ChatTemplate[" + source.length() + " chars]";
    }

    // ---- environment ----

    /** Per-render state seen by the static global functions. */
    static final class RenderState {
        final Supplier<LocalDateTime> now;
        String raised;
        String failure;

        RenderState(Supplier<LocalDateTime> now) {
            this.now = now;
        }
    }

    static RenderState state() {
        return STATE.get();
    }

    private static Jinjava newJinjava() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonMethodResolver());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(false)   // done by SourceRewriter, as jinja2 does it
                .withElResolver(resolver)
                .withMaxOutputSize(64L << 20)
                .withInterperterFactory(new PyExpressions.PyInterpreterFactory())
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withUsePyishObjectMapper(true)
                        .withKeepNullableLoopValues(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .build())
                .build();
        Jinjava j = new PyExpressions.PyJinjava(config);
        try {
            j.registerFunction(new ELFunctionDefinition("", "raise_exception",
                    Globals.class.getMethod("raiseException", Object.class)));
            j.registerFunction(new ELFunctionDefinition("", "strftime_now",
                    Globals.class.getMethod("strftimeNow", String.class)));
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
        j.registerFilter(new PyJson.TojsonFilter());
        j.registerFilter(new PyTests.Length("length"));
        j.registerFilter(new PyTests.Length("count"));
        for (var t : List.of(PyTests.NONE, PyTests.DEFINED, PyTests.UNDEFINED, PyTests.ITERABLE, PyTests.MAPPING,
                PyTests.STRING)) {
            j.registerExpTest(t);
        }
        return j;
    }
}
