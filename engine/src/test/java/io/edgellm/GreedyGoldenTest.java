package io.edgellm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * F32 models: greedy continuation (temp 0, --ignore-eos, 64 tokens) through the public API equals llama.cpp's f32attn
 * greedy ids for every prompt, and the prompt tokenization equals llama-tokenize's.
 */
class GreedyGoldenTest {

    @ParameterizedTest
    @ValueSource(strings = {"TinyStories-656K-F32", "stories260K"})
    void greedyIdsEqualLlamaCpp(String name) throws Exception {
        JsonNode golden = new ObjectMapper().readTree(SharedData.golden("greedy/" + name + ".json").toFile());
        try (Model model = Model.load(SharedData.model(name + ".gguf"));
             Session session = model.newSession(SessionOptions.defaults().withContextLength(512).withThreads(2))) {
            for (JsonNode c : golden.get("cases")) {
                int[] promptIds = new ObjectMapper().convertValue(c.get("prompt_ids"), int[].class);
                int[] expected = new ObjectMapper().convertValue(c.get("f32_attention").get("generated_ids"), int[].class);
                session.reset();
                GenerationResult r = session.generate(c.get("prompt").asText(),
                        SamplingParams.greedy().withIgnoreEos(true).withMaxNewTokens(64), GenerationListener.NONE);
                assertArrayEquals(promptIds, r.promptIds(), "prompt ids of '" + c.get("prompt").asText() + "'");
                assertArrayEquals(expected, r.generatedIds(), name + " / " + c.get("prompt").asText());
                assertEquals(StopReason.MAX_TOKENS, r.stopReason());
                assertEquals(c.get("f32_attention").path("generated_text").asText(c.get("generated_text").asText()), r.text());
                assertEquals(promptIds.length, r.timings().promptTokens());
                assertEquals(63, r.timings().evalTokens());
                assertEquals(64, r.timings().generatedTokens());
            }
        }
    }

    /**
     * Q8_0 / Q4_0 models on the VEC_DOT_TYPE path: greedy ids equal llama.cpp's (f32attn) up to the first step whose
     * recorded top-1/top-2 margin is below the logits tolerance stated in QuantizedLogitsTest (0.35–0.40): beyond a
     * near-tie either choice is consistent with our logits.
     */
    @ParameterizedTest
    @ValueSource(strings = {"TinyStories-656K-Q8_0", "TinyStories-656K-Q4_0", "stories260K-Q8_0", "stories260K-Q4_0"})
    void quantizedGreedyIdsEqualLlamaCppUntilNearTie(String name) throws Exception {
        double tol = 0.40;
        JsonNode golden = new ObjectMapper().readTree(SharedData.golden("greedy/" + name + ".json").toFile());
        try (Model model = Model.load(SharedData.model(name + ".gguf"));
             Session session = model.newSession(SessionOptions.defaults().withContextLength(512).withThreads(2))) {
            int compared = 0;
            for (JsonNode c : golden.get("cases")) {
                JsonNode f = c.get("f32_attention");
                int[] expected = new ObjectMapper().convertValue(f.get("generated_ids"), int[].class);
                double[] margin = new ObjectMapper().convertValue(f.has("top1_top2_margin") ? f.get("top1_top2_margin")
                        : c.get("top1_top2_margin"), double[].class);
                int limit = 0;
                while (limit < expected.length && margin[limit] >= tol) limit++;
                session.reset();
                GenerationResult r = session.generate(c.get("prompt").asText(),
                        SamplingParams.greedy().withIgnoreEos(true).withMaxNewTokens(64), GenerationListener.NONE);
                assertArrayEquals(Arrays.copyOf(expected, limit), Arrays.copyOf(r.generatedIds(), limit),
                        name + " / " + c.get("prompt").asText() + ": first " + limit + " steps (margins >= " + tol + ")");
                compared += limit;
            }
            System.out.println(name + ": " + compared + " greedy steps compared before the first near-tie");
        }
    }

    /** llama2.c's own test: 200 greedy tokens from BOS alone reproduce the expected text. */
    @org.junit.jupiter.api.Test
    void stories260KFromBosMatchesLlama2cTest() throws Exception {
        String expectedText = Files.readString(SharedData.golden("llama2c-test_all-stories260K-greedy200-expected.txt"));
        int[] expectedIds = Arrays.stream(Files.readString(SharedData.golden("numpyref-stories260K-from-BOS-greedy200-ids.txt"))
                .trim().split("[\\s,\\[\\]]+")).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
        try (Model model = Model.load(SharedData.model("stories260K.gguf"));
             Session session = model.newSession(SessionOptions.defaults().withContextLength(256).withThreads(2))) {
            int bos = model.tokenizer().bosId();
            assertEquals(bos, expectedIds[0]);
            GenerationResult r = session.generate(new int[] {bos},
                    SamplingParams.greedy().withMaxNewTokens(expectedIds.length - 1), GenerationListener.NONE);
            assertArrayEquals(Arrays.copyOfRange(expectedIds, 1, expectedIds.length), r.generatedIds());
            String text = r.text();
            assertEquals(expectedText.strip(), text.strip());
        }
    }
}
