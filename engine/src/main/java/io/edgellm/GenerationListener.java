package io.edgellm;

/**
 * Streaming callback of {@link Session#generate}. Called on the generating thread, once per sampled token, in order.
 * To stop early call {@link Session#cancel()} (from here or from any other thread).
 */
@FunctionalInterface
public interface GenerationListener {

    /** A listener that ignores everything. */
    GenerationListener NONE = (id, text) -> { };

    /**
     * A token was sampled.
     *
     * @param tokenId the token id
     * @param text    the text this token completes, decoded incrementally (UTF-8 sequences split over several
     *                tokens are released when complete; text that may be the start of a stop string is held back
     *                until it is known not to be one). Often empty; concatenating every {@code text} gives
     *                {@link GenerationResult#text()}.
     */
    void onToken(int tokenId, String text);
}
