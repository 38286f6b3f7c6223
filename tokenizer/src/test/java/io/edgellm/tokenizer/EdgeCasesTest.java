package io.edgellm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** Bad and unusual input: empty text, unpaired surrogates, out-of-range ids, unknown models and pre-tokenizers. */
class EdgeCasesTest {
    private static Tokenizer spm() {
        return TestData.tokenizer(TestData.vocabFile("llama-spm"));
    }

    private static Tokenizer llama3() {
        return TestData.tokenizer(TestData.vocabFile("llama-bpe"));
    }

    @Test
    void emptyTextGivesNoTokensOrJustBos() {
        assertArrayEquals(new int[0], spm().encode("", false, false));
        assertArrayEquals(new int[] {1}, spm().encode("", true, false));
        assertArrayEquals(new int[0], llama3().encode("", false, true));
        assertArrayEquals(new int[] {128000}, llama3().encode("", true, true));
        assertEquals("", spm().decode(new int[0]));
        assertEquals("", llama3().decode(new int[0]));
    }

    @Test
    void unpairedSurrogatesEncodeAsReplacementCharacter() {
        for (Tokenizer t : new Tokenizer[] {spm(), llama3(), TestData.tokenizer(TestData.vocabFile("qwen2"))}) {
            int[] replaced = t.encode("a\uFFFDb\uFFFD", false, false);
            assertArrayEquals(replaced, t.encode("a\uD800b\uDC00", false, false), t.toString());
            assertArrayEquals(replaced, t.encode("a\uDBFFb\uDFFF", false, false), t.toString());
            // a reversed pair is two unpaired surrogates
            assertArrayEquals(t.encode("\uFFFD\uFFFD", false, false), t.encode("\uDC00\uD800", false, false));
            // a proper pair is left alone
            assertEquals("x\uD83D\uDE00y", t.decode(t.encode("x\uD83D\uDE00y", false, false)).replace(" ", ""));
        }
    }

    @Test
    void outOfRangeIdsAreRejectedWithIdAndVocabSize() {
        Tokenizer t = spm();
        for (int bad : new int[] {-1, 32000, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.decode(new int[] {1, bad}));
            assertTrue(e.getMessage().contains(Integer.toString(bad)) && e.getMessage().contains("32000"),
                    e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> t.tokenBytes(bad));
            assertThrows(IllegalArgumentException.class, () -> t.piece(bad));
            assertThrows(IllegalArgumentException.class, () -> t.tokenText(bad));
            assertThrows(IllegalArgumentException.class, () -> t.streamingDecoder().accept(bad));
            assertFalse(t.isEndOfGeneration(bad));
        }
        assertThrows(NullPointerException.class, () -> t.encode(null, true, false));
        assertThrows(NullPointerException.class, () -> t.decode(null));
    }

    @Test
    void unknownPreTokenizerIsRejectedListingKnownNames() {
        Vocabulary v = Vocabulary.builder().model("gpt2").pre("no-such-pre").tokens(new String[] {"a", "b", "ab"})
                .merges(new String[] {"a b"}).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.create(v));
        assertTrue(e.getMessage().contains("no-such-pre") && e.getMessage().contains("llama-bpe")
                && e.getMessage().contains("qwen2") && e.getMessage().contains("deepseek-coder"), e.getMessage());
        assertTrue(Tokenizer.knownPreTokenizers().containsAll(Arrays.asList("default", "gpt-2", "llama-bpe", "qwen2",
                "deepseek-llm", "deepseek-coder", "falcon", "mpt", "starcoder", "refact", "smollm", "phi-2")));
    }

    @Test
    void unsupportedModelsAndBrokenVocabulariesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Tokenizer.create(
                Vocabulary.builder().model("bert").tokens(new String[] {"a"}).build()));
        assertThrows(IllegalArgumentException.class, () -> Tokenizer.create(
                Vocabulary.builder().model("gpt2").pre("gpt-2").tokens(new String[] {"a"}).build())); // no merges
        assertThrows(IllegalArgumentException.class, () -> Tokenizer.create(
                Vocabulary.builder().model("llama").tokens(new String[] {"a", "b", "a"}).build())); // duplicate
        // ... unless it is U+FFFD text (invalid UTF-8 in the file read lossily): then the first id wins
        Tokenizer lossy = Tokenizer.create(Vocabulary.builder().model("llama")
                .tokens(new String[] {"<unk>", "<s>", "</s>", "x\uFFFD", "x\uFFFD"}).build());
        assertEquals(3, lossy.tokenId("x\uFFFD"));
        assertThrows(IllegalArgumentException.class, () -> Vocabulary.builder().model("llama").build()); // no tokens
        assertThrows(IllegalArgumentException.class, () -> Vocabulary.builder().tokens(new String[] {"a"}).build());
        assertThrows(IllegalArgumentException.class, () -> Vocabulary.builder().model("llama")
                .tokens(new String[] {"a", "b"}).scores(new float[1]).build());
        // add_bos without any BOS id (a 1-token vocabulary has no default id 1)
        assertThrows(IllegalArgumentException.class, () -> Tokenizer.create(
                Vocabulary.builder().model("llama").tokens(new String[] {"a"}).build()));
    }

    @Test
    void missingPreMeansLlamaCppDefaultSplit() {
        Tokenizer neox = TestData.tokenizer(TestData.vocabFile("gpt-neox"));
        assertEquals(null, neox.pre());
        String text = "Hello world! 12345 don't stop\n\n  indented";
        assertEquals(text, neox.decode(neox.encode(text, false, false)));
        // the default split separates punctuation runs and 3-digit groups: "12345" → "123" "45"
        int[] ids = neox.encode("12345", false, false);
        assertEquals("123", neox.piece(ids[0]));
        assertEquals("45", neox.piece(ids[1]));
    }

    @Test
    void anotherSentencePieceVocabularyLoads() {
        Tokenizer baichuan = TestData.tokenizer(TestData.vocabFile("baichuan"));
        String text = "Hello, world. 你好，世界！";
        assertEquals(text, baichuan.decode(baichuan.encode(text, false, false)));
    }

    @Test
    void specialIdsDefaultsAndFlags() {
        Tokenizer t = spm();
        assertEquals(1, t.bosId());
        assertEquals(2, t.eosId());
        assertEquals(0, t.unkId());
        assertEquals(13, t.newlineId()); // <0x0A>
        assertTrue(t.addsBos());
        assertFalse(t.addsEos());
        assertTrue(t.addsSpacePrefix());
        Tokenizer l3 = llama3();
        assertEquals(128000, l3.bosId());
        assertTrue(l3.addsBos());
        assertFalse(l3.addsSpacePrefix());
        assertEquals(198, l3.newlineId()); // "Ċ"
        assertEquals("<|begin_of_text|>", l3.tokenText(128000));
        assertEquals(128000, l3.tokenId("<|begin_of_text|>"));
        assertEquals(-1, l3.tokenId("no such token"));
        assertTrue(l3.isControl(128000));
    }

    @Test
    void oneTokenizerServesManyThreads() throws Exception {
        for (String vocab : new String[] {"llama-spm", "qwen2"}) {
            Tokenizer shared = TestData.tokenizer(TestData.vocabFile(vocab));
            Vocabulary v = TestData.vocabulary(TestData.vocabFile(vocab));
            String[] texts = new String[8];
            int[][] expected = new int[texts.length][];
            for (int i = 0; i < texts.length; i++) {
                texts[i] = LargeTextTest.text(50_000, 100 + i);
                expected[i] = Tokenizer.create(v).encode(texts[i], true, false); // fresh caches
            }
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
                var futures = new java.util.ArrayList<java.util.concurrent.Future<int[]>>();
                for (int round = 0; round < 3; round++) {
                    for (String text : texts) {
                        futures.add(pool.submit(() -> shared.encode(text, true, false)));
                    }
                }
                for (int k = 0; k < futures.size(); k++) {
                    assertArrayEquals(expected[k % texts.length], futures.get(k).get(), vocab + " task " + k);
                }
            }
        }
    }
}
