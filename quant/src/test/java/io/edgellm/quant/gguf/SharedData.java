package io.edgellm.quant.gguf;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates ../shared (system property {@code edgellm.shared}, else ../shared beside the project root). */
final class SharedData {
    private SharedData() {
    }

    static Path root() {
        return io.edgellm.testing.SharedData.root(); // skips the test when ../shared is absent
    }

    static Path models() {
        return root().resolve("models");
    }

    static Path model(String name) {
        return models().resolve(name);
    }

    static Path vocab() {
        return root().resolve("vocab");
    }

    static Path malformed() {
        return root().resolve("golden/malformed");
    }
}
