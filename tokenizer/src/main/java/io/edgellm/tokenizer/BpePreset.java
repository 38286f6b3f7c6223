package io.edgellm.tokenizer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a {@code tokenizer.ggml.pre} name means for byte-level BPE, from llama.cpp's {@code llama_vocab::impl::load}
 * and {@code llm_tokenizer_bpe} (src/llama-vocab.cpp): the pre-tokenizer regexes, whether detokenizing cleans spaces
 * before punctuation ({@code clean_spaces}), whether a word that is already a token skips the merges
 * ({@code ignore_merges}), and the default for adding BOS.
 *
 * @param name         the pre-tokenizer name
 * @param regexes      llama.cpp's regexes, applied in order
 * @param cleanSpaces  llama.cpp's clean_spaces (clean_up_tokenization_spaces) for detokenize
 * @param ignoreMerges a word found whole in the vocabulary is emitted without merging
 * @param addBos       default of add_bos when tokenizer.ggml.add_bos_token is absent
 * @param noBos        the default BOS id is "none" (chatglm)
 */
record BpePreset(String name, List<String> regexes, boolean cleanSpaces, boolean ignoreMerges, boolean addBos,
                 boolean noBos) {

    private static final String GPT2 = PreTokenizer.GPT2_REGEX;
    private static final String LLAMA3 = PreTokenizer.LLAMA3_REGEX;
    /** Qwen2's regex: Llama 3's with single digits ({@code \p{N}} instead of {@code \p{N}{1,3}}). */
    private static final String QWEN2 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])"
            + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final List<String> DEFAULT = List.of("[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2, "\\p{N}+", "[0-9][0-9][0-9]");
    private static final List<String> FALCON = List.of("[\\p{P}\\$\\+<=>\\^~\\|`]+", GPT2, "[0-9][0-9][0-9]");
    private static final List<String> STARCODER = List.of("\\p{N}", GPT2);
    /** CJK: U+4E00..U+9FA5, U+0800..U+4E00, U+AC00..U+D7FF. */
    private static final String CJK = "[\\x{4E00}-\\x{9FA5}\\x{800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+";
    private static final List<String> DEEPSEEK_CODER = List.of("[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", CJK, "\\p{N}");
    /** DeepSeek LLM's letter class (cased letters of many scripts), written as code point escapes. */
    static final String DEEPSEEK_LETTER_RANGES = "A-Za-z\\x{B5}\\x{C0}-\\x{D6}\\x{D8}-\\x{F6}\\x{F8}-\\x{1BA}"
            + "\\x{1BC}-\\x{1BF}\\x{1C4}-\\x{293}\\x{295}-\\x{2AF}\\x{370}-\\x{373}\\x{376}\\x{377}\\x{37B}-\\x{37D}"
            + "\\x{37F}\\x{386}\\x{388}-\\x{38A}\\x{38C}\\x{38E}-\\x{3A1}\\x{3A3}-\\x{3F5}\\x{3F7}-\\x{481}"
            + "\\x{48A}-\\x{52F}\\x{531}-\\x{556}\\x{10A0}-\\x{10C5}\\x{13A0}-\\x{13F5}\\x{13F8}-\\x{13FD}"
            + "\\x{1C90}-\\x{1CBA}\\x{1CBD}-\\x{1CBF}\\x{1D00}-\\x{1D2B}\\x{1D6B}-\\x{1D77}\\x{1D79}-\\x{1D9A}"
            + "\\x{1E00}-\\x{1F15}\\x{1F18}-\\x{1F1D}\\x{1F20}-\\x{1F45}\\x{1F48}-\\x{1F4D}\\x{1F50}-\\x{1F57}"
            + "\\x{1F59}\\x{1F5B}\\x{1F5D}\\x{1F5F}-\\x{1F7D}\\x{1F80}-\\x{1FB4}\\x{1FB6}-\\x{1FBC}\\x{1FBE}"
            + "\\x{1FC2}-\\x{1FC4}\\x{1FC6}-\\x{1FCC}\\x{1FD0}-\\x{1FD3}\\x{1FD6}-\\x{1FDB}\\x{1FE0}-\\x{1FEC}"
            + "\\x{1FF2}-\\x{1FF4}\\x{1FF6}-\\x{1FFC}\\x{2102}\\x{2107}\\x{210A}-\\x{2113}\\x{2115}\\x{2119}-\\x{211D}"
            + "\\x{2124}\\x{2126}\\x{2128}\\x{212A}-\\x{212D}\\x{212F}-\\x{2134}\\x{2139}\\x{213C}-\\x{213F}"
            + "\\x{2145}-\\x{2149}\\x{214E}\\x{2183}\\x{2184}\\x{2C00}-\\x{2C7B}\\x{2C7E}-\\x{2CE4}\\x{2CEB}-\\x{2CEE}"
            + "\\x{2CF2}\\x{2CF3}\\x{A640}-\\x{A66D}\\x{A680}-\\x{A69B}\\x{A722}-\\x{A76F}\\x{A771}-\\x{A787}"
            + "\\x{A78B}-\\x{A78E}\\x{AB70}-\\x{ABBF}\\x{FB00}-\\x{FB06}\\x{FB13}-\\x{FB17}\\x{FF21}-\\x{FF3A}"
            + "\\x{FF41}-\\x{FF5A}\\x{10400}-\\x{1044F}\\x{104B0}-\\x{104D3}\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}"
            + "\\x{10CC0}-\\x{10CF2}\\x{118A0}-\\x{118DF}\\x{1E900}-\\x{1E943}";
    private static final String DEEPSEEK_LETTERS = "\\s?[" + DEEPSEEK_LETTER_RANGES + "]+";
    /** ASCII punctuation and symbols, full-width forms, curly quotes, ideographic space and full stop. */
    private static final String DEEPSEEK_PUNCT =
            "\\s?[!-/:-~\\x{FF01}-\\x{FF0F}\\x{FF1A}-\\x{FF5E}\\x{2018}-\\x{201F}\\x{3000}-\\x{3002}]+";
    private static final List<String> DEEPSEEK_LLM =
            List.of("[\r\n]", DEEPSEEK_LETTERS, DEEPSEEK_PUNCT, "\\s+$", CJK, "\\p{N}+");

    private static final Map<String, BpePreset> BY_NAME = new LinkedHashMap<>();

    private static void add(List<String> regexes, boolean clean, boolean ignoreMerges, boolean addBos, boolean noBos,
                            String... names) {
        for (String n : names) {
            BY_NAME.put(n, new BpePreset(n, regexes, clean, ignoreMerges, addBos, noBos));
        }
    }

    static {
        // name(s) → regexes and flags, as llama_vocab::impl::load maps them
        add(DEFAULT, true, false, false, false, "default");
        add(List.of(LLAMA3), true, true, true, false,
                "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2");
        add(List.of(LLAMA3), true, false, false, false, "dbrx", "smaug-bpe");
        add(List.of(LLAMA3), true, false, false, true, "chatglm-bpe", "glm4");
        add(DEEPSEEK_LLM, false, false, false, false, "deepseek-llm");
        add(DEEPSEEK_CODER, false, false, false, false, "deepseek-coder");
        add(FALCON, true, false, false, false, "falcon");
        add(List.of(GPT2), true, false, false, false, "gpt-2", "phi-2", "mpt", "olmo", "jais", "exaone4", "jina-es",
                "jina-de", "jina-v2-es", "jina-v2-de", "gigachat", "a.x-4.0", "mellum", "modern-bert", "jina-v1-en",
                "jina-v2-code", "roberta-bpe");
        add(List.of(GPT2), false, false, false, false, "trillion", "granite-docling");
        add(STARCODER, true, false, false, false, "starcoder", "refact", "codeshell", "exaone", "minerva-7b",
                "mellum2");
        add(STARCODER, false, false, false, false, "smollm", "command-r");
        add(List.of(QWEN2), false, false, false, false, "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan",
                "solar-open");
        add(List.of(QWEN2), true, false, false, false, "stablelm2", "megrez");
    }

    /**
     * @param pre {@code tokenizer.ggml.pre}; null means absent (llama.cpp then uses "default" and warns)
     * @return the preset
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    static BpePreset forName(String pre) {
        BpePreset p = BY_NAME.get(pre == null ? "default" : pre);
        if (p == null) {
            throw new IllegalArgumentException("unknown tokenizer.ggml.pre '" + pre + "'; known: "
                    + String.join(", ", new TreeSet<>(BY_NAME.keySet())));
        }
        return p;
    }

    /** @return every known pre-tokenizer name, sorted */
    static java.util.SortedSet<String> names() {
        return new TreeSet<>(BY_NAME.keySet());
    }
}
