package io.edgellm.tokenizer;

/**
 * SentencePiece BPE as llama.cpp's {@code llm_tokenizer_spm_session} runs it ({@code tokenizer.ggml.model = llama}).
 *
 * <p>The input is already escaped (spaces replaced by U+2581 '▁', the optional leading space added). Then:
 * <ol>
 *   <li>split into code points, each a symbol in a doubly linked list;</li>
 *   <li>every adjacent pair whose concatenation is a vocabulary token becomes a candidate with that token's score;</li>
 *   <li>repeatedly merge the best candidate (highest score, then leftmost) whose two symbols are unchanged since it
 *       was queued, and queue the new pairs the merged symbol forms with its neighbours;</li>
 *   <li>emit each remaining symbol's token; a symbol that is no token (a single code point missing from the
 *       vocabulary) is emitted as its UTF-8 bytes through the {@code <0xNN>} byte tokens ("byte fallback").</li>
 * </ol>
 *
 * <p>Speed and memory without changing the result: a "safe cut" is a position no vocabulary token can span; merges
 * on the two sides of a safe cut never interact (every merged symbol is a token), so the text may be tokenized piece
 * by piece. Two kinds of cut are used:
 * <ul>
 *   <li>word starts: before a '▁' whose preceding char never precedes an inner '▁' in any token (for Llama's
 *       vocabulary that is every '▁' not preceded by another '▁'). Such pieces are short and repeat, so their ids are
 *       cached (bounded);</li>
 *   <li>pieces longer than about {@value #CHUNK_CHARS} chars (text without spaces) are cut where a check of every
 *       substring that could cover the cut finds no token, so memory stays bounded for any input length.</li>
 * </ul>
 */
final class SpmModel {
    /** Default target chunk length for long inputs (chars). */
    static final int CHUNK_CHARS = 16 * 1024;

    private final int chunkChars;
    /** how far past the target a chunk may grow while looking for a safe cut (chars) */
    private final int searchChars;

    private final TokenIndex index;
    private final float[] scores;
    private final int[] byteTokens;
    private final int maxTokenChars;
    /** chars that directly precede a '▁' at an inner position (index ≥ 1) of some token */
    private final java.util.BitSet precedesInnerSpace = new java.util.BitSet(1 << 16);
    /** ids of short pieces between word-start cuts */
    private final java.util.concurrent.ConcurrentHashMap<String, int[]> cache =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static final int CACHE_LIMIT = 1 << 16;
    private static final int CACHE_MAX_PIECE_CHARS = 64;

    /**
     * @param texts         token texts (index = id)
     * @param index         token text → id
     * @param scores        token scores (null = all 0)
     * @param byteTokens    byte value → token id for byte fallback (-1 when the vocabulary has no token for it)
     * @param maxTokenChars the longest token text in chars
     * @param chunkChars    target chunk length for long inputs ({@link #CHUNK_CHARS}; tests use small ones);
     *                      0 = reference mode: no cuts and no cache, the whole text merged at once as llama.cpp does
     */
    SpmModel(String[] texts, TokenIndex index, float[] scores, int[] byteTokens, int maxTokenChars, int chunkChars) {
        this.chunkChars = chunkChars;
        this.searchChars = Math.max(16, chunkChars / 2);
        this.index = index;
        for (String t : texts) {
            for (int i = 1; i < t.length(); i++) {
                if (t.charAt(i) == '\u2581') {
                    precedesInnerSpace.set(t.charAt(i - 1));
                }
            }
        }
        this.scores = scores;
        this.byteTokens = byteTokens;
        this.maxTokenChars = Math.max(1, maxTokenChars);
    }

    /** Tokenizes the escaped text {@code s} and appends the ids to {@code out}. */
    void encode(String s, IntList out) {
        int n = s.length();
        if (chunkChars <= 0) {
            encodeRange(s, 0, n, out);
            return;
        }
        int pieceStart = 0;
        for (int p = 1; p < n; p++) {
            if (s.charAt(p) == '\u2581' && !precedesInnerSpace.get(s.charAt(p - 1))) {
                encodePiece(s, pieceStart, p, out);
                pieceStart = p;
            }
        }
        encodePiece(s, pieceStart, n, out);
    }

    /** Tokenizes s[from, to), a piece between safe cuts, through the cache when it is short. */
    private void encodePiece(String s, int from, int to, IntList out) {
        if (to - from > CACHE_MAX_PIECE_CHARS) {
            encodeLong(s, from, to, out);
            return;
        }
        String key = s.substring(from, to);
        int[] ids = cache.get(key);
        if (ids == null) {
            IntList tmp = new IntList(8);
            encodeRange(s, from, to, tmp);
            ids = tmp.toArray();
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
            }
            cache.put(key, ids);
        }
        out.addAll(ids);
    }

    /** Tokenizes a long piece s[from, n) in chunks cut where no token can span. */
    private void encodeLong(String s, int from, int n, IntList out) {
        while (n - from > chunkChars + searchChars) {
            int cut = findCut(s, from + chunkChars, from + chunkChars + searchChars);
            if (cut < 0) {
                // no safe cut near the target: keep the text together and try again further on
                cut = findCut(s, from + chunkChars + searchChars, n);
                if (cut < 0) {
                    break;
                }
            }
            encodeRange(s, from, cut, out);
            from = cut;
        }
        encodeRange(s, from, n, out);
    }

    /** @return the first safe cut in [lo, hi), preferring word starts ('▁' after a non-'▁'), or -1 */
    private int findCut(String s, int lo, int hi) {
        for (int p = lo; p < hi; p++) {
            if (s.charAt(p) == '\u2581' && s.charAt(p - 1) != '\u2581' && isSafeCut(s, p)) {
                return p;
            }
        }
        int limit = Math.min(hi, lo + 1024); // scripts without spaces: try any position, a bounded number of times
        for (int p = lo; p < limit; p++) {
            if (isSafeCut(s, p)) {
                return p;
            }
        }
        return -1;
    }

    /** True when no vocabulary token occurs in s covering both s[p-1] and s[p]. */
    private boolean isSafeCut(String s, int p) {
        if (p <= 0 || p >= s.length() || Character.isLowSurrogate(s.charAt(p))) {
            return false;
        }
        for (int a = Math.max(0, p - maxTokenChars + 1); a < p; a++) {
            int bMax = Math.min(s.length(), a + maxTokenChars);
            for (int b = p + 1; b <= bMax; b++) {
                if (index.get(s, a, b) >= 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /** llama.cpp's llm_tokenizer_spm_session::tokenize on s[from, to). */
    private void encodeRange(String s, int from, int to, IntList out) {
        if (from >= to) {
            return;
        }
        int count = s.codePointCount(from, to);
        int[] start = new int[count]; // char offset of each symbol
        int[] len = new int[count];   // chars; 0 once merged into its left neighbour
        int[] prev = new int[count];
        int[] next = new int[count];
        for (int i = 0, pos = from; i < count; i++) {
            int cl = Character.charCount(s.codePointAt(pos));
            start[i] = pos;
            len[i] = cl;
            prev[i] = i - 1;
            next[i] = i + 1 < count ? i + 1 : -1;
            pos += cl;
        }

        BigramHeap heap = new BigramHeap();
        for (int i = 1; i < count; i++) {
            tryAddBigram(s, start, len, i - 1, i, heap);
        }
        while (!heap.isEmpty()) {
            heap.pop();
            int l = heap.poppedLeft, r = heap.poppedRight;
            // skip a candidate whose symbols changed since it was queued
            if (len[l] == 0 || len[r] == 0 || len[l] + len[r] != heap.poppedSize) {
                continue;
            }
            // merge the right symbol into the left one and unlink it
            len[l] += len[r];
            len[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) {
                prev[next[r]] = l;
            }
            tryAddBigram(s, start, len, prev[l], l, heap);
            tryAddBigram(s, start, len, l, next[l], heap);
        }

        byte[] utf8 = new byte[4];
        for (int i = 0; i != -1; i = next[i]) {
            int id = index.get(s, start[i], start[i] + len[i]);
            if (id >= 0) {
                out.add(id);
            } else {
                // byte fallback: the symbol (one code point: longer symbols are tokens) as <0xNN> byte tokens
                int cp = s.codePointAt(start[i]);
                int nb = Utf8.encode(cp, utf8);
                for (int k = 0; k < nb; k++) {
                    int b = utf8[k] & 0xFF;
                    int t = byteTokens[b];
                    if (t < 0) {
                        throw new IllegalArgumentException(String.format("cannot encode U+%04X: the vocabulary has no"
                                + " <0x%02X> byte token and no unknown token", cp, b));
                    }
                    out.add(t);
                }
            }
        }
    }

    private void tryAddBigram(String s, int[] start, int[] len, int l, int r, BigramHeap heap) {
        if (l < 0 || r < 0) {
            return;
        }
        int size = len[l] + len[r];
        int id = index.get(s, start[l], start[l] + size);
        if (id < 0) {
            return;
        }
        heap.push(scores == null ? 0f : scores[id], l, r, size);
    }
}
