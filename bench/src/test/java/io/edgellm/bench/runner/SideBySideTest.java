package io.edgellm.bench.runner;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgellm.bench.support.SharedData;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code edgellm bench --vs-llama-cpp}: llama-bench's JSON parsed from a captured real run, and the interleaving of
 * the two engines checked with a fake llama-bench script and a fake edgellm model that log to one file.
 */
class SideBySideTest {

    @TempDir
    Path dir;

    static String fixture(String name) throws IOException {
        try (InputStream in = SideBySideTest.class.getResourceAsStream("/llama-bench/" + name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void parsesCapturedLlamaBenchJson() throws Exception {
        // captured from llama.cpp de3ff81's llama-bench on the synthetic llama-3.2-1b Q4_0 (see the fixture's README)
        List<LlamaBench.Result> r = LlamaBench.parse(fixture("llama-3.2-1b-Q4_0-pp32-tg16-d64.json"));
        assertEquals(2, r.size());
        LlamaBench.Result pp = r.get(0), tg = r.get(1);
        assertEquals(32, pp.nPrompt());
        assertEquals(0, pp.nGen());
        assertEquals(64, pp.nDepth());
        assertEquals(0, tg.nPrompt());
        assertEquals(16, tg.nGen());
        assertEquals(2, pp.threads());
        assertEquals(2, pp.samplesTs().size());
        assertTrue(pp.avgTs() > tg.avgTs(), "prefill is faster per token than decode: " + pp + " " + tg);
        double mean = (pp.samplesTs().get(0) + pp.samplesTs().get(1)) / 2;
        assertEquals(mean, pp.avgTs(), 1e-3);      // samples_ts are printed to 3 decimals
        assertTrue(pp.stddevTs() >= 0);
        assertFalse(pp.buildCommit().isEmpty());
        assertTrue(pp.modelType().contains("Q4_0"), pp.modelType());
    }

    @Test
    void badOutputNamesTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LlamaBench.parse("main: error"));
        assertTrue(e.getMessage().contains("not JSON"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LlamaBench.parse("{\"n_prompt\": 1}"));
        assertTrue(e.getMessage().contains("not a JSON array"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LlamaBench.parse("[{\"n_prompt\": 8, \"n_gen\": 0, \"n_threads\": 1}]"));
        assertTrue(e.getMessage().contains("'avg_ts'"), e.getMessage());
    }

    @Test
    void commandLineFollowsLlamaBench() {
        LlamaBench lb = new LlamaBench(Path.of("/x/llama-bench"), c -> "[]");
        assertEquals(List.of("/x/llama-bench", "-m", "m.gguf", "-p", "128", "-n", "0", "-t", "2", "-b", "2048", "-r",
                "3", "-o", "json", "-d", "512"), lb.command(Path.of("m.gguf"), 2, 128, 0, 512, 2048, 3));
        assertFalse(lb.command(Path.of("m.gguf"), 2, 0, 64, 0, 2048, 3).contains("-d"));
    }

    /** A fake llama-bench: logs its arguments, prints one test with the t/s given as 10 × threads. */
    private Path fakeLlamaBench(Path log) throws IOException {
        Path script = dir.resolve("llama-bench");
        Files.writeString(script, """
                #!/usr/bin/env bash
                p=0; n=0; t=1; d=0; r=1
                while [ $# -gt 0 ]; do
                  case "$1" in -p) p=$2;; -n) n=$2;; -t) t=$2;; -d) d=$2;; -r) r=$2;; esac; shift
                done
                echo "llama p=$p n=$n d=$d t=$t" >> "%s"
                echo "loading model (stderr noise)" >&2
                s=$((10 * t)); samples=$(yes "$s" | head -n "$r" | paste -sd, -)
                printf '[{"build_commit":"fake","model_type":"llama ? Q8_0","n_threads":%%d,"n_prompt":%%d,"n_gen":%%d,"n_depth":%%d,"avg_ts":%%d,"stddev_ts":0,"samples_ts":[%%s]}]\\n' "$t" "$p" "$n" "$d" "$s" "$samples"
                """.formatted(log));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    /** A fake edgellm model that logs each timed or warm-up run (each starts with a KV reset). */
    private static final class LoggingTarget extends FakeTarget {
        private final Path log;

        LoggingTarget(int nCtx, int threads, Path log) {
            super(512, nCtx, threads);
            this.log = log;
        }

        @Override
        public void reset() {
            super.reset();
            try {
                Files.writeString(log, "edgellm t=" + threads + "\n", StandardOpenOption.APPEND, StandardOpenOption.CREATE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    void runsBothEnginesInterleavedPerRoundAndPrintsTheRatio() throws Exception {
        Path model = SharedData.path("models/TinyStories-656K-Q8_0.gguf");
        Path log = dir.resolve("order.log");
        Files.writeString(log, "");
        BenchCommand cmd = new BenchCommand();
        cmd.factory = (m, t, nCtx) -> new LoggingTarget(nCtx, t, log);
        Path exe = fakeLlamaBench(log);
        cmd.env = Map.of(LlamaBench.ENV, exe.toString())::get;      // no path given: the environment variable
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = new CommandLine(cmd);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        Path json = dir.resolve("sbs.json");
        int rc = cl.execute("-m", model.toString(), "-p", "8", "-n", "4", "-d", "0,8", "-t", "1,2", "-r", "2",
                "--rounds", "3", "--no-warmup", "--vs-llama-cpp", "--json", json.toString());
        assertEquals(0, rc, "stderr: " + err);

        // the order: per test, per round, llama-bench once then edgellm's 2 repetitions (each one reset, plus the
        // depth refill's reset is the same call)
        List<String> lines = Files.readAllLines(log);
        List<String> runs = new ArrayList<>();
        for (String l : lines) {
            String kind = l.startsWith("llama") ? "L" : "E";
            if (runs.isEmpty() || !runs.get(runs.size() - 1).equals(kind)) {
                runs.add(kind);
            }
        }
        // 2 threads × 2 depths × 2 tests × 3 rounds = 24 rounds, each "L" then "E"
        assertEquals(48, runs.size(), String.join("\n", lines));
        for (int i = 0; i < runs.size(); i += 2) {
            assertEquals("L", runs.get(i));
            assertEquals("E", runs.get(i + 1));
        }
        assertEquals(2 * 2 * 2 * 3, lines.stream().filter(l -> l.startsWith("llama")).count());
        assertTrue(lines.contains("llama p=8 n=0 d=8 t=2"), lines.toString());
        assertTrue(lines.contains("llama p=0 n=4 d=0 t=1"), lines.toString());
        long edgeRuns = lines.stream().filter(l -> l.startsWith("edgellm")).count();
        assertEquals(24 * 2, edgeRuns, "2 repetitions per round, one reset each");

        String md = out.toString();
        assertTrue(md.contains("edgellm ÷ llama.cpp"), md);
        assertTrue(md.contains("pp8 @ d8"), md);
        assertTrue(md.contains("20.00 ± 0.00"), md);     // the fake's 2-thread llama-bench speed

        JsonNode rows = new ObjectMapper().readTree(json.toFile());
        assertEquals(8, rows.size());
        JsonNode r = rows.get(0);
        assertEquals("pp8", r.get("test").asText());
        assertEquals(1, r.get("n_threads").asInt());
        assertEquals(6, r.get("llama_cpp_samples_ts").size());   // 3 rounds × 2 repetitions
        assertEquals(6, r.get("edgellm_samples_ts").size());
        assertEquals(10.0, r.get("llama_cpp_avg_ts").asDouble(), 1e-9);
        assertEquals(r.get("edgellm_avg_ts").asDouble() / 10.0, r.get("ratio").asDouble(), 1e-9);
        assertTrue(r.get("ratio_min").asDouble() <= r.get("ratio").asDouble() * (1 + 1e-12));
        assertTrue(r.get("ratio_max").asDouble() >= r.get("ratio").asDouble() * (1 - 1e-12));
        assertEquals("fake", r.get("llama_cpp_build").asText());
    }

    @Test
    void missingLlamaBenchIsAClearError() throws Exception {
        Path model = SharedData.path("models/TinyStories-656K-Q8_0.gguf");
        BenchCommand cmd = new BenchCommand();
        cmd.factory = (m, t, nCtx) -> new FakeTarget(512, nCtx, t);
        cmd.env = k -> null;
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(cmd);
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        assertNotEquals(0, cl.execute("-m", model.toString(), "-p", "8", "-n", "0", "--vs-llama-cpp"));
        assertTrue(err.toString().contains(LlamaBench.ENV), err.toString());
        err.getBuffer().setLength(0);
        assertNotEquals(0, cl.execute("-m", model.toString(), "-p", "8", "-n", "0", "--vs-llama-cpp",
                dir.resolve("nope").toString()));
        assertTrue(err.toString().contains("not found"), err.toString());
    }
}
