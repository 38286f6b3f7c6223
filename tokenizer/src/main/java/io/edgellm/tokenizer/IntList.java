package io.edgellm.tokenizer;

import java.util.Arrays;

/** A growable list of primitive ints (token ids, split lengths) without boxing. */
final class IntList {
    private int[] a;
    private int size;

    IntList() {
        this(16);
    }

    IntList(int capacity) {
        a = new int[Math.max(capacity, 4)];
    }

    void add(int v) {
        if (size == a.length) {
            // grow by 1.5x; a hostile size cannot overflow here before the JVM's own array limit
            a = Arrays.copyOf(a, (int) Math.min(Integer.MAX_VALUE - 8, a.length + (a.length >> 1) + 1L));
        }
        a[size++] = v;
    }

    void addAll(int[] values) {
        for (int v : values) {
            add(v);
        }
    }

    int get(int i) {
        return a[i];
    }

    int size() {
        return size;
    }

    void clear() {
        size = 0;
    }

    int[] toArray() {
        return Arrays.copyOf(a, size);
    }
}
