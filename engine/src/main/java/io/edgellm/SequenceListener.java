package io.edgellm;

/** Receives the tokens of several sequences generated together ({@link Session#generateParallel}). */
@FunctionalInterface
public interface SequenceListener {
    /** Ignores everything. */
    SequenceListener NONE = (seq, id, text) -> { };

    /**
     * One generated token of one sequence.
     *
     * @param sequence index of the sequence, {@code 0 .. n-1}
     * @param tokenId  the token, or -1 for text released at the end without a token
     * @param text     text released with it (may be empty)
     */
    void onToken(int sequence, int tokenId, String text);
}
