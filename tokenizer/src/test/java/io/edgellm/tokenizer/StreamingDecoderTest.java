package io.edgellm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The streaming decoder never emits half a character and never blocks on bytes that cannot become one. */
class StreamingDecoderTest {
    private static Tokenizer spm() {
        return TestData.tokenizer(TestData.vocabFile("llama-spm"));
    }

    private static int byteToken(int b) {
        return spm().tokenId(String.format("<0x%02X>", b));
    }

    @Test
    void byteFallbackEmojiIsHeldUntilComplete() {
        Tokenizer t = spm();
        int[] ids = t.encode("🦙", false, false); // ▁ <0xF0> <0x9F> <0xA6> <0x99>
        assertEquals(5, ids.length);
        StreamingDecoder d = t.streamingDecoder();
        assertEquals(" ", d.accept(ids[0]));
        assertEquals("", d.accept(ids[1]));
        assertTrue(d.hasPending());
        assertEquals("", d.accept(ids[2]));
        assertEquals("", d.accept(ids[3]));
        assertEquals("🦙", d.accept(ids[4]));
        assertFalse(d.hasPending());
        assertEquals("", d.flush());
    }

    @Test
    void invalidBytesAreReplacedAtOnce() {
        StreamingDecoder d = spm().streamingDecoder();
        assertEquals("\uFFFD", d.accept(byteToken(0xFF))); // never valid in UTF-8
        assertEquals("\uFFFD", d.accept(byteToken(0x80))); // lone continuation byte
        assertEquals("", d.accept(byteToken(0xE0)));
        // E0 80 is an overlong prefix: no character can follow, so nothing is held
        assertFalse(d.accept(byteToken(0x80)).isEmpty());
        assertFalse(d.hasPending());
        assertEquals("", d.accept(byteToken(0xED)));
        assertFalse(d.accept(byteToken(0xA0)).isEmpty()); // ED A0: a surrogate, never valid
        assertEquals("", d.accept(byteToken(0xF4)));
        assertFalse(d.accept(byteToken(0x90)).isEmpty()); // F4 90: beyond U+10FFFF
    }

    @Test
    void incompleteTailIsReplacedOnFlush() {
        StreamingDecoder d = spm().streamingDecoder();
        assertEquals("", d.accept(byteToken(0xE2)));
        assertEquals("", d.accept(byteToken(0x82)));
        assertEquals("\uFFFD", d.flush());
        assertEquals("", d.flush());
        // a complete character after an incomplete one: the incomplete one becomes U+FFFD, then the character
        assertEquals("", d.accept(byteToken(0xE2)));
        assertEquals("\uFFFDA", d.accept(byteToken(0x41)));
    }

    @Test
    void byteLevelPiecesOfOneCharacterAreJoined() {
        Tokenizer t = TestData.tokenizer(TestData.vocabFile("gpt-2"));
        int[] ids = t.encode("日本語のテキスト 🦙🦙", false, false);
        StreamingDecoder d = t.streamingDecoder();
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            String s = d.accept(id);
            assertEquals(-1, s.indexOf('\uFFFD'));
            sb.append(s);
        }
        assertEquals("日本語のテキスト 🦙🦙", sb.toString());
    }
}
