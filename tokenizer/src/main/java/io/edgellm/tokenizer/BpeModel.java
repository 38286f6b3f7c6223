package io.edgellm.tokenizer;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE as llama.cpp's {@code llm_tokenizer_bpe_session} runs it ({@code tokenizer.ggml.model = gpt2}).
 *
 * <p>For each text fragment:
 * <ol>
 *   <li>the {@link PreTokenizer} splits it into words;</li>
 *   <li>each word's UTF-8 bytes are mapped to GPT-2's stand-in characters ({@link ByteLevel});</li>
 *   <li>with {@code ignore_merges} (Llama 3), a word that is itself a token is emitted as is;</li>
 *   <li>otherwise the word starts as one symbol per character and the adjacent pair with the lowest merge rank
 *       (then the leftmost) is merged until no pair of the remaining symbols is in {@code tokenizer.ggml.merges};</li>
 *   <li>each final symbol is looked up in the vocabulary; one that is missing is emitted byte by byte, keeping only
 *       the bytes that are tokens themselves (llama.cpp's behaviour; it cannot happen with a consistent vocabulary).</li>
 * </ol>
 * Merge ranks are kept by token-id pair for speed (every merge of a consistent vocabulary joins two tokens); merges
 * with a half that is no token fall back to a map keyed by text. Results per word are cached (bounded), which is
 * exact because a word's tokens depend on the word alone.
 */
final class BpeModel {
    private static final int CACHE_LIMIT = 1 << 16;

    private final Map<String, Integer> tokenToId;
    private final PreTokenizer preTokenizer;
    private final boolean ignoreMerges;
    /** (left id, right id) → rank, for merges whose halves are both tokens */
    private final LongIntMap rankById;
    /** rank → id of the merged text, -1 when the concatenation is no token */
    private final int[] mergedId;
    /** "left right" → rank, for merges with a half that is no token */
    private final Map<String, Integer> rankByText = new HashMap<>();
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param tokenToId    token text → id
     * @param merges       tokenizer.ggml.merges ("left right", rank = index)
     * @param preTokenizer the word splitter
     * @param ignoreMerges emit a word that is a token without merging
     */
    BpeModel(Map<String, Integer> tokenToId, String[] merges, PreTokenizer preTokenizer, boolean ignoreMerges) {
        this.tokenToId = tokenToId;
        this.preTokenizer = preTokenizer;
        this.ignoreMerges = ignoreMerges;
        if (merges.length >= (1 << 24)) {
            throw new IllegalArgumentException("tokenizer.ggml.merges has " + merges.length + " entries (limit 2^24)");
        }
        this.rankById = new LongIntMap(merges.length * 2 + 16);
        this.mergedId = new int[merges.length];
        for (int rank = 0; rank < merges.length; rank++) {
            String m = merges[rank];
            // llama.cpp: split at the first space after the first character; a line without one is the pair ("", "")
            int sp = m.indexOf(' ', 1);
            String first = sp < 0 ? "" : m.substring(0, sp);
            String second = sp < 0 ? "" : m.substring(sp + 1);
            Integer a = tokenToId.get(first), b = tokenToId.get(second);
            Integer merged = tokenToId.get(first + second);
            mergedId[rank] = merged == null ? -1 : merged;
            if (a != null && b != null) {
                rankById.putIfAbsent(pair(a, b), rank); // a repeated pair keeps its first rank, as emplace does
            } else {
                rankByText.putIfAbsent(first + ' ' + second, rank);
            }
        }
    }

    private static long pair(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    /** Tokenizes a text fragment and appends the ids to {@code out}. */
    void encode(String text, IntList out) {
        int[] cps = text.codePoints().toArray();
        IntList words = preTokenizer.split(cps, cps.length);
        StringBuilder sb = new StringBuilder();
        byte[] utf8 = new byte[4];
        int pos = 0;
        for (int w = 0; w < words.size(); w++) {
            int len = words.get(w);
            // the word's UTF-8 bytes as GPT-2 stand-in characters
            sb.setLength(0);
            for (int i = pos; i < pos + len; i++) {
                int nb = Utf8.encode(cps[i], utf8);
                for (int k = 0; k < nb; k++) {
                    sb.append(ByteLevel.encode(utf8[k]));
                }
            }
            pos += len;
            String word = sb.toString();
            int[] ids = cache.get(word);
            if (ids == null) {
                ids = encodeWord(word);
                if (cache.size() >= CACHE_LIMIT) {
                    cache.clear();
                }
                cache.put(word, ids);
            }
            out.addAll(ids);
        }
    }

    /** BPE-merges one byte-level word. */
    int[] encodeWord(String word) {
        if (ignoreMerges) {
            Integer whole = tokenToId.get(word);
            if (whole != null) {
                return new int[] {whole};
            }
        }
        int n = word.length(); // stand-ins are all below U+0144: one char each
        int[] len = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        int[] id = new int[n]; // token id of each symbol's text, -1 if none
        for (int i = 0; i < n; i++) {
            len[i] = 1;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            Integer t = tokenToId.get(String.valueOf(word.charAt(i)));
            id[i] = t == null ? -1 : t;
        }
        BigramHeap heap = new BigramHeap();
        for (int i = 1; i < n; i++) {
            addBigram(word, len, id, i - 1, i, heap);
        }
        while (!heap.isEmpty()) {
            heap.pop();
            int l = heap.poppedLeft, r = heap.poppedRight;
            if (len[l] == 0 || len[r] == 0 || len[l] + len[r] != heap.poppedSize) {
                continue; // outdated: one of the symbols changed
            }
            int rank = rankOf(word, len, id, l, r);
            len[l] += len[r];
            len[r] = 0;
            id[l] = mergedId[rank];
            next[l] = next[r];
            if (next[r] >= 0) {
                prev[next[r]] = l;
            }
            addBigram(word, len, id, prev[l], l, heap);
            addBigram(word, len, id, l, next[l], heap);
        }
        IntList out = new IntList(8);
        for (int i = 0; i != -1; i = next[i]) {
            if (id[i] >= 0) {
                out.add(id[i]);
                continue;
            }
            String text = word.substring(i, i + len[i]);
            Integer t = tokenToId.get(text);
            if (t != null) {
                out.add(t);
                continue;
            }
            // llama.cpp looks each byte of the symbol up as a one-byte string; only ASCII bytes can match
            for (byte b : Utf8.bytes(text)) {
                if (b >= 0) {
                    Integer bt = tokenToId.get(String.valueOf((char) b));
                    if (bt != null) {
                        out.add(bt);
                    }
                }
            }
        }
        return out.toArray();
    }

    private void addBigram(String word, int[] len, int[] id, int l, int r, BigramHeap heap) {
        if (l < 0 || r < 0) {
            return;
        }
        int rank = rankOf(word, len, id, l, r);
        if (rank >= 0) {
            heap.push(-rank, l, r, len[l] + len[r]); // lowest rank first
        }
    }

    /** @return the merge rank of symbols l and r (adjacent, starting at char l and r), or -1 */
    private int rankOf(String word, int[] len, int[] id, int l, int r) {
        if (id[l] >= 0 && id[r] >= 0) {
            return rankById.get(pair(id[l], id[r]));
        }
        if (rankByText.isEmpty()) {
            return -1;
        }
        Integer rank = rankByText.get(word.substring(l, l + len[l]) + ' ' + word.substring(r, r + len[r]));
        return rank == null ? -1 : rank;
    }

    /** Open-addressing map from long to non-negative int; {@link #get} returns -1 when absent. */
    static final class LongIntMap {
        private long[] keys;
        private int[] values; // value + 1; 0 = empty slot
        private int mask;
        private int size;

        LongIntMap(int expected) {
            int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
            keys = new long[cap];
            values = new int[cap];
            mask = cap - 1;
        }

        private static int hash(long k) {
            long h = k * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32));
        }

        int get(long key) {
            for (int i = hash(key) & mask; ; i = (i + 1) & mask) {
                if (values[i] == 0) {
                    return -1;
                }
                if (keys[i] == key) {
                    return values[i] - 1;
                }
            }
        }

        void putIfAbsent(long key, int value) {
            if ((size + 1) * 2 > keys.length) {
                grow();
            }
            for (int i = hash(key) & mask; ; i = (i + 1) & mask) {
                if (values[i] == 0) {
                    keys[i] = key;
                    values[i] = value + 1;
                    size++;
                    return;
                }
                if (keys[i] == key) {
                    return;
                }
            }
        }

        private void grow() {
            long[] oldK = keys;
            int[] oldV = values;
            keys = new long[oldK.length * 2];
            values = new int[oldV.length * 2];
            mask = keys.length - 1;
            size = 0;
            for (int i = 0; i < oldK.length; i++) {
                if (oldV[i] != 0) {
                    putIfAbsent(oldK[i], oldV[i] - 1);
                }
            }
        }
    }
}
