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
        return io.edgellm.testing.SharedData.root(); // skips the test when ../shared is absent
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
