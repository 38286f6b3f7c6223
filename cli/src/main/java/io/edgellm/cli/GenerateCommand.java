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

    @Option(names = {"-m", "--model"}, description = "GGUF model file (default: the bundled models/" + DefaultModel.NAME + ")")
    Path model;

    @CommandLine.Mixin
    LlamaCppFlags llama;

    @CommandLine.Mixin
    ChatSupport chat;

    @Option(names = "--chat", description = "one chat turn: -p is the user message (-sys the system one), rendered with "
            + "the chat template; stops at the template's end-of-turn")
    boolean chatMode;

    @Option(names = {"-cnv", "--conversation"}, description = "interactive chat, as `edgellm chat` (llama-cli -cnv)")
    boolean conversation;

    @Option(names = {"-e", "--escape"}, negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "process escapes (\\n \\t \\\\ ...) in -p, on by default as in llama.cpp; --no-escape keeps them")
    boolean escape;

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

    @Option(names = {"-np", "--parallel"}, defaultValue = "1", paramLabel = "N",
            description = "N samples of the prompt decoded together (prefix prefilled once; seeds seed+i; default ${DEFAULT-VALUE})")
    int parallel;

    @Option(names = "--vote", paramLabel = "REGEX",
            description = "with -np: the answer is the most frequent first capture group (or match) of REGEX over the samples (self-consistency)")
    String vote;

    @Option(names = {"-r", "--reverse-prompt", "--stop"}, description = "stop when the text contains this string (repeatable)")
    List<String> stops = new ArrayList<>();

    @Option(names = {"-t", "--threads"}, defaultValue = "0", description = "threads, 0 = all processors (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = {"-c", "--ctx-size"}, defaultValue = "0", description = "context size (n_ctx), 0 = the model's, capped at 4096")
    int ctx;

    @Option(names = {"-b", "--batch-size"}, defaultValue = "512", description = "prompt tokens per forward pass (n_batch, default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--context-shift", description = "when the context is full, keep the first --keep tokens, drop half "
            + "of the rest and go on generating (llama.cpp's context shift); without it generation stops (context_full)")
    boolean contextShift;

    @Option(names = "--keep", defaultValue = "0", paramLabel = "N", description = "tokens of the prompt kept by a context "
            + "shift, BOS not counted (it is always kept); -1 = the whole prompt (default ${DEFAULT-VALUE})")
    int keep;

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
        llama.warn(spec.commandLine().getErr());
        Path modelPath = DefaultModel.resolve(model);
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
                .withAccumulationOrder(llamaCppX86Order ? AccumulationOrder.LLAMA_CPP_X86 : AccumulationOrder.KERNEL)
                .withContextShift(contextShift).withNKeep(keep);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (threads > SessionOptions.maxThreads()) {
            err.println("edgellm: warning: -t " + threads + " clamped to " + SessionOptions.maxThreads()
                    + " (4 x the " + Runtime.getRuntime().availableProcessors() + " available processors)");
        }
        if (conversation) {
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8));
            return ChatCommand.converse(modelPath, chat, sampling, options, in, out, err);
        }
        String text = promptText();
        if (escape && prompt != null) text = LlamaCppFlags.processEscapes(text);
        if (chatMode) return chatOnce(modelPath, text, sampling, options, out, err);
        try (Model m = Model.load(modelPath, LoadOptions.defaults().withValidateTensorData(checkTensors));
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
            if (parallel > 1 || vote != null) return parallel(m, session, text, sampling, out, err);
            GenerationResult r;
            if (json) {
                io.edgellm.ReasoningTimings.Recorder rec = new io.edgellm.ReasoningTimings.Recorder(null);
                rec.start();
                r = session.generate(ids, sampling, rec);
                out.println(toJson(m, text, r, rec.timings(m.tokenizer(), r, text), session.contextShifts()));
            } else {
                if (!noDisplayPrompt) out.print(text);
                io.edgellm.ReasoningTimings.Recorder rec = new io.edgellm.ReasoningTimings.Recorder((id, piece) -> {
                    out.print(piece);
                    out.flush();
                });
                rec.start();
                r = session.generate(ids, sampling, rec);
                out.println();
                err.print(summary(r.timings(), r));
                io.edgellm.ReasoningTimings rt = rec.timings(m.tokenizer(), r, text);
                if (rt.hasThinking()) err.print("edgellm_perf_context_print: " + rt.format());
                if (contextShift) {
                    err.println("edgellm: context shifts " + session.contextShifts());
                } else if (r.stopReason() == io.edgellm.StopReason.CONTEXT_FULL) {
                    err.println("edgellm: the context (n_ctx " + session.contextLength() + ") is full; -c N enlarges it,"
                            + " --context-shift [--keep N] drops older tokens and goes on");
                }
            }
            out.flush();
            err.flush();
        }
        return 0;
    }

    /** {@code -np N [--vote REGEX]}: N samples decoded together, each printed, the vote reported. */
    private int parallel(Model m, Session session, String text, SamplingParams sampling, PrintWriter out, PrintWriter err) {
        java.util.regex.Pattern p = vote == null ? null : java.util.regex.Pattern.compile(vote);
        int[] ids = m.tokenizer().encode(text, true, true);
        List<GenerationResult> rs = session.generateParallel(ids, parallel, sampling, null);
        List<String> answers = new ArrayList<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (GenerationResult r : rs) {
            String a = null;
            if (p != null) {
                java.util.regex.Matcher mt = p.matcher(r.text());
                if (mt.find()) a = mt.groupCount() > 0 && mt.group(1) != null ? mt.group(1) : mt.group();
                if (a != null) counts.merge(a, 1, Integer::sum);
            }
            answers.add(a);
        }
        String winner = counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("model", m.path().toString());
            o.put("prompt", text);
            o.put("n_parallel", parallel);
            List<Map<String, Object>> samples = new ArrayList<>();
            for (int i = 0; i < rs.size(); i++) {
                GenerationResult r = rs.get(i);
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("seed", sampling.seed() + i);
                e.put("text", r.text());
                e.put("ids", r.generatedIdList());
                e.put("stop_reason", r.stopReason().name().toLowerCase(Locale.ROOT));
                if (p != null) e.put("answer", answers.get(i));
                samples.add(e);
            }
            o.put("samples", samples);
            if (p != null) {
                o.put("vote", winner);
                o.put("votes", counts);
            }
            o.put("n_p_eval", rs.get(0).timings().promptTokens());
            o.put("t_p_eval_ms", rs.get(0).timings().promptEvalMs());
            o.put("n_eval", rs.get(0).timings().evalTokens());
            o.put("t_eval_ms", rs.get(0).timings().evalMs());
            try {
                out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(o));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            for (int i = 0; i < rs.size(); i++) {
                out.printf(Locale.ROOT, "--- sample %d (seed %d, %s) ---%n%s%s%n", i, sampling.seed() + i,
                        rs.get(i).stopReason().name().toLowerCase(Locale.ROOT), noDisplayPrompt ? "" : text, rs.get(i).text());
            }
            if (p != null) out.println("vote: " + (winner == null ? "(no sample matched " + vote + ")" : winner + " " + counts));
            Timings t = rs.get(0).timings();
            err.printf(Locale.ROOT, "edgellm: %d sequences: prompt %d tokens in %.2f ms (prefilled once); decode %d tokens in %.2f ms (%.2f t/s aggregate)%n",
                    parallel, t.promptTokens(), t.promptEvalMs(), t.evalTokens(), t.evalMs(), t.evalTokensPerSecond());
        }
        out.flush();
        err.flush();
        return 0;
    }

    private int chatOnce(Path modelPath, String user, SamplingParams sampling, SessionOptions options, PrintWriter out,
                         PrintWriter err) throws Exception {
        try (Model m = Model.load(modelPath); Session session = m.newSession(options)) {
            io.edgellm.chat.ChatSession cs = new io.edgellm.chat.ChatSession(session, chat.template(m, err), chat.options());
            List<io.edgellm.chat.ChatMessage> conv = new ArrayList<>();
            if (chat.system != null) conv.add(io.edgellm.chat.ChatMessage.system(chat.system));
            conv.add(io.edgellm.chat.ChatMessage.user(user));
            if (!noDisplayPrompt && !json) out.print(cs.prompt(conv));
            io.edgellm.chat.ChatResult r = cs.chat(conv, sampling, json ? null : (id, piece) -> {
                out.print(piece);
                out.flush();
            });
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("model", m.path().toString());
                o.put("prompt", cs.prompt(conv));
                o.put("text", r.text());
                o.put("reasoning", r.reasoning());
                o.put("answer", r.answer());
                o.put("stop_reason", r.stopReason().name().toLowerCase(Locale.ROOT));
                o.put("n_thinking", r.thinkingTokens());
                o.put("n_answer", r.answerTokens());
                o.put("n_forced", r.forcedTokens());
                o.put("t_first_answer_ms", r.firstAnswerTokenMs());
                io.edgellm.ReasoningTimings rt = r.reasoningTimings();
                o.put("n_think", rt.thinkTokens());      // closing tag (forced or generated) included
                o.put("ttft_ms", rt.firstTokenMs());
                o.put("ttfat_ms", rt.firstAnswerMs());
                o.put("n_p_eval", r.timings().promptTokens());
                o.put("t_p_eval_ms", r.timings().promptEvalMs());
                o.put("n_eval", r.timings().evalTokens());
                o.put("t_eval_ms", r.timings().evalMs());
                out.println(new ObjectMapper().writeValueAsString(o));
            } else {
                out.println();
                ChatSupport.printTimings(err, r);
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

    /**
     * One generation as JSON: ids, text, stop reason, llama.cpp's timings, the thinking/answer split when there is a
     * thinking block, and {@code n_context_shifts} when {@code shifts >= 0}.
     */
    static String toJson(Model m, String prompt, GenerationResult r, io.edgellm.ReasoningTimings rt, int shifts)
            throws Exception {
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
        timings.put("ttft_ms", rt.firstTokenMs());
        if (rt.hasThinking()) {      // not llama.cpp's: see ReasoningTimings
            timings.put("n_think", rt.thinkTokens());
            timings.put("n_answer", rt.answerTokens());
            timings.put("ttfat_ms", rt.firstAnswerMs());
        }
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", m.path().toString());
        o.put("prompt", prompt);
        o.put("prompt_ids", r.promptIds());
        o.put("generated_ids", r.generatedIds());
        o.put("text", r.text());
        o.put("stop_reason", r.stopReason().name().toLowerCase(Locale.ROOT));
        if (shifts >= 0) o.put("n_context_shifts", shifts);
        o.put("timings", timings);
        return new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(o);
    }
}
