package io.edgellm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The merge rules on tiny hand-made vocabularies, where every step can be followed by hand. */
class SyntheticVocabularyTest {
    //                                    0        1      2       3    4    5    6    7     8      9
    private static final String[] SPM = {"<unk>", "<s>", "</s>", "▁", "a", "b", "c", "ab", "bc", "▁a"};
    private static final int[] SPM_TYPES = {2, 3, 3, 1, 1, 1, 1, 1, 1, 1};

    private static Tokenizer spm(float ab, float bc, boolean withUnk) {
        float[] scores = {0, 0, 0, -5, -5, -5, -5, ab, bc, -2};
        return Tokenizer.create(Vocabulary.builder().model("llama").tokens(SPM).scores(scores).tokenTypes(SPM_TYPES)
                .unkId(withUnk ? 0 : -1).addSpacePrefix(false).build());
    }

    @Test
    void sentencePieceMergesTheHighestScoreFirst() {
        assertArrayEquals(new int[] {4, 8}, spm(-1f, -0.5f, true).encode("abc", false, false)); // a + bc
        assertArrayEquals(new int[] {7, 6}, spm(-0.5f, -1f, true).encode("abc", false, false)); // ab + c
    }

    @Test
    void sentencePieceTiesGoToTheLeftmostPair() {
        assertArrayEquals(new int[] {7, 6}, spm(-1f, -1f, true).encode("abc", false, false));
    }

    @Test
    void sentencePieceSpaceIsASymbolLikeAnyOther() {
        // "▁ab": ab (-1) beats ▁a (-2), and "▁ab" is no token
        assertArrayEquals(new int[] {3, 7}, spm(-1f, -1f, true).encode(" ab", false, false));
        // with ab at -3, ▁a (-2) merges first and b stays alone
        assertArrayEquals(new int[] {9, 5}, spm(-3f, -1f, true).encode(" ab", false, false));
        // the space prefix: "ab" becomes "▁ab"
        Tokenizer prefixed = Tokenizer.create(Vocabulary.builder().model("llama").tokens(SPM)
                .scores(new float[] {0, 0, 0, -5, -5, -5, -5, -3, -1, -2}).tokenTypes(SPM_TYPES).build());
        assertArrayEquals(new int[] {1, 9, 5}, prefixed.encode("ab", true, false));
        assertEquals("ab", prefixed.decode(prefixed.encode("ab", false, false)));
    }

    @Test
    void sentencePieceWithoutByteTokensUsesUnknown() {
        // llama.cpp throws here (no <0xC3> token); we emit <unk> per byte when there is one, else a clear error
        // (a llama vocabulary always has an UNK id: absent, it defaults to 0 as in llama.cpp)
        assertArrayEquals(new int[] {4, 0, 0}, spm(-1f, -1f, true).encode("aé", false, false));
        assertArrayEquals(new int[] {4, 0, 0}, spm(-1f, -1f, false).encode("aé", false, false));
        assertEquals("a", spm(-1f, -1f, true).decode(new int[] {4, 0, 0})); // <unk> renders as nothing
    }

    @Test
    void bytePairMergesTheLowestRankFirst() {
        String[] tokens = {"a", "b", "c", "ab", "bc", "abc", "<|endoftext|>"};
        Tokenizer t = Tokenizer.create(Vocabulary.builder().model("gpt2").pre("gpt-2").tokens(tokens)
                .merges(new String[] {"b c", "a b", "a bc"}).bosId(6).eosId(6).build());
        assertArrayEquals(new int[] {5}, t.encode("abc", false, false)); // b c → a bc → abc
        Tokenizer other = Tokenizer.create(Vocabulary.builder().model("gpt2").pre("gpt-2").tokens(tokens)
                .merges(new String[] {"a b", "b c", "a bc"}).bosId(6).eosId(6).build());
        assertArrayEquals(new int[] {3, 2}, other.encode("abc", false, false)); // a b first; "ab c" is no merge
        assertEquals("abc", other.decode(other.encode("abc", false, false)));
        assertEquals(true, other.isEndOfGeneration(6)); // <|endoftext|> by text
    }
}
