package io.edgellm.tokenizer;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tokenizer that gives the same token ids as llama.cpp ({@code src/llama-vocab.cpp}) for the two vocabulary types
 * of Llama-family GGUF models:
 * <ul>
 *   <li>{@code tokenizer.ggml.model = "llama"}: SentencePiece BPE (Llama 1/2, Mistral, TinyLlama, Phi-3, the
 *       TinyStories models) — see {@link SpmModel};</li>
 *   <li>{@code tokenizer.ggml.model = "gpt2"}: byte-level BPE with a pre-tokenizer chosen by
 *       {@code tokenizer.ggml.pre} (Llama 3, Qwen 2/2.5/3, GPT-2, DeepSeek, Falcon, MPT, StarCoder, SmolLM, Phi-2 ...)
 *       — see {@link BpeModel}, {@link PreTokenizer}.</li>
 * </ul>
 *
 * <h2>Encoding</h2>
 * {@link #encode(String, boolean, boolean)} is llama.cpp's {@code llama_tokenize(text, add_special, parse_special)}:
 * <ol>
 *   <li>the text is first cut at occurrences of special tokens ({@code tokenizer_st_partition}): user-defined tokens
 *       always, control and unknown tokens only with {@code parseSpecial}. Longer special tokens are matched first;
 *       the pieces between them are tokenized as plain text;</li>
 *   <li>SentencePiece: each text piece that follows the start or a special token gets a leading space when
 *       add_space_prefix is on; spaces become U+2581;</li>
 *   <li>with {@code addSpecial}: BOS first when add_bos, EOS last when add_eos.</li>
 * </ol>
 * SentencePiece emits a character missing from the vocabulary as its UTF-8 bytes through the {@code <0xNN>} byte
 * tokens; a byte without such a token becomes the unknown token (llama.cpp aborts there).
 * Java strings may hold unpaired surrogates; they are encoded as U+FFFD (what a UTF-8 encoder writes). The empty
 * string encodes to no tokens (just BOS/EOS when {@code addSpecial} asks for them). There is no length limit besides
 * memory: long SentencePiece inputs are merged in bounded chunks with an identical result.
 *
 * <h2>Decoding</h2>
 * {@link #tokenBytes(int)} is llama.cpp's {@code llama_token_to_piece(id, lstrip=0, special=true)}: normal tokens with
 * U+2581 turned back into spaces (SentencePiece) or GPT-2 stand-in characters turned back into bytes (byte-level
 * BPE); byte tokens {@code <0xNN>} as their byte; control, unknown and user-defined tokens as their text.
 * {@link #decode(int[])} is {@code llama_detokenize(remove_special=false, unparse_special=false)}: control and
 * unknown tokens vanish, the first token loses one leading space when add_space_prefix is on (undoing the space
 * encode added), and byte-level vocabularies with llama.cpp's {@code clean_spaces} drop the space before
 * {@code ? ! . ,} and in some contractions. {@link #streamingDecoder()} gives text as tokens arrive.
 *
 * <h2>End of generation</h2>
 * {@link #isEndOfGeneration(int)} is llama.cpp's {@code llama_vocab_is_eog}: EOS, EOT, EOM, FIM pad/repo/file-separator
 * tokens, and every token whose text is one llama.cpp recognises (for example {@code <|im_end|>}, {@code <|eot_id|>},
 * {@code <|endoftext|>}, {@code <end_of_turn>}, {@code </s>}).
 *
 * <p>Instances are immutable and thread-safe. Known gaps: the per-token lstrip/rstrip attributes llama.cpp sets by
 * model name (Phi-3, Jina) are not applied, which matters only when parsing special tokens surrounded by spaces; when
 * several tokens match one of llama.cpp's EOT/FIM name lists the first name in the list wins (llama.cpp takes the
 * first in hash order); equal-length special tokens are matched in id order (llama.cpp's order is unspecified).
 */
public final class Tokenizer {
    private static final Logger LOG = LoggerFactory.getLogger(Tokenizer.class);

    // llama.cpp's llama_token_attr bits
    static final int ATTR_UNKNOWN = 1;
    static final int ATTR_UNUSED = 1 << 1;
    static final int ATTR_NORMAL = 1 << 2;
    static final int ATTR_CONTROL = 1 << 3;
    static final int ATTR_USER_DEFINED = 1 << 4;
    static final int ATTR_BYTE = 1 << 5;

    private static final char SPM_SPACE = '\u2581';

    /** The two vocabulary types. */
    private enum Kind { SPM, BPE }

    private final Kind kind;
    private final String model;
    private final String pre;
    private final String[] texts;
    private final int[] attrs;
    private final Map<String, Integer> tokenToId;
    private final int bos, eos, eot, eom, unk, pad, sep;
    private final int nl;
    private final boolean addBos, addEos, addSpacePrefix, cleanSpaces;
    /** control / user-defined / unknown tokens, longest text first (llama.cpp's cache_special_tokens) */
    private final int[] specialTokens;
    private final BitSet eog = new BitSet();
    private final int[] eogIds;
    /** token_to_piece(id, special = true) of every token */
    private final byte[][] pieces;
    private final SpmModel spm;
    private final BpeModel bpe;

    private Tokenizer(Vocabulary v, int spmChunkChars) {
        this.model = v.model();
        this.pre = v.pre();
        String[] tok = v.tokensNoCopy();
        int n = tok.length;
        float[] scores = v.scoresNoCopy();
        int[] types = v.tokenTypesNoCopy();

        BpePreset preset;
        switch (model) {
            case "llama" -> {
                kind = Kind.SPM;
                preset = null;
            }
            case "gpt2" -> {
                kind = Kind.BPE;
                if (v.mergesNoCopy() == null) {
                    throw new IllegalArgumentException("vocabulary: tokenizer.ggml.model is gpt2 but tokenizer.ggml.merges"
                            + " is missing");
                }
                if (pre == null) {
                    LOG.warn("tokenizer.ggml.pre is missing: using llama.cpp's 'default' pre-tokenizer; "
                            + "generation quality may be degraded (llama.cpp warns the same)");
                }
                preset = BpePreset.forName(pre);
            }
            default -> throw new IllegalArgumentException("unsupported tokenizer.ggml.model '" + model
                    + "'; supported: llama (SentencePiece), gpt2 (byte-level BPE)");
        }

        // token texts, attributes and the reverse map (llama_vocab::impl::load)
        texts = new String[n];
        attrs = new int[n];
        tokenToId = new HashMap<>(n * 2);
        int maxChars = 0;
        for (int i = 0; i < n; i++) {
            String t = tok[i].isEmpty() ? "[EMPTY_" + i + "]" : tok[i];
            texts[i] = t;
            Integer dup = tokenToId.putIfAbsent(t, i);
            if (dup != null) {
                if (t.indexOf('\uFFFD') < 0) {
                    throw new IllegalArgumentException("vocabulary: duplicate token '" + t + "' has ids " + dup
                            + " and " + i);
                }
                // distinct invalid UTF-8 byte strings in the file can read as the same text with U+FFFD: keep the
                // first id for text lookup (such a token cannot come out of encoding valid text anyway)
                LOG.warn("vocabulary: tokens {} and {} both read as '{}' (invalid UTF-8 in the file); text lookups"
                        + " use {}", dup, i, t, dup);
            }
            maxChars = Math.max(maxChars, t.length());
            attrs[i] = types == null ? ATTR_NORMAL : attrOfType(types[i]);
        }

        // special ids: GGUF value when present and in range, else llama.cpp's per-model default
        int defBos = kind == Kind.SPM ? 1 : (preset.noBos() ? -1 : 11);
        int defEos = kind == Kind.SPM ? 2 : 11;
        int defUnk = kind == Kind.SPM ? 0 : -1;
        bos = pick(v.bosId(), defBos, n);
        eos = pick(v.eosId(), defEos, n);
        unk = pick(v.unkId(), defUnk, n);
        pad = pick(v.padId(), -1, n);
        sep = pick(v.sepId(), -1, n);
        int eotId = pick(v.eotId(), -1, n);
        int eomId = pick(v.eomId(), -1, n);

        boolean defAddBos = kind == Kind.SPM || preset.addBos();
        addBos = v.addBos() != null ? v.addBos() : defAddBos;
        addEos = v.addEos() != null ? v.addEos() : false;
        addSpacePrefix = v.addSpacePrefix() != null ? v.addSpacePrefix() : kind == Kind.SPM;
        cleanSpaces = kind == Kind.BPE && preset.cleanSpaces();
        if (addBos && bos < 0) {
            throw new IllegalArgumentException("vocabulary: tokenizer.ggml.add_bos_token is true, but "
                    + "tokenizer.ggml.bos_token_id is not set");
        }
        if (addEos && eos < 0) {
            throw new IllegalArgumentException("vocabulary: tokenizer.ggml.add_eos_token is true, but "
                    + "tokenizer.ggml.eos_token_id is not set");
        }

        // end-of-generation set and attribute fixes by token text, in llama.cpp's order
        if (eotId < 0) {
            eotId = findByText(EOT_TEXTS, true);
        }
        if (eomId < 0) {
            eomId = findByText(List.of("<|eom_id|>"), true);
        }
        findByText(FIM_PRE_TEXTS, true);
        findByText(FIM_SUF_TEXTS, true);
        findByText(FIM_MID_TEXTS, true);
        int fimPad = findByText(FIM_PAD_TEXTS, true);
        int fimRep = findByText(FIM_REP_TEXTS, true);
        int fimSep = findByText(List.of("<|file_sep|>"), true);
        this.eot = eotId;
        this.eom = eomId;
        for (int id : new int[] {fimPad, fimRep, fimSep}) {
            if (id >= 0) {
                eog.set(id);
            }
        }
        for (String t : EOG_TEXTS) {
            Integer id = tokenToId.get(t);
            if (id != null) {
                eog.set(id);
                attrs[id] |= ATTR_CONTROL;
            }
        }
        for (String t : List.of("<|channel|>", "<|message|>", "<|start|>", "<|constrain|>")) { // gpt-oss
            Integer id = tokenToId.get(t);
            if (id != null) {
                attrs[id] = ATTR_USER_DEFINED;
            }
        }
        for (int id : new int[] {eos, eot, eom}) {
            if (id >= 0) {
                eog.set(id);
            }
        }
        // o200k_harmony / solar-open: <|end|> is no EOG when <|return|> and <|call|> (or <|calls|> and <|flush|>) are
        Integer endId = tokenToId.get("<|end|>");
        if (endId != null && eog.get(endId)) {
            boolean hasReturn = eogHas("<|return|>"), hasCall = eogHas("<|call|>") || eogHas("<|calls|>");
            boolean hasFlush = eogHas("<|flush|>");
            if ((hasReturn && hasCall) || (hasCall && hasFlush)) {
                eog.clear(endId);
                attrs[endId] = ATTR_USER_DEFINED;
            }
        }
        // gemma4 / paddleocr: </s> is no EOG when <|tool_response> is one
        Integer sId = tokenToId.get("</s>");
        if (sId != null && eog.get(sId) && eogHas("<|tool_response>")) {
            eog.clear(sId);
            attrs[sId] = ATTR_NORMAL;
        }
        eogIds = eog.stream().toArray();

        // special tokens for partitioning, longest first (ties: lower id first)
        specialTokens = java.util.stream.IntStream.range(0, n)
                .filter(i -> (attrs[i] & (ATTR_CONTROL | ATTR_USER_DEFINED | ATTR_UNKNOWN)) != 0)
                .boxed()
                .sorted((a, b) -> texts[a].length() != texts[b].length()
                        ? Integer.compare(texts[b].length(), texts[a].length()) : Integer.compare(a, b))
                .mapToInt(Integer::intValue).toArray();

        // the piece cache
        pieces = new byte[n][];
        for (int i = 0; i < n; i++) {
            pieces[i] = computePiece(i);
        }

        if (kind == Kind.SPM) {
            int[] byteTokens = new int[256];
            for (int b = 0; b < 256; b++) {
                byteTokens[b] = spmByteToken(b);
            }
            spm = new SpmModel(texts, new TokenIndex(texts), scores, byteTokens, maxChars, spmChunkChars);
            bpe = null;
        } else {
            spm = null;
            bpe = new BpeModel(tokenToId, v.mergesNoCopy(), new PreTokenizer(preset.regexes()),
                    preset.ignoreMerges());
        }

        // the newline token: SentencePiece <0x0A>, byte-level BPE the first token of "\n"
        int nlId = pick(v.nlId(), -1, n);
        if (nlId < 0) {
            if (kind == Kind.SPM) {
                nlId = spmByteToken('\n');
                if (nlId < 0) {
                    nlId = pad;
                }
            } else {
                int[] ids = encode("\n", false, false);
                nlId = ids.length > 0 ? ids[0] : pad;
            }
        }
        this.nl = nlId;
    }

    /**
     * Builds a tokenizer.
     *
     * @param vocabulary the vocabulary (for example read from a GGUF file's {@code tokenizer.ggml.*} keys)
     * @return the tokenizer
     * @throws IllegalArgumentException for an unsupported {@code tokenizer.ggml.model} (supported: llama, gpt2), an
     *                                  unknown {@code tokenizer.ggml.pre} (the message lists the known ones), gpt2
     *                                  without merges, duplicate token texts, or add_bos/add_eos without the id
     */
    public static Tokenizer create(Vocabulary vocabulary) {
        return new Tokenizer(Objects.requireNonNull(vocabulary, "vocabulary"), SpmModel.CHUNK_CHARS);
    }

    /**
     * For tests: a tokenizer whose SentencePiece merging works in chunks of about {@code spmChunkChars} chars, or
     * (0) merges every text fragment at once without cuts or cache, exactly llama.cpp's procedure.
     */
    static Tokenizer create(Vocabulary vocabulary, int spmChunkChars) {
        return new Tokenizer(Objects.requireNonNull(vocabulary, "vocabulary"), spmChunkChars);
    }

    /** @return the pre-tokenizer names {@code tokenizer.ggml.pre} may hold for byte-level BPE, sorted */
    public static java.util.SortedSet<String> knownPreTokenizers() {
        return BpePreset.names();
    }

    // ------------------------------------------------------------------------------------------------------------
    // llama.cpp's token-text lists (llama_vocab::impl::load)

    private static final List<String> EOT_TEXTS = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>",
            "<end_of_utterance>");
    private static final List<String> FIM_PRE_TEXTS = List.of("<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>",
            "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>");
    private static final List<String> FIM_SUF_TEXTS = List.of("<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>",
            "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>");
    private static final List<String> FIM_MID_TEXTS = List.of("<|fim_middle|>", "<fim-middle>", "<fim_middle>",
            "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>");
    private static final List<String> FIM_PAD_TEXTS = List.of("<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>",
            "[PAD]");
    private static final List<String> FIM_REP_TEXTS = List.of("<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>",
            "<reponame>");
    private static final List<String> EOG_TEXTS = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>",
            "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>",
            "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>",
            "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~[");

    /**
     * @return the id of the first text of the list the vocabulary has (made a control token when asked), or -1.
     *         llama.cpp takes whichever matching token its hash map yields first; the list order (most specific
     *         name first) is our deterministic stand-in.
     */
    private int findByText(List<String> candidates, boolean makeControl) {
        for (String t : candidates) {
            Integer id = tokenToId.get(t);
            if (id != null) {
                if (makeControl) {
                    attrs[id] |= ATTR_CONTROL;
                }
                return id;
            }
        }
        return -1;
    }

    private boolean eogHas(String text) {
        Integer id = tokenToId.get(text);
        return id != null && eog.get(id);
    }

    private static int pick(int value, int dflt, int n) {
        if (value >= 0 && value < n) {
            return value;
        }
        if (value >= n) {
            LOG.warn("special token id {} is outside the vocabulary (size {}); using the default {}", value, n, dflt);
        }
        return dflt >= 0 && dflt < n ? dflt : -1;
    }

    private static int attrOfType(int type) {
        return switch (type) {
            case Vocabulary.TYPE_UNKNOWN -> ATTR_UNKNOWN;
            case Vocabulary.TYPE_UNUSED -> ATTR_UNUSED;
            case Vocabulary.TYPE_NORMAL -> ATTR_NORMAL;
            case Vocabulary.TYPE_CONTROL -> ATTR_CONTROL;
            case Vocabulary.TYPE_USER_DEFINED -> ATTR_USER_DEFINED;
            case Vocabulary.TYPE_BYTE -> ATTR_BYTE;
            default -> 0; // undefined
        };
    }

    /** llama.cpp's byte_to_token for SentencePiece: {@code <0xNN>}, else the byte as a one-char token, else unk. */
    private int spmByteToken(int b) {
        Integer id = tokenToId.get(String.format("<0x%02X>", b));
        if (id == null && b < 0x80) {
            id = tokenToId.get(String.valueOf((char) b));
        }
        return id != null ? id : unk;
    }

    /** llama.cpp's token_to_piece(id, special = true) without lstrip. */
    private byte[] computePiece(int id) {
        int a = attrs[id];
        String t = texts[id];
        if ((a & (ATTR_UNKNOWN | ATTR_CONTROL | ATTR_USER_DEFINED)) != 0) {
            return Utf8.bytes(t);
        }
        if ((a & ATTR_NORMAL) != 0) {
            return kind == Kind.SPM ? Utf8.bytes(t.replace(SPM_SPACE, ' ')) : byteLevelDecode(t);
        }
        if ((a & ATTR_BYTE) != 0) {
            return new byte[] {(byte) parseByteToken(t)};
        }
        return new byte[0]; // unused / undefined tokens have no piece
    }

    /** llama.cpp's token_to_byte: the two hex digits of {@code <0xNN>} (strtol semantics: 0 when not hex). */
    private static int parseByteToken(String t) {
        if (t.length() < 5) {
            return 0;
        }
        int v = 0;
        for (int i = 3; i < 5; i++) {
            int d = Character.digit(t.charAt(i), 16);
            if (d < 0) {
                return i == 3 ? 0 : v;
            }
            v = v * 16 + d;
        }
        return v;
    }

    /** llama.cpp's llama_decode_text: GPT-2 stand-ins back to bytes; other characters become [UNK_BYTE_0x..]. */
    private static byte[] byteLevelDecode(String t) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(t.length());
        for (int i = 0; i < t.length(); ) {
            int cp = t.codePointAt(i);
            i += Character.charCount(cp);
            int b = ByteLevel.decode(cp);
            if (b >= 0) {
                out.write(b);
            } else {
                StringBuilder sb = new StringBuilder("[UNK_BYTE_0x");
                for (byte x : Utf8.bytes(new String(Character.toChars(cp)))) {
                    sb.append(String.format("%02x", x & 0xFF));
                }
                sb.append(t).append(']');
                out.writeBytes(Utf8.bytes(sb.toString()));
            }
        }
        return out.toByteArray();
    }

    // ------------------------------------------------------------------------------------------------------------
    // encoding

    /**
     * Tokenizes text exactly as llama.cpp's {@code llama_tokenize} does.
     *
     * @param text         any string; unpaired surrogates are encoded as U+FFFD; "" gives no text tokens
     * @param addSpecial   add BOS / EOS as the vocabulary's add_bos / add_eos say
     * @param parseSpecial recognise control-token text such as {@code <|im_start|>} in the input as those tokens
     *                     (user-defined tokens are always recognised)
     * @return the token ids
     * @throws NullPointerException     when text is null
     * @throws IllegalArgumentException when a SentencePiece vocabulary has neither a byte token nor an unknown token
     *                                  for a character it cannot represent
     */
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        Objects.requireNonNull(text, "text");
        String s = Utf8.sanitize(text);
        List<Fragment> fragments = partition(s, parseSpecial);
        IntList out = new IntList(Math.max(16, s.length() / 3));
        if (addSpecial && addBos) {
            out.add(bos);
        }
        if (kind == Kind.SPM) {
            boolean prevSpecial = true; // the start counts as "after a special token": prefix the first text
            for (Fragment f : fragments) {
                if (f.isText()) {
                    String piece = s.substring(f.start(), f.end());
                    if (addSpacePrefix && prevSpecial) {
                        piece = " " + piece;
                    }
                    spm.encode(piece.replace(' ', SPM_SPACE), out);
                    prevSpecial = false;
                } else {
                    out.add(f.id());
                    prevSpecial = true;
                }
            }
        } else {
            for (Fragment f : fragments) {
                if (f.isText()) {
                    bpe.encode(s.substring(f.start(), f.end()), out);
                } else {
                    out.add(f.id());
                }
            }
        }
        if (addSpecial && addBos && out.size() >= 2 && out.get(1) == bos) {
            LOG.warn("the prompt starts with BOS and another BOS was added: it now starts with 2 BOS tokens");
        }
        if (addSpecial && addEos) {
            out.add(eos);
        }
        return out.toArray();
    }

    /** A piece of the input: either a special token ({@code id >= 0}) or the text {@code [start, end)}. */
    private record Fragment(int id, int start, int end) {
        boolean isText() {
            return id < 0;
        }
    }

    /**
     * llama.cpp's tokenizer_st_partition: for each special token, longest first, cut every text fragment at each of
     * its occurrences (searching again after each one).
     */
    private List<Fragment> partition(String s, boolean parseSpecial) {
        List<Fragment> frags = new ArrayList<>();
        if (s.isEmpty()) {
            return frags;
        }
        frags.add(new Fragment(-1, 0, s.length()));
        if (specialTokens.length == 0) {
            return frags;
        }
        // cheap filter: which chars and char pairs occur in the text
        BitSet chars = new BitSet(1 << 16);
        BitSet pairs = new BitSet(1 << 20);
        for (int i = 0; i < s.length(); i++) {
            chars.set(s.charAt(i));
            if (i + 1 < s.length()) {
                pairs.set(pairHash(s.charAt(i), s.charAt(i + 1)));
            }
        }
        for (int id : specialTokens) {
            if (!parseSpecial && (attrs[id] & (ATTR_CONTROL | ATTR_UNKNOWN)) != 0) {
                continue; // control and unknown tokens only with parse_special; user-defined ones always
            }
            String t = texts[id];
            if (t.length() > s.length() || !chars.get(t.charAt(0))
                    || (t.length() > 1 && !pairs.get(pairHash(t.charAt(0), t.charAt(1))))) {
                continue;
            }
            int[] occ = occurrences(s, t);
            if (occ.length == 0) {
                continue;
            }
            List<Fragment> next = new ArrayList<>(frags.size() + 2 * occ.length);
            for (Fragment f : frags) {
                if (!f.isText()) {
                    next.add(f);
                    continue;
                }
                int pos = f.start();
                while (true) {
                    // first occurrence starting at or after pos; it must end inside the fragment
                    int k = Arrays.binarySearch(occ, pos);
                    if (k < 0) {
                        k = -k - 1;
                    }
                    if (k >= occ.length || occ[k] + t.length() > f.end()) {
                        break;
                    }
                    int m = occ[k];
                    if (m > pos) {
                        next.add(new Fragment(-1, pos, m));
                    }
                    next.add(new Fragment(id, m, m + t.length()));
                    pos = m + t.length();
                }
                if (pos < f.end()) {
                    next.add(new Fragment(-1, pos, f.end()));
                }
            }
            frags = next;
        }
        return frags;
    }

    private static int pairHash(char a, char b) {
        return ((a * 31) ^ b) & ((1 << 20) - 1);
    }

    /** @return every start index of t in s, overlapping ones included, ascending */
    private static int[] occurrences(String s, String t) {
        IntList found = new IntList(4);
        for (int i = s.indexOf(t); i >= 0; i = s.indexOf(t, i + 1)) {
            found.add(i);
        }
        return found.toArray();
    }

    // ------------------------------------------------------------------------------------------------------------
    // decoding

    private void checkId(int id) {
        if (id < 0 || id >= texts.length) {
            throw new IllegalArgumentException("token id " + id + " is out of range for vocabulary size "
                    + texts.length);
        }
    }

    /** token_to_piece(id, lstrip = 0, special) as a shared array (callers must not modify it). */
    byte[] pieceBytes(int id, boolean special) {
        checkId(id);
        if (!special && (attrs[id] & (ATTR_UNKNOWN | ATTR_CONTROL)) != 0) {
            return new byte[0];
        }
        return pieces[id];
    }

    /**
     * The bytes a token stands for: llama.cpp's {@code llama_token_to_piece(id, lstrip = 0, special = true)}. May be
     * part of a UTF-8 character (byte tokens, byte-level BPE pieces).
     *
     * @param id token id
     * @return a new array with the token's bytes
     * @throws IllegalArgumentException when id is outside [0, vocabSize), naming the id and the vocabulary size
     */
    public byte[] tokenBytes(int id) {
        return pieceBytes(id, true).clone();
    }

    /**
     * The token's text for display: {@link #tokenBytes(int)} decoded as UTF-8 (an incomplete or invalid sequence
     * shows as U+FFFD). Control tokens show their text, for example {@code <|im_end|>}.
     *
     * @param id token id
     * @return the text
     * @throws IllegalArgumentException when id is outside [0, vocabSize)
     */
    public String piece(int id) {
        byte[] b = pieceBytes(id, true);
        return Utf8.string(b, 0, b.length);
    }

    /**
     * @param id token id
     * @return the token exactly as the vocabulary stores it (for example {@code ▁Hello}, {@code ĠHello},
     *         {@code <0x0A>}); an empty vocabulary entry reads {@code [EMPTY_<id>]} as in llama.cpp
     * @throws IllegalArgumentException when id is outside [0, vocabSize)
     */
    public String tokenText(int id) {
        checkId(id);
        return texts[id];
    }

    /**
     * @param text a vocabulary entry
     * @return its id, or -1 when the vocabulary has no such token
     */
    public int tokenId(String text) {
        Integer id = tokenToId.get(text);
        return id == null ? -1 : id;
    }

    /**
     * Detokenizes as llama.cpp's {@code llama_detokenize(ids, remove_special = false, unparse_special = false)}
     * (what {@code common_detokenize(..., special = false)} returns): control and unknown tokens vanish, the
     * first token loses one leading space when add_space_prefix is on, and clean_spaces applies where llama.cpp
     * enables it (byte-level BPE except the Qwen2, DeepSeek, SmolLM, Command-R presets). Malformed UTF-8 in the
     * joined bytes becomes U+FFFD.
     *
     * @param ids token ids
     * @return the text
     * @throws IllegalArgumentException when an id is outside [0, vocabSize), naming the id and the vocabulary size
     */
    public String decode(int[] ids) {
        return decode(ids, false, false);
    }

    /**
     * llama.cpp's {@code llama_detokenize} with its two flags.
     *
     * @param ids            token ids
     * @param removeSpecial  drop a leading BOS (when add_bos) and a trailing EOS (when add_eos); as in llama.cpp,
     *                       a dropped BOS also disables the leading-space removal
     * @param unparseSpecial render control and unknown tokens as their text
     * @return the text
     * @throws IllegalArgumentException when an id is outside [0, vocabSize)
     */
    public String decode(int[] ids, boolean removeSpecial, boolean unparseSpecial) {
        byte[] b = decodeBytes(ids, removeSpecial, unparseSpecial);
        return Utf8.string(b, 0, b.length);
    }

    /**
     * Like {@link #decode(int[], boolean, boolean)} but returns the raw bytes (no UTF-8 decoding).
     *
     * @param ids            token ids
     * @param removeSpecial  see {@link #decode(int[], boolean, boolean)}
     * @param unparseSpecial see {@link #decode(int[], boolean, boolean)}
     * @return the bytes
     * @throws IllegalArgumentException when an id is outside [0, vocabSize)
     */
    public byte[] decodeBytes(int[] ids, boolean removeSpecial, boolean unparseSpecial) {
        Objects.requireNonNull(ids, "ids");
        for (int id : ids) {
            checkId(id);
        }
        int from = 0, to = ids.length;
        boolean removeSpace = addSpacePrefix;
        if (removeSpecial && addBos && to > 0 && ids[0] == bos) {
            removeSpace = false;
            from++;
        }
        if (removeSpecial && addEos && to > from && ids[to - 1] == eos) {
            to--;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = from; i < to; i++) {
            byte[] p = pieceBytes(ids[i], unparseSpecial);
            int skip = removeSpace && p.length > 0 && p[0] == ' ' ? 1 : 0;
            removeSpace = false; // only the very first token, even when it renders as nothing
            out.write(p, skip, p.length - skip);
        }
        byte[] text = out.toByteArray();
        return cleanSpaces ? cleanUpSpaces(text) : text;
    }

    /** llama.cpp's three clean_spaces passes over the detokenized bytes. */
    private static byte[] cleanUpSpaces(byte[] text) {
        // pass 1: " ?", " !", " .", " ,"  → drop the space
        int total = text.length > 0 ? 1 : 0;
        for (int i = 1; i < text.length; i++) {
            byte x = text[i];
            if (text[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) {
                total--;
            }
            text[total++] = x;
        }
        // pass 2: " ' " → "'" (a lone apostrophe between spaces)
        int total2 = total;
        total = total2 > 0 ? 1 : 0;
        for (int i = 1; i < total2; i++) {
            byte x = text[i];
            if (x == '\'' && i + 1 < total2 && text[i - 1] == ' ' && text[i + 1] == ' ') {
                total--;
                text[++i] = 0; // llama.cpp overwrites the next space and skips it
            }
            text[total++] = x;
        }
        // pass 3: " 's", " 'm", " 're", " 've" → drop the space
        int total3 = total;
        total = total3 > 0 ? 1 : 0;
        for (int i = 1; i < total3; i++) {
            byte x = text[i];
            if (text[i - 1] == ' ' && x == '\'' && i + 1 < total3) {
                byte x1 = text[i + 1];
                if (x1 == 's' || x1 == 'm') {
                    total--;
                } else if (i + 2 < total3) {
                    byte x2 = text[i + 2];
                    if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) {
                        total--;
                    }
                }
            }
            text[total++] = x;
        }
        return Arrays.copyOf(text, total);
    }

    /**
     * @return a decoder for streamed generation that skips control and unknown tokens (see {@link StreamingDecoder})
     */
    public StreamingDecoder streamingDecoder() {
        return new StreamingDecoder(this, false);
    }

    /**
     * @param renderSpecial also print control and unknown tokens as their text (for example {@code <|im_end|>})
     * @return a decoder for streamed generation
     */
    public StreamingDecoder streamingDecoder(boolean renderSpecial) {
        return new StreamingDecoder(this, renderSpecial);
    }

    // ------------------------------------------------------------------------------------------------------------
    // properties

    /** @return the number of tokens */
    public int vocabSize() {
        return texts.length;
    }

    /** @return {@code tokenizer.ggml.model} */
    public String model() {
        return model;
    }

    /** @return {@code tokenizer.ggml.pre} as given (null when absent) */
    public String pre() {
        return pre;
    }

    /** @return the BOS id (GGUF value or the model default), or -1 when there is none */
    public int bosId() {
        return bos;
    }

    /** @return the EOS id (GGUF value or the model default), or -1 */
    public int eosId() {
        return eos;
    }

    /** @return the end-of-turn id (GGUF value or found by text, e.g. {@code <|eot_id|>}), or -1 */
    public int eotId() {
        return eot;
    }

    /** @return the end-of-message id ({@code <|eom_id|>}), or -1 */
    public int eomId() {
        return eom;
    }

    /** @return the unknown-token id, or -1 */
    public int unkId() {
        return unk;
    }

    /** @return the padding id, or -1 */
    public int padId() {
        return pad;
    }

    /** @return the separator id, or -1 */
    public int sepId() {
        return sep;
    }

    /** @return the newline token (SentencePiece {@code <0x0A>}, byte-level BPE the first token of "\n"), or -1 */
    public int newlineId() {
        return nl;
    }

    /** @return whether {@code encode(..., addSpecial = true, ...)} prepends BOS */
    public boolean addsBos() {
        return addBos;
    }

    /** @return whether {@code encode(..., addSpecial = true, ...)} appends EOS */
    public boolean addsEos() {
        return addEos;
    }

    /** @return whether SentencePiece text gets a leading space (and decode removes it again) */
    public boolean addsSpacePrefix() {
        return addSpacePrefix;
    }

    /**
     * @param id token id (any int)
     * @return whether generation should stop at this token (llama.cpp's {@code llama_vocab_is_eog})
     */
    public boolean isEndOfGeneration(int id) {
        return id >= 0 && eog.get(id);
    }

    /** @return the end-of-generation ids, ascending (a new array) */
    public int[] endOfGenerationIds() {
        return eogIds.clone();
    }

    /**
     * @param id token id
     * @return whether the token is a control token (rendered only on request, parsed only with parseSpecial)
     * @throws IllegalArgumentException when id is outside [0, vocabSize)
     */
    public boolean isControl(int id) {
        checkId(id);
        return (attrs[id] & ATTR_CONTROL) != 0;
    }

    @Override
    public String toString() {
        return "Tokenizer[" + model + (kind == Kind.BPE ? ", pre=" + pre : "") + ", " + texts.length + " tokens, bos="
                + bos + ", eos=" + eos + ", eog=" + new TreeSet<>(Arrays.stream(eogIds).boxed().toList()) + "]";
    }
}
