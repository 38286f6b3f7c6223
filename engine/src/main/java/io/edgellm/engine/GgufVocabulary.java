package io.edgellm.engine;

import io.edgellm.ModelFormatException;
import io.edgellm.quant.gguf.GgufArray;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.tokenizer.Vocabulary;

/**
 * Builds a {@link Vocabulary} from the {@code tokenizer.ggml.*} keys of a GGUF file (GGUF spec, "Tokenizer" section;
 * llama.cpp {@code llama_vocab::load}). Absent special-token ids become -1 and absent flags null, so the tokenizer
 * applies llama.cpp's per-model defaults.
 */
public final class GgufVocabulary {
    private static final String K = "tokenizer.ggml.";

    private GgufVocabulary() {
    }

    /**
     * Reads the vocabulary of {@code file}.
     *
     * @param file an open GGUF file (model or vocabulary-only)
     * @return the vocabulary as plain data
     * @throws ModelFormatException when {@code tokenizer.ggml.model} or {@code tokenizer.ggml.tokens} is missing, a key
     *                              has the wrong type, or the arrays are inconsistent (message names the file and key)
     */
    public static Vocabulary read(GgufFile file) throws ModelFormatException {
        try {
            String model = string(file, K + "model");
            if (model == null) {
                throw new ModelFormatException(file.path(), "missing metadata key '" + K + "model' (no tokenizer in this file)");
            }
            if (!(file.metadata().get(K + "tokens") instanceof GgufArray)) {
                throw new ModelFormatException(file.path(), "missing metadata key '" + K + "tokens' (array of string)");
            }
            String[] tokens = file.getStringArray(K + "tokens");
            float[] scores = scores(file, tokens.length);
            int[] types = intArray(file, K + "token_type", tokens.length);
            checkTokenTypes(file, types, tokens.length);
            return Vocabulary.builder()
                    .model(model)
                    .pre(string(file, K + "pre"))
                    .tokens(tokens)
                    .scores(scores)
                    .tokenTypes(types)
                    .merges(file.contains(K + "merges") ? file.getStringArray(K + "merges") : null)
                    .bosId(id(file, K + "bos_token_id"))
                    .eosId(id(file, K + "eos_token_id"))
                    .eotId(id(file, K + "eot_token_id"))
                    .eomId(id(file, K + "eom_token_id"))
                    .unkId(id(file, K + "unknown_token_id"))
                    .padId(id(file, K + "padding_token_id"))
                    .sepId(id(file, K + "seperator_token_id"))
                    .addBos(bool(file, K + "add_bos_token"))
                    .addEos(bool(file, K + "add_eos_token"))
                    .addSpacePrefix(bool(file, K + "add_space_prefix"))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file.path(), "bad tokenizer metadata: " + e.getMessage(), e);
        }
    }

    private static String string(GgufFile f, String key) {
        return f.contains(key) ? f.getString(key) : null;
    }

    private static Boolean bool(GgufFile f, String key) {
        return f.contains(key) ? f.getBoolean(key) : null;
    }

    /** FLOAT32 scores, or INT32 ones converted (llama.cpp accepts both); length must cover every token. */
    private static float[] scores(GgufFile f, int nTokens) throws ModelFormatException {
        String key = K + "scores";
        if (!(f.metadata().get(key) instanceof GgufArray a)) {
            if (f.contains(key)) throw new ModelFormatException(f.path(), "metadata key '" + key + "' must be an array");
            return null;
        }
        float[] s;
        if (a.values() instanceof float[] fl) {
            s = fl.clone();
        } else if (a.values() instanceof int[] in) {
            s = new float[in.length];
            for (int i = 0; i < in.length; i++) s[i] = in[i];
        } else {
            throw new ModelFormatException(f.path(), "metadata key '" + key + "' must be an array of FLOAT32, got " + a.elementType());
        }
        if (s.length < nTokens) {
            throw new ModelFormatException(f.path(), "metadata key '" + key + "' has " + s.length + " entries for " + nTokens + " tokens");
        }
        return s;
    }

    private static int[] intArray(GgufFile f, String key, int nTokens) throws ModelFormatException {
        if (!(f.metadata().get(key) instanceof GgufArray a)) {
            if (f.contains(key)) throw new ModelFormatException(f.path(), "metadata key '" + key + "' must be an array");
            return null;
        }
        int[] v;
        if (a.values() instanceof int[] in) {
            v = in.clone();
        } else if (a.values() instanceof long[] lo) {
            v = new int[lo.length];
            for (int i = 0; i < lo.length; i++) v[i] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, lo[i]));
        } else {
            throw new ModelFormatException(f.path(), "metadata key '" + key + "' must be an array of integers, got " + a.elementType());
        }
        if (v.length < nTokens) {
            throw new ModelFormatException(f.path(), "metadata key '" + key + "' has " + v.length + " entries for " + nTokens + " tokens");
        }
        return v;
    }

    /** Every token type must be one of llama.cpp's {@code llama_token_type} values (0 .. 6). */
    private static void checkTokenTypes(GgufFile f, int[] types, int nTokens) throws ModelFormatException {
        if (types == null) return;
        for (int i = 0; i < nTokens; i++) {
            if (types[i] < Vocabulary.TYPE_UNDEFINED || types[i] > Vocabulary.TYPE_BYTE) {
                throw new ModelFormatException(f.path(), "metadata key '" + K + "token_type' [" + i + "] = " + types[i]
                        + " is not a token type (0 .. 6: undefined, normal, unknown, control, user_defined, unused, byte)");
            }
        }
    }

    /** An id key as int, -1 when absent or not representable. */
    private static int id(GgufFile f, String key) {
        if (!f.contains(key)) return -1;
        long v = f.getLong(key);
        return v >= 0 && v <= Integer.MAX_VALUE ? (int) v : -1;
    }
}
