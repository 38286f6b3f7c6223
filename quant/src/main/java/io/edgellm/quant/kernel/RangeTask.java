package io.edgellm.quant.kernel;

/**
 * A piece of parallel work over the index range {@code [start, end)}, run by {@link Parallel#forRange(int, RangeTask)}.
 */
@FunctionalInterface
public interface RangeTask {
    /**
     * Processes indices {@code start} (inclusive) to {@code end} (exclusive).
     *
     * @param start  first index
     * @param end    one past the last index ({@code end > start})
     * @param worker worker number in {@code [0, threads)}; 0 is the calling thread. Use it to pick per-worker scratch.
     */
    void run(int start, int end, int worker);
}
