package io.edgellm.tokenizer;

import io.edgellm.quant.gguf.GgufArray;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.quant.gguf.GgufValueType;

/**
 * Test-scope twin of the engine's {@code GgufVocabulary.read}: builds a {@link Vocabulary} from a GGUF file's
 * {@code tokenizer.ggml.*} keys (absent ids → -1, absent flags → null).
 */
final class GgufVocabularies {
    private GgufVocabularies() {
    }

    static Vocabulary read(GgufFile f) {
        String k = "tokenizer.ggml.";
        return Vocabulary.builder()
                .model(f.getString(k + "model"))
                .pre(f.findString(k + "pre").orElse(null))
                .tokens(f.getStringArray(k + "tokens"))
                .scores(scores(f, k + "scores"))
                .tokenTypes(f.findIntArray(k + "token_type").orElse(null))
                .merges(f.findStringArray(k + "merges").orElse(null))
                .bosId(id(f, k + "bos_token_id"))
                .eosId(id(f, k + "eos_token_id"))
                .eotId(id(f, k + "eot_token_id"))
                .eomId(id(f, k + "eom_token_id"))
                .unkId(id(f, k + "unknown_token_id"))
                .padId(id(f, k + "padding_token_id"))
                .sepId(id(f, k + "seperator_token_id"))
                .addBos(f.findBoolean(k + "add_bos_token").orElse(null))
                .addEos(f.findBoolean(k + "add_eos_token").orElse(null))
                .addSpacePrefix(f.findBoolean(k + "add_space_prefix").orElse(null))
                .build();
    }

    /** FLOAT32 scores, or INT32 ones converted (llama.cpp accepts both). */
    private static float[] scores(GgufFile f, String key) {
        GgufArray a = f.findArray(key).orElse(null);
        if (a == null) {
            return null;
        }
        if (a.elementType() == GgufValueType.INT32) {
            int[] v = (int[]) a.values();
            float[] s = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                s[i] = v[i];
            }
            return s;
        }
        return f.getFloatArray(key);
    }

    /** An id key as int, -1 when absent or not representable. */
    private static int id(GgufFile f, String key) {
        long v = f.findLong(key).orElse(-1);
        return v >= 0 && v <= Integer.MAX_VALUE ? (int) v : -1;
    }
}
