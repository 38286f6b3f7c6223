package io.edgellm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgellm.testing.SharedData;
import org.junit.jupiter.api.Test;

/** {@code generate --context-shift --keep N}: past n_ctx with the shift, context_full without it (the default). */
class GenerateContextShiftCliTest {

    private static JsonNode generate(String... extra) throws Exception {
        String[] base = {"generate", "-m", SharedData.path("models/stories260K.gguf").toString(), "-p", "Once upon a time",
                "-n", "100", "--temp", "0", "--ignore-eos", "-t", "2", "-c", "32", "--json"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        EdgeLlmCliTest.Run r = EdgeLlmCliTest.run(args);
        assertEquals(0, r.code(), r.err());
        return new ObjectMapper().readTree(r.out());
    }

    @Test
    void contextShiftGeneratesAllTokens() throws Exception {
        JsonNode j = generate("--context-shift", "--keep", "2");
        assertEquals("max_tokens", j.get("stop_reason").asText());
        assertEquals(100, j.get("generated_ids").size());
        assertTrue(j.get("n_context_shifts").asInt() >= 1, j.toString());
    }

    @Test
    void withoutContextShiftTheContextFills() throws Exception {
        JsonNode j = generate();
        assertEquals("context_full", j.get("stop_reason").asText());
        assertTrue(j.get("generated_ids").size() < 100);
        assertFalse(j.has("n_context_shifts") && j.get("n_context_shifts").asInt() != 0);
    }
}
