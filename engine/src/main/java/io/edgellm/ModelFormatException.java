package io.edgellm;

import io.edgellm.quant.gguf.Printable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A GGUF file that parses as a container but does not describe a model edgellm can run: a missing or inconsistent
 * metadata key, a missing tensor, a tensor of the wrong shape or type, an unsupported architecture. The message names
 * the file and the key or tensor; control characters from the file are escaped ({@link Printable}).
 */
public class ModelFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * An error in {@code file}.
     *
     * @param file    the model file
     * @param message what is wrong (key or tensor named)
     */
    public ModelFormatException(Path file, String message) {
        super(Printable.escape(file + ": " + message));
    }

    /**
     * An error in {@code file}.
     *
     * @param file    the model file
     * @param message what is wrong (key or tensor named)
     * @param cause   the underlying error
     */
    public ModelFormatException(Path file, String message, Throwable cause) {
        super(Printable.escape(file + ": " + message), cause);
    }
}
