package io.edgellm.bench.runner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * llama.cpp's {@code llama-bench}, run as a child process for side-by-side numbers
 * ({@code edgellm bench --vs-llama-cpp}).
 *
 * <p>One call runs {@code llama-bench -m M -p N -n 0 -d D -t T -b B -r R -o json} (or {@code -p 0 -n N} for a tg
 * test) and parses the JSON array it prints on stdout: per test object the fields {@code n_prompt}, {@code n_gen},
 * {@code n_depth}, {@code n_threads}, {@code avg_ts}, {@code stddev_ts}, {@code samples_ts} (t/s of each repetition),
 * {@code build_commit}, {@code model_type}. Its log (stderr) goes to a temporary file whose tail is shown when the
 * process fails.
 */
public final class LlamaBench {

    /** Environment variable naming the llama-bench executable when {@code --vs-llama-cpp} has no value. */
    public static final String ENV = "EDGELLM_LLAMA_BENCH";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One test of llama-bench's JSON output.
     *
     * @param modelType   its {@code model_type} (e.g. "llama 1B Q4_0")
     * @param buildCommit its {@code build_commit}
     * @param threads     {@code n_threads}
     * @param nPrompt     {@code n_prompt} (pp tests)
     * @param nGen        {@code n_gen} (tg tests)
     * @param nDepth      {@code n_depth} (0 when the field is absent: builds before depth support)
     * @param avgTs       {@code avg_ts}, tokens per second
     * @param stddevTs    {@code stddev_ts}
     * @param samplesTs   {@code samples_ts}: t/s of each repetition (empty when absent)
     */
    public record Result(String modelType, String buildCommit, int threads, int nPrompt, int nGen, int nDepth,
                         double avgTs, double stddevTs, List<Double> samplesTs) {
        /** Validates and copies. */
        public Result {
            samplesTs = List.copyOf(samplesTs);
        }
    }

    /** Runs a command line and returns its stdout (tests replace the process). */
    @FunctionalInterface
    public interface Exec {
        /**
         * @param command the program and its arguments
         * @return what it printed on stdout
         * @throws IOException if it cannot be started or exits non-zero (the message names the command)
         */
        String run(List<String> command) throws IOException;
    }

    private final Path executable;
    private final Exec exec;

    /**
     * @param executable the {@code llama-bench} program
     * @param exec       how to run it ({@link #processExec()} for a real child process)
     */
    public LlamaBench(Path executable, Exec exec) {
        this.executable = Objects.requireNonNull(executable, "executable");
        this.exec = Objects.requireNonNull(exec, "exec");
    }

    /** The llama-bench program. */
    public Path executable() {
        return executable;
    }

    /**
     * The command line of one test: {@code -p nPrompt -n 0} for a pp test, {@code -p 0 -n nGen} for a tg test.
     *
     * @param nBatch n_batch ({@code -b}); llama-bench's default is 2048 as ours
     */
    public List<String> command(Path model, int threads, int nPrompt, int nGen, int depth, int nBatch, int repetitions) {
        List<String> c = new ArrayList<>();
        c.add(executable.toString());
        c.addAll(List.of("-m", model.toString(), "-p", Integer.toString(nPrompt), "-n", Integer.toString(nGen),
                "-t", Integer.toString(threads), "-b", Integer.toString(nBatch), "-r", Integer.toString(repetitions),
                "-o", "json"));
        if (depth > 0) {          // older builds have no -d; pass it only when needed
            c.addAll(List.of("-d", Integer.toString(depth)));
        }
        return c;
    }

    /**
     * Runs one test and returns its result.
     *
     * @throws IOException if the process fails or its output has no result for this test
     */
    public Result run(Path model, int threads, int nPrompt, int nGen, int depth, int nBatch, int repetitions)
            throws IOException {
        List<String> cmd = command(model, threads, nPrompt, nGen, depth, nBatch, repetitions);
        String out = exec.run(cmd);
        List<Result> results;
        try {
            results = parse(out);
        } catch (IllegalArgumentException e) {
            throw new IOException(String.join(" ", cmd) + ": " + e.getMessage(), e);
        }
        for (Result r : results) {
            if (r.nPrompt() == nPrompt && r.nGen() == nGen && r.nDepth() == depth) {
                return r;
            }
        }
        throw new IOException(String.join(" ", cmd) + ": its JSON output has no test with n_prompt " + nPrompt
                + ", n_gen " + nGen + ", n_depth " + depth + " (" + results.size() + " tests)");
    }

    /**
     * Parses llama-bench's {@code -o json} output: a JSON array of test objects.
     *
     * @throws IllegalArgumentException if it is not such an array or a test lacks {@code n_prompt}, {@code n_gen},
     *                                  {@code n_threads} or {@code avg_ts} (the message names the test and field)
     */
    public static List<Result> parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("llama-bench output is not JSON: " + e.getOriginalMessage()
                    + " (output starts: " + abbreviate(json) + ")");
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException("llama-bench output is not a JSON array (output starts: "
                    + abbreviate(json) + ")");
        }
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode t = root.get(i);
            List<Double> samples = new ArrayList<>();
            JsonNode s = t.get("samples_ts");
            if (s != null && s.isArray()) {
                s.forEach(v -> samples.add(v.asDouble()));
            }
            results.add(new Result(text(t, "model_type"), text(t, "build_commit"), intField(t, i, "n_threads"),
                    intField(t, i, "n_prompt"), intField(t, i, "n_gen"),
                    t.has("n_depth") ? intField(t, i, "n_depth") : 0, number(t, i, "avg_ts"),
                    t.has("stddev_ts") ? number(t, i, "stddev_ts") : Double.NaN, samples));
        }
        return results;
    }

    private static String text(JsonNode t, String field) {
        JsonNode v = t.get(field);
        return v == null || v.isNull() ? "" : v.asText();
    }

    private static int intField(JsonNode t, int i, String field) {
        JsonNode v = t.get(field);
        if (v == null || !v.canConvertToInt()) {
            throw new IllegalArgumentException("llama-bench test " + i + ": field '" + field + "' missing or not an integer");
        }
        return v.asInt();
    }

    private static double number(JsonNode t, int i, String field) {
        JsonNode v = t.get(field);
        if (v == null || !v.isNumber()) {
            throw new IllegalArgumentException("llama-bench test " + i + ": field '" + field + "' missing or not a number");
        }
        return v.asDouble();
    }

    private static String abbreviate(String s) {
        String t = s.strip();
        return t.length() <= 80 ? "'" + t + "'" : "'" + t.substring(0, 80) + "...'";
    }

    /**
     * Runs the command as a child process: stdout is returned, stderr goes to a temporary file whose last lines are
     * in the exception when the exit code is not 0.
     */
    public static Exec processExec() {
        return command -> {
            Path log = Files.createTempFile("llama-bench", ".log");
            try {
                ProcessBuilder pb = new ProcessBuilder(command).redirectError(log.toFile());
                Process p;
                try {
                    p = pb.start();
                } catch (IOException e) {
                    throw new IOException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
                }
                p.getOutputStream().close();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                int rc;
                try {
                    rc = p.waitFor();
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while running " + command.get(0), e);
                }
                if (rc != 0) {
                    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                    String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
                    throw new IOException(String.join(" ", command) + " exited with " + rc + "; its stderr ends:\n" + tail);
                }
                return out;
            } finally {
                Files.deleteIfExists(log);
            }
        };
    }
}
