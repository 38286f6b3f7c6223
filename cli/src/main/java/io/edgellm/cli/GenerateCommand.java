package io.edgellm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.edgellm.GenerationResult;
import io.edgellm.KvCacheType;
import io.edgellm.LoadOptions;
import io.edgellm.Model;
import io.edgellm.SamplingParams;
import io.edgellm.Session;
import io.edgellm.SessionOptions;
import io.edgellm.Timings;
import io.edgellm.quant.kernel.AccumulationOrder;
import io.edgellm.quant.kernel.ActivationPrecision;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code edgellm generate}: text completion like {@code llama-completion -no-cnv}. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generate a continuation of a prompt.",
                "Streams the text to stdout and prints llama.cpp-style timings to stderr; --json prints one JSON object instead."})
public final class GenerateCommand implements Callable<Integer> {

    /** Creates the command / architecture (used by picocli or the registry). */
    public GenerateCommand() {
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, description = "GGUF model file")
    Path model;

    @Option(names = {"-p", "--prompt"}, description = "prompt text")
    String prompt;

    @Option(names = {"-f", "--file"}, description = "read the prompt from this file (UTF-8)")
    Path promptFile;

    @Option(names = {"-n", "--n-predict"}, defaultValue = "128", description = "tokens to generate (-1 = until the context is full; default ${DEFAULT-VALUE})")
    int nPredict;

    @Option(names = "--temp", defaultValue = "0.8", description = "temperature; 0 = greedy (default ${DEFAULT-VALUE})")
    float temp;

    @Option(names = "--top-k", defaultValue = "40", description = "top-k, <= 0 disables (default ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", description = "top-p, 1 disables (default ${DEFAULT-VALUE})")
    float topP;

    @Option(names = "--min-p", defaultValue = "0.05", description = "min-p, 0 disables (default ${DEFAULT-VALUE})")
    float minP;

    @Option(names = "--repeat-penalty", defaultValue = "1.0", description = "repetition penalty, 1 disables (default ${DEFAULT-VALUE})")
    float repeatPenalty;

    @Option(names = "--repeat-last-n", defaultValue = "64", description = "penalty window in tokens, -1 = context (default ${DEFAULT-VALUE})")
    int repeatLastN;

    @Option(names = {"-s", "--seed"}, defaultValue = "-1", description = "random seed, -1 = random (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--ignore-eos", description = "do not stop at end-of-generation tokens (their logits are set to -inf)")
    boolean ignoreEos;

    @Option(names = "--stop", description = "stop when the text contains this string (repeatable)")
    List<String> stops = new ArrayList<>();

    @Option(names = {"-t", "--threads"}, defaultValue = "0", description = "threads, 0 = all processors (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = {"-c", "--ctx-size"}, defaultValue = "0", description = "context size (n_ctx), 0 = the model's, capped at 4096")
    int ctx;

    @Option(names = {"-b", "--batch-size"}, defaultValue = "512", description = "prompt tokens per forward pass (n_batch, default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = {"-ctk", "--cache-type"}, defaultValue = "f32", description = "KV cache type: f32 or f16 (default ${DEFAULT-VALUE})")
    String cacheType;

    @Option(names = "--f32-activations", description = "keep matmul inputs in F32 instead of llama.cpp's vec_dot_type rounding")
    boolean f32Activations;

    @Option(names = "--llama-cpp-x86-order", description = "reproduction mode: add dot products, softmax and SwiGLU in "
            + "llama.cpp's x86 (AVX-512) order to reproduce its logits bit for bit; slow (scalar Java)")
    boolean llamaCppX86Order;

    @Option(names = "--check-tensors", description = "check every tensor's data for NaN/Inf at load, block scales of "
            + "quantized types included (llama.cpp's flag); prints the time it took")
    boolean checkTensors;

    @Option(names = "--no-display-prompt", description = "do not echo the prompt")
    boolean noDisplayPrompt;

    @Option(names = "--json", description = "print one JSON object (prompt ids, generated ids, text, stop reason, timings)")
    boolean json;

    @Override
    public Integer call() throws Exception {
        String text = promptText();
        KvCacheType kv = switch (cacheType.toLowerCase(Locale.ROOT)) {
            case "f32" -> KvCacheType.F32;
            case "f16" -> KvCacheType.F16;
            default -> throw new IllegalArgumentException("--cache-type must be f32 or f16, got '" + cacheType + "'");
        };
        long s = seed < 0 ? new java.security.SecureRandom().nextLong() & 0xFFFFFFFFL : seed;
        SamplingParams sampling = new SamplingParams(temp, topK, topP, minP, repeatPenalty, repeatLastN, s, nPredict,
                ignoreEos, stops);
        SessionOptions options = SessionOptions.defaults().withContextLength(ctx).withBatchSize(batch).withThreads(threads)
                .withKvCacheType(kv).withActivationPrecision(f32Activations ? ActivationPrecision.F32 : ActivationPrecision.VEC_DOT_TYPE)
                .withAccumulationOrder(llamaCppX86Order ? AccumulationOrder.LLAMA_CPP_X86 : AccumulationOrder.KERNEL);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (threads > SessionOptions.maxThreads()) {
            err.println("edgellm: warning: -t " + threads + " clamped to " + SessionOptions.maxThreads()
                    + " (4 x the " + Runtime.getRuntime().availableProcessors() + " available processors)");
        }
        try (Model m = Model.load(model, LoadOptions.defaults().withValidateTensorData(checkTensors));
             Session session = m.newSession(options)) {
            if (checkTensors) {
                err.printf(Locale.ROOT, "edgellm: check-tensors: %d tensors, no NaN/Inf, %.1f ms%n",
                        m.gguf().tensors().size(), m.tensorCheckMillis());
            }
            int trained = m.config().contextLength();
            if (session.contextLength() > trained) {
                err.println("edgellm: warning: n_ctx " + session.contextLength() + " (-c) is beyond the model's trained"
                        + " context of " + trained + " tokens; quality may degrade past position " + trained);
            }
            // tokenized before anything is echoed, so a prompt that does not fit is an error, not a screenful of text
            int[] ids = m.tokenizer().encode(text, true, true);
            if (ids.length > session.contextLength()) {
                throw new IllegalArgumentException("prompt is too long: " + ids.length + " tokens but the context (n_ctx)"
                        + " holds " + session.contextLength() + " (use a larger context, -c, up to the model's "
                        + trained + ")");
            }
            GenerationResult r;
            if (json) {
                r = session.generate(ids, sampling, null);
                out.println(toJson(m, text, r));
            } else {
                if (!noDisplayPrompt) out.print(text);
                r = session.generate(ids, sampling, (id, piece) -> {
                    out.print(piece);
                    out.flush();
                });
                out.println();
                err.print(summary(r.timings(), r));
            }
            out.flush();
            err.flush();
        }
        return 0;
    }

    private String promptText() throws java.io.IOException {
        if (prompt != null && promptFile != null) throw new IllegalArgumentException("give either -p or -f, not both");
        if (promptFile != null) return EdgeLlmCli.readUtf8(promptFile);
        if (prompt != null) return prompt;
        throw new IllegalArgumentException("no prompt: give -p TEXT or -f FILE");
    }

    /** llama.cpp-like timing lines ({@code llama_perf_context_print}). */
    static String summary(Timings t, GenerationResult r) {
        StringBuilder sb = new StringBuilder();
        for (String line : t.format().split("\n")) sb.append("edgellm_perf_context_print: ").append(line).append('\n');
        sb.append("edgellm: stop reason ").append(r.stopReason().name().toLowerCase(Locale.ROOT)).append('\n');
        return sb.toString();
    }

    static String toJson(Model m, String prompt, GenerationResult r) throws Exception {
        Timings t = r.timings();
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("t_load_ms", t.loadMs());
        timings.put("n_p_eval", t.promptTokens());
        timings.put("t_p_eval_ms", t.promptEvalMs());
        timings.put("prompt_tokens_per_second", t.promptTokensPerSecond());
        timings.put("n_eval", t.evalTokens());
        timings.put("t_eval_ms", t.evalMs());
        timings.put("eval_tokens_per_second", t.evalTokensPerSecond());
        timings.put("eval_ms_per_token", t.evalMsPerToken());
        timings.put("n_generated", t.generatedTokens());
        timings.put("t_sample_ms", t.sampleMs());
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", m.path().toString());
        o.put("prompt", prompt);
        o.put("prompt_ids", r.promptIds());
        o.put("generated_ids", r.generatedIds());
        o.put("text", r.text());
        o.put("stop_reason", r.stopReason().name().toLowerCase(Locale.ROOT));
        o.put("timings", timings);
        return new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(o);
    }
}
