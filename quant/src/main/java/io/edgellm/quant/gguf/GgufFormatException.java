package io.edgellm.quant.gguf;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A GGUF file is malformed: bad magic, unsupported version, truncation, a length or count that cannot fit in the file,
 * an unknown type id, bad tensor dimensions, misaligned or out-of-bounds tensor data, duplicate keys or tensor names.
 *
 * <p>The message always names the file, the absolute byte offset where the defect was found, and what is wrong, e.g.
 * {@code model.gguf: at byte offset 6507: array 'tokenizer.ggml.scores' of 4611686018427387904 FLOAT32 elements needs more
 * than the 84597 bytes left in the file}. See the GGUF specification (ggml/docs/gguf.md) for the format.
 */
public class GgufFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The malformed file (not serialized: Path is not Serializable). */
    private final transient Path file;
    /** Absolute byte offset of the defect. */
    private final long offset;
    /** The defect, without file and offset. */
    private final String defect;

    /**
     * Creates the exception; the message is {@code "<file>: at byte offset <offset>: <defect>"}.
     *
     * @param file   the file being read
     * @param offset absolute byte offset of the defect in the file
     * @param defect what is wrong (without the file name and offset: they are added)
     */
    public GgufFormatException(Path file, long offset, String defect) {
        super(Printable.escape(file + ": at byte offset " + offset + ": " + defect));
        this.file = file;
        this.offset = offset;
        this.defect = defect;
    }

    /**
     * Creates the exception with an underlying cause.
     *
     * @param file   the file being read
     * @param offset absolute byte offset of the defect in the file
     * @param defect what is wrong
     * @param cause  the underlying exception (e.g. an {@link ArithmeticException} from an overflow check)
     */
    public GgufFormatException(Path file, long offset, String defect, Throwable cause) {
        this(file, offset, defect);
        initCause(cause);
    }

    /**
     * Returns the file that is malformed.
     *
     * @return the file that is malformed
     */
    public Path file() {
        return file;
    }

    /**
     * Returns the absolute byte offset of the defect.
     *
     * @return the absolute byte offset of the defect
     */
    public long offset() {
        return offset;
    }

    /**
     * Returns the description of the defect, without file name and offset.
     *
     * @return the description of the defect, without file name and offset
     */
    public String defect() {
        return defect;
    }
}
