package io.edgellm.tokenizer;

/**
 * Token text → id lookup on a range of a string without creating a substring: open addressing over the token ids,
 * hashed like {@link String#hashCode()} and compared char by char. The SentencePiece merge loop looks up every
 * adjacent pair, so avoiding one allocation per lookup matters.
 */
final class TokenIndex {
    private final String[] texts;
    /** slot → token id + 1; 0 = empty */
    private final int[] slots;
    /** slot → the token's String hash, to skip comparing texts that cannot be equal */
    private final int[] hashes;
    private final int mask;

    /** @param texts token texts, unique (index = id) */
    TokenIndex(String[] texts) {
        this.texts = texts;
        int cap = Integer.highestOneBit(Math.max(16, texts.length * 2 - 1)) << 1; // load factor ≤ 0.5
        slots = new int[cap];
        hashes = new int[cap];
        mask = cap - 1;
        for (int id = 0; id < texts.length; id++) {
            int h = texts[id].hashCode();
            int i = mix(h) & mask;
            while (slots[i] != 0) {
                i = (i + 1) & mask;
            }
            slots[i] = id + 1;
            hashes[i] = h;
        }
    }

    private static int mix(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    /** @return the id of the token equal to s[from, to), or -1 */
    int get(String s, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + s.charAt(i);
        }
        int len = to - from;
        for (int i = mix(h) & mask; ; i = (i + 1) & mask) {
            int slot = slots[i];
            if (slot == 0) {
                return -1;
            }
            if (hashes[i] != h) {
                continue;
            }
            String t = texts[slot - 1];
            if (t.length() == len && s.regionMatches(from, t, 0, len)) {
                return slot - 1;
            }
        }
    }

    /** @return the id of the token equal to s, or -1 */
    int get(String s) {
        return get(s, 0, s.length());
    }
}
