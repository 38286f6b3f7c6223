package io.edgellm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The seeds of {@link ModelFuzzTest} through the same target, without Jazzer (default suite): every real model of
 * {@code ../shared/models} loads and evaluates one token, every file of {@code ../shared/golden/malformed} but
 * {@code valid_base.gguf} is rejected with one of the documented exceptions, from bytes as well as from its own path.
 */
class ModelFuzzSeedsTest {

    static Stream<Path> models() throws IOException {
        return Files.list(SharedData.root().resolve("models")).filter(p -> p.toString().endsWith(".gguf")).sorted();
    }

    static Stream<Path> malformed() throws IOException {
        return Files.list(SharedData.golden("malformed")).filter(p -> p.toString().endsWith(".gguf")).sorted();
    }

    @ParameterizedTest
    @MethodSource("models")
    void realModelEvaluatesOneToken(Path model) throws IOException {
        assertEquals(ModelFuzzTarget.Outcome.EVALUATED, ModelFuzzTarget.run(Files.readAllBytes(model)), model.toString());
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedFileIsRejected(Path file) throws IOException {
        ModelFuzzTarget.Outcome fromBytes = ModelFuzzTarget.run(Files.readAllBytes(file));
        assertEquals(fromBytes, ModelFuzzTarget.run(file), file.toString());
        if (file.getFileName().toString().equals("valid_base.gguf")) {
            return; // a legal container without a model: rejected by the model checks, not the reader
        }
        assertNotEquals(ModelFuzzTarget.Outcome.EVALUATED, fromBytes, file.toString());
    }

    static Stream<Path> replay() throws IOException {
        return Files.list(Path.of(System.getProperty("edgellm.fuzz.replay"))).filter(Files::isRegularFile).sorted();
    }

    /** Replays saved inputs (e.g. Jazzer's {@code crash-*} files): {@code -Dedgellm.fuzz.replay=DIR}; none by default. */
    @ParameterizedTest
    @EnabledIfSystemProperty(named = "edgellm.fuzz.replay", matches = ".+")
    @MethodSource("replay")
    void replaySavedInput(Path file) throws IOException {
        System.out.println(file.getFileName() + " -> " + ModelFuzzTarget.run(Files.readAllBytes(file)));
    }

    @Test
    // 100 bytes: more than the alignment padding after the last tensor
    void truncatedModelIsRejected() throws IOException {
        byte[] b = Files.readAllBytes(SharedData.model("stories260K-Q8_0.gguf"));
        assertNotEquals(ModelFuzzTarget.Outcome.EVALUATED, ModelFuzzTarget.run(java.util.Arrays.copyOf(b, b.length - 100)));
    }
}
