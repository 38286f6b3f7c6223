package io.edgellm.quant.ggml;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Locates ../shared (system property {@code edgellm.shared}, else ../shared beside the project root) and maps files. */
final class Shared {

    private Shared() {
    }

    static Path root() {
        return io.edgellm.testing.SharedData.root(); // skips the test when ../shared is absent
    }

    static Path model(String name) {
        return root().resolve("models").resolve(name);
    }

    static Path synthModel(String name) {
        return root().resolve("golden/synth/models").resolve(name);
    }

    static Path synthDequant(String name) {
        return root().resolve("golden/synth/dequant").resolve(name);
    }

    /** Maps a whole file read-only into {@code arena}. */
    static MemorySegment map(Path file, Arena arena) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        }
    }
}
