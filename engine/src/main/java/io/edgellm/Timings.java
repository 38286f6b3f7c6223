package io.edgellm;

/**
 * Performance counters of one {@link Session#generate} call, named after llama.cpp's {@code llama_perf_context_data}
 * ({@code t_load_ms}, {@code t_p_eval_ms}, {@code n_p_eval}, {@code t_eval_ms}, {@code n_eval}).
 *
 * @param loadMs          {@code t_load_ms}: time {@link Model#load} took for this model, milliseconds
 * @param promptTokens    {@code n_p_eval}: prompt tokens evaluated in the prefill (batched) phase
 * @param promptEvalMs    {@code t_p_eval_ms}: prefill wall time, milliseconds
 * @param evalTokens      {@code n_eval}: single-token decode steps (each generated token that was fed back)
 * @param evalMs          {@code t_eval_ms}: decode wall time, milliseconds
 * @param generatedTokens tokens sampled (including a final end-of-generation token, which is not fed back)
 * @param sampleMs        time spent in the sampler, milliseconds
 */
public record Timings(double loadMs, int promptTokens, double promptEvalMs, int evalTokens, double evalMs,
                      int generatedTokens, double sampleMs) {

    /**
     * Returns prefill throughput, tokens per second (0 when nothing was evaluated).
     *
     * @return prefill throughput, tokens per second (0 when nothing was evaluated)
     */
    public double promptTokensPerSecond() {
        return promptEvalMs > 0 ? promptTokens * 1000.0 / promptEvalMs : 0;
    }

    /**
     * Returns prefill time per prompt token, milliseconds.
     *
     * @return prefill time per prompt token, milliseconds
     */
    public double promptMsPerToken() {
        return promptTokens > 0 ? promptEvalMs / promptTokens : 0;
    }

    /**
     * Returns decode throughput, tokens per second (0 when nothing was decoded).
     *
     * @return decode throughput, tokens per second (0 when nothing was decoded)
     */
    public double evalTokensPerSecond() {
        return evalMs > 0 ? evalTokens * 1000.0 / evalMs : 0;
    }

    /**
     * Returns decode time per token, milliseconds.
     *
     * @return decode time per token, milliseconds
     */
    public double evalMsPerToken() {
        return evalTokens > 0 ? evalMs / evalTokens : 0;
    }

    /**
     * Returns prefill + decode + sampling, milliseconds (the model load not included).
     *
     * @return prefill + decode + sampling, milliseconds (the model load not included)
     */
    public double totalMs() {
        return promptEvalMs + evalMs + sampleMs;
    }

    /**
     * The summary in llama.cpp's {@code llama_perf_context_print} layout, one line per counter, e.g.
     * {@code "prompt eval time =  12.34 ms /  6 tokens ( 2.06 ms per token, 486.23 tokens per second)"}.
     *
     * @return the lines, each ending in a line separator
     */
    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(java.util.Locale.ROOT, "       load time = %10.2f ms%n", loadMs));
        sb.append(String.format(java.util.Locale.ROOT,
                "prompt eval time = %10.2f ms / %5d tokens (%8.2f ms per token, %8.2f tokens per second)%n",
                promptEvalMs, promptTokens, promptMsPerToken(), promptTokensPerSecond()));
        sb.append(String.format(java.util.Locale.ROOT,
                "       eval time = %10.2f ms / %5d runs   (%8.2f ms per token, %8.2f tokens per second)%n",
                evalMs, evalTokens, evalMsPerToken(), evalTokensPerSecond()));
        sb.append(String.format(java.util.Locale.ROOT, "     sample time = %10.2f ms / %5d tokens%n", sampleMs, generatedTokens));
        sb.append(String.format(java.util.Locale.ROOT, "      total time = %10.2f ms / %5d tokens%n",
                totalMs(), promptTokens + generatedTokens));
        return sb.toString();
    }
}
