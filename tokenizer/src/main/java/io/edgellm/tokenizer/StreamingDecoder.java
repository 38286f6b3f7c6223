package io.edgellm.tokenizer;

import java.util.Arrays;

/**
 * Turns generated token ids into text as they arrive, without ever cutting a character in half: a token may end in
 * the middle of a UTF-8 sequence (byte-fallback tokens {@code <0xE2>}, byte-level BPE pieces of an emoji), so the
 * bytes of an incomplete sequence are held back until the tokens that complete it arrive.
 *
 * <p>Each token contributes its piece exactly as {@link Tokenizer#tokenBytes(int)} gives it, with no leading-space
 * removal (the text continues a prompt, so its first space is real) and no {@code clean_spaces} pass; control and
 * unknown tokens contribute nothing unless the decoder was created with {@code renderSpecial}. Bytes that can never
 * become a valid character are emitted at once as U+FFFD. Not thread-safe: one decoder per generation stream.
 *
 * <pre>{@code
 * StreamingDecoder d = tokenizer.streamingDecoder();
 * for (int id : generated) System.out.print(d.accept(id));
 * System.out.print(d.flush());
 * }</pre>
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private final boolean renderSpecial;
    private byte[] pending = new byte[16];
    private int pendingLen;

    StreamingDecoder(Tokenizer tokenizer, boolean renderSpecial) {
        this.tokenizer = tokenizer;
        this.renderSpecial = renderSpecial;
    }

    /**
     * Adds one token.
     *
     * @param id a token id
     * @return the text that is now complete (often the token's piece; empty while a character is incomplete)
     * @throws IllegalArgumentException when id is outside [0, vocabSize), naming the id and the vocabulary size
     */
    public String accept(int id) {
        byte[] piece = tokenizer.pieceBytes(id, renderSpecial);
        if (pendingLen + piece.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLen + piece.length));
        }
        System.arraycopy(piece, 0, pending, pendingLen, piece.length);
        pendingLen += piece.length;
        int ready = Utf8.completePrefix(pending, pendingLen);
        if (ready == 0) {
            return "";
        }
        String text = Utf8.string(pending, 0, ready);
        System.arraycopy(pending, ready, pending, 0, pendingLen - ready);
        pendingLen -= ready;
        return text;
    }

    /** @return true when bytes of an incomplete character are held back */
    public boolean hasPending() {
        return pendingLen > 0;
    }

    /**
     * Ends the stream.
     *
     * @return the held-back bytes decoded (an incomplete character becomes U+FFFD), or "" when none
     */
    public String flush() {
        String text = Utf8.string(pending, 0, pendingLen);
        pendingLen = 0;
        return text;
    }
}
