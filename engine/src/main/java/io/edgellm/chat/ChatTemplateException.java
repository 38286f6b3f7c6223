package io.edgellm.chat;

/**
 * A chat template could not be parsed or rendered.
 *
 * <p>When the template itself called {@code raise_exception(message)} (Hugging Face's convention, e.g. gemma's
 * "System role not supported"), {@link #getMessage()} is exactly that message and {@link #raisedByTemplate()} is true.
 * Otherwise the message describes the failure (undefined value used in an operation, type error, syntax error) with
 * the template line where Jinjava reports one.
 */
public final class ChatTemplateException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean raised;

    /**
     * Creates the exception.
     *
     * @param message          what went wrong (the template's own text for {@code raise_exception})
     * @param raisedByTemplate whether the template called {@code raise_exception}
     * @param cause            the underlying exception, may be null
     */
    public ChatTemplateException(String message, boolean raisedByTemplate, Throwable cause) {
        super(message, cause);
        this.raised = raisedByTemplate;
    }

    /**
     * Returns whether the template called {@code raise_exception(...)} (the message is then the template's).
     *
     * @return whether the template called {@code raise_exception(...)}
     */
    public boolean raisedByTemplate() {
        return raised;
    }
}
