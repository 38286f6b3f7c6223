package io.edgellm;

import io.edgellm.tokenizer.StreamingDecoder;
import io.edgellm.tokenizer.Tokenizer;
import java.util.Locale;

/**
 * The thinking/answer split of one generation by a {@code <think>} model (DeepSeek-R1-Distill, Qwen3, SmolLM3).
 * Thinking tokens are the generated (or budget-forced) tokens up to and including the closing tag {@code </think>}
 * in whatever tokens the tokenizer wrote it; answer tokens are the generated tokens after it (end-of-generation tokens
 * not counted). Times are measured from the start of prefill, as llama.cpp's time to first token is.
 * llama.cpp reports none of these; the names are ours: {@code n_think}, {@code n_answer}, {@code ttft_ms},
 * {@code ttfat_ms} (time to first answer token).
 *
 * @param hasThinking    whether the generation had a thinking block (opened by the prompt or by the model)
 * @param thinkTokens    tokens of the thinking block, closing tag included (0 when {@code !hasThinking})
 * @param answerTokens   generated tokens after it (all generated tokens when {@code !hasThinking})
 * @param firstTokenMs   ms from the start of prefill to the first generated token (TTFT), -1 if none
 * @param firstAnswerMs  ms from the start of prefill to the first answer token (TTFAT), -1 if none; equals
 *                       {@code firstTokenMs} when there was no thinking block
 */
public record ReasoningTimings(boolean hasThinking, int thinkTokens, int answerTokens, double firstTokenMs,
                               double firstAnswerMs) {

    /** The opening tag of a thinking block. */
    public static final String THINK_OPEN = "<think>";
    /** The closing tag of a thinking block. */
    public static final String THINK_CLOSE = "</think>";

    /**
     * Splits a generation into thinking and answer from its token ids and the time each was produced.
     *
     * @param tok          the model's tokenizer (the ids are decoded with special tokens rendered, so a
     *                     {@code </think>} written as one added token and one written as several pieces both count)
     * @param generatedIds the generated ids in order (a final end-of-generation id may be included)
     * @param tokenMs      for each id, ms from the start of prefill to when it was sampled; same length as the ids
     * @param openAtStart  whether the prompt ended inside an open thinking block (see {@link #opensThinking})
     * @return the split
     * @throws IllegalArgumentException when the arrays differ in length
     */
    public static ReasoningTimings of(Tokenizer tok, int[] generatedIds, double[] tokenMs, boolean openAtStart) {
        if (generatedIds.length != tokenMs.length) {
            throw new IllegalArgumentException("ids and times differ in length: " + generatedIds.length + " vs "
                    + tokenMs.length);
        }
        int n = generatedIds.length;
        while (n > 0 && tok.isEndOfGeneration(generatedIds[n - 1])) n--;   // the final EOG is neither
        double ttft = generatedIds.length > 0 ? tokenMs[0] : -1;
        StreamingDecoder dec = tok.streamingDecoder(true);
        StringBuilder text = new StringBuilder();
        boolean thinking = openAtStart;
        int close = -1;   // index of the token that completes the closing tag
        for (int i = 0; i < n; i++) {
            int before = text.length();
            text.append(dec.accept(generatedIds[i]));
            if (!thinking && !openAtStart) {
                String lead = text.toString().stripLeading();
                if (lead.startsWith(THINK_OPEN)) thinking = true;
                else if (!THINK_OPEN.startsWith(lead)) break;   // the output does not open a thinking block
            }
            if (thinking && text.indexOf(THINK_CLOSE, Math.max(0, before - THINK_CLOSE.length())) >= 0) {
                close = i;
                break;
            }
        }
        if (!thinking) return new ReasoningTimings(false, 0, n, ttft, n > 0 ? ttft : -1);
        if (close < 0) return new ReasoningTimings(true, n, 0, ttft, -1);
        return new ReasoningTimings(true, close + 1, n - close - 1, ttft, close + 1 < n ? tokenMs[close + 1] : -1);
    }

    /**
     * Whether a prompt ends inside an open thinking block (R1-Distill's generation prompt ends in {@code <think>\n}).
     *
     * @param prompt the prompt text
     * @return whether its last {@code <think>} is not followed by {@code </think>}
     */
    public static boolean opensThinking(String prompt) {
        int open = prompt.lastIndexOf(THINK_OPEN);
        return open >= 0 && prompt.indexOf(THINK_CLOSE, open) < 0;
    }

    /**
     * A listener that records when each token was sampled, for {@link #of}; wraps another listener.
     */
    public static final class Recorder implements GenerationListener {
        private final GenerationListener delegate;
        private long t0 = System.nanoTime();
        private double[] ms = new double[16];
        private int n;

        /**
         * A recorder whose clock starts now; call {@link #start()} right before {@link Session#generate}.
         *
         * @param delegate the listener to pass every call on to; may be null
         */
        public Recorder(GenerationListener delegate) {
            this.delegate = delegate != null ? delegate : GenerationListener.NONE;
        }

        /** Restarts the clock and forgets recorded tokens. */
        public void start() {
            n = 0;
            t0 = System.nanoTime();
        }

        @Override
        public void onToken(int tokenId, String text) {
            if (tokenId >= 0) {
                if (n == ms.length) ms = java.util.Arrays.copyOf(ms, n * 2);
                ms[n++] = (System.nanoTime() - t0) / 1e6;
            }
            delegate.onToken(tokenId, text);
        }

        /**
         * The split of a finished generation.
         *
         * @param tok    the model's tokenizer
         * @param r      the generation (its ids, one per recorded token)
         * @param prompt the prompt text, to see whether it opened a thinking block
         * @return the split
         * @throws IllegalArgumentException when {@code r} has another number of tokens than were recorded
         */
        public ReasoningTimings timings(Tokenizer tok, GenerationResult r, String prompt) {
            return of(tok, r.generatedIds(), java.util.Arrays.copyOf(ms, n), opensThinking(prompt));
        }
    }

    /**
     * The split as one line in the style of llama.cpp's timing lines.
     *
     * @return e.g. {@code "reasoning = 12 think tokens (closing tag included), 30 answer tokens, TTFT 40.00 ms, TTFAT 85.20 ms"}
     */
    public String format() {
        return String.format(Locale.ROOT,
                "       reasoning = %5d think tokens (closing tag included), %5d answer tokens, TTFT %.2f ms, "
                        + "TTFAT %.2f ms (time to first answer token)%n", thinkTokens, answerTokens, firstTokenMs,
                firstAnswerMs);
    }
}
