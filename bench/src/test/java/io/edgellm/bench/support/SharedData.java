package io.edgellm.bench.support;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates ../shared (system property {@code edgellm.shared}, else ../shared beside the project root). */
public final class SharedData {
    private SharedData() {
    }

    public static Path root() {
        String p = System.getProperty("edgellm.shared");
        if (p != null && Files.isDirectory(Path.of(p))) {
            return Path.of(p);
        }
        Path here = Path.of("").toAbsolutePath();
        for (Path d = here; d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("../shared/models"))) {
                return d.resolve("../shared").normalize();
            }
        }
        return here.resolve("../shared");
    }

    public static Path path(String relative) {
        return root().resolve(relative);
    }
}
