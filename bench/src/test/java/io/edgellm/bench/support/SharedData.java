package io.edgellm.bench.support;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates ../shared (system property {@code edgellm.shared}, else ../shared beside the project root). */
public final class SharedData {
    private SharedData() {
    }

    public static Path root() {
        return io.edgellm.testing.SharedData.root(); // skips the test when ../shared is absent
    }

    public static Path path(String relative) {
        return root().resolve(relative);
    }
}
