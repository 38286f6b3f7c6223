package io.edgellm;

import java.util.List;
import java.util.Objects;

/**
 * How {@link Session#generate} picks tokens. Semantics follow llama.cpp's default sampler chain
 * ({@code common/sampling.cpp}): repetition penalty → top-k → top-p → min-p → temperature → random draw.
 * A temperature {@code <= 0} is greedy: the highest logit after the penalty wins (ties: lowest id).
 * Immutable; use the {@code with*} methods, e.g. {@code SamplingParams.greedy().withMaxNewTokens(64)}.
 *
 * @param temperature    logits are divided by this before the draw; {@code <= 0} means greedy (llama.cpp {@code --temp}, default 0.8)
 * @param topK           keep the k most likely tokens; {@code <= 0} = all (llama.cpp {@code --top-k}, default 40)
 * @param topP           keep the smallest set whose probability mass is {@code >= topP}; 1 = off ({@code --top-p}, default 0.95)
 * @param minP           drop tokens with probability {@code < minP * p(max)}; 0 = off ({@code --min-p}, default 0.05)
 * @param repeatPenalty  divide positive / multiply negative logits of tokens seen in the last {@code repeatLastN}
 *                       tokens (prompt included); 1 = off ({@code --repeat-penalty}, default 1.0)
 * @param repeatLastN    window of the penalty, tokens; 0 = off, -1 = the whole context ({@code --repeat-last-n}, default 64)
 * @param seed           seed of the random draw; the same seed, prompt and options give the same tokens
 * @param maxNewTokens   stop after this many sampled tokens; {@code < 0} = until the context is full ({@code -n})
 * @param ignoreEos      never stop on end-of-generation tokens: their logits are set to -inf ({@code --ignore-eos})
 * @param stopStrings    stop when the generated text contains any of these (the text is cut before it)
 */
public record SamplingParams(float temperature, int topK, float topP, float minP, float repeatPenalty, int repeatLastN,
                             long seed, int maxNewTokens, boolean ignoreEos, List<String> stopStrings) {

    /**
     * Validates.
     *
     * @throws IllegalArgumentException when a value is NaN or the penalty is not positive
     */
    public SamplingParams {
        stopStrings = List.copyOf(Objects.requireNonNull(stopStrings, "stopStrings"));
        if (Float.isNaN(temperature) || Float.isNaN(topP) || Float.isNaN(minP) || Float.isNaN(repeatPenalty)) {
            throw new IllegalArgumentException("sampling parameters must not be NaN");
        }
        if (repeatPenalty <= 0) {
            throw new IllegalArgumentException("repeatPenalty must be > 0, got " + repeatPenalty);
        }
    }

    /**
     * Returns llama.cpp's defaults: temp 0.8, top-k 40, top-p 0.95, min-p 0.05, repeat-penalty 1.0 (last 64), seed 0xFFFFFFFF, 256 tokens.
     *
     * @return llama.cpp's defaults: temp 0.8, top-k 40, top-p 0.95, min-p 0.05, repeat-penalty 1.0 (last 64), seed 0xFFFFFFFF, 256 tokens
     */
    public static SamplingParams defaults() {
        return new SamplingParams(0.8f, 40, 0.95f, 0.05f, 1.0f, 64, 0xFFFFFFFFL, 256, false, List.of());
    }

    /**
     * Returns greedy decoding (temperature 0, no penalty), 256 tokens; equals {@code llama-completion --temp 0}.
     *
     * @return greedy decoding (temperature 0, no penalty), 256 tokens; equals {@code llama-completion --temp 0}
     */
    public static SamplingParams greedy() {
        return defaults().withTemperature(0f);
    }

    /**
     * Returns true when the draw is an argmax.
     *
     * @return true when the draw is an argmax
     */
    public boolean isGreedy() {
        return temperature <= 0f;
    }

    /**
     * A copy with {@code temperature} replaced.
     *
     * @param v the new {@code temperature}
     * @return the modified copy
     */
    public SamplingParams withTemperature(float v) {
        return new SamplingParams(v, topK, topP, minP, repeatPenalty, repeatLastN, seed, maxNewTokens, ignoreEos, stopStrings);
    }

    /**
     * A copy with {@code topK} replaced.
     *
     * @param v the new {@code topK}
     * @return the modified copy
     */
    public SamplingParams withTopK(int v) {
        return new SamplingParams(temperature, v, topP, minP, repeatPenalty, repeatLastN, seed, maxNewTokens, ignoreEos, stopStrings);
    }

    /**
     * A copy with {@code topP} replaced.
     *
     * @param v the new {@code topP}
     * @return the modified copy
     */
    public SamplingParams withTopP(float v) {
        return new SamplingParams(temperature, topK, v, minP, repeatPenalty, repeatLastN, seed, maxNewTokens, ignoreEos, stopStrings);
    }

    /**
     * A copy with {@code minP} replaced.
     *
     * @param v the new {@code minP}
     * @return the modified copy
     */
    public SamplingParams withMinP(float v) {
        return new SamplingParams(temperature, topK, topP, v, repeatPenalty, repeatLastN, seed, maxNewTokens, ignoreEos, stopStrings);
    }

    /**
     * A copy with {@code repeatPenalty} replaced.
     *
     * @param v the new {@code repeatPenalty}
     * @return the modified copy
     */
    public SamplingParams withRepeatPenalty(float v) {
        return new SamplingParams(temperature, topK, topP, minP, v, repeatLastN, seed, maxNewTokens, ignoreEos, stopStrings);
    }

    /**
     * A copy with {@code repeatLastN} replaced.
     *
     * @param v the new {@code repeatLastN}
     * @return the modified copy
     */
    public SamplingParams withRepeatLastN(int v) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, v, seed, maxNewTokens, ignoreEos, stopStrings);
    }

    /**
     * A copy with {@code seed} replaced.
     *
     * @param v the new {@code seed}
     * @return the modified copy
     */
    public SamplingParams withSeed(long v) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, v, maxNewTokens, ignoreEos, stopStrings);
    }

    /**
     * A copy with {@code maxNewTokens} replaced.
     *
     * @param v the new {@code maxNewTokens}
     * @return the modified copy
     */
    public SamplingParams withMaxNewTokens(int v) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, v, ignoreEos, stopStrings);
    }

    /**
     * A copy with {@code ignoreEos} replaced.
     *
     * @param v the new {@code ignoreEos}
     * @return the modified copy
     */
    public SamplingParams withIgnoreEos(boolean v) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, maxNewTokens, v, stopStrings);
    }

    /**
     * A copy with {@code stopStrings} replaced.
     *
     * @param v the new {@code stopStrings}
     * @return the modified copy
     */
    public SamplingParams withStopStrings(List<String> v) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, maxNewTokens, ignoreEos, v);
    }
}
