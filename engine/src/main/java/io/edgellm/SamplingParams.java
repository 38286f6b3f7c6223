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

    public SamplingParams {
        stopStrings = List.copyOf(Objects.requireNonNull(stopStrings, "stopStrings"));
        if (Float.isNaN(temperature) || Float.isNaN(topP) || Float.isNaN(minP) || Float.isNaN(repeatPenalty)) {
            throw new IllegalArgumentException("sampling parameters must not be NaN");
        }
        if (repeatPenalty <= 0) {
            throw new IllegalArgumentException("repeatPenalty must be > 0, got " + repeatPenalty);
        }
    }

    /** llama.cpp's defaults: temp 0.8, top-k 40, top-p 0.95, min-p 0.05, repeat-penalty 1.0 (last 64), seed 0xFFFFFFFF, 256 tokens. */
    public static SamplingParams defaults() {
        return new SamplingParams(0.8f, 40, 0.95f, 0.05f, 1.0f, 64, 0xFFFFFFFFL, 256, false, List.of());
    }

    /** Greedy decoding (temperature 0, no penalty), 256 tokens. Equals {@code llama-completion --temp 0}. */
    public static SamplingParams greedy() {
        return defaults().withTemperature(0f);
    }

    /** True when the draw is an argmax. */
    public boolean isGreedy() {
        return temperature <= 0f;
    }

    public SamplingParams withTemperature(float v) {
        return new SamplingParams(v, topK, topP, minP, repeatPenalty, repeatLastN, seed, maxNewTokens, ignoreEos, stopStrings);
    }

    public SamplingParams withTopK(int v) {
        return new SamplingParams(temperature, v, topP, minP, repeatPenalty, repeatLastN, seed, maxNewTokens, ignoreEos, stopStrings);
    }

    public SamplingParams withTopP(float v) {
        return new SamplingParams(temperature, topK, v, minP, repeatPenalty, repeatLastN, seed, maxNewTokens, ignoreEos, stopStrings);
    }

    public SamplingParams withMinP(float v) {
        return new SamplingParams(temperature, topK, topP, v, repeatPenalty, repeatLastN, seed, maxNewTokens, ignoreEos, stopStrings);
    }

    public SamplingParams withRepeatPenalty(float v) {
        return new SamplingParams(temperature, topK, topP, minP, v, repeatLastN, seed, maxNewTokens, ignoreEos, stopStrings);
    }

    public SamplingParams withRepeatLastN(int v) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, v, seed, maxNewTokens, ignoreEos, stopStrings);
    }

    public SamplingParams withSeed(long v) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, v, maxNewTokens, ignoreEos, stopStrings);
    }

    public SamplingParams withMaxNewTokens(int v) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, v, ignoreEos, stopStrings);
    }

    public SamplingParams withIgnoreEos(boolean v) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, maxNewTokens, v, stopStrings);
    }

    public SamplingParams withStopStrings(List<String> v) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, seed, maxNewTokens, ignoreEos, v);
    }
}
