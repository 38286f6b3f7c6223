package io.edgellm.bench.jmh;

import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.edgellm.engine.GgufVocabulary;
import io.edgellm.quant.gguf.GgufFile;
import io.edgellm.tokenizer.Tokenizer;
import io.edgellm.tokenizer.Vocabulary;
import org.openjdk.jmh.annotations.*;

/**
 * Tokenizer throughput on about 1 MB of English-like text: SentencePiece ({@code llama-spm}), byte-level BPE with the
 * Llama-3 scanner ({@code llama-bpe}) and with a regex pre-tokenizer ({@code qwen2}).
 * {@code encode}/{@code decode} run with warm per-word caches; {@code createAndEncode} builds a fresh tokenizer
 * (vocabulary load + cold caches). Vocabularies come from {@code ../shared/vocab} (system property {@code edgellm.shared}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class TokenizerBenchmark {
    @Param({"llama-spm", "llama-bpe", "qwen2"}) public String vocab;
    @Param({"1048576"}) public int chars;
    private Vocabulary vocabulary;
    private Tokenizer tokenizer;
    private String text;
    private int[] ids;

    @Setup
    public void setup() throws Exception {
        Path shared = Path.of(System.getProperty("edgellm.shared", "../shared"));
        try (GgufFile f = GgufFile.open(shared.resolve("vocab").resolve("ggml-vocab-" + vocab + ".gguf"))) {
            vocabulary = GgufVocabulary.read(f);
        }
        tokenizer = Tokenizer.create(vocabulary);
        text = englishText(chars, 42);
        ids = tokenizer.encode(text, false, false);
    }

    /** Encode the text (no BOS, no special-token parsing). */
    @Benchmark public int[] encode() { return tokenizer.encode(text, false, false); }

    /** Decode the ids of the text back to a String. */
    @Benchmark public String decode() { return tokenizer.decode(ids); }

    /** Build the tokenizer from the vocabulary, then encode: the cost a first request pays. */
    @Benchmark public int[] createAndEncode() { return Tokenizer.create(vocabulary).encode(text, false, false); }

    /** Deterministic English-like text of at least {@code chars} characters, with punctuation, digits and accents. */
    static String englishText(int chars, long seed) {
        String[] words = ("the of and to a in is it you that he was for on are with as I his they be at one have "
                + "this from or had by hot word but what some we can out other were all there when up use your how "
                + "said an each she which do their time if will way about many then them write would like so these "
                + "her long make thing see him two has look more day could go come did number sound no most people "
                + "my over know water than call first who may down side been now find don't it's we'll 2024 3.14 "
                + "café naïve Zürich (see) [1] {x} $5 50% e-mail").split(" ");
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder(chars + 32);
        boolean capital = true;
        while (sb.length() < chars) {
            String w = words[r.nextInt(words.length)];
            sb.append(capital ? Character.toUpperCase(w.charAt(0)) + w.substring(1) : w);
            int p = r.nextInt(100);
            capital = p < 10;
            sb.append(p < 8 ? ". " : p < 10 ? ".\n\n" : p < 16 ? ", " : " ");
        }
        return sb.toString();
    }
}
