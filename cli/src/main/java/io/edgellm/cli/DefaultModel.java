package io.edgellm.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model in the box: {@code models/TinyStories-656K-Q8_0.gguf} of the checkout, used when a command gets no
 * {@code -m}. Looked up beside the checkout that holds the running jar ({@code cli/target/edgellm.jar} →
 * {@code ../../models/}), then in {@code ./models/}.
 */
final class DefaultModel {
    static final String NAME = "TinyStories-656K-Q8_0.gguf";

    private DefaultModel() {
    }

    static Path resolve(Path given) {
        if (given != null) return given;
        try {
            Path jar = Path.of(DefaultModel.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path dir = Files.isDirectory(jar) ? jar : jar.getParent();   // classes dir (tests) or the jar's folder
            for (Path d = dir; d != null; d = d.getParent()) {
                Path p = d.resolve("models").resolve(NAME);
                if (Files.isRegularFile(p)) return p;
            }
        } catch (Exception ignored) {
            // fall through to ./models
        }
        Path local = Path.of("models", NAME);
        if (Files.isRegularFile(local)) return local;
        throw new IllegalArgumentException("no model: give -m FILE.gguf (the bundled models/" + NAME + " was not found)");
    }
}
