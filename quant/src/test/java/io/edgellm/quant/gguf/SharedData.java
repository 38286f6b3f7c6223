package io.edgellm.quant.gguf;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates ../shared (system property {@code edgellm.shared}, else ../shared beside the project root). */
final class SharedData {
    private SharedData() {
    }

    static Path root() {
        String p = System.getProperty("edgellm.shared");
        if (p != null && Files.isDirectory(Path.of(p))) {
            return Path.of(p);
        }
        // Surefire runs in the module directory; the project root is its parent.
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("../shared").normalize();
            if (Files.isDirectory(candidate.resolve("models"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("../shared not found (set -Dedgellm.shared)");
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
