package io.edgellm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * llama.cpp's own tokenizer test vectors (what its test-tokenizer-0 checks) from ../shared/vocab: every input of
 * every vocabulary must give exactly the expected ids with add_special = false, parse_special = false.
 */
class LlamaCppVectorsTest {
    static final List<String> VOCABS = List.of("llama-spm", "phi-3", "gpt-2", "llama-bpe", "qwen2", "deepseek-llm",
            "deepseek-coder", "falcon", "mpt", "starcoder", "refact");

    static Stream<Arguments> vectors() {
        return VOCABS.stream().flatMap(name -> TestData.vectors(name).stream()
                .map(v -> Arguments.of(name, v.index(), v)));
    }

    @ParameterizedTest(name = "{0} #{1}")
    @MethodSource("vectors")
    void encodesLikeLlamaCpp(String vocab, int index, TestData.Vector v) {
        Tokenizer t = TestData.tokenizer(TestData.vocabFile(vocab));
        int[] actual = t.encode(v.input(), false, false);
        assertArrayEquals(v.expected(), actual, () -> vocab + " #" + index + " input " + show(v.input())
                + "\n expected " + Arrays.toString(v.expected()) + "\n actual   " + Arrays.toString(actual));
    }

    static String show(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            if (cp < 0x20 || cp > 0x7E) {
                sb.append(String.format("\\u{%X}", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.append('"').toString();
    }
}
