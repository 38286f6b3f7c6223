package io.edgellm.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the shared test data ({@code ../shared} beside the checkout: real models, llama.cpp goldens, vocabularies).
 *
 * <p>The system property {@code edgellm.shared} (set by Surefire from the parent POM) wins; otherwise the first
 * {@code ../shared} with a {@code models} folder above the working directory. When neither exists (a fresh clone
 * without the data) {@link #root()} <em>aborts the calling test</em> through a JUnit assumption with one message, so
 * tests that need the data are reported as skipped and tests that need none still run.
 */
public final class SharedData {
    /** The message of the assumption that skips a test when the data are absent. */
    public static final String MISSING = "../shared (edgellm's test data: models, goldens, vocabularies) is not beside "
            + "this checkout; tests that need it are skipped (set -Dedgellm.shared=DIR to point at it)";

    private SharedData() {
    }

    /**
     * Whether the shared data are present.
     *
     * @return true when {@link #root()} would return a directory
     */
    public static boolean available() {
        return find() != null;
    }

    /**
     * The data root; skips the calling test (JUnit assumption) when absent.
     *
     * @return the {@code shared} directory
     */
    public static Path root() {
        Path p = find();
        Assumptions.assumeTrue(p != null, MISSING);
        return p;
    }

    /**
     * A path below the root.
     *
     * @param relative e.g. {@code models/TinyStories-656K-Q8_0.gguf}
     * @return the resolved path (skips the test when the data are absent)
     */
    public static Path path(String relative) {
        return root().resolve(relative);
    }

    private static Path find() {
        String p = System.getProperty("edgellm.shared");
        if (p != null && Files.isDirectory(Path.of(p, "models"))) {
            return Path.of(p).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("../shared").normalize();
            if (Files.isDirectory(candidate.resolve("models"))) {
                return candidate;
            }
        }
        return null;
    }
}
