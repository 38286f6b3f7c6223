package io.edgellm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Megabytes of text: encoding must stay exact (the chunked SentencePiece merge equals the unchunked one) and
 * round-trip. No timing assertions; the JMH benchmark measures speed.
 */
class LargeTextTest {
    private static final List<String> WORDS = List.of("Once", "upon", "a", "time", "there", "was", "little", "girl",
            "named", "Lily", "She", "loved", "to", "play", "outside", "in", "the", "park", "One", "day", "she", "saw",
            "big", "red", "ball", "and", "wanted", "with", "it", "but", "too", "high", "mom", "said", "happy", "don't",
            "we'll", "it's", "Tom", "dog", "ran", "fast", "2024", "42", "3.14", "naïve", "café", "Über", "日本語",
            "привет", "🦙", "emoji😀", "tab\tbed", "x", "co-op", "e-mail", "(parens)", "[brackets]", "{braces}",
            "$100", "50%", "a+b=c", "<tag>", "path/to/file", "snake_case", "CamelCase", "ALLCAPS");

    /** Deterministic English-like text of about {@code chars} chars (no " ." so clean_spaces cannot change it). */
    static String text(int chars, long seed) {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder(chars + 64);
        while (sb.length() < chars) {
            sb.append(WORDS.get(r.nextInt(WORDS.size())));
            int p = r.nextInt(100);
            if (p < 8) {
                sb.append(". ");
            } else if (p < 12) {
                sb.append(", ");
            } else if (p < 14) {
                sb.append(".\n\n");
            } else if (p < 15) {
                sb.append("    "); // runs of spaces (SentencePiece has multi-space tokens)
            } else {
                sb.append(' ');
            }
        }
        return sb.toString();
    }

    @Test
    void cutAndCachedSentencePieceEqualsWholeTextMerging() {
        // reference: llama.cpp's procedure, the whole text in one merge queue; vs. word-start cuts + cache, and
        // small chunks for text without spaces. Llama's vocabulary has multi-space tokens ("▁▁▁▁"); TinyStories-656K
        // has tokens across word boundaries ("e▁the"-like), which forbid most word-start cuts.
        for (java.nio.file.Path file : List.of(TestData.vocabFile("llama-spm"),
                TestData.model("TinyStories-656K-F32.gguf"), TestData.model("stories260K.gguf"))) {
            Vocabulary v = TestData.vocabulary(file);
            Tokenizer reference = Tokenizer.create(v, 0);
            Tokenizer small = Tokenizer.create(v, 200);
            Tokenizer normal = Tokenizer.create(v);
            for (String text : List.of(text(200_000, 1), "日本語のテキストです。".repeat(3000),
                    "a  b   c    d\n\n  e.   ".repeat(2000))) {
                int[] expected = reference.encode(text, true, false);
                assertArrayEquals(expected, small.encode(text, true, false), file.toString());
                assertArrayEquals(expected, normal.encode(text, true, false), file.toString());
                assertArrayEquals(expected, normal.encode(text, true, false), file + " (cached)");
            }
            for (TestData.Vector vec : TestData.vectors("llama-spm")) {
                assertArrayEquals(reference.encode(vec.input(), false, false), normal.encode(vec.input(), false, false));
            }
        }
    }

    @Test
    void oneMegabyteRoundTripsInEveryFamily() {
        String text = text(1 << 20, 2);
        for (String vocab : List.of("llama-spm", "llama-bpe", "qwen2", "gpt-2", "deepseek-coder")) {
            Tokenizer t = TestData.tokenizer(TestData.vocabFile(vocab));
            int[] ids = t.encode(text, false, false);
            assertTrue(ids.length > text.length() / 8 && ids.length < text.length(), vocab + ": " + ids.length);
            assertEquals(text, t.decode(ids), vocab);
        }
    }

    @Test
    void eightMegabytesEncode() {
        String text = text(8 << 20, 3);
        Tokenizer spm = TestData.tokenizer(TestData.vocabFile("llama-spm"));
        int[] ids = spm.encode(text, true, false);
        assertEquals(1, ids[0]);
        assertEquals(text, spm.decode(ids, true, false).substring(1)); // BOS dropped, so the space prefix stays
        Tokenizer bpe = TestData.tokenizer(TestData.vocabFile("llama-bpe"));
        assertEquals(text, bpe.decode(bpe.encode(text, false, false)));
    }
}
