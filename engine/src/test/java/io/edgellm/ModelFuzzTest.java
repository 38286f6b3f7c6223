package io.edgellm;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Jazzer fuzz target for the whole load path: any byte string goes through {@link ModelFuzzTarget} (GGUF reader,
 * architecture and hyperparameter checks, tensor binding, tokenizer, a 16-token session and one forward token). The
 * only accepted failures are {@code GgufFormatException}, {@code ModelFormatException} and a session's
 * {@code IllegalArgumentException}; any other exception or error is a finding.
 *
 * <p>Seeds: the real models of {@code ../shared/models} that fit in {@code -max_len} and every file of
 * {@code ../shared/golden/malformed}, copied by {@link #seeds()} into {@code engine/target/fuzz-corpus/ModelFuzzTest},
 * which is also the corpus Jazzer grows (nothing is written into the repository). Runs only with {@code JAZZER_FUZZ}
 * set (the default suite runs the same target on the seeds without Jazzer: {@link ModelFuzzSeedsTest}); the command,
 * 1,000,000 executions, is in the README ("Fuzzing"). A reproducer of a finding is written to
 * {@code src/test/resources/io/edgellm/ModelFuzzTestInputs/loadAndForward/} and replays in later runs.
 */
@EnabledIfEnvironmentVariable(named = "JAZZER_FUZZ", matches = ".+")
class ModelFuzzTest {
    /** Largest seed copied, bytes: the libFuzzer {@code -max_len} of the documented command. */
    static final long MAX_LEN = 1_200_000;

    /** The corpus directory, relative to the engine module (the fork's working directory). */
    static final Path CORPUS = Path.of("target", "fuzz-corpus", "ModelFuzzTest");

    @BeforeAll
    static void seeds() throws IOException {
        Files.createDirectories(CORPUS);
        try (Stream<Path> models = Files.list(SharedData.root().resolve("models"));
             Stream<Path> malformed = Files.list(SharedData.golden("malformed"))) {
            for (Path p : Stream.concat(models, malformed).toList()) {
                if (p.toString().endsWith(".gguf") && Files.size(p) <= MAX_LEN) {
                    Files.copy(p, CORPUS.resolve("seed-" + p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    @FuzzTest(maxDuration = "3h", maxExecutions = 1_000_000)
    void loadAndForward(byte[] data) throws IOException {
        ModelFuzzTarget.run(data);
    }
}
