package io.edgellm.tokenizer;

import java.util.Arrays;

/**
 * GPT-2's reversible byte ↔ unicode mapping (OpenAI's {@code bytes_to_unicode}; llama.cpp's
 * {@code unicode_byte_to_utf8_map}). Byte-level BPE vocabularies store tokens as strings of these stand-in characters,
 * so that every byte has a visible, non-whitespace character:
 * <pre>
 *   bytes 0x21..0x7E, 0xA1..0xAC, 0xAE..0xFF  → the code point of the same value ('!'..'~', '¡'..'¬', '®'..'ÿ')
 *   the other 68 bytes, in increasing order    → U+0100, U+0101, ... U+0143   (so ' ' 0x20 → 'Ġ' U+0120, '\n' → 'Ċ')
 * </pre>
 */
final class ByteLevel {
    /** byte value → stand-in char */
    private static final char[] BYTE_TO_CHAR = new char[256];
    /** stand-in char → byte value, -1 when the char is not a stand-in (chars above U+0143 are never stand-ins) */
    private static final int[] CHAR_TO_BYTE = new int[0x144];

    static {
        Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 0x100;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) next++;
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {
    }

    /** @return the stand-in char of byte b (0..255) */
    static char encode(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** @return the byte the code point stands for, or -1 when it is not a stand-in */
    static int decode(int cp) {
        return cp >= 0 && cp < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[cp] : -1;
    }
}
