package io.edgellm.cli;

import io.edgellm.Model;
import io.edgellm.SamplingParams;
import io.edgellm.Session;
import io.edgellm.SessionOptions;
import io.edgellm.chat.ChatMessage;
import io.edgellm.chat.ChatResult;
import io.edgellm.chat.ChatSession;
import io.edgellm.chat.ChatTemplate;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code edgellm chat}: an interactive conversation like {@code llama-cli -cnv}. Reads user turns from stdin (a line
 * ending in {@code \} continues on the next line; {@code /exit} or end of input quits), renders the whole
 * conversation with the chat template each turn and evaluates only the tokens not already in the KV cache.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Chat interactively (like llama-cli -cnv): type a message, Enter to send; end a line with \\ to "
                + "continue it; /exit or end of input quits.",
                "Timings go to stderr after each reply."})
public final class ChatCommand implements Callable<Integer> {
    /** Created by picocli. */
    public ChatCommand() {
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-m", "--model"}, description = "GGUF model file (default: the bundled models/" + DefaultModel.NAME + ")")
    Path model;

    @Mixin
    ChatSupport chat;

    @Mixin
    LlamaCppFlags llama;

    @Option(names = {"-n", "--n-predict"}, defaultValue = "256", description = "max tokens per reply (default ${DEFAULT-VALUE})")
    int nPredict;

    @Option(names = "--temp", defaultValue = "0.8", description = "temperature; 0 = greedy (default ${DEFAULT-VALUE})")
    float temp;

    @Option(names = "--top-k", defaultValue = "40", description = "top-k (default ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", description = "top-p (default ${DEFAULT-VALUE})")
    float topP;

    @Option(names = "--min-p", defaultValue = "0.05", description = "min-p (default ${DEFAULT-VALUE})")
    float minP;

    @Option(names = {"-s", "--seed"}, defaultValue = "-1", description = "random seed, -1 = random")
    long seed;

    @Option(names = {"-r", "--reverse-prompt", "--stop"}, description = "also stop a reply at this string (repeatable)")
    List<String> stops = new ArrayList<>();

    @Option(names = {"-c", "--ctx-size"}, defaultValue = "0", description = "context size (n_ctx), 0 = the model's, capped at 4096")
    int ctx;

    @Option(names = {"-t", "--threads"}, defaultValue = "0", description = "threads, 0 = all processors")
    int threads;

    @Option(names = {"-cnv", "--conversation"}, description = "llama-cli's conversation mode (always on here)")
    boolean conversation;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        llama.warn(err);
        long s = seed < 0 ? new java.security.SecureRandom().nextLong() & 0xFFFFFFFFL : seed;
        SamplingParams sampling = new SamplingParams(temp, topK, topP, minP, 1.0f, 64, s, nPredict, false, stops);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        return converse(DefaultModel.resolve(model), chat, sampling, SessionOptions.defaults().withContextLength(ctx)
                .withThreads(threads), in, out, err);
    }

    /** The conversation loop (also {@code generate -cnv}). */
    static int converse(Path modelPath, ChatSupport chat, SamplingParams sampling, SessionOptions options,
                        BufferedReader in, PrintWriter out, PrintWriter err) throws Exception {
        try (Model m = Model.load(modelPath); Session session = m.newSession(options)) {
            ChatTemplate template = chat.template(m, err);
            ChatSession cs = new ChatSession(session, template, chat.options());
            List<ChatMessage> conv = new ArrayList<>();
            if (chat.system != null) conv.add(ChatMessage.system(chat.system));
            err.println("edgellm: chatting with " + m.path().getFileName() + " (/exit or end of input to quit; end a "
                    + "line with \\ to continue it)");
            while (true) {
                out.print("\n> ");
                out.flush();
                String msg = readTurn(in);
                if (msg == null || msg.strip().equals("/exit")) break;
                if (msg.isBlank()) continue;
                conv.add(ChatMessage.user(msg));
                ChatResult r = cs.chat(conv, sampling, (id, piece) -> {
                    out.print(piece);
                    out.flush();
                });
                out.println();
                out.flush();
                conv.add(ChatMessage.assistant(r.text()));
                ChatSupport.printTimings(err, r);
            }
            out.println();
            out.flush();
        }
        return 0;
    }

    /** One user turn: lines joined while they end in a backslash; null at end of input. */
    static String readTurn(BufferedReader in) throws java.io.IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            String line = in.readLine();
            if (line == null) return sb.isEmpty() ? null : sb.toString();
            if (line.endsWith("\\")) {
                sb.append(line, 0, line.length() - 1).append('\n');
                continue;
            }
            return sb.append(line).toString();
        }
    }
}
