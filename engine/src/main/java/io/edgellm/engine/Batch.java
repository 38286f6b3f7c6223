package io.edgellm.engine;

/**
 * Tokens of one or more sequences evaluated in one forward pass, as llama.cpp's {@code llama_batch}: per token its
 * id, its position in its sequence, its sequence id and whether its logits are wanted. Logits come out in batch order
 * of the tokens that want them.
 */
public final class Batch {
    final int[] token;
    final int[] pos;
    final int[] seq;
    final boolean[] logits;
    int n;

    /**
     * An empty batch.
     *
     * @param capacity most tokens it can hold
     */
    public Batch(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("batch capacity must be >= 1, got " + capacity);
        token = new int[capacity];
        pos = new int[capacity];
        seq = new int[capacity];
        logits = new boolean[capacity];
    }

    /**
     * Appends a token.
     *
     * @param tokenId   token id
     * @param position  its position in its sequence
     * @param seqId     its sequence id ({@code 0 <= seqId < }{@link KvCache#MAX_SEQUENCES})
     * @param wantLogits whether to output its logits
     * @return this batch
     * @throws IllegalStateException when the batch is full
     */
    public Batch add(int tokenId, int position, int seqId, boolean wantLogits) {
        if (n == token.length) throw new IllegalStateException("batch is full (" + n + " tokens)");
        token[n] = tokenId;
        pos[n] = position;
        seq[n] = seqId;
        logits[n] = wantLogits;
        n++;
        return this;
    }

    /** Removes every token. */
    public void clear() {
        n = 0;
    }

    /**
     * Tokens in the batch.
     *
     * @return the count
     */
    public int size() {
        return n;
    }

    /**
     * Tokens whose logits are wanted.
     *
     * @return the number of logits rows a forward pass writes
     */
    public int outputs() {
        int c = 0;
        for (int i = 0; i < n; i++) if (logits[i]) c++;
        return c;
    }

    /**
     * The capacity.
     *
     * @return most tokens the batch holds
     */
    public int capacity() {
        return token.length;
    }
}
