package io.edgellm.chat;

import java.util.Map;
import java.util.Objects;

/**
 * How a {@link ChatSession} renders prompts and controls reasoning.
 *
 * @param templateVars    extra template variables (HF {@code chat_template_kwargs}, e.g. {@code enable_thinking});
 *                        never null. Like llama.cpp, {@code enable_thinking} is {@code true} unless set here or by
 *                        {@code noThink}
 * @param reasoningBudget maximum tokens inside {@code <think>…</think>}; when reached, the closing tag
 *                        ({@link ChatSession#THINK_CLOSE} followed by {@code "\n\n"}) is inserted and the answer
 *                        follows (budget forcing); {@code -1} for no limit, {@code 0} to close thinking at once
 * @param noThink         skip thinking: {@code enable_thinking=false} when the template reads it, else an empty
 *                        {@code <think>\n\n</think>\n\n} block is prefilled after the generation prompt
 */
public record ChatOptions(Map<String, Object> templateVars, int reasoningBudget, boolean noThink) {

    /**
     * Checks and copies the values.
     *
     * @throws IllegalArgumentException when {@code reasoningBudget < -1}
     */
    public ChatOptions {
        Objects.requireNonNull(templateVars, "templateVars");
        if (reasoningBudget < -1) throw new IllegalArgumentException("reasoningBudget must be >= -1: " + reasoningBudget);
        templateVars = Map.copyOf(templateVars);
    }

    /**
     * Returns no extra variables, no budget, thinking allowed.
     *
     * @return no extra variables, no budget, thinking allowed
     */
    public static ChatOptions defaults() {
        return new ChatOptions(Map.of(), -1, false);
    }

    /**
     * Returns a copy with another reasoning budget.
     *
     * @param tokens the budget ({@code -1} for none)
     * @return a copy with another reasoning budget
     */
    public ChatOptions withReasoningBudget(int tokens) {
        return new ChatOptions(templateVars, tokens, noThink);
    }

    /**
     * Returns a copy with thinking switched off or on.
     *
     * @param v whether to skip thinking
     * @return a copy with thinking switched off or on
     */
    public ChatOptions withNoThink(boolean v) {
        return new ChatOptions(templateVars, reasoningBudget, v);
    }

    /**
     * Returns a copy with these template variables.
     *
     * @param vars the variables
     * @return a copy with these template variables
     */
    public ChatOptions withTemplateVars(Map<String, Object> vars) {
        return new ChatOptions(vars, reasoningBudget, noThink);
    }
}
