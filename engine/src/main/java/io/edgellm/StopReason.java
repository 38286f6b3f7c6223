package io.edgellm;

/** Why {@link Session#generate} stopped. */
public enum StopReason {
    /** The model produced an end-of-generation token (EOS/EOT/EOM of the vocabulary); it is not part of the text. */
    END_OF_GENERATION,
    /** The text contains one of {@link SamplingParams#stopStrings()}; the text is cut before it. */
    STOP_STRING,
    /** {@link SamplingParams#maxNewTokens()} tokens were generated. */
    MAX_TOKENS,
    /** The KV cache is full ({@link SessionOptions#contextLength()} positions used). */
    CONTEXT_FULL,
    /** {@link Session#cancel()} was called (from the listener or another thread). */
    CANCELLED
}
