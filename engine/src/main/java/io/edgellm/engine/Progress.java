package io.edgellm.engine;

/**
 * Receives the progress of long work (quantizing or writing a model): called often (e.g. once per tensor row), so
 * implementations must be cheap or rate-limit themselves ({@link ProgressLine} does).
 */
@FunctionalInterface
public interface Progress {

    /** A listener that ignores every update. */
    Progress NONE = (tensorsDone, tensorsTotal, bytesDone, bytesTotal) -> { };

    /**
     * Reports how far the work has come.
     *
     * @param tensorsDone  tensors finished (0..tensorsTotal)
     * @param tensorsTotal tensors in all
     * @param bytesDone    bytes of tensor data written so far
     * @param bytesTotal   bytes of tensor data in all
     */
    void update(int tensorsDone, int tensorsTotal, long bytesDone, long bytesTotal);
}
