package io.edgellm.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgellm.Model;
import io.edgellm.SessionOptions;
import io.edgellm.server.EdgeLlmServer;
import io.edgellm.server.ServerOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code edgellm serve}: an OpenAI-compatible HTTP server, like {@code llama-server}. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve a model over HTTP: OpenAI-compatible /v1/chat/completions, /v1/completions, /v1/models,",
                "and llama-server's /health, /tokenize, /detokenize, /apply-template.",
                "Concurrent requests are decoded together on -np sequences of one engine; binds only --host."})
public final class ServeCommand implements Callable<Integer> {

    /** Creates the command (used by picocli). */
    public ServeCommand() {
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, description = "GGUF model file")
    Path model;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "TCP port, 0 = any free one (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = {"-np", "--parallel"}, defaultValue = "1", description = "sequences decoded together (one pool); more wait (default ${DEFAULT-VALUE})")
    int parallel;

    @Option(names = {"-c", "--ctx-size"}, defaultValue = "0", description = "context size per sequence (n_ctx), 0 = the model's, capped at 4096")
    int ctx;

    @Option(names = {"-t", "--threads"}, defaultValue = "0", description = "threads per session, 0 = all processors (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = {"-b", "--batch-size"}, defaultValue = "512", description = "prompt tokens per forward pass (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--chat-template", paramLabel = "FILE", description = "Jinja chat template file overriding the model's tokenizer.chat_template")
    Path chatTemplate;

    @Option(names = "--chat-template-kwargs", paramLabel = "JSON", description = "extra template variables, a JSON object, e.g. '{\"enable_thinking\":false}'")
    String chatTemplateKwargs;

    @Option(names = {"-a", "--alias"}, description = "model id reported by /v1/models (default: the file name)")
    String alias;

    @Override
    public Integer call() throws Exception {
        ServerOptions o = ServerOptions.defaults().withHost(host).withPort(port).withParallel(parallel).withModelAlias(alias)
                .withSession(SessionOptions.defaults().withContextLength(ctx).withThreads(threads).withBatchSize(batch));
        if (chatTemplate != null) o = o.withChatTemplate(Files.readString(chatTemplate, StandardCharsets.UTF_8));
        if (chatTemplateKwargs != null) {
            Map<String, Object> kw;
            try {
                kw = new ObjectMapper().readValue(chatTemplateKwargs, new TypeReference<Map<String, Object>>() { });
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalArgumentException("--chat-template-kwargs must be a JSON object: " + e.getOriginalMessage());
            }
            o = o.withChatTemplateKwargs(kw);
        }
        try (Model m = Model.load(model); EdgeLlmServer server = EdgeLlmServer.start(m, o)) {
            spec.commandLine().getErr().println("edgellm: serving " + server.modelId() + " on http://" + server.host()
                    + ":" + server.port() + " (" + parallel + " session(s)); Ctrl-C stops");
            Thread hook = new Thread(server::close, "edgellm-serve-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            server.awaitTermination();
        }
        return 0;
    }
}
