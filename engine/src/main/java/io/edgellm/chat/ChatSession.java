package io.edgellm.chat;

import io.edgellm.GenerationListener;
import io.edgellm.Model;
import io.edgellm.SamplingParams;
import io.edgellm.Session;
import io.edgellm.StopReason;
import io.edgellm.Timings;
import io.edgellm.engine.Sampler;
import io.edgellm.tokenizer.StreamingDecoder;
import io.edgellm.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A conversation over a {@link Session}: each {@link #chat} renders the whole message list with the model's
 * {@link ChatTemplate}, finds the longest prefix of its tokens already in the KV cache (from earlier turns), rewinds
 * to it and evaluates only the new suffix, then generates the assistant's reply until an end-of-generation token or a
 * stop string the template implies (e.g. {@code <|im_end|>}).
 *
 * <p>Reasoning: when the rendered prompt ends inside an open {@code <think>} block (R1-Distill's generation prompt
 * {@code <｜Assistant｜><think>\n}), or the model opens one, generated tokens count as thinking until the model writes
 * {@code </think>}. With a {@link ChatOptions#reasoningBudget()} of N, after N thinking tokens the tokens of
 * {@code "</think>\n\n"} (or of {@code "</think>"} alone if the vocabulary cannot write the newlines exactly after
 * it) are inserted into the context and the stream, and generation goes on with the answer.
 *
 * <pre>{@code
 * try (Model model = Model.load(path); Session s = model.newSession()) {
 *     ChatSession chat = new ChatSession(s, ChatTemplate.fromModel(model).orElseThrow(), ChatOptions.defaults());
 *     ChatResult r = chat.chat(List.of(ChatMessage.user("Hi!")), SamplingParams.defaults(), (id, t) -> System.out.print(t));
 * }
 * }</pre>
 *
 * <p>Thread-safety: single-threaded, like its session. The session must not be used directly between turns (its
 * cache would no longer match the tokens recorded here); call {@link #reset()} if it was.
 */
public final class ChatSession {
    /** The opening tag of a thinking block. */
    public static final String THINK_OPEN = "<think>";
    /** The closing tag of a thinking block. */
    public static final String THINK_CLOSE = "</think>";
    /** What budget forcing and {@code noThink} write to close thinking. */
    static final String FORCED_CLOSE = THINK_CLOSE + "\n\n";

    private final Session session;
    private final Model model;
    private final ChatTemplate template;
    private final ChatOptions options;
    private final int[] eog;
    private final List<String> stops;
    private int[] cached = new int[0];   // the tokens in the session's KV cache, positions 0..n-1

    /**
     * A chat over {@code session}, which should be fresh (position 0).
     *
     * @param session  the session (its KV cache is reused across turns)
     * @param template the chat template (e.g. {@link ChatTemplate#fromModel})
     * @param options  template variables and reasoning control
     */
    public ChatSession(Session session, ChatTemplate template, ChatOptions options) {
        this.session = session;
        this.model = session.model();
        this.template = template;
        this.options = options;
        this.eog = template.endOfGenerationIds(model);
        this.stops = template.stopStrings();
        session.reset();
    }

    /** Forgets the cached tokens and empties the session's KV cache. */
    public void reset() {
        cached = new int[0];
        session.reset();
    }

    /**
     * Returns tokens currently cached from earlier turns.
     *
     * @return tokens currently cached from earlier turns
     */
    public int cachedTokens() {
        return cached.length;
    }

    /**
     * Renders the prompt for {@code messages} exactly as {@link #chat} evaluates it (generation prompt and thinking
     * prefill included).
     *
     * @param messages the conversation so far, ending with the user's turn
     * @return the prompt text
     * @throws ChatTemplateException when the template rejects the conversation
     */
    public String prompt(List<ChatMessage> messages) {
        Map<String, Object> vars = new HashMap<>();
        boolean readsThinking = template.source().contains("enable_thinking");
        vars.put("enable_thinking", !options.noThink());
        vars.putAll(options.templateVars());
        if (options.noThink()) vars.put("enable_thinking", false);
        Tokenizer tok = model.tokenizer();
        String bos = tok.bosId() >= 0 ? tok.tokenText(tok.bosId()) : "";
        String eos = tok.eosId() >= 0 ? tok.tokenText(tok.eosId()) : "";
        String p = template.render(messages, true, bos, eos, vars);
        if (options.noThink() && !readsThinking) {
            p = openThinking(p) ? p + "\n" + FORCED_CLOSE : p + THINK_OPEN + "\n\n" + FORCED_CLOSE;
        }
        return p;
    }

    private static boolean openThinking(String text) {
        int open = text.lastIndexOf(THINK_OPEN);
        return open >= 0 && text.indexOf(THINK_CLOSE, open) < 0;
    }

    /**
     * One assistant turn: renders {@code messages}, reuses the cached prefix, evaluates the rest and generates.
     *
     * @param messages the whole conversation so far (system, user, assistant, ..., user), not just the new turn
     * @param sampling sampling settings; its stop strings are added to the template's
     * @param listener receives the reply's text as it is generated (thinking included); may be null
     * @return the reply, split into reasoning and answer, with timings
     * @throws ChatTemplateException    when the template rejects the conversation
     * @throws IllegalArgumentException when the prompt does not fit in the session's context
     */
    public ChatResult chat(List<ChatMessage> messages, SamplingParams sampling, GenerationListener listener) {
        GenerationListener out = listener != null ? listener : GenerationListener.NONE;
        Tokenizer tok = model.tokenizer();
        String prompt = prompt(messages);
        String bos = tok.bosId() >= 0 ? tok.tokenText(tok.bosId()) : null;
        boolean addBos = tok.addsBos() && (bos == null || !prompt.startsWith(bos));
        int[] ids = tok.encode(prompt, addBos, true);
        if (ids.length == 0) throw new IllegalArgumentException("the chat template rendered an empty prompt");
        if (ids.length >= session.contextLength()) {
            throw new IllegalArgumentException("conversation is too long: " + ids.length + " tokens but the context "
                    + "(n_ctx) holds " + session.contextLength() + " (use a larger context, -c)");
        }
        int common = 0;
        int n = Math.min(cached.length, Math.min(ids.length - 1, session.position()));
        while (common < n && cached[common] == ids[common]) common++;
        session.rewind(common);
        int[] suffix = Arrays.copyOfRange(ids, common, ids.length);

        long t0 = System.nanoTime();
        Sampler sampler = new Sampler(sampling, tok.vocabSize(), eog, session.contextLength());
        for (int id : ids) sampler.accept(id);
        float[] logits = session.evaluate(suffix);
        double promptMs = (System.nanoTime() - t0) / 1e6;

        Set<String> stopSet = new LinkedHashSet<>(stops);
        stopSet.addAll(sampling.stopStrings());
        List<String> stopList = stopSet.stream().filter(s -> !s.isEmpty()).toList();
        StreamingDecoder decoder = tok.streamingDecoder(true);
        int[] closeIds = closingTokens(tok);
        boolean thinking = openThinking(prompt);
        StringBuilder text = new StringBuilder();
        int released = 0;
        List<Integer> fed = new ArrayList<>();   // generated or forced tokens evaluated into the cache
        int nGen = 0, nEval = 0, nThink = 0, nAnswer = 0, nForced = 0;
        double evalMs = 0, sampleMs = 0, firstAnswerMs = -1, firstTokenMs = -1;
        int thinkStart = thinking ? 0 : -1, thinkEnd = -1;   // indexes into text
        StopReason reason;
        while (true) {
            if (sampling.maxNewTokens() >= 0 && nGen >= sampling.maxNewTokens()) {
                reason = StopReason.MAX_TOKENS;
                break;
            }
            int[] next;
            boolean forced = thinking && options.reasoningBudget() >= 0 && nThink >= options.reasoningBudget();
            if (forced) {
                next = closeIds;
                nForced += closeIds.length;
            } else {
                long ts = System.nanoTime();
                int id = sampler.sample(logits, 0);
                sampler.accept(id);
                sampleMs += (System.nanoTime() - ts) / 1e6;
                if (firstTokenMs < 0) firstTokenMs = (System.nanoTime() - t0) / 1e6;
                nGen++;
                if (!sampling.ignoreEos() && contains(eog, id)) {
                    reason = StopReason.END_OF_GENERATION;
                    break;
                }
                next = new int[] {id};
                if (thinking) nThink++; else {
                    nAnswer++;
                    if (firstAnswerMs < 0) firstAnswerMs = (System.nanoTime() - t0) / 1e6;
                }
            }
            int before = text.length();
            for (int id : next) text.append(decoder.accept(id));
            if (forced) {
                for (int id : next) sampler.accept(id);
            }
            // thinking state from the text
            if (thinking) {
                int close = text.indexOf(THINK_CLOSE, Math.max(0, Math.max(thinkStart, before - THINK_CLOSE.length())));
                if (close >= 0) {
                    thinking = false;
                    thinkEnd = close;
                }
            } else if (thinkEnd < 0 && thinkStart < 0) {
                int open = text.indexOf(THINK_OPEN, Math.max(0, before - THINK_OPEN.length()));
                if (open >= 0) {
                    thinking = true;
                    thinkStart = open + THINK_OPEN.length();
                    if (nAnswer > 0 && text.substring(0, open).isBlank()) {
                        nThink += nAnswer;   // the tokens up to the open tag belong to the thinking block
                        nAnswer = 0;
                        firstAnswerMs = -1;
                    }
                }
            }
            int cut = firstStop(text, stopList, Math.max(0, before - 64));
            if (cut >= 0) {
                text.setLength(cut);
                if (cut > released) out.onToken(next[next.length - 1], text.substring(released, cut));
                released = cut;
                reason = StopReason.STOP_STRING;
                break;
            }
            int safe = text.length() - heldBack(text, released, stopList);
            if (safe > released) {
                out.onToken(next[next.length - 1], text.substring(released, safe));
                released = safe;
            }
            if (session.position() + next.length > session.contextLength()) {
                reason = StopReason.CONTEXT_FULL;
                break;
            }
            if (!forced && sampling.maxNewTokens() >= 0 && nGen >= sampling.maxNewTokens()) {
                reason = StopReason.MAX_TOKENS;
                break;
            }
            long te = System.nanoTime();
            logits = session.evaluate(next);
            evalMs += (System.nanoTime() - te) / 1e6;
            nEval += next.length;
            for (int id : next) fed.add(id);
        }
        if (reason != StopReason.STOP_STRING) {
            text.append(decoder.flush());
            if (text.length() > released) out.onToken(-1, text.substring(released));
        }
        // the cache now holds the prompt plus every fed token
        int[] nowCached = Arrays.copyOf(ids, ids.length + fed.size());
        for (int i = 0; i < fed.size(); i++) nowCached[ids.length + i] = fed.get(i);
        cached = Arrays.copyOf(nowCached, session.position());

        String all = text.toString();
        String reasoning = "", answer = all;
        if (thinkStart >= 0) {
            int end = thinkEnd >= 0 ? thinkEnd : all.length();
            reasoning = all.substring(Math.min(thinkStart, end), end).strip();
            answer = thinkEnd >= 0 ? all.substring(Math.min(all.length(), thinkEnd + THINK_CLOSE.length())).strip() : "";
        }
        Timings timings = new Timings(model.loadMillis(), suffix.length, promptMs, nEval, evalMs, nGen, sampleMs);
        return new ChatResult(all, reasoning, answer, reason, timings, common, nThink, nAnswer, nForced, firstAnswerMs,
                firstTokenMs);
    }

    /**
     * The tokens budget forcing inserts: those of {@code "</think>\n\n"} when they decode back to exactly that text,
     * else those of {@code "</think>"} (a SentencePiece vocabulary puts a space before text after a special token).
     */
    static int[] closingTokens(Tokenizer tok) {
        for (String s : new String[] {FORCED_CLOSE, THINK_CLOSE}) {
            int[] ids = tok.encode(s, false, true);
            if (tok.decode(ids, false, true).equals(s)) return ids;
        }
        return tok.encode(THINK_CLOSE, false, true);
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) if (x == v) return true;
        return false;
    }

    private static int firstStop(StringBuilder text, List<String> stops, int from) {
        int cut = -1;
        for (String s : stops) {
            int i = text.indexOf(s, from);
            if (i >= 0 && (cut < 0 || i < cut)) cut = i;
        }
        return cut;
    }

    /** Length of the longest unreleased suffix that is a proper prefix of a stop string. */
    private static int heldBack(StringBuilder text, int released, List<String> stops) {
        int hold = 0;
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, text.length() - released); k > hold; k--) {
                if (s.startsWith(text.substring(text.length() - k))) {
                    hold = k;
                    break;
                }
            }
        }
        return hold;
    }
}
