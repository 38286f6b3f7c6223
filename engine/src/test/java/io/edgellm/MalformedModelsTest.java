package io.edgellm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every file in golden/malformed fails Model.load with an IOException naming the file; valid_base.gguf loads. */
class MalformedModelsTest {

    static Stream<String> files() throws IOException {
        JsonNode index = new ObjectMapper().readTree(SharedData.golden("malformed/index.json").toFile());
        List<String> names = new ArrayList<>();
        index.get("cases").forEach(c -> names.add(c.get("file").asText()));
        return names.stream();
    }

    @ParameterizedTest
    @MethodSource("files")
    void rejectedWithClearError(String file) {
        Path p = SharedData.golden("malformed/" + file);
        IOException e = assertThrows(IOException.class, () -> {
            try (Model m = Model.load(p)) {
                m.newSession(SessionOptions.defaults().withContextLength(16)).close();
            }
        });
        String msg = e.getMessage();
        assertTrue(msg != null && msg.contains(file), file + ": message should name the file: " + msg);
        assertFalse(msg.contains("\n"), "one line: " + msg);
        System.out.println(file + " -> " + e.getClass().getSimpleName() + ": " + msg);
    }

    @Test
    void zeroDimNamesTheTensor() {
        IOException e = assertThrows(IOException.class, () -> Model.load(SharedData.golden("malformed/zero_dim.gguf")));
        assertTrue(e.getMessage().contains("blk.0.ffn_up.weight"), e.getMessage());
    }

    @Test
    void validBaseLoads() throws IOException {
        try (Model m = Model.load(SharedData.golden("malformed/valid_base.gguf"));
             Session s = m.newSession(SessionOptions.defaults().withContextLength(16).withThreads(1))) {
            float[] logits = s.evaluate(new int[] {1, 2, 3});
            assertTrue(logits.length == m.config().vocabSize());
        }
    }

    @Test
    void missingFileIsAClearError() {
        IOException e = assertThrows(IOException.class, () -> Model.load(Path.of("/nonexistent/model.gguf")));
        assertTrue(e.getMessage().contains("/nonexistent/model.gguf"), e.getMessage());
    }
}
