package io.edgellm.tokenizer;

import java.nio.charset.StandardCharsets;

/** UTF-8 helpers shared by encoding, decoding and the streaming decoder. */
final class Utf8 {
    private Utf8() {
    }

    /**
     * Replaces every unpaired surrogate by U+FFFD, the character a UTF-8 encoder emits for it (Java's own
     * {@code getBytes(UTF_8)} would emit '?'). Returns {@code s} itself when it has none.
     */
    static String sanitize(String s) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i += 2;
                    continue;
                }
                break; // first unpaired surrogate: rebuild from here
            }
            i++;
        }
        if (i >= n) {
            return s;
        }
        StringBuilder sb = new StringBuilder(n);
        sb.append(s, 0, i);
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                sb.append(c).append(s.charAt(i + 1));
                i += 2;
            } else {
                sb.append(Character.isSurrogate(c) ? '\uFFFD' : c);
                i++;
            }
        }
        return sb.toString();
    }

    /** @return the UTF-8 bytes of a string without unpaired surrogates */
    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Decodes UTF-8; every malformed sequence becomes U+FFFD (the JDK decoder's replacement, which replaces each
     * maximal invalid subpart as the Unicode standard recommends).
     */
    static String string(byte[] b, int off, int len) {
        return new String(b, off, len, StandardCharsets.UTF_8);
    }

    /**
     * How many leading bytes of {@code b[0..len)} can be decoded now without splitting a character: everything except
     * a trailing, still incomplete but so far valid multi-byte sequence (at most 3 bytes).
     */
    static int completePrefix(byte[] b, int len) {
        // walk back over at most 3 continuation bytes to the lead byte of the last sequence
        int i = len - 1;
        int continuation = 0;
        while (i >= 0 && continuation < 3 && (b[i] & 0xC0) == 0x80) {
            i--;
            continuation++;
        }
        if (i < 0) {
            return len; // only continuation bytes: malformed, emit them (as U+FFFD)
        }
        int lead = b[i] & 0xFF;
        int need;
        if (lead >= 0xC2 && lead <= 0xDF) {
            need = 2;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            need = 3;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            need = 4;
        } else {
            return len; // ASCII or an invalid lead byte: nothing to wait for
        }
        int have = len - i;
        if (have >= need) {
            return len; // the last sequence is complete
        }
        // incomplete: wait only if the bytes so far can still become a valid character
        if (have >= 2) {
            int second = b[i + 1] & 0xFF;
            if ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second > 0x9F)
                    || (lead == 0xF0 && second < 0x90) || (lead == 0xF4 && second > 0x8F)) {
                return len; // overlong, surrogate or beyond U+10FFFF: never valid
            }
        }
        return i;
    }

    /**
     * Writes the UTF-8 encoding of a code point (not a surrogate) to {@code out[0..n)}.
     *
     * @return n, 1 to 4
     */
    static int encode(int cp, byte[] out) {
        if (cp < 0x80) {
            out[0] = (byte) cp;
            return 1;
        }
        if (cp < 0x800) {
            out[0] = (byte) (0xC0 | (cp >> 6));
            out[1] = (byte) (0x80 | (cp & 0x3F));
            return 2;
        }
        if (cp < 0x10000) {
            out[0] = (byte) (0xE0 | (cp >> 12));
            out[1] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            out[2] = (byte) (0x80 | (cp & 0x3F));
            return 3;
        }
        out[0] = (byte) (0xF0 | (cp >> 18));
        out[1] = (byte) (0x80 | ((cp >> 12) & 0x3F));
        out[2] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        out[3] = (byte) (0x80 | (cp & 0x3F));
        return 4;
    }

}
