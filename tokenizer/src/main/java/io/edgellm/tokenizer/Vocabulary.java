package io.edgellm.tokenizer;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tokenizer vocabulary as plain data: exactly what a GGUF file stores under the {@code tokenizer.ggml.*} keys, with
 * nothing derived. {@link Tokenizer#create(Vocabulary)} turns it into a working tokenizer and applies llama.cpp's
 * defaults for everything left absent here.
 *
 * <p>Field ↔ GGUF key:
 * <pre>
 *   model          tokenizer.ggml.model              "llama" (SentencePiece BPE) or "gpt2" (byte-level BPE)
 *   pre            tokenizer.ggml.pre                pre-tokenizer name ("llama-bpe", "qwen2", ...); null when absent
 *   tokens         tokenizer.ggml.tokens             token texts, index = token id
 *   scores         tokenizer.ggml.scores             SentencePiece merge scores (nullable; llama.cpp uses 0.0 when absent)
 *   tokenTypes     tokenizer.ggml.token_type         1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte
 *                                                    (nullable: then every token is normal)
 *   merges         tokenizer.ggml.merges             "left right" pairs, rank = index (gpt2 only; nullable)
 *   bosId ... sepId tokenizer.ggml.bos_token_id, .eos_token_id, .eot_token_id, .eom_token_id,
 *                  .unknown_token_id, .padding_token_id, .seperator_token_id   (-1 when absent)
 *   nlId           no GGUF key: -1 lets the tokenizer find the newline token as llama.cpp does
 *   addBos/addEos  tokenizer.ggml.add_bos_token / .add_eos_token      (null = the model's default)
 *   addSpacePrefix tokenizer.ggml.add_space_prefix                     (null = the model's default)
 * </pre>
 * A value of -1 (or null) means "the key is absent": the tokenizer then uses llama.cpp's default for the model
 * (for {@code llama}: BOS 1, EOS 2, UNK 0, add BOS, add space prefix; for {@code gpt2}: BOS = EOS = 11, add BOS only
 * for the Llama-3 family of pre-tokenizers). An id outside {@code [0, tokens.length)} is treated as absent, as
 * llama.cpp does ("bad special token ... using default id").
 *
 * <p>The arrays are copied on construction and on access, so a {@code Vocabulary} is immutable.
 *
 * @param model          {@code tokenizer.ggml.model}, non-null
 * @param pre            {@code tokenizer.ggml.pre}, or null
 * @param tokens         token texts, non-empty, no null element
 * @param scores         per-token scores (length ≥ tokens.length) or null
 * @param tokenTypes     per-token types (length ≥ tokens.length) or null
 * @param merges         BPE merges or null
 * @param bosId          beginning-of-sequence id or -1
 * @param eosId          end-of-sequence id or -1
 * @param eotId          end-of-turn id or -1
 * @param eomId          end-of-message id or -1
 * @param unkId          unknown-token id or -1
 * @param padId          padding id or -1
 * @param sepId          separator id or -1
 * @param nlId           newline id or -1 (derived when -1)
 * @param addBos         whether encode(addSpecial=true) prepends BOS, or null for the model default
 * @param addEos         whether encode(addSpecial=true) appends EOS, or null for the model default
 * @param addSpacePrefix whether SentencePiece prepends a space, or null for the model default
 */
public record Vocabulary(String model, String pre, String[] tokens, float[] scores, int[] tokenTypes, String[] merges,
                         int bosId, int eosId, int eotId, int eomId, int unkId, int padId, int sepId, int nlId,
                         Boolean addBos, Boolean addEos, Boolean addSpacePrefix) {

    /** {@code tokenizer.ggml.token_type} values (llama.cpp's {@code llama_token_type}). */
    public static final int TYPE_UNDEFINED = 0, TYPE_NORMAL = 1, TYPE_UNKNOWN = 2, TYPE_CONTROL = 3,
            TYPE_USER_DEFINED = 4, TYPE_UNUSED = 5, TYPE_BYTE = 6;

    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException when model or tokens is missing, tokens is empty or holds null, or scores /
     *                                  tokenTypes are shorter than tokens, or merges holds null
     */
    public Vocabulary {
        if (model == null || model.isEmpty()) {
            throw new IllegalArgumentException("vocabulary: tokenizer.ggml.model is missing");
        }
        if (tokens == null || tokens.length == 0) {
            throw new IllegalArgumentException("vocabulary: tokenizer.ggml.tokens is missing or empty");
        }
        tokens = tokens.clone();
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] == null) {
                throw new IllegalArgumentException("vocabulary: token " + i + " is null");
            }
        }
        if (scores != null) {
            if (scores.length < tokens.length) {
                throw new IllegalArgumentException("vocabulary: tokenizer.ggml.scores has " + scores.length
                        + " entries for " + tokens.length + " tokens");
            }
            scores = scores.clone();
        }
        if (tokenTypes != null) {
            if (tokenTypes.length < tokens.length) {
                throw new IllegalArgumentException("vocabulary: tokenizer.ggml.token_type has " + tokenTypes.length
                        + " entries for " + tokens.length + " tokens");
            }
            tokenTypes = tokenTypes.clone();
        }
        if (merges != null) {
            merges = merges.clone();
            for (int i = 0; i < merges.length; i++) {
                if (merges[i] == null) {
                    throw new IllegalArgumentException("vocabulary: merge " + i + " is null");
                }
            }
        }
    }

    /** @return a copy of the token texts */
    @Override
    public String[] tokens() {
        return tokens.clone();
    }

    /** @return a copy of the scores, or null */
    @Override
    public float[] scores() {
        return scores == null ? null : scores.clone();
    }

    /** @return a copy of the token types, or null */
    @Override
    public int[] tokenTypes() {
        return tokenTypes == null ? null : tokenTypes.clone();
    }

    /** @return a copy of the merges, or null */
    @Override
    public String[] merges() {
        return merges == null ? null : merges.clone();
    }

    /** @return the number of tokens */
    public int size() {
        return tokens.length;
    }

    // package-private zero-copy access for Tokenizer.create (never handed out)
    String[] tokensNoCopy() {
        return tokens;
    }

    float[] scoresNoCopy() {
        return scores;
    }

    int[] tokenTypesNoCopy() {
        return tokenTypes;
    }

    String[] mergesNoCopy() {
        return merges;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vocabulary v && model.equals(v.model) && Objects.equals(pre, v.pre)
                && Arrays.equals(tokens, v.tokens) && Arrays.equals(scores, v.scores)
                && Arrays.equals(tokenTypes, v.tokenTypes) && Arrays.equals(merges, v.merges)
                && bosId == v.bosId && eosId == v.eosId && eotId == v.eotId && eomId == v.eomId && unkId == v.unkId
                && padId == v.padId && sepId == v.sepId && nlId == v.nlId && Objects.equals(addBos, v.addBos)
                && Objects.equals(addEos, v.addEos) && Objects.equals(addSpacePrefix, v.addSpacePrefix);
    }

    @Override
    public int hashCode() {
        return Objects.hash(model, pre, Arrays.hashCode(tokens), bosId, eosId);
    }

    @Override
    public String toString() {
        return "Vocabulary[model=" + model + ", pre=" + pre + ", tokens=" + tokens.length
                + ", merges=" + (merges == null ? 0 : merges.length) + ", bos=" + bosId + ", eos=" + eosId + "]";
    }

    /** @return a builder with every id -1 and every flag null */
    public static Builder builder() {
        return new Builder();
    }

    /** Mutable builder for {@link Vocabulary}; every setter returns {@code this}. */
    public static final class Builder {
        private String model;
        private String pre;
        private String[] tokens;
        private float[] scores;
        private int[] tokenTypes;
        private String[] merges;
        private int bosId = -1, eosId = -1, eotId = -1, eomId = -1, unkId = -1, padId = -1, sepId = -1, nlId = -1;
        private Boolean addBos, addEos, addSpacePrefix;

        private Builder() {
        }

        /** @param model {@code tokenizer.ggml.model} ("llama" or "gpt2") */
        public Builder model(String model) {
            this.model = model;
            return this;
        }

        /** @param pre {@code tokenizer.ggml.pre}, or null when absent */
        public Builder pre(String pre) {
            this.pre = pre;
            return this;
        }

        /** @param tokens {@code tokenizer.ggml.tokens} */
        public Builder tokens(String[] tokens) {
            this.tokens = tokens;
            return this;
        }

        /** @param scores {@code tokenizer.ggml.scores}, or null */
        public Builder scores(float[] scores) {
            this.scores = scores;
            return this;
        }

        /** @param tokenTypes {@code tokenizer.ggml.token_type}, or null */
        public Builder tokenTypes(int[] tokenTypes) {
            this.tokenTypes = tokenTypes;
            return this;
        }

        /** @param merges {@code tokenizer.ggml.merges}, or null */
        public Builder merges(String[] merges) {
            this.merges = merges;
            return this;
        }

        /** @param id {@code tokenizer.ggml.bos_token_id} or -1 */
        public Builder bosId(int id) {
            this.bosId = id;
            return this;
        }

        /** @param id {@code tokenizer.ggml.eos_token_id} or -1 */
        public Builder eosId(int id) {
            this.eosId = id;
            return this;
        }

        /** @param id {@code tokenizer.ggml.eot_token_id} or -1 */
        public Builder eotId(int id) {
            this.eotId = id;
            return this;
        }

        /** @param id {@code tokenizer.ggml.eom_token_id} or -1 */
        public Builder eomId(int id) {
            this.eomId = id;
            return this;
        }

        /** @param id {@code tokenizer.ggml.unknown_token_id} or -1 */
        public Builder unkId(int id) {
            this.unkId = id;
            return this;
        }

        /** @param id {@code tokenizer.ggml.padding_token_id} or -1 */
        public Builder padId(int id) {
            this.padId = id;
            return this;
        }

        /** @param id {@code tokenizer.ggml.seperator_token_id} (GGUF's spelling) or -1 */
        public Builder sepId(int id) {
            this.sepId = id;
            return this;
        }

        /** @param id the newline token, or -1 to let the tokenizer find it */
        public Builder nlId(int id) {
            this.nlId = id;
            return this;
        }

        /** @param addBos {@code tokenizer.ggml.add_bos_token}, or null for the model default */
        public Builder addBos(Boolean addBos) {
            this.addBos = addBos;
            return this;
        }

        /** @param addEos {@code tokenizer.ggml.add_eos_token}, or null for the model default */
        public Builder addEos(Boolean addEos) {
            this.addEos = addEos;
            return this;
        }

        /** @param addSpacePrefix {@code tokenizer.ggml.add_space_prefix}, or null for the model default */
        public Builder addSpacePrefix(Boolean addSpacePrefix) {
            this.addSpacePrefix = addSpacePrefix;
            return this;
        }

        /**
         * @return the vocabulary
         * @throws IllegalArgumentException as {@link Vocabulary#Vocabulary} does
         */
        public Vocabulary build() {
            return new Vocabulary(model, pre, tokens, scores, tokenTypes, merges, bosId, eosId, eotId, eomId, unkId,
                    padId, sepId, nlId, addBos, addEos, addSpacePrefix);
        }
    }
}
