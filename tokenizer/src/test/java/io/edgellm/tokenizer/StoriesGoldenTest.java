package io.edgellm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real TinyStories-656K and stories260K models (SentencePiece vocabularies of 2048 and 512 tokens) against
 * llama.cpp's greedy goldens: prompt ids (made with add_special = true, parse_special = true) and the generated
 * text, which llama.cpp printed piece by piece.
 */
class StoriesGoldenTest {

    record Case(String golden, String model, String prompt, int[] promptIds, int[] generatedIds,
                String generatedText) {
        @Override
        public String toString() {
            return golden + ": " + prompt;
        }
    }

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> out = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String golden : List.of("TinyStories-656K-F32.json", "stories260K.json")) {
            JsonNode root = json.readTree(TestData.shared().resolve("golden/greedy").resolve(golden).toFile());
            String model = Path.of(root.get("model_path").asText()).getFileName().toString();
            for (JsonNode c : root.get("cases")) {
                out.add(Arguments.of(new Case(golden, model, c.get("prompt").asText(), ints(c.get("prompt_ids")),
                        ints(c.get("generated_ids")), c.get("generated_text").asText())));
            }
        }
        return out.stream();
    }

    private static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).asInt();
        }
        return r;
    }

    private static Tokenizer tokenizer(Case c) {
        return TestData.tokenizer(TestData.model(c.model()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void promptIdsMatchLlamaCpp(Case c) {
        assertArrayEquals(c.promptIds(), tokenizer(c).encode(c.prompt(), true, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void streamedGenerationMatchesLlamaCppText(Case c) {
        Tokenizer t = tokenizer(c);
        StreamingDecoder d = t.streamingDecoder();
        StringBuilder sb = new StringBuilder();
        for (int id : c.generatedIds()) {
            sb.append(d.accept(id));
        }
        sb.append(d.flush());
        assertEquals(c.generatedText(), sb.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void promptDecodesBack(Case c) {
        Tokenizer t = tokenizer(c);
        int[] ids = t.encode(c.prompt(), true, true);
        assertTrue(t.addsBos());
        assertEquals(1, t.bosId());
        assertEquals(2, t.eosId());
        assertTrue(t.isEndOfGeneration(2));
        // remove_special drops BOS; as in llama.cpp the leading space then stays
        assertEquals(" " + c.prompt(), t.decode(ids, true, false));
        // without BOS the space encode added is removed again
        assertEquals(c.prompt(), t.decode(t.encode(c.prompt(), false, false)));
    }
}
