package io.edgellm;

import java.util.List;

/**
 * The outcome of {@link Session#generate}.
 *
 * @param promptIds    the prompt's token ids as evaluated (BOS included when the vocabulary adds it)
 * @param generatedIds the sampled token ids, in order; a final end-of-generation token is included when
 *                     {@code stopReason == END_OF_GENERATION}
 * @param text         the generated text (the prompt not included; end-of-generation tokens and a matched stop string excluded)
 * @param stopReason   why generation stopped
 * @param timings      counters in llama.cpp's names
 */
public record GenerationResult(int[] promptIds, int[] generatedIds, String text, StopReason stopReason, Timings timings) {

    /**
     * Returns the generated ids as a list (convenience for JSON and tests).
     *
     * @return the generated ids as a list (convenience for JSON and tests)
     */
    public List<Integer> generatedIdList() {
        return java.util.Arrays.stream(generatedIds).boxed().toList();
    }
}
