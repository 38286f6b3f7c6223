package io.edgellm.bench.runner;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.List;

/**
 * One result row: one test (pp N or tg N, at depth d) of one model at one thread count, over all repetitions.
 * Field names follow llama-bench's JSON where one exists ({@code n_prompt}, {@code n_gen}, {@code n_depth},
 * {@code avg_ts}, {@code stddev_ts}, {@code samples_ts}, {@code avg_ns}, {@code model_size}, {@code model_n_params}).
 * Energy fields are NaN (JSON null) when there is no power source; prefill fields are NaN on tg rows and decode
 * fields on pp rows. Thermal fields ({@code max_temp_c}, {@code clock_*_frac}: mean and minimum CPU clock over the
 * window as a fraction of {@code cpuinfo_max_freq}; {@code throttle}: firmware throttle flags seen) are NaN / "none"
 * when no sensor is readable; {@code ppl*} are set only by {@code bench --ppl-file}. The memory split, taken at the end
 * of the row's test: {@code rss_mapped_bytes} (resident file-backed pages, {@code RssFile}: the mapped weights),
 * {@code heap_committed_bytes} (the Java heap as committed), {@code rss_offheap_bytes} ({@code RssAnon} minus the heap,
 * at least 0: JIT code, metaspace, GC tables, stacks); -1 when unknown.
 *
 * <p>Reasoning columns (not llama-bench's; set only on the {@code think} rows of {@code bench --reasoning PROMPT}, -1 /
 * NaN elsewhere): {@code n_think} thinking tokens of a {@code <think>} model up to and including the closing tag
 * {@code </think>} (a budget-forced one included), {@code n_answer} generated tokens after it, {@code ttfat_ms} time
 * to first answer token, ms from the start of prefill to the first token after the closing tag (whereas
 * {@code ttft_ms} is to the first token overall); means over the repetitions (see {@link io.edgellm.ReasoningTimings}).
 *
 * <p>Batch axis ({@code -np} / {@code --n-seq}): on a tg row with {@code n_seq} N &gt; 1, N sequences sharing one prompt
 * (the depth's tokens) decode together, one batch per step; {@code avg_ts} is then the aggregate (N × n_gen tokens /
 * decode wall time) and {@code avg_ts_per_seq} = {@code avg_ts} / N, each sequence's own rate; {@code ms_per_token_*}
 * are per step and {@code ttft_ms} is null. {@code avg_ts_per_seq} is NaN on pp rows.
 */
@JsonPropertyOrder(alphabetic = false)
public record BenchRow(
        @JsonProperty("model") String model,
        @JsonProperty("model_filename") String modelFile,
        @JsonProperty("model_type") String modelType,
        @JsonProperty("ggml_types") String ggmlTypes,
        @JsonProperty("model_size") long modelSize,
        @JsonProperty("model_n_params") long params,
        @JsonProperty("backend") String backend,
        @JsonProperty("n_threads") int threads,
        @JsonProperty("n_batch") int nBatch,
        @JsonProperty("n_seq") int nSeq,
        @JsonProperty("n_prompt") int nPrompt,
        @JsonProperty("n_gen") int nGen,
        @JsonProperty("n_depth") int nDepth,
        @JsonProperty("test") String test,
        @JsonProperty("repetitions") int repetitions,
        @JsonProperty("avg_ns") double avgNs,
        @JsonProperty("stddev_ns") double stddevNs,
        @JsonProperty("avg_ts") double avgTs,
        @JsonProperty("stddev_ts") double stddevTs,
        @JsonProperty("samples_ts") List<Double> samplesTs,
        @JsonProperty("ttft_ms") double ttftMs,
        @JsonProperty("ms_per_token_p50") double msPerTokenP50,
        @JsonProperty("ms_per_token_p95") double msPerTokenP95,
        @JsonProperty("prefill_w") double prefillWatts,
        @JsonProperty("prefill_j_per_token") double prefillJoulesPerToken,
        @JsonProperty("decode_w") double decodeWatts,
        @JsonProperty("decode_j_per_token") double decodeJoulesPerToken,
        @JsonProperty("above_idle_j_per_token") double aboveIdleJoulesPerToken,
        @JsonProperty("idle_w") double idleWatts,
        @JsonProperty("power_source") String powerSource,
        @JsonProperty("peak_rss_bytes") long peakRssBytes,
        @JsonProperty("kv_cache_bytes") long kvCacheBytes,
        @JsonProperty("cpu") String cpu,
        @JsonProperty("cores_available") int coresAvailable,
        @JsonProperty("jdk") String jdk,
        @JsonProperty("vector_bits") int vectorBits,
        @JsonProperty("vector_species") String vectorSpecies,
        @JsonProperty("note") String note,
        @JsonProperty("max_temp_c") double maxTempC,
        @JsonProperty("clock_mean_frac") double clockMeanFraction,
        @JsonProperty("clock_min_frac") double clockMinFraction,
        @JsonProperty("throttle") String throttle,
        @JsonProperty("ppl") double ppl,
        @JsonProperty("ppl_err") double pplError,
        @JsonProperty("ppl_text") String pplText,
        @JsonProperty("rss_mapped_bytes") long rssMappedBytes,
        @JsonProperty("heap_committed_bytes") long heapCommittedBytes,
        @JsonProperty("rss_offheap_bytes") long rssOffHeapBytes,
        @JsonProperty("n_think") double nThink,
        @JsonProperty("n_answer") double nAnswer,
        @JsonProperty("ttfat_ms") double ttfatMs,
        @JsonProperty("avg_ts_per_seq") double avgTsPerSeq) {

    /**
     * A copy with the perplexity columns set (bench {@code --ppl-file}).
     *
     * @param ppl   perplexity of the model over the text (llama-perplexity's final estimate)
     * @param error its uncertainty
     * @param text  what was measured, e.g. {@code "wiki.test.raw c512 x16"}
     * @return the copy
     */
    public BenchRow withPerplexity(double ppl, double error, String text) {
        return new BenchRow(model, modelFile, modelType, ggmlTypes, modelSize, params, backend, threads, nBatch, nSeq,
                nPrompt, nGen, nDepth, test, repetitions, avgNs, stddevNs, avgTs, stddevTs, samplesTs, ttftMs,
                msPerTokenP50, msPerTokenP95, prefillWatts, prefillJoulesPerToken, decodeWatts, decodeJoulesPerToken,
                aboveIdleJoulesPerToken, idleWatts, powerSource, peakRssBytes, kvCacheBytes, cpu, coresAvailable, jdk,
                vectorBits, vectorSpecies, note, maxTempC, clockMeanFraction, clockMinFraction, throttle, ppl, error, text,
                rssMappedBytes, heapCommittedBytes, rssOffHeapBytes, nThink, nAnswer, ttfatMs, avgTsPerSeq);
    }

    /**
     * A copy with the reasoning columns set ({@code bench --reasoning}).
     *
     * @param think  mean thinking tokens per repetition, closing tag included
     * @param answer mean answer tokens per repetition
     * @param ttfat  mean time to first answer token, ms from the start of prefill (NaN if no repetition answered)
     * @return the copy
     */
    public BenchRow withReasoning(double think, double answer, double ttfat) {
        return new BenchRow(model, modelFile, modelType, ggmlTypes, modelSize, params, backend, threads, nBatch, nSeq,
                nPrompt, nGen, nDepth, test, repetitions, avgNs, stddevNs, avgTs, stddevTs, samplesTs, ttftMs,
                msPerTokenP50, msPerTokenP95, prefillWatts, prefillJoulesPerToken, decodeWatts, decodeJoulesPerToken,
                aboveIdleJoulesPerToken, idleWatts, powerSource, peakRssBytes, kvCacheBytes, cpu, coresAvailable, jdk,
                vectorBits, vectorSpecies, note, maxTempC, clockMeanFraction, clockMinFraction, throttle, ppl, pplError,
                pplText, rssMappedBytes, heapCommittedBytes, rssOffHeapBytes, think, answer, ttfat, avgTsPerSeq);
    }

    /** Whether this is a prompt-processing (prefill) row; otherwise token generation (decode). */
    public boolean isPrefill() {
        return nPrompt > 0;
    }

    /** The swept axes a chart can use. */
    public double axis(String name) {
        return switch (name) {
            case "n_prompt" -> nPrompt;
            case "n_gen" -> nGen;
            case "n_depth" -> nDepth;
            case "threads" -> threads;
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** J/token of the row's own window (prefill or decode). */
    public double joulesPerToken() {
        return isPrefill() ? prefillJoulesPerToken : decodeJoulesPerToken;
    }
}
