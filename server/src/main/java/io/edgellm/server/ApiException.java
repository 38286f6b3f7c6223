package io.edgellm.server;

/**
 * A request the server refuses, answered with an OpenAI-shaped error body
 * {@code {"error":{"message","type","param","code"}}} and the HTTP status {@link #status()}.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String type;
    private final String param;
    private final String code;

    /**
     * An error answer.
     *
     * @param status  HTTP status (4xx for the client's fault, 5xx for the server's)
     * @param type    OpenAI error type, e.g. {@code invalid_request_error}, {@code not_found_error}
     * @param param   the request field at fault, or null
     * @param code    a machine-readable code such as {@code context_length_exceeded}, or null
     * @param message what is wrong, for a human
     */
    public ApiException(int status, String type, String param, String code, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /**
     * A 400 {@code invalid_request_error} about one field.
     *
     * @param param   the field at fault (may be null)
     * @param message what is wrong
     * @return the exception
     */
    public static ApiException badRequest(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, null, message);
    }

    /**
     * Returns the HTTP status.
     *
     * @return the HTTP status
     */
    public int status() {
        return status;
    }

    /**
     * Returns the OpenAI error type.
     *
     * @return the OpenAI error type
     */
    public String type() {
        return type;
    }

    /**
     * Returns the request field at fault, or null.
     *
     * @return the request field at fault, or null
     */
    public String param() {
        return param;
    }

    /**
     * Returns the machine-readable code, or null.
     *
     * @return the machine-readable code, or null
     */
    public String code() {
        return code;
    }
}
