package io.edgellm.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code edgellm} command line (picocli): {@code generate}, {@code chat}, {@code template}, {@code inspect},
 * {@code tokenize}, {@code quantize}, {@code perplexity}, {@code serve}, the bench module's {@code bench},
 * {@code batched-bench}, {@code synth} and {@code jmh}, plus the subcommands other jars on the class path register through
 * {@link CliCommandProvider}. Errors (bad path, malformed file, bad option value) print one line on stderr and exit with 1;
 * usage errors exit with 2.
 */
@Command(name = "edgellm", mixinStandardHelpOptions = true, version = "edgellm 0.1.0",
        description = "Pure-Java LLM inference for GGUF models (llama.cpp-compatible).",
        subcommands = {GenerateCommand.class, ChatCommand.class, TemplateCommand.class, InspectCommand.class,
                TokenizeCommand.class, QuantizeCommand.class, PerplexityCommand.class, ServeCommand.class})
public final class EdgeLlmCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Creates the top-level command (used by picocli). */
    public EdgeLlmCli() {
    }

    /**
     * Entry point: runs and exits with the command's status.
     *
     * @param args command line
     */
    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }

    /**
     * Runs one command line in-process (tests use this).
     *
     * @param out  standard output of the command
     * @param err  standard error of the command
     * @param args command line
     * @return the exit status: 0 success, 1 runtime error (one line on {@code err}), 2 usage error
     */
    public static int run(PrintStream out, PrintStream err, String... args) {
        CommandLine cl = commandLine();
        PrintWriter o = new PrintWriter(out, true);
        PrintWriter e = new PrintWriter(err, true);
        cl.setOut(o);
        cl.setErr(e);
        int code;
        try {
            code = cl.execute(args);
        } catch (Throwable t) {                        // picocli hands only Exceptions to its handler: Errors land here
            o.flush();
            e.println("edgellm: " + oneLine(t));
            code = 1;
        }
        o.flush();
        e.flush();
        return code;
    }

    /**
     * The configured command tree.
     *
     * @return built-in subcommands (with bench's) plus every {@link CliCommandProvider}'s
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new EdgeLlmCli());
        cl.addSubcommand(new io.edgellm.bench.runner.BenchCommand());
        cl.addSubcommand(new io.edgellm.bench.synth.SynthCommand());
        cl.addSubcommand(new io.edgellm.bench.batched.BatchedBenchCommand());
        cl.addSubcommand(new JmhCommand());
        // a broken provider (missing class, failing constructor) costs its commands, not the whole CLI
        java.util.Iterator<CliCommandProvider> it = ServiceLoader.load(CliCommandProvider.class).iterator();
        while (true) {
            try {
                if (!it.hasNext()) break;
                for (Object c : it.next().commands()) {
                    cl.addSubcommand(c);
                }
            } catch (java.util.ServiceConfigurationError | RuntimeException | LinkageError e) {
                System.err.println("edgellm: warning: skipping a CLI extension: " + oneLine(e));
            }
        }
        // llama.cpp's multi-letter single-dash flags (-ngl, -sys, -cnv, -ctk) must not be read as clusters (-n gl)
        cl.setPosixClusteredShortOptionsAllowed(false);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            String path = c.getCommandSpec().qualifiedName(" ");
            c.getErr().println(path + ": " + ex.getMessage().replace('\n', ' ') + " (see " + path + " --help)");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("edgellm: " + oneLine(ex));
            return 1;
        });
        return cl;
    }

    /**
     * Reads a UTF-8 text file (a prompt), strictly: invalid UTF-8 is an error naming the file and the byte offset,
     * not a silent replacement or "Input length = 1".
     */
    static String readUtf8(java.nio.file.Path file) throws IOException {
        if (java.nio.file.Files.isDirectory(file)) {
            throw new java.nio.file.FileSystemException(file.toString(), null, "is a directory, not a text file");
        }
        byte[] bytes = java.nio.file.Files.readAllBytes(file);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length);
        java.nio.charset.CharsetDecoder dec = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        java.nio.charset.CoderResult r = dec.decode(in, out, true);
        if (!r.isError()) r = dec.flush(out);
        if (r.isError()) {
            int at = in.position();
            StringBuilder hex = new StringBuilder();
            for (int i = at; i < Math.min(bytes.length, at + r.length()); i++) hex.append(String.format(" %02x", bytes[i] & 0xFF));
            throw new java.nio.charset.CharacterCodingException() {
                @Override
                public String getMessage() {
                    return file + ": not valid UTF-8 text: invalid byte(s)" + hex + " at byte offset " + at;
                }
            };
        }
        return out.flip().toString();
    }

    /** A one-line description of an error, without a stack trace. */
    static String oneLine(Throwable ex) {
        while (ex instanceof CommandLine.ExecutionException && ex.getCause() != null) {
            ex = ex.getCause();                       // picocli's wrapper around what the command threw
        }
        String msg;
        if (ex instanceof NoSuchFileException nf) {
            msg = "file not found: " + nf.getFile();
        } else if (ex instanceof AccessDeniedException ad) {
            msg = "permission denied: " + ad.getFile();
        } else if (ex instanceof IOException || ex instanceof IllegalArgumentException || ex instanceof IllegalStateException) {
            msg = ex.getMessage() != null ? ex.getMessage() : ex.getClass().getSimpleName();
        } else if (ex instanceof io.edgellm.chat.ChatTemplateException ct) {
            msg = "chat template: " + ct.getMessage();
        } else if (ex instanceof OutOfMemoryError) {
            String what = ex.getMessage() == null ? "" : ex.getMessage();
            msg = "out of memory" + (what.startsWith("KV cache") ? " allocating the " + what : " (" + what + ")")
                    + " with a Java heap of at most " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB; use a smaller"
                    + " context (-c) or give the JVM more heap: EDGELLM_JAVA_OPTS=-Xmx8g ./edgellm ...";
        } else if (ex instanceof InternalError && ex.getMessage() != null && ex.getMessage().contains("unsafe memory access")) {
            msg = "the model file changed or was truncated while in use (a read of its memory-mapped data failed); "
                    + "do not modify or replace a model file while edgellm reads it";
        } else {
            msg = ex.getClass().getSimpleName() + (ex.getMessage() != null ? ": " + ex.getMessage() : "");
        }
        return io.edgellm.quant.gguf.Printable.escape(msg.replace('\n', ' ').replace('\r', ' '));
    }
}
