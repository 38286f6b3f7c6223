package io.edgellm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The pre-tokenizer's regex translation and splitters on small, hand-checked inputs. */
class PreTokenizerTest {

    private static List<String> split(List<String> regexes, String text) {
        int[] cps = text.codePoints().toArray();
        IntList lens = new PreTokenizer(regexes).split(cps, cps.length);
        List<String> words = new ArrayList<>();
        int pos = 0;
        for (int i = 0; i < lens.size(); i++) {
            words.add(new String(cps, pos, lens.get(i)));
            pos += lens.get(i);
        }
        return words;
    }

    @Test
    void gpt2Split() {
        assertEquals(List.of("Hello", ",", " world", "'s", " 123", "  ", " x", "\n"),
                split(List.of(PreTokenizer.GPT2_REGEX), "Hello, world's 123   x\n"));
    }

    @Test
    void llama3Split() {
        assertEquals(List.of("Hello", " world", "'S", " ", "123", "4", "\n\n", " ", " x", "!!\n"),
                split(List.of(PreTokenizer.LLAMA3_REGEX), "Hello world'S 1234\n\n  x!!\n"));
    }

    @Test
    void qwen2SplitsEveryDigit() {
        List<String> regexes = BpePreset.forName("qwen2").regexes();
        assertEquals(List.of("abc", " ", "1", "2", "3"), split(regexes, "abc 123"));
    }

    @Test
    void collapsedTranslation() {
        assertEquals("[\\xD2A-Za-z]+", PreTokenizer.translateCollapsed("\\p{L}+"));
        assertEquals("[^\\s\\xD2A-Za-z\\xD10-9]", PreTokenizer.translateCollapsed("[^\\s\\p{L}\\p{N}]"));
        assertEquals("\\s+\\z", PreTokenizer.translateCollapsed("\\s+$"));
        assertEquals("[\\$]", PreTokenizer.translateDollar("[\\$]"));
        assertEquals("a\\z", PreTokenizer.translateDollar("a$"));
        // every translated preset regex compiles
        for (String name : BpePreset.names()) {
            new PreTokenizer(BpePreset.forName(name).regexes());
        }
    }

    @Test
    void dollarMeansEndOfPieceOnly() {
        // deepseek-llm's "\s+$": trailing whitespace, not whitespace before a final newline
        List<String> regexes = List.of("\\s+$");
        assertEquals(List.of("a", "  "), split(regexes, "a  "));
        assertEquals(List.of("a  \nb"), split(regexes, "a  \nb"));
    }

    @Test
    void classScannerEqualsJavaRegex() {
        // "[class]", "[class]+" and "\\s?[class]+" run by a scanner; wrapping them in (?:...) forces java.util.regex
        String text = LargeTextTest.text(20_000, 7) + " \u3000Ωmega ＡＢＣ\r\n\n！？ 𐐀𐐁 x\u0085y 你好世界";
        for (String name : List.of("deepseek-llm", "deepseek-coder")) {
            for (String r : BpePreset.forName(name).regexes()) {
                assertEquals(split(List.of("(?:" + r + ")"), text), split(List.of(r), text), r);
            }
            assertEquals(split(wrapped(BpePreset.forName(name).regexes()), text),
                    split(BpePreset.forName(name).regexes(), text), name);
        }
    }

    private static List<String> wrapped(List<String> regexes) {
        return regexes.stream().map(r -> r.startsWith("\\p") ? r : "(?:" + r + ")").toList();
    }

    @Test
    void codepointFlagsFollowLlamaCppCategories() {
        assertEquals(CodepointFlags.LETTER, CodepointFlags.of('a') & CodepointFlags.CATEGORY_MASK);
        assertEquals(CodepointFlags.NUMBER, CodepointFlags.of('٣') & CodepointFlags.CATEGORY_MASK);
        assertEquals(CodepointFlags.PUNCTUATION, CodepointFlags.of('¿') & CodepointFlags.CATEGORY_MASK);
        assertEquals(CodepointFlags.SYMBOL, CodepointFlags.of('€') & CodepointFlags.CATEGORY_MASK);
        assertEquals(CodepointFlags.MARK, CodepointFlags.of(0x301) & CodepointFlags.CATEGORY_MASK);
        assertEquals(CodepointFlags.CONTROL, CodepointFlags.of(0x200D) & CodepointFlags.CATEGORY_MASK);
        assertEquals(CodepointFlags.UNDEFINED, CodepointFlags.of(0x378));
        assertTrue(CodepointFlags.isWhitespace(CodepointFlags.of(0x3000)));
        assertTrue(CodepointFlags.isWhitespace(CodepointFlags.of(0x85)));
        assertEquals(0, CodepointFlags.of(-1));
        assertEquals(0, CodepointFlags.of(0x110000));
    }
}
