package io.edgellm.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.edgellm.quant.gguf.GgufFile;

/**
 * Test data: locates ../shared (system property {@code edgellm.shared}, else ../shared beside the project root),
 * loads vocabularies from GGUF files (cached per file) and llama.cpp's tokenizer test vectors.
 */
final class TestData {
    private static final Map<Path, Tokenizer> TOKENIZERS = new ConcurrentHashMap<>();

    private TestData() {
    }

    static Path shared() {
        return io.edgellm.testing.SharedData.root(); // skips the test when ../shared is absent
    }

    static Path vocabFile(String name) {
        return shared().resolve("vocab").resolve("ggml-vocab-" + name + ".gguf");
    }

    static Path model(String file) {
        return shared().resolve("models").resolve(file);
    }

    /** @return the (cached) tokenizer of a GGUF file */
    static Tokenizer tokenizer(Path gguf) {
        return TOKENIZERS.computeIfAbsent(gguf, p -> Tokenizer.create(vocabulary(p)));
    }

    static Vocabulary vocabulary(Path gguf) {
        try (GgufFile f = GgufFile.open(gguf)) {
            return GgufVocabularies.read(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One llama.cpp test vector: input text and the expected ids. */
    record Vector(int index, String input, int[] expected) {
    }

    /**
     * Reads {@code <vocab>.gguf.inp} (inputs, each followed by "\n__ggml_vocab_test__\n") and {@code .gguf.out}
     * (one line of space-separated ids per input).
     */
    static List<Vector> vectors(String name) {
        try {
            Path inp = Path.of(vocabFile(name) + ".inp");
            Path out = Path.of(vocabFile(name) + ".out");
            String all = Files.readString(inp, StandardCharsets.UTF_8);
            String sep = "\n__ggml_vocab_test__\n";
            List<String> inputs = new ArrayList<>();
            int pos = 0;
            for (int i = all.indexOf(sep); i >= 0; i = all.indexOf(sep, pos)) {
                inputs.add(all.substring(pos, i));
                pos = i + sep.length();
            }
            List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
            if (lines.size() != inputs.size()) {
                throw new IllegalStateException(name + ": " + inputs.size() + " inputs but " + lines.size()
                        + " expected lines");
            }
            List<Vector> v = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                String line = lines.get(i).trim();
                int[] ids = line.isEmpty() ? new int[0]
                        : java.util.Arrays.stream(line.split("\\s+")).mapToInt(Integer::parseInt).toArray();
                v.add(new Vector(i, inputs.get(i), ids));
            }
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
