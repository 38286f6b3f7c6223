package io.edgellm.langchain4j;

import io.edgellm.Model;
import io.edgellm.SamplingParams;
import io.edgellm.SessionOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The settings shared by {@link EdgeLlmChatModel} and {@link EdgeLlmStreamingChatModel}: the loaded model, the chat
 * template, the session and the default sampling (llama.cpp's defaults unless set; a request's temperature, top-p,
 * top-k, max output tokens and stop sequences override them).
 *
 * @param <B> the concrete builder
 * @param <T> the built chat model
 */
public abstract class EdgeLlmBuilder<B extends EdgeLlmBuilder<B, T>, T> {
    Model model;
    String chatTemplate;
    Map<String, Object> chatTemplateKwargs = new LinkedHashMap<>();
    SessionOptions sessionOptions = SessionOptions.defaults();
    SamplingParams sampling = SamplingParams.defaults().withMaxNewTokens(-1);
    String modelName;

    EdgeLlmBuilder() {
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /**
     * The loaded model (required; the chat model does not close it).
     *
     * @param v the model
     * @return this builder
     */
    public B model(Model v) {
        model = Objects.requireNonNull(v, "model");
        return self();
    }

    /**
     * A Jinja chat template overriding the model's {@code tokenizer.chat_template}; without either, ChatML.
     *
     * @param jinjaSource the template source, or null
     * @return this builder
     */
    public B chatTemplate(String jinjaSource) {
        chatTemplate = jinjaSource;
        return self();
    }

    /**
     * Extra template variables (e.g. {@code enable_thinking=false}).
     *
     * @param v the variables (copied)
     * @return this builder
     */
    public B chatTemplateKwargs(Map<String, Object> v) {
        chatTemplateKwargs = new LinkedHashMap<>(v);
        return self();
    }

    /**
     * Options of the session the chat model runs on (context size, threads …).
     *
     * @param v the options
     * @return this builder
     */
    public B sessionOptions(SessionOptions v) {
        sessionOptions = Objects.requireNonNull(v, "sessionOptions");
        return self();
    }

    /**
     * All default sampling settings at once.
     *
     * @param v the sampling parameters
     * @return this builder
     */
    public B samplingParams(SamplingParams v) {
        sampling = Objects.requireNonNull(v, "samplingParams");
        return self();
    }

    /**
     * Default temperature ({@code <= 0} = greedy).
     *
     * @param v the temperature
     * @return this builder
     */
    public B temperature(double v) {
        sampling = sampling.withTemperature((float) v);
        return self();
    }

    /**
     * Default top-p (1 = off).
     *
     * @param v top-p
     * @return this builder
     */
    public B topP(double v) {
        sampling = sampling.withTopP((float) v);
        return self();
    }

    /**
     * Default top-k ({@code <= 0} = off).
     *
     * @param v top-k
     * @return this builder
     */
    public B topK(int v) {
        sampling = sampling.withTopK(v);
        return self();
    }

    /**
     * Default min-p (0 = off).
     *
     * @param v min-p
     * @return this builder
     */
    public B minP(double v) {
        sampling = sampling.withMinP((float) v);
        return self();
    }

    /**
     * Default repetition penalty (1 = off).
     *
     * @param v the penalty
     * @return this builder
     */
    public B repeatPenalty(double v) {
        sampling = sampling.withRepeatPenalty((float) v);
        return self();
    }

    /**
     * Default maximum tokens per answer (-1 = until end of turn or the context is full; the default).
     *
     * @param v tokens
     * @return this builder
     */
    public B maxTokens(int v) {
        sampling = sampling.withMaxNewTokens(v);
        return self();
    }

    /**
     * Seed of the random draw (the same seed and conversation give the same answer).
     *
     * @param v the seed
     * @return this builder
     */
    public B seed(long v) {
        sampling = sampling.withSeed(v);
        return self();
    }

    /**
     * Default stop sequences.
     *
     * @param v the stop strings
     * @return this builder
     */
    public B stopSequences(List<String> v) {
        sampling = sampling.withStopStrings(v);
        return self();
    }

    /**
     * The model name reported in responses (default: the GGUF file name).
     *
     * @param v the name
     * @return this builder
     */
    public B modelName(String v) {
        modelName = v;
        return self();
    }

    /**
     * Builds the chat model (creates its session).
     *
     * @return the chat model
     * @throws NullPointerException when no model was given
     */
    public abstract T build();
}
