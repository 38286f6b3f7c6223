package io.edgellm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Locates ../shared (system property {@code edgellm.shared}, else ../shared beside the project root). */
public final class SharedData {
    private SharedData() {
    }

    public static Path root() {
        String p = System.getProperty("edgellm.shared");
        if (p != null && Files.isDirectory(Paths.get(p))) return Paths.get(p);
        Path dir = Paths.get("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            Path c = d.resolve("../shared").normalize();
            if (Files.isDirectory(c.resolve("golden"))) return c;
        }
        throw new IllegalStateException("../shared not found (set -Dedgellm.shared)");
    }

    public static Path model(String name) {
        return root().resolve("models").resolve(name);
    }

    public static Path golden(String rel) {
        return root().resolve("golden").resolve(rel);
    }

    /** Little-endian float32 file. */
    public static float[] floats(Path p) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[b.remaining() / 4];
        b.asFloatBuffer().get(f);
        return f;
    }
}
