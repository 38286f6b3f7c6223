package io.edgellm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** parse_special, BOS/EOS, end-of-generation ids and the rendering of control tokens. */
class SpecialTokensTest {
    private static Tokenizer vocab(String name) {
        return TestData.tokenizer(TestData.vocabFile(name));
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }

    @Test
    void chatMlControlTokensAreParsedOnlyWhenAsked() {
        Tokenizer t = vocab("qwen2");
        int imStart = t.tokenId("<|im_start|>"), imEnd = t.tokenId("<|im_end|>");
        assertEquals(151644, imStart);
        assertEquals(151645, imEnd);
        String chat = "<|im_start|>user\nHello<|im_end|>\n";
        int[] parsed = t.encode(chat, false, true);
        assertArrayEquals(concat(new int[] {imStart}, t.encode("user\nHello", false, false), new int[] {imEnd},
                t.encode("\n", false, false)), parsed);
        int[] plain = t.encode(chat, false, false);
        assertFalse(Arrays.stream(plain).anyMatch(id -> id == imStart || id == imEnd));
        assertEquals(chat, t.decode(plain));
        // control tokens vanish from decode unless unparsed, and are EOG where llama.cpp says so
        assertEquals("user\nHello\n", t.decode(parsed));
        assertEquals(chat, t.decode(parsed, false, true));
        assertTrue(t.isEndOfGeneration(imEnd));
        assertTrue(t.isEndOfGeneration(t.tokenId("<|endoftext|>")));
        assertFalse(t.isEndOfGeneration(imStart));
        assertFalse(t.addsBos()); // qwen2 does not add BOS by default
    }

    @Test
    void llama3BosEotAndDoubleBos() {
        Tokenizer t = vocab("llama-bpe");
        int[] hi = t.encode("Hi", false, false);
        assertArrayEquals(concat(new int[] {128000}, hi), t.encode("Hi", true, false));
        // the prompt's own <|begin_of_text|> plus the added one: two BOS, as llama.cpp (it warns)
        assertArrayEquals(concat(new int[] {128000, 128000}, hi), t.encode("<|begin_of_text|>Hi", true, true));
        assertArrayEquals(new int[] {128001, 128009}, t.endOfGenerationIds());
        assertEquals(128009, t.eotId());
        assertEquals("Hi", t.decode(concat(new int[] {128000}, hi)));
        assertEquals("<|begin_of_text|>Hi", t.decode(concat(new int[] {128000}, hi), false, true));
        assertEquals("Hi", t.decode(concat(new int[] {128000}, hi), true, true)); // remove_special drops BOS
        assertEquals("<|eot_id|>", t.piece(128009));
    }

    @Test
    void sentencePieceSpecialTokensAndTheSpacePrefix() {
        Tokenizer t = vocab("llama-spm");
        assertArrayEquals(new int[] {1, 15043}, t.encode("<s>Hello", false, true));
        assertArrayEquals(new int[] {15043, 2}, t.encode("Hello</s>", false, true));
        // text after a special token gets the space prefix again (llama.cpp's is_prev_special)
        assertArrayEquals(new int[] {15043, 2, 15043}, t.encode("Hello</s>Hello", false, true));
        // not parsed: "<s>" is plain text
        int[] plain = t.encode("<s>Hello", false, false);
        assertFalse(Arrays.stream(plain).anyMatch(id -> id == 1));
        assertEquals("<s>Hello", t.decode(plain));
        assertArrayEquals(new int[] {1, 15043, 3186}, t.encode("Hello world", true, false));
        assertArrayEquals(new int[] {2}, t.endOfGenerationIds());
    }

    @Test
    void phi3EndOfGenerationByText() {
        Tokenizer t = vocab("phi-3");
        assertEquals(32000, t.eosId());
        assertTrue(t.isEndOfGeneration(32000)); // <|endoftext|>
        assertTrue(t.isEndOfGeneration(32007)); // <|end|>
        assertTrue(t.isEndOfGeneration(2)); // </s>
        assertEquals("<|end|>", t.tokenText(32007));
        // Phi-3's chat tokens are control tokens: parsed only with parse_special
        int assistant = t.tokenId("<|assistant|>");
        assertEquals(32001, assistant);
        assertEquals(assistant, t.encode("<|assistant|>Hi", false, true)[0]);
        assertTrue(t.encode("<|assistant|>Hi", false, false)[0] != assistant);
    }

    @Test
    void userDefinedTokensAreSplitOutEvenWithoutParseSpecial() {
        Tokenizer t = vocab("qwen2");
        int toolCall = t.tokenId("<tool_call>");
        assertEquals(151657, toolCall);
        assertFalse(t.isControl(toolCall));
        int[] ids = t.encode("x<tool_call>y", false, false);
        assertArrayEquals(concat(t.encode("x", false, false), new int[] {toolCall}, t.encode("y", false, false)), ids);
        assertEquals("x<tool_call>y", t.decode(ids)); // user-defined tokens always render
    }

    @Test
    void streamingDecoderCanRenderControlTokens() {
        Tokenizer t = vocab("qwen2");
        int[] ids = t.encode("<|im_start|>assistant\nOK<|im_end|>", false, true);
        StreamingDecoder plain = t.streamingDecoder();
        StreamingDecoder special = t.streamingDecoder(true);
        StringBuilder a = new StringBuilder(), b = new StringBuilder();
        for (int id : ids) {
            a.append(plain.accept(id));
            b.append(special.accept(id));
        }
        assertEquals("assistant\nOK", a + plain.flush());
        assertEquals("<|im_start|>assistant\nOK<|im_end|>", b + special.flush());
    }
}
