package io.edgellm.chat;

import io.edgellm.StopReason;
import io.edgellm.Timings;

/**
 * The outcome of one {@link ChatSession#chat} turn.
 *
 * @param text               everything generated, thinking included (stop strings and EOG tokens excluded)
 * @param reasoning          the text inside {@code <think>…</think>} (without the tags), empty if none
 * @param answer             the text after the thinking block (all of {@code text} when there was none)
 * @param stopReason         why generation ended
 * @param timings            the usual timings; {@code promptTokens} counts only the tokens evaluated this turn
 * @param reusedTokens       prompt tokens found in the KV cache from earlier turns (not evaluated again)
 * @param thinkingTokens     generated tokens inside the thinking block (the closing tag included when generated)
 * @param answerTokens       generated tokens after it
 * @param forcedTokens       tokens inserted by budget forcing (the closing tag), counted in neither of the above
 * @param firstAnswerTokenMs time from the start of the turn (prefill) to the first answer token, ms ({@code -1} if none)
 * @param firstTokenMs       time from the start of the turn (prefill) to the first generated token, ms ({@code -1} if none)
 */
public record ChatResult(String text, String reasoning, String answer, StopReason stopReason, Timings timings,
                         int reusedTokens, int thinkingTokens, int answerTokens, int forcedTokens,
                         double firstAnswerTokenMs, double firstTokenMs) {

    /**
     * The split in the form {@code generate} and {@code bench} report: thinking tokens up to and including the closing
     * tag (a budget-forced closing tag counted there, so with {@code --reasoning-budget N} this is N plus the forced
     * tokens), answer tokens after it, TTFT and time to first answer token.
     *
     * @return the reasoning timings of this turn
     */
    public io.edgellm.ReasoningTimings reasoningTimings() {
        boolean has = thinkingTokens + forcedTokens > 0 || !reasoning.isEmpty() || text.contains(ChatSession.THINK_CLOSE);
        return new io.edgellm.ReasoningTimings(has, has ? thinkingTokens + forcedTokens : 0,
                has ? answerTokens : answerTokens + thinkingTokens, firstTokenMs,
                has ? firstAnswerTokenMs : firstTokenMs);
    }

    /**
     * The reasoning timings as one line, in the style of llama.cpp's timing lines.
     *
     * @return e.g. {@code "reasoning: 12 thinking tokens, 30 answer tokens, 0 forced, first answer token after 85.20 ms"}
     */
    public String formatReasoning() {
        return String.format(java.util.Locale.ROOT,
                "       reasoning = %5d thinking tokens, %5d answer tokens, %d forced, time to first answer token %.2f ms%n",
                thinkingTokens, answerTokens, forcedTokens, firstAnswerTokenMs);
    }
}
