package io.edgellm.tokenizer;

import java.util.Arrays;

/**
 * A binary max-heap of candidate merges ("bigrams" of two adjacent symbols) in parallel primitive arrays, so that
 * merging a long text allocates a few arrays instead of one object per candidate.
 *
 * <p>Order: the higher {@code priority} first; on equal priority the smaller {@code left} symbol index first (the
 * leftmost pair). SentencePiece uses the token score as priority (llama.cpp's {@code llm_bigram_spm::comparator});
 * byte-level BPE uses the negated merge rank ({@code llm_bigram_bpe::comparator}: lowest rank first).
 */
final class BigramHeap {
    private float[] priority = new float[64];
    private int[] left = new int[64];
    private int[] right = new int[64];
    private int[] size = new int[64];
    private int n;

    /** the fields of the entry {@link #pop()} removed */
    int poppedLeft, poppedRight, poppedSize;

    boolean isEmpty() {
        return n == 0;
    }

    void clear() {
        n = 0;
    }

    void push(float p, int l, int r, int sz) {
        if (n == priority.length) {
            int cap = n + (n >> 1) + 1;
            priority = Arrays.copyOf(priority, cap);
            left = Arrays.copyOf(left, cap);
            right = Arrays.copyOf(right, cap);
            size = Arrays.copyOf(size, cap);
        }
        int i = n++;
        // sift up
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(p, l, priority[parent], left[parent])) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        set(i, p, l, r, sz);
    }

    /** Removes the first entry; its fields are left in {@link #poppedLeft}, {@link #poppedRight}, {@link #poppedSize}. */
    void pop() {
        poppedLeft = left[0];
        poppedRight = right[0];
        poppedSize = size[0];
        n--;
        if (n == 0) {
            return;
        }
        // move the last entry to the root and sift it down
        float p = priority[n];
        int l = left[n], r = right[n], sz = size[n];
        int i = 0;
        while (true) {
            int c = 2 * i + 1;
            if (c >= n) {
                break;
            }
            if (c + 1 < n && before(priority[c + 1], left[c + 1], priority[c], left[c])) {
                c++;
            }
            if (!before(priority[c], left[c], p, l)) {
                break;
            }
            move(c, i);
            i = c;
        }
        set(i, p, l, r, sz);
    }

    private static boolean before(float p1, int l1, float p2, int l2) {
        return p1 > p2 || (p1 == p2 && l1 < l2);
    }

    private void move(int from, int to) {
        priority[to] = priority[from];
        left[to] = left[from];
        right[to] = right[from];
        size[to] = size[from];
    }

    private void set(int i, float p, int l, int r, int sz) {
        priority[i] = p;
        left[i] = l;
        right[i] = r;
        size[i] = sz;
    }
}
