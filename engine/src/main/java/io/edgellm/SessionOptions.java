package io.edgellm;

import io.edgellm.quant.kernel.AccumulationOrder;
import io.edgellm.quant.kernel.ActivationPrecision;
import java.util.Objects;

/**
 * Per-session settings. Immutable; start from {@link #defaults()} and use the {@code with*} methods.
 *
 * @param contextLength       KV cache size in tokens (llama.cpp {@code n_ctx}, {@code -c}); 0 = the model's
 *                            {@code context_length} capped at {@link #DEFAULT_MAX_CONTEXT}
 * @param batchSize           prompt tokens evaluated per forward pass in the prefill ({@code n_batch}, {@code -b}), {@code >= 1}
 * @param threads             worker threads of the session's pool ({@code -t}); 0 = {@link Runtime#availableProcessors()}
 * @param kvCacheType         element type of the KV cache ({@code -ctk/-ctv})
 * @param activationPrecision {@link ActivationPrecision#VEC_DOT_TYPE} rounds matmul inputs to the weight type's
 *                            {@code vec_dot_type} exactly as llama.cpp's CPU backend does (the default; needed to
 *                            reproduce llama.cpp's logits on quantized weights); {@link ActivationPrecision#F32} keeps them F32
 * @param accumulationOrder   summation order of the Q8_0 / Q4_0 dot products: {@link AccumulationOrder#KERNEL} (the
 *                            default, fast) or {@link AccumulationOrder#LLAMA_CPP_X86} (a slow reproducibility mode
 *                            that adds exactly like llama.cpp's x86 build and rounds activations with its x86
 *                            quantizer, to compare logits with llama.cpp without rounding flips)
 * @param contextShift        what {@link Session#generate} does when the context is full: false (the default) stops
 *                            with {@link StopReason#CONTEXT_FULL}; true does llama.cpp's context shift
 *                            ({@code --context-shift}): keep the first {@code n_keep} tokens, drop half of the rest,
 *                            move the remainder back and re-rotate its cached keys, and go on generating
 * @param nKeep               tokens kept at the start of the context by a context shift (llama.cpp {@code --keep N}):
 *                            -1 = the whole prompt; otherwise N tokens after the BOS token (BOS, when the context starts
 *                            with it, is always kept, as llama.cpp does); capped at the prompt's length
 */
public record SessionOptions(int contextLength, int batchSize, int threads, KvCacheType kvCacheType,
                             ActivationPrecision activationPrecision, AccumulationOrder accumulationOrder,
                             boolean contextShift, int nKeep) {

    /** Cap applied to the model's training context when {@code contextLength == 0}, tokens. */
    public static final int DEFAULT_MAX_CONTEXT = 4096;

    /**
     * Validates.
     *
     * @throws IllegalArgumentException when a size is negative or the batch size is below 1
     */
    public SessionOptions {
        Objects.requireNonNull(kvCacheType, "kvCacheType");
        Objects.requireNonNull(activationPrecision, "activationPrecision");
        Objects.requireNonNull(accumulationOrder, "accumulationOrder");
        if (contextLength < 0) throw new IllegalArgumentException("contextLength must be >= 0, got " + contextLength);
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        if (nKeep < -1) throw new IllegalArgumentException("nKeep must be >= -1 (-1 = the whole prompt), got " + nKeep);
    }

    /**
     * Options without context shift (a full context stops generation).
     *
     * @param contextLength       see the record
     * @param batchSize           see the record
     * @param threads             see the record
     * @param kvCacheType         see the record
     * @param activationPrecision see the record
     * @param accumulationOrder   see the record
     */
    public SessionOptions(int contextLength, int batchSize, int threads, KvCacheType kvCacheType,
                          ActivationPrecision activationPrecision, AccumulationOrder accumulationOrder) {
        this(contextLength, batchSize, threads, kvCacheType, activationPrecision, accumulationOrder, false, 0);
    }

    /**
     * Options with {@link AccumulationOrder#KERNEL}.
     *
     * @param contextLength       see the record
     * @param batchSize           see the record
     * @param threads             see the record
     * @param kvCacheType         see the record
     * @param activationPrecision see the record
     */
    public SessionOptions(int contextLength, int batchSize, int threads, KvCacheType kvCacheType,
                          ActivationPrecision activationPrecision) {
        this(contextLength, batchSize, threads, kvCacheType, activationPrecision, AccumulationOrder.KERNEL);
    }

    /**
     * Returns context = model's (capped at 4096), batch 512, all processors, F32 KV cache, VEC_DOT_TYPE activations.
     *
     * @return context = model's (capped at 4096), batch 512, all processors, F32 KV cache, VEC_DOT_TYPE activations
     */
    public static SessionOptions defaults() {
        return new SessionOptions(0, 512, 0, KvCacheType.F32, ActivationPrecision.VEC_DOT_TYPE);
    }

    /**
     * A copy with {@code contextLength} replaced.
     *
     * @param v the new {@code contextLength}
     * @return the modified copy
     */
    public SessionOptions withContextLength(int v) {
        return new SessionOptions(v, batchSize, threads, kvCacheType, activationPrecision, accumulationOrder, contextShift, nKeep);
    }

    /**
     * A copy with {@code batchSize} replaced.
     *
     * @param v the new {@code batchSize}
     * @return the modified copy
     */
    public SessionOptions withBatchSize(int v) {
        return new SessionOptions(contextLength, v, threads, kvCacheType, activationPrecision, accumulationOrder, contextShift, nKeep);
    }

    /**
     * A copy with {@code threads} replaced.
     *
     * @param v the new {@code threads}
     * @return the modified copy
     */
    public SessionOptions withThreads(int v) {
        return new SessionOptions(contextLength, batchSize, v, kvCacheType, activationPrecision, accumulationOrder, contextShift, nKeep);
    }

    /**
     * A copy with {@code kvCacheType} replaced.
     *
     * @param v the new {@code kvCacheType}
     * @return the modified copy
     */
    public SessionOptions withKvCacheType(KvCacheType v) {
        return new SessionOptions(contextLength, batchSize, threads, v, activationPrecision, accumulationOrder, contextShift, nKeep);
    }

    /**
     * A copy with {@code activationPrecision} replaced.
     *
     * @param v the new {@code activationPrecision}
     * @return the modified copy
     */
    public SessionOptions withActivationPrecision(ActivationPrecision v) {
        return new SessionOptions(contextLength, batchSize, threads, kvCacheType, v, accumulationOrder, contextShift, nKeep);
    }

    /**
     * A copy with {@code accumulationOrder} replaced.
     *
     * @param v the new {@code accumulationOrder}
     * @return the modified copy
     */
    public SessionOptions withAccumulationOrder(AccumulationOrder v) {
        return new SessionOptions(contextLength, batchSize, threads, kvCacheType, activationPrecision, v, contextShift,
                nKeep);
    }

    /**
     * A copy with {@code contextShift} replaced.
     *
     * @param v true: shift the context when it is full (llama.cpp {@code --context-shift}); false: stop
     * @return the modified copy
     */
    public SessionOptions withContextShift(boolean v) {
        return new SessionOptions(contextLength, batchSize, threads, kvCacheType, activationPrecision, accumulationOrder,
                v, nKeep);
    }

    /**
     * A copy with {@code nKeep} replaced.
     *
     * @param v tokens kept by a context shift (llama.cpp {@code --keep}), -1 = the whole prompt
     * @return the modified copy
     * @throws IllegalArgumentException when {@code v < -1}
     */
    public SessionOptions withNKeep(int v) {
        return new SessionOptions(contextLength, batchSize, threads, kvCacheType, activationPrecision, accumulationOrder,
                contextShift, v);
    }

    /**
     * Returns the most threads a session starts: {@code 4 × availableProcessors()} (more only adds contention).
     *
     * @return the bound on {@link #effectiveThreads()}
     */
    public static int maxThreads() {
        return 4 * Runtime.getRuntime().availableProcessors();
    }

    /**
     * Returns the thread count to use: {@link #threads()} (at most {@link #maxThreads()}; {@code -t 100000} must not
     * start 100,000 threads) or the number of available processors when 0.
     *
     * @return the thread count to use
     */
    public int effectiveThreads() {
        return threads > 0 ? Math.min(threads, maxThreads()) : Runtime.getRuntime().availableProcessors();
    }
}
